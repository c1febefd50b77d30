// Number formatting and aligned tables for the bench's text and Markdown output.

/** SGR escape sequences (colours), which take no width on a terminal. */
const ANSI_SGR = new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g');

export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function fmtBytes(b: number | null | undefined): string {
  if (b === null || b === undefined || !Number.isFinite(b)) return '–';
  if (b >= 1024 ** 3) return `${(b / 1024 ** 3).toFixed(2)} GiB`;
  if (b >= 1024 ** 2) return `${(b / 1024 ** 2).toFixed(0)} MiB`;
  if (b >= 1024) return `${(b / 1024).toFixed(0)} KiB`;
  return `${b} B`;
}

export function fmtCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return Math.round(n).toLocaleString('en-US');
}

/** Facts per second: 1.43M/s, 850K/s. */
export function fmtRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond)) return '–';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(0)}K/s`;
  return `${perSecond.toFixed(0)}/s`;
}

/** A ratio such as 0.14× or 2.3×. */
export function fmtRatio(r: number | null | undefined): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return '–';
  if (r >= 100) return `${r.toFixed(0)}×`;
  if (r >= 10) return `${r.toFixed(1)}×`;
  if (r >= 0.1) return `${r.toFixed(2)}×`;
  return `${r.toFixed(3)}×`;
}

export function fmtPct(p: number): string {
  if (!Number.isFinite(p)) return '–';
  return `${p > 0 ? '+' : ''}${p.toFixed(1)}%`;
}

export type Align = 'left' | 'right';

export interface Column {
  readonly title: string;
  readonly align?: Align;
}

/** Display width, ignoring ANSI colour codes. */
function width(s: string): number {
  return [...s.replace(ANSI_SGR, '')].length;
}

function pad(s: string, w: number, align: Align): string {
  const fill = ' '.repeat(Math.max(0, w - width(s)));
  return align === 'right' ? fill + s : s + fill;
}

/** A plain-text table with aligned columns (two spaces between), a rule under the header. */
export function textTable(columns: readonly Column[], rows: readonly (readonly string[])[], indent = '  '): string {
  const widths = columns.map((c, i) => Math.max(width(c.title), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    indent +
    cells
      .map((cell, i) => pad(cell, widths[i]!, columns[i]!.align ?? 'left'))
      .join('  ')
      .trimEnd();
  const out = [line(columns.map((c) => c.title)), indent + widths.map((w) => '─'.repeat(w)).join('  ')];
  for (const r of rows) out.push(line(r));
  return out.join('\n') + '\n';
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A GitHub-flavoured Markdown table. */
export function markdownTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const head = `| ${columns.map((c) => mdCell(c.title)).join(' | ')} |`;
  const rule = `|${columns.map((c) => (c.align === 'right' ? '---:' : ':---')).join('|')}|`;
  const body = rows.map((r) => `| ${columns.map((_, i) => mdCell(r[i] ?? '')).join(' | ')} |`);
  return [head, rule, ...body].join('\n') + '\n';
}
