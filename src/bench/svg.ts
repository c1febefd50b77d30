// `--svg FILE`: time against N per workload, hand-written SVG (no dependency). Solid lines
// are the engine-only medians (with min–max whiskers), dashed lines the end-to-end medians,
// hollow diamonds the reference engine's figures, dotted lines what perfectly linear
// scaling from the smallest size would give. Axes are logarithmic when the figures span
// a wide range, else linear from zero.

import type { BenchResult } from './results.js';
import { fmtMs } from './format.js';
import { formatSize } from './workloads.js';

export type AxisScale = 'log' | 'linear';

export interface SvgOptions {
  readonly scale?: AxisScale | 'auto';
  readonly width?: number;
  readonly height?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Tick labels: 50 ms, 200 ms, 1 s, 2.5 s. */
function tickMs(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toPrecision(3))} s` : `${Number(ms.toPrecision(3))} ms`;
}

const n = (x: number) => (Math.round(x * 10) / 10).toString();

interface Axis {
  readonly scale: AxisScale;
  readonly lo: number;
  readonly hi: number;
  /** Maps a value to [0, 1]. */
  at(v: number): number;
  readonly ticks: number[];
}

/** 1-2-5 ticks covering [lo, hi]. */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)) + 1; e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
    }
  }
  return out;
}

/** Round-number ticks (about 5–8) covering [lo, hi]. */
export function linearTicks(lo: number, hi: number): number[] {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / 6;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => span / s <= 8) ?? 10 * p;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function makeAxis(values: readonly number[], scale: AxisScale, pad: number): Axis {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (scale === 'log') {
    if (lo === hi) {
      lo /= 2;
      hi *= 2;
    }
    lo /= pad;
    hi *= pad;
    const l0 = Math.log10(lo);
    const l1 = Math.log10(hi);
    return { scale, lo, hi, at: (v) => (Math.log10(v) - l0) / (l1 - l0), ticks: logTicks(lo, hi) };
  }
  lo = 0;
  hi = hi * (1 + (pad - 1) / 2) || 1;
  return { scale, lo, hi, at: (v) => (v - lo) / (hi - lo), ticks: linearTicks(lo, hi) };
}

interface Series {
  readonly name: string;
  readonly color: string;
  readonly engine: { size: number; median: number; min: number; max: number }[];
  readonly endToEnd: { size: number; median: number }[];
  readonly reference: { size: number; ms: number }[];
}

function collect(r: BenchResult): Series[] {
  const ok = r.workloads.filter((w) => w.status === 'ok' && w.sizes.length > 0);
  return ok.map((w, i) => {
    const sizes = w.sizes.map((s) => s.size);
    const lo = Math.min(...sizes);
    const hi = Math.max(...sizes);
    return {
      name: w.name,
      color: PALETTE[i % PALETTE.length]!,
      engine: w.sizes.flatMap((s) => (s.engine ? [{ size: s.size, median: s.engine.time.median, min: s.engine.time.min, max: s.engine.time.max }] : [])),
      endToEnd: w.sizes.flatMap((s) => (s.endToEnd ? [{ size: s.size, median: s.endToEnd.time.median }] : [])),
      reference: Object.entries(w.reference)
        .map(([size, ms]) => ({ size: Number(size), ms }))
        .filter((p) => p.size >= lo && p.size <= hi),
    };
  });
}

/** Log axes when the figures span more than these ratios. */
function autoScale(values: readonly number[], ratio: number): AxisScale {
  const pos = values.filter((v) => v > 0);
  return pos.length > 0 && Math.max(...pos) / Math.min(...pos) >= ratio ? 'log' : 'linear';
}

export function renderSvg(r: BenchResult, o: SvgOptions = {}): string {
  const W = o.width ?? 900;
  const H = o.height ?? 540;
  const series = collect(r);
  const left = 78;
  const right = 250;
  const top = 64;
  const bottom = 62;
  const pw = W - left - right;
  const ph = H - top - bottom;
  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
  );
  out.push('<title>rete-eval bench: time against N per workload, engine only and end to end</title>');
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${left}" y="26" font-size="16" font-weight="bold" fill="#222">rete-eval bench: time against N</text>`);
  const env = r.environment;
  out.push(
    `<text x="${left}" y="45" fill="#666">${escapeXml(`Node ${env.node} · ${env.cpu} · median of ${r.options.runs} runs · reference figures: Apple M1 Pro`)}</text>`,
  );

  const xs = series.flatMap((s) => [...s.engine.map((p) => p.size), ...s.endToEnd.map((p) => p.size), ...s.reference.map((p) => p.size)]);
  const ys = series
    .flatMap((s) => [...s.engine.flatMap((p) => [p.min, p.max, p.median]), ...s.endToEnd.map((p) => p.median), ...s.reference.map((p) => p.ms)])
    .filter((v) => v > 0);
  if (xs.length === 0 || ys.length === 0) {
    out.push(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle" fill="#666">no measurements to draw</text>`, '</svg>');
    return out.join('\n') + '\n';
  }
  // Auto: log-log when N or the times span a wide range (slopes then read as scaling
  // exponents, and linear scaling is a 45° line), else linear axes from zero.
  const auto: AxisScale = autoScale(xs, 4) === 'log' || autoScale(ys, 10) === 'log' ? 'log' : 'linear';
  const xScale = o.scale && o.scale !== 'auto' ? o.scale : auto;
  const yScale = xScale;
  const xa = makeAxis(xs, xScale, 1.15);
  const ya = makeAxis(ys, yScale, 1.25);
  const X = (v: number) => left + xa.at(v) * pw;
  const Y = (v: number) => top + ph - ya.at(v) * ph;

  // Grid, axes, ticks.
  out.push(`<g stroke="#e6e6e6" stroke-width="1">`);
  for (const t of ya.ticks) out.push(`<line x1="${left}" y1="${n(Y(t))}" x2="${left + pw}" y2="${n(Y(t))}"/>`);
  for (const t of xTicks(xa, xs)) out.push(`<line x1="${n(X(t))}" y1="${top}" x2="${n(X(t))}" y2="${top + ph}"/>`);
  out.push(`</g>`);
  out.push(`<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  out.push(`<g fill="#444" font-size="11">`);
  for (const t of ya.ticks) out.push(`<text x="${left - 6}" y="${n(Y(t) + 4)}" text-anchor="end">${escapeXml(tickMs(t))}</text>`);
  for (const t of xTicks(xa, xs)) out.push(`<text x="${n(X(t))}" y="${top + ph + 16}" text-anchor="middle">${escapeXml(formatSize(t))}</text>`);
  out.push(`</g>`);
  out.push(`<text x="${left + pw / 2}" y="${H - 18}" text-anchor="middle" fill="#222">N (facts${xScale === 'log' ? ', log scale' : ''})</text>`);
  out.push(
    `<text x="18" y="${top + ph / 2}" text-anchor="middle" fill="#222" transform="rotate(-90 18 ${top + ph / 2})">time${yScale === 'log' ? ' (log scale)' : ''}</text>`,
  );

  // Series.
  const path = (pts: { x: number; y: number }[]) => pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${n(p.x)},${n(p.y)}`).join(' ');
  for (const s of series) {
    out.push(`<g>`);
    const e = [...s.engine].sort((a, b) => a.size - b.size);
    if (e.length >= 2) {
      // Perfectly linear scaling from the smallest size.
      const first = e[0]!;
      const last = e[e.length - 1]!;
      out.push(
        `<path d="${path([
          { x: X(first.size), y: Y(first.median) },
          { x: X(last.size), y: Y((first.median * last.size) / first.size) },
        ])}" stroke="${s.color}" stroke-opacity="0.45" stroke-width="1" stroke-dasharray="1.5 3" fill="none"/>`,
      );
    }
    const x2 = [...s.endToEnd].sort((a, b) => a.size - b.size);
    if (x2.length >= 2)
      out.push(
        `<path d="${path(x2.map((p) => ({ x: X(p.size), y: Y(p.median) })))}" stroke="${s.color}" stroke-width="1.8" stroke-dasharray="7 4" fill="none"/>`,
      );
    for (const p of x2) {
      out.push(
        `<rect x="${n(X(p.size) - 3.5)}" y="${n(Y(p.median) - 3.5)}" width="7" height="7" fill="${s.color}"><title>${escapeXml(`${s.name} ${formatSize(p.size)} end to end: median ${fmtMs(p.median)}`)}</title></rect>`,
      );
    }
    if (e.length >= 2) out.push(`<path d="${path(e.map((p) => ({ x: X(p.size), y: Y(p.median) })))}" stroke="${s.color}" stroke-width="2.2" fill="none"/>`);
    for (const p of e) {
      const cx = n(X(p.size));
      if (p.max > p.min) {
        out.push(
          `<path d="M${cx},${n(Y(p.min))} L${cx},${n(Y(p.max))} M${n(X(p.size) - 4)},${n(Y(p.min))} L${n(X(p.size) + 4)},${n(Y(p.min))} M${n(X(p.size) - 4)},${n(Y(p.max))} L${n(X(p.size) + 4)},${n(Y(p.max))}" stroke="${s.color}" stroke-width="1"/>`,
        );
      }
      out.push(
        `<circle cx="${cx}" cy="${n(Y(p.median))}" r="4" fill="${s.color}"><title>${escapeXml(`${s.name} ${formatSize(p.size)} engine only: median ${fmtMs(p.median)} (min ${fmtMs(p.min)}, max ${fmtMs(p.max)})`)}</title></circle>`,
      );
    }
    for (const p of s.reference) {
      const cx = X(p.size);
      const cy = Y(p.ms);
      out.push(
        `<path d="M${n(cx)},${n(cy - 6)} L${n(cx + 6)},${n(cy)} L${n(cx)},${n(cy + 6)} L${n(cx - 6)},${n(cy)} Z" fill="#ffffff" stroke="${s.color}" stroke-width="2"><title>${escapeXml(`${s.name} ${formatSize(p.size)} reference engine: ${fmtMs(p.ms)}`)}</title></path>`,
      );
    }
    out.push(`</g>`);
  }

  // Legend.
  const lx = left + pw + 20;
  let ly = top + 4;
  out.push(`<g font-size="12" fill="#222">`);
  out.push(`<text x="${lx}" y="${ly + 8}" font-weight="bold">workload</text>`);
  ly += 24;
  for (const s of series) {
    out.push(`<rect x="${lx}" y="${ly - 2}" width="22" height="4" fill="${s.color}"/>`, `<text x="${lx + 30}" y="${ly + 4}">${escapeXml(s.name)}</text>`);
    ly += 20;
  }
  ly += 10;
  out.push(`<text x="${lx}" y="${ly + 8}" font-weight="bold">key</text>`);
  ly += 24;
  const key = (glyph: string, label: string) => {
    out.push(glyph, `<text x="${lx + 30}" y="${ly + 4}">${escapeXml(label)}</text>`);
    ly += 20;
  };
  key(
    `<path d="M${lx},${ly} L${lx + 22},${ly}" stroke="#444" stroke-width="2.2"/><circle cx="${lx + 11}" cy="${ly}" r="4" fill="#444"/>`,
    'engine only, median',
  );
  key(
    `<path d="M${lx + 11},${ly - 7} L${lx + 11},${ly + 7} M${lx + 7},${ly - 7} L${lx + 15},${ly - 7} M${lx + 7},${ly + 7} L${lx + 15},${ly + 7}" stroke="#444"/>`,
    'engine only, min–max',
  );
  key(
    `<path d="M${lx},${ly} L${lx + 22},${ly}" stroke="#444" stroke-width="1.8" stroke-dasharray="7 4"/><rect x="${lx + 7.5}" y="${ly - 3.5}" width="7" height="7" fill="#444"/>`,
    'end to end (rete-eval run)',
  );
  key(
    `<path d="M${lx + 11},${ly - 6} L${lx + 17},${ly} L${lx + 11},${ly + 6} L${lx + 5},${ly} Z" fill="#fff" stroke="#444" stroke-width="2"/>`,
    'reference engine (M1 Pro)',
  );
  key(`<path d="M${lx},${ly} L${lx + 22},${ly}" stroke="#444" stroke-opacity="0.6" stroke-dasharray="1.5 3"/>`, 'linear from smallest size');
  out.push(`</g>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** X ticks: the measured sizes themselves when few, else the axis's own ticks. */
function xTicks(a: Axis, xs: readonly number[]): number[] {
  const distinct = [...new Set(xs)].sort((p, q) => p - q);
  if (distinct.length <= 8) return distinct;
  return a.ticks;
}
