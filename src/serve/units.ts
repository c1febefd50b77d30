// Sizes and durations as the serve options take them: `64MiB`, `512KiB`, `1048576`;
// `30s`, `500ms`, `2m` (a plain number of a duration is seconds). Throws on anything else.

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 2 ** 10, kib: 2 ** 10, m: 2 ** 20, mib: 2 ** 20, g: 2 ** 30, gib: 2 ** 30 };
const TIME_UNITS: Record<string, number> = { '': 1000, ms: 1, s: 1000, m: 60_000 };

/** Bytes in a size such as `64MiB` (binary units: K/KiB, M/MiB, G/GiB); null when unreadable. */
export function parseBytes(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim().replace(/_/g, ''));
  if (m === null) return null;
  const unit = SIZE_UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return null;
  const n = Math.round(Number(m[1]) * unit);
  return Number.isSafeInteger(n) ? n : null;
}

/** Milliseconds in a duration such as `30s`, `500ms`, `2m` (a plain number is seconds); null when unreadable. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  if (m === null) return null;
  const unit = TIME_UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return null;
  const n = Math.round(Number(m[1]) * unit);
  return Number.isSafeInteger(n) ? n : null;
}
