// End-to-end measurement: the whole `rete-eval run` process, started with execa, over the
// workload's NDJSON file; wall time around the process, and peak memory, stage times and
// the firing count from the run's --report JSON. The results are written to stdout, which
// the process gets as the null device, so the write stage serializes every line.

import { readFileSync, rmSync } from 'node:fs';
import { execa } from 'execa';
import type { RunReport } from '../report/report.js';
import { BenchCheckError, BenchRunError, firingMismatch, stderrGist } from './check.js';
import type { Dataset } from './datasets.js';
import { median } from './stats.js';
import type { EndToEndMeasurement } from './results.js';

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
  readonly onRun?: (phase: 'warmup' | 'measure', index: number, ms: number) => void;
}

/** One `rete-eval run` process: wall time, and its report. Throws on a failed run. */
export async function timeRun(bin: string, dataset: Dataset, reportFile: string): Promise<{ ms: number; report: RunReport }> {
  rmSync(reportFile, { force: true });
  // Results go to stdout, which the child gets as the null device. Not `-o /dev/null`: the
  // run writes -o files under a temporary name and renames them into place, which replaces
  // a device node with a regular file (as root, /dev/null itself).
  const args = [bin, 'run', '-r', dataset.rulesFile, dataset.factsFile, '--quiet', '--no-progress', '--report', reportFile];
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
  const runsMs: number[] = [];
  const warmupMs: number[] = [];
  const reports: RunReport[] = [];
  for (let r = 0; r < o.warmup + o.runs; r++) {
    const phase = r < o.warmup ? 'warmup' : 'measure';
    const { ms, report } = await timeRun(o.bin, dataset, o.reportFile);
    const wrong = firingMismatch(
      o.workload,
      o.size,
      `end-to-end rete-eval run, ${phase} run ${phase === 'warmup' ? r + 1 : r - o.warmup + 1}`,
      o.expectedFirings,
      report.firings.total,
    );
    if (wrong !== null) throw new BenchCheckError(wrong);
    if (report.facts.inserted !== dataset.facts) {
      throw new BenchCheckError(`bench ${o.workload}: rete-eval run inserted ${report.facts.inserted} facts of ${dataset.facts} in ${dataset.factsFile}`);
    }
    if (phase === 'warmup') warmupMs.push(ms);
    else {
      runsMs.push(ms);
      reports.push(report);
    }
    o.onRun?.(phase, phase === 'warmup' ? r : r - o.warmup, ms);
  }
  rmSync(o.reportFile, { force: true });
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
