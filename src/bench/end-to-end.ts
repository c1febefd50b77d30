// End-to-end measurement: the whole `rete-eval run` process, started with execa, over the
// workload's NDJSON file; wall time around the process, and peak memory, stage times and
// the firing count from the run's --report JSON. The results are written to stdout, which
// the process gets as the null device, so the write stage serializes every line. With both
// readers, the projected and the whole-record runs alternate (A B A B) for a ratio per pair.

import { readFileSync, rmSync } from 'node:fs';
import { execa } from 'execa';
import type { RunReport } from '../report/report.js';
import { BenchCheckError, BenchRunError, firingMismatch, stderrGist } from './check.js';
import type { Dataset } from './datasets.js';
import { median } from './stats.js';
import type { EndToEndMeasurement, ReaderComparison } from './results.js';

/** Which fact reader `rete-eval run` uses (`--reader`). */
export type BenchReader = 'auto' | 'projected' | 'whole';

export interface EndToEndOptions {
  /** The rete-eval entry script (bin/rete-eval.js). */
  readonly bin: string;
  readonly workload: string;
  readonly size: number;
  readonly expectedFirings: number;
  readonly runs: number;
  readonly warmup: number;
  /** Where the run reports go (one file, overwritten per run). */
  readonly reportFile: string;
  /** Which reader the runs use (default auto, as `rete-eval run`). */
  readonly reader?: BenchReader;
  readonly onRun?: (phase: 'warmup' | 'measure', index: number, ms: number) => void;
}

/** One `rete-eval run` process: wall time, and its report. Throws on a failed run. */
export async function timeRun(bin: string, dataset: Dataset, reportFile: string, reader: BenchReader = 'auto'): Promise<{ ms: number; report: RunReport }> {
  rmSync(reportFile, { force: true });
  // Results go to stdout, which the child gets as the null device. Not `-o /dev/null`: the
  // run writes -o files under a temporary name and renames them into place, which replaces
  // a device node with a regular file (as root, /dev/null itself).
  const args = [bin, 'run', '-r', dataset.rulesFile, dataset.factsFile, '--quiet', '--no-progress', '--report', reportFile, '--reader', reader];
  const t0 = performance.now();
  const r = await execa(process.execPath, args, { reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'pipe' });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0 || r.signal) {
    const why = r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode}`;
    throw new BenchRunError(`rete-eval run failed (${why}): ${stderrGist(String(r.stderr ?? ''))}; command: node ${args.join(' ')}`);
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as RunReport;
  return { ms, report };
}

export async function measureEndToEnd(dataset: Dataset, o: EndToEndOptions): Promise<EndToEndMeasurement> {
  const runs = new Runs(dataset, o, o.reader ?? 'auto');
  for (let r = 0; r < o.warmup + o.runs; r++) await runs.next(r);
  return runs.measurement();
}

/**
 * Both readers over the same file, alternating per run (projected, then whole), so the
 * machine's drift falls on both alike: each one's measurement, and the ratio per pair.
 */
export async function compareReaders(
  dataset: Dataset,
  o: EndToEndOptions,
): Promise<{ projected: EndToEndMeasurement; whole: EndToEndMeasurement; comparison: ReaderComparison }> {
  const projected = new Runs(dataset, o, 'projected');
  const whole = new Runs(dataset, o, 'whole');
  for (let r = 0; r < o.warmup + o.runs; r++) {
    await projected.next(r);
    await whole.next(r);
  }
  const ratios = projected.runsMs.map((ms, i) => ms / whole.runsMs[i]!);
  const fields = projected.reports[0]?.reader?.fields ?? [];
  return {
    projected: projected.measurement(),
    whole: whole.measurement(),
    comparison: { ratioMedian: median(ratios), ratioMin: Math.min(...ratios), ratioMax: Math.max(...ratios), projectedFields: fields.length },
  };
}

/** The runs of one reader over one file, checked as they come. */
class Runs {
  readonly runsMs: number[] = [];
  readonly warmupMs: number[] = [];
  readonly reports: RunReport[] = [];
  constructor(
    private readonly dataset: Dataset,
    private readonly o: EndToEndOptions,
    private readonly reader: BenchReader,
  ) {}

  async next(r: number): Promise<void> {
    const { o, dataset } = this;
    const phase = r < o.warmup ? 'warmup' : 'measure';
    const { ms, report } = await timeRun(o.bin, dataset, o.reportFile, this.reader);
    const wrong = firingMismatch(
      o.workload,
      o.size,
      `end-to-end rete-eval run (${this.reader} reader), ${phase} run ${phase === 'warmup' ? r + 1 : r - o.warmup + 1}`,
      o.expectedFirings,
      report.firings.total,
    );
    if (wrong !== null) throw new BenchCheckError(wrong);
    if (report.facts.inserted !== dataset.facts) {
      throw new BenchCheckError(`bench ${o.workload}: rete-eval run inserted ${report.facts.inserted} facts of ${dataset.facts} in ${dataset.factsFile}`);
    }
    if (phase === 'warmup') this.warmupMs.push(ms);
    else {
      this.runsMs.push(ms);
      this.reports.push(report);
    }
    o.onRun?.(phase, phase === 'warmup' ? r : r - o.warmup, ms);
    rmSync(o.reportFile, { force: true });
  }

  measurement(): EndToEndMeasurement {
    const { dataset, reports, runsMs, warmupMs } = this;
    const stage = (pick: (t: RunReport['timings']) => number) => median(reports.map((x) => pick(x.timings)));
    return {
      facts: dataset.facts,
      firings: reports[0]?.firings.total ?? 0,
      fileBytes: dataset.bytes,
      runsMs,
      warmupMs,
      peakRssBytes: Math.max(...reports.map((x) => x.memory.peakRssBytes)),
      peakHeapBytes: Math.max(...reports.map((x) => x.memory.peakHeapBytes)),
      stagesMs: {
        compile: stage((t) => t.compileMs),
        readParse: stage((t) => t.readParseMs),
        evaluate: stage((t) => t.evaluateMs),
        write: stage((t) => t.writeMs),
        total: stage((t) => t.totalMs),
      },
    };
  }
}
