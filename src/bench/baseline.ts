// Compares a bench result with an earlier one (`--baseline FILE`, written by --json):
// every figure where higher is worse — times, memory, linearity — is set beside its
// baseline, and marked when it got more than the threshold (default 10%) worse.

import type { BenchResult, SizeResult } from './results.js';

export type FigureUnit = 'ms' | 'bytes' | 'ratio';

export interface FigureComparison {
  readonly workload: string;
  /** Null for per-workload figures (linearity). */
  readonly size: number | null;
  /** Stable figure name, e.g. `engine.median`. */
  readonly figure: string;
  readonly unit: FigureUnit;
  readonly baseline: number;
  readonly current: number;
  /** (current − baseline) ÷ baseline: +0.12 is 12% worse. */
  readonly change: number;
  readonly worse: boolean;
}

export interface BaselineComparison {
  readonly thresholdPct: number;
  readonly figures: FigureComparison[];
  /** Workload sizes the baseline has but this result lacks (or the reverse), as text. */
  readonly unmatched: string[];
}

/** Differences below these are noise, whatever the percentage (sub-millisecond timings, page-size memory). */
export const NOISE_FLOOR: Readonly<Record<FigureUnit, number>> = { ms: 1, bytes: 1024 * 1024, ratio: 0 };

/** The per-size figures compared, each higher-is-worse. */
export const SIZE_FIGURES: readonly { readonly figure: string; readonly unit: FigureUnit; readonly pick: (s: SizeResult) => number | undefined }[] = [
  { figure: 'engine.median', unit: 'ms', pick: (s) => s.engine?.time.median },
  { figure: 'engine.min', unit: 'ms', pick: (s) => s.engine?.time.min },
  { figure: 'engine.compile', unit: 'ms', pick: (s) => s.engine?.compileMs },
  { figure: 'engine.peakRss', unit: 'bytes', pick: (s) => s.engine?.peakRssBytes },
  { figure: 'engine.peakHeap', unit: 'bytes', pick: (s) => s.engine?.peakHeapBytes },
  { figure: 'endToEnd.median', unit: 'ms', pick: (s) => s.endToEnd?.time.median },
  { figure: 'endToEnd.min', unit: 'ms', pick: (s) => s.endToEnd?.time.min },
  { figure: 'endToEnd.peakRss', unit: 'bytes', pick: (s) => s.endToEnd?.peakRssBytes },
  { figure: 'endToEnd.peakHeap', unit: 'bytes', pick: (s) => s.endToEnd?.peakHeapBytes },
];

export function figureKey(workload: string, size: number | null, figure: string): string {
  return `${workload}/${size ?? '*'}/${figure}`;
}

export function isWorse(baseline: number, current: number, unit: FigureUnit, thresholdPct: number): boolean {
  if (!(baseline > 0) || !Number.isFinite(current)) return false;
  return (current - baseline) / baseline > thresholdPct / 100 && current - baseline > NOISE_FLOOR[unit];
}

export function compareResults(current: BenchResult, baseline: BenchResult, thresholdPct = 10): BaselineComparison {
  const figures: FigureComparison[] = [];
  const unmatched: string[] = [];
  const add = (workload: string, size: number | null, figure: string, unit: FigureUnit, b: number | undefined | null, c: number | undefined | null) => {
    if (b === undefined || b === null || c === undefined || c === null || !Number.isFinite(b) || !Number.isFinite(c)) return;
    figures.push({ workload, size, figure, unit, baseline: b, current: c, change: b > 0 ? (c - b) / b : NaN, worse: isWorse(b, c, unit, thresholdPct) });
  };
  for (const w of current.workloads) {
    const bw = baseline.workloads.find((x) => x.name === w.name);
    if (!bw) {
      unmatched.push(`${w.name}: not in the baseline`);
      continue;
    }
    for (const s of w.sizes) {
      const bs = bw.sizes.find((x) => x.size === s.size);
      if (!bs) {
        unmatched.push(`${w.name} ${s.size}: not in the baseline`);
        continue;
      }
      for (const f of SIZE_FIGURES) add(w.name, s.size, f.figure, f.unit, f.pick(bs), f.pick(s));
    }
    for (const bs of bw.sizes)
      if (!w.sizes.some((s) => s.size === bs.size))
        unmatched.push(`${w.name} ${bs.size}: in the baseline, not measured now${w.status === 'unsupported' ? ' (not supported by this build)' : ''}`);
    add(w.name, null, 'linearity.engine', 'ratio', bw.linearity?.engine?.value, w.linearity.engine?.value);
    add(w.name, null, 'linearity.endToEnd', 'ratio', bw.linearity?.endToEnd?.value, w.linearity.endToEnd?.value);
  }
  return { thresholdPct, figures, unmatched };
}

/** Keys (figureKey) of the figures marked worse, for marking them in the tables. */
export function worseKeys(c: BaselineComparison | null): Set<string> {
  return new Set((c?.figures ?? []).filter((f) => f.worse).map((f) => figureKey(f.workload, f.size, f.figure)));
}
