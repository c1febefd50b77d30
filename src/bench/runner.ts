// Runs the bench: for each workload and size, the engine-only child and the end-to-end
// `rete-eval run` processes, one after another (never two at once: the figures would
// disturb each other), and gathers a BenchResult.

import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ensureDataset } from './datasets.js';
import { compileWorkload } from './engine-run.js';
import { compareReaders, measureEndToEnd } from './end-to-end.js';
import {
  buildSizeResult,
  MEMORY_TARGETS,
  RESULT_SCHEMA,
  workloadLinearity,
  type BenchResult,
  type EndToEndMeasurement,
  type EngineMeasurement,
  type SizeResult,
  type WorkloadResult,
} from './results.js';
import { spawnCompile, spawnEngine } from './spawn-engine.js';
import { median } from './stats.js';
import { formatSize, type Workload } from './workloads.js';

export interface BenchPlan {
  readonly workloads: readonly Workload[];
  /** Sizes to run; null = each workload's own sizes. */
  readonly sizes: readonly number[] | null;
  readonly runs: number;
  readonly warmup: number;
  readonly engine: boolean;
  readonly endToEnd: boolean;
  readonly cacheDir: string;
  readonly childScript: string;
  readonly bin: string;
  readonly version: string;
  readonly childNodeFlags?: readonly string[];
  /** Write a CPU profile of each measured engine-only run (its timed section only) here. */
  readonly cpuProfileDir?: string;
  /** End to end with `run`'s default reader (auto), one of the two, or both alternated. */
  readonly reader?: 'auto' | 'projected' | 'whole' | 'both';
}

export type BenchProgress =
  | { readonly kind: 'plan'; readonly steps: number }
  | { readonly kind: 'step'; readonly label: string }
  | { readonly kind: 'note'; readonly message: string };

/** Steps the progress bar counts: writing the files, then every engine, compile and end-to-end run. */
export function countSteps(plan: BenchPlan, sizesOf: (w: Workload) => readonly number[]): number {
  const e2eRuns = (plan.warmup + plan.runs) * (plan.reader === 'both' ? 2 : 1);
  // Engine-only: its runs, and a fresh process for each first compile after the child's own.
  const perSize = (plan.engine ? plan.warmup + plan.runs + plan.runs - 1 : 0) + (plan.endToEnd ? e2eRuns + 1 : 0);
  return plan.workloads.reduce((n, w) => n + sizesOf(w).length * perSize, 0);
}

export async function runBench(plan: BenchPlan, progress: (p: BenchProgress) => void = () => {}): Promise<BenchResult> {
  const sizesOf = (w: Workload) => [...(plan.sizes ?? w.sizes)].sort((a, b) => a - b);
  // A workload whose rules this build cannot compile is reported, not run.
  const probes = new Map<Workload, ReturnType<typeof compileWorkload>>();
  for (const w of plan.workloads) {
    const probe = compileWorkload(w, sizesOf(w)[0]!);
    probes.set(w, probe);
    if ('unsupported' in probe) progress({ kind: 'note', message: `${w.name}: ${unsupportedNote(probe.unsupported)}; skipped` });
  }
  const runnable = plan.workloads.filter((w) => !('unsupported' in probes.get(w)!));
  progress({ kind: 'plan', steps: countSteps({ ...plan, workloads: runnable }, sizesOf) });
  const workloads: WorkloadResult[] = [];

  for (const w of plan.workloads) {
    const sizes = sizesOf(w);
    const probe = probes.get(w)!;
    if ('unsupported' in probe) {
      workloads.push({
        name: w.name,
        status: 'unsupported',
        note: unsupportedNote(probe.unsupported),
        rules: w.rules(sizes[0]!).length,
        sizes: [],
        linearity: { engine: null, endToEnd: null },
        reference: w.reference,
      });
      continue;
    }
    const results: SizeResult[] = [];
    let unsupported: string | null = null;
    for (const size of sizes) {
      const label = `${w.name} ${formatSize(size)}`;
      let engine: EngineMeasurement | null = null;
      if (plan.engine) {
        const out = await spawnEngine({
          childScript: plan.childScript,
          workload: w.name,
          size,
          runs: plan.runs,
          warmup: plan.warmup,
          nodeFlags: plan.childNodeFlags,
          cpuProfileDir: plan.cpuProfileDir,
          onEvent: (e) => {
            if (e.type === 'run') progress({ kind: 'step', label: `${label} engine ${e.phase === 'warmup' ? 'warm-up' : `run ${e.index + 1}/${plan.runs}`}` });
          },
        });
        if (out.kind === 'unsupported') {
          unsupported = out.message;
          break;
        }
        // One compile is one sample of a few milliseconds in a fresh process; the figure is
        // the median of as many as there are measured runs.
        const samples = [out.compile];
        for (let i = 1; i < plan.runs; i++) {
          samples.push(await spawnCompile({ childScript: plan.childScript, workload: w.name, size, nodeFlags: plan.childNodeFlags }));
          progress({ kind: 'step', label: `${label} compile ${i + 1}/${plan.runs}` });
        }
        const compileRunsMs = samples.map((s) => s.ms);
        engine = { ...out.measurement, compileMs: median(compileRunsMs), compileRunsMs, compileCodeCache: samples.map((s) => s.codeCache) };
      }
      let endToEnd: EndToEndMeasurement | null = null;
      let whole: Parameters<typeof buildSizeResult>[3] = null;
      if (plan.endToEnd) {
        const dataset = ensureDataset(w, size, plan.cacheDir);
        progress({ kind: 'step', label: `${label} files ${dataset.written ? 'written' : 'cached'}` });
        const options = {
          bin: plan.bin,
          workload: w.name,
          size,
          expectedFirings: w.expectedFirings(size),
          runs: plan.runs,
          warmup: plan.warmup,
          reportFile: join(plan.cacheDir, `report-${process.pid}.json`),
          reader: plan.reader === undefined || plan.reader === 'both' ? ('auto' as const) : plan.reader,
          onRun: (phase: 'warmup' | 'measure', i: number) =>
            progress({ kind: 'step', label: `${label} end-to-end ${phase === 'warmup' ? 'warm-up' : `run ${i + 1}/${plan.runs}`}` }),
        };
        if (plan.reader === 'both') {
          const both = await compareReaders(dataset, options);
          endToEnd = both.projected;
          whole = { measurement: both.whole, comparison: both.comparison };
        } else endToEnd = await measureEndToEnd(dataset, options);
      }
      results.push(
        buildSizeResult(
          {
            size,
            facts: w.factCount(size),
            expectedFirings: w.expectedFirings(size),
            referenceMs: w.reference[size] ?? null,
            targetMs: w.targets[size] ?? null,
            memoryTargetBytes: MEMORY_TARGETS[w.name]?.[size] ?? null,
          },
          engine,
          endToEnd,
          whole,
        ),
      );
    }
    const rules = probe.rules;
    if (unsupported !== null) {
      workloads.push({
        name: w.name,
        status: 'unsupported',
        note: unsupportedNote(unsupported),
        rules,
        sizes: [],
        linearity: { engine: null, endToEnd: null },
        reference: w.reference,
      });
      continue;
    }
    workloads.push({
      name: w.name,
      status: 'ok',
      note: simpleNote(w, sizes),
      rules,
      sizes: results,
      linearity: workloadLinearity(results),
      reference: w.reference,
    });
  }

  const cpu = cpus();
  return {
    schema: RESULT_SCHEMA,
    createdAt: new Date().toISOString(),
    environment: {
      version: plan.version,
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      cpu: cpu[0]?.model.trim() ?? 'unknown',
      cpus: cpu.length,
      memoryBytes: totalmem(),
    },
    options: { runs: plan.runs, warmup: plan.warmup, engine: plan.engine, endToEnd: plan.endToEnd, reader: plan.reader ?? 'auto' },
    workloads,
  };
}

function unsupportedNote(message: string): string {
  return `not supported by this build: ${message.replace(/^<rules>: /, '')}`;
}

/** The simple workload's facts and rule differ per size; sizes the spec does not list use the 1M variant. */
function simpleNote(w: Workload, sizes: readonly number[]): string | null {
  if (w.name !== 'simple') return null;
  const odd = sizes.filter((s) => !w.sizes.includes(s));
  return odd.length > 0 ? `sizes ${odd.map(formatSize).join(', ')} are not in the specification: they use the 1M variant's facts and rule` : null;
}
