// The bench result document (`--json`): per workload and size, engine-only and end-to-end
// timings with their summaries, memory, and the ratios to the specification's figures.
// `--baseline` reads an earlier one of these back.

import type { CodeCacheState } from '../boot/state.js';
import { factsPerSecond, linearity, ratio, summarize, type Summary } from './stats.js';

export const RESULT_SCHEMA = 'rete-eval-bench/1';

/** The specification's memory limits (bytes) for the simple workload. */
export const MEMORY_TARGETS: Readonly<Record<string, Readonly<Record<number, number>>>> = {
  simple: { 200000: 500 * 1024 * 1024, 1000000: 3 * 1024 * 1024 * 1024 },
};

/** What the engine-only child measures for one size. */
export interface EngineMeasurement {
  readonly facts: number;
  readonly firings: number;
  /** The first compile of the rules in a fresh process: the median of compileRunsMs. */
  readonly compileMs: number;
  /**
   * First compiles, each in a fresh process (the engine-only child's, then --compile-only
   * children's: as many as measured runs). Absent in results written before they were kept.
   */
  readonly compileRunsMs?: number[];
  /**
   * For each of compileRunsMs, how the child's own code was compiled: 'used' from V8's code
   * cache (a user's second run), 'made' or 'remade' without it, 'off' with it turned off.
   * Absent in results written before it was kept.
   */
  readonly compileCodeCache?: (CodeCacheState | null)[];
  /** Measured runs, in order (warm-up excluded). */
  readonly runsMs: number[];
  readonly warmupMs: number[];
  /** Time to build one run's facts (line → JSON.parse → decodeFact), median; not part of runsMs. */
  readonly buildMs: number;
  /** The child's peak resident set (OS figure, whole life of the child). */
  readonly peakRssBytes: number;
  /** Largest V8 used-heap figure seen (facts built, and right after a run). */
  readonly peakHeapBytes: number;
  /** Heap the decoded facts of one run hold (after a GC), when the child could collect. */
  readonly factsHeapBytes: number | null;
  readonly gcExposed: boolean;
}

/** What `rete-eval run` reported and cost, over the runs, for one size. */
export interface EndToEndMeasurement {
  readonly facts: number;
  readonly firings: number;
  readonly fileBytes: number;
  readonly runsMs: number[];
  readonly warmupMs: number[];
  readonly peakRssBytes: number;
  readonly peakHeapBytes: number;
  /** Medians of the run report's stages. */
  readonly stagesMs: { readonly compile: number; readonly readParse: number; readonly evaluate: number; readonly write: number; readonly total: number };
}

/** Projected against whole-record runs of the same file, alternated: end-to-end time ratio per pair. */
export interface ReaderComparison {
  readonly ratioMedian: number;
  readonly ratioMin: number;
  readonly ratioMax: number;
  /** Fields the projected reader read. */
  readonly projectedFields: number;
}

export interface TimingFigures extends Summary {
  readonly factsPerSecond: number;
}

export interface SizeResult {
  readonly size: number;
  readonly facts: number;
  readonly expectedFirings: number;
  readonly engine: (EngineMeasurement & { readonly time: TimingFigures }) | null;
  readonly endToEnd: (EndToEndMeasurement & { readonly time: TimingFigures }) | null;
  /** `--reader both`: the same runs with the whole-record reader, and projected ÷ whole per pair. */
  readonly endToEndWhole?: (EndToEndMeasurement & { readonly time: TimingFigures }) | null;
  readonly readers?: ReaderComparison | null;
  readonly referenceMs: number | null;
  readonly targetMs: number | null;
  readonly memoryTargetBytes: number | null;
  /** Engine median ÷ reference figure (lower is better). */
  readonly engineVsReference: number | null;
  /** Engine median ÷ the specification's target. */
  readonly engineVsTarget: number | null;
  /** End-to-end median ÷ the specification's target. */
  readonly endToEndVsTarget: number | null;
}

export interface Linearity {
  readonly value: number;
  readonly smallest: number;
  readonly largest: number;
}

export interface WorkloadResult {
  readonly name: string;
  readonly status: 'ok' | 'unsupported';
  /** Why the workload did not run (unsupported), or other remarks. */
  readonly note: string | null;
  readonly rules: number;
  readonly sizes: SizeResult[];
  readonly linearity: { readonly engine: Linearity | null; readonly endToEnd: Linearity | null };
  /** Reference figures for sizes the bench did not run, kept for the chart. */
  readonly reference: Readonly<Record<number, number>>;
}

export interface BenchEnvironment {
  readonly version: string;
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
  readonly cpu: string;
  readonly cpus: number;
  readonly memoryBytes: number;
}

export interface BenchResult {
  readonly schema: typeof RESULT_SCHEMA;
  readonly createdAt: string;
  readonly environment: BenchEnvironment;
  readonly options: { readonly runs: number; readonly warmup: number; readonly engine: boolean; readonly endToEnd: boolean; readonly reader?: string };
  readonly workloads: WorkloadResult[];
}

export function timingFigures(runsMs: readonly number[], facts: number): TimingFigures {
  const s = summarize(runsMs);
  return { ...s, factsPerSecond: factsPerSecond(facts, s.median) };
}

export interface SizeSpec {
  readonly size: number;
  readonly facts: number;
  readonly expectedFirings: number;
  readonly referenceMs: number | null;
  readonly targetMs: number | null;
  readonly memoryTargetBytes: number | null;
}

export function buildSizeResult(
  spec: SizeSpec,
  engine: EngineMeasurement | null,
  endToEnd: EndToEndMeasurement | null,
  whole: { measurement: EndToEndMeasurement; comparison: ReaderComparison } | null = null,
): SizeResult {
  const e = engine ? { ...engine, time: timingFigures(engine.runsMs, engine.facts) } : null;
  const x = endToEnd ? { ...endToEnd, time: timingFigures(endToEnd.runsMs, endToEnd.facts) } : null;
  return {
    ...spec,
    engine: e,
    endToEnd: x,
    ...(whole
      ? { endToEndWhole: { ...whole.measurement, time: timingFigures(whole.measurement.runsMs, whole.measurement.facts) }, readers: whole.comparison }
      : {}),
    engineVsReference: e ? ratio(e.time.median, spec.referenceMs) : null,
    engineVsTarget: e ? ratio(e.time.median, spec.targetMs) : null,
    endToEndVsTarget: x ? ratio(x.time.median, spec.targetMs) : null,
  };
}

export function workloadLinearity(sizes: readonly SizeResult[]): WorkloadResult['linearity'] {
  const pts = (pick: (s: SizeResult) => number | undefined) =>
    sizes.flatMap((s) => {
      const ms = pick(s);
      return ms === undefined ? [] : [{ size: s.size, ms }];
    });
  return {
    engine: linearity(pts((s) => s.engine?.time.median)),
    endToEnd: linearity(pts((s) => s.endToEnd?.time.median)),
  };
}

/** Checks that a parsed document looks like a bench result; throws an Error naming the problem. */
export function assertBenchResult(doc: unknown, name: string): BenchResult {
  const d = doc as Partial<BenchResult> | null;
  if (d === null || typeof d !== 'object' || Array.isArray(d)) throw new Error(`${name}: not a bench result (expected a JSON object)`);
  if (d.schema !== RESULT_SCHEMA)
    throw new Error(`${name}: not a bench result written by \`rete-eval bench --json\` (schema ${JSON.stringify(d.schema)}, expected "${RESULT_SCHEMA}")`);
  if (!Array.isArray(d.workloads)) throw new Error(`${name}: $.workloads: expected an array`);
  return d as BenchResult;
}
