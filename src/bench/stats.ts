// Small statistics for the bench: summaries of repeated timings, ratios against reference
// figures and targets, and the linearity check (time per fact, largest size ÷ smallest).

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly n: number;
}

/** Median of the samples (mean of the middle two for an even count); NaN when empty. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) return { median: NaN, min: NaN, max: NaN, mean: NaN, n: 0 };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const x of samples) {
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
  }
  return { median: median(samples), min, max, mean: sum / samples.length, n: samples.length };
}

/** Facts per second for `facts` processed in `ms`. */
export function factsPerSecond(facts: number, ms: number): number {
  return ms > 0 ? (facts * 1000) / ms : NaN;
}

/** `value ÷ reference`, or null when there is no reference (lower is better for times). */
export function ratio(value: number, reference: number | null | undefined): number | null {
  if (reference === null || reference === undefined || !(reference > 0) || !Number.isFinite(value)) return null;
  return value / reference;
}

export interface SizePoint {
  readonly size: number;
  readonly ms: number;
}

/**
 * Linearity: (ms_largest / size_largest) ÷ (ms_smallest / size_smallest). 1.0 is perfectly
 * linear; above 1 the cost per fact grows with N. Null with fewer than two distinct sizes.
 */
export function linearity(points: readonly SizePoint[]): { value: number; smallest: number; largest: number } | null {
  const ok = points.filter((p) => p.size > 0 && Number.isFinite(p.ms) && p.ms > 0);
  if (ok.length < 2) return null;
  let lo = ok[0]!;
  let hi = ok[0]!;
  for (const p of ok) {
    if (p.size < lo.size) lo = p;
    if (p.size > hi.size) hi = p;
  }
  if (lo.size === hi.size) return null;
  return { value: hi.ms / hi.size / (lo.ms / lo.size), smallest: lo.size, largest: hi.size };
}

/** A word for a linearity value: how the time per fact moved from the smallest size to the largest. */
export function linearityVerdict(value: number): string {
  if (value < 0.8) return 'sub-linear: fixed costs weigh on the smallest size';
  if (value <= 1.25) return 'linear';
  if (value <= 2) return 'mildly super-linear';
  return 'super-linear: the cost per fact grows with N';
}
