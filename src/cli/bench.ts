// `rete-eval bench`: replays the specification's scaling tests.
// Each workload size runs engine-only in a fresh child process (dist/bench-child.js), then
// end to end as `rete-eval run` processes over the same facts written as NDJSON; the
// results print as tables and can be written as JSON, Markdown and an SVG chart, and
// compared with an earlier JSON result.

import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { describeIoError, ExitCode, InputError, UsageError } from '../model/errors.js';
import { compareResults, type BaselineComparison } from '../bench/baseline.js';
import { BenchCheckError } from '../bench/check.js';
import { fmtBytes, fmtMs } from '../bench/format.js';
import { renderMarkdown, renderText } from '../bench/render.js';
import { assertBenchResult, type BenchResult } from '../bench/results.js';
import { runBench, type BenchProgress } from '../bench/runner.js';
import { renderSvg } from '../bench/svg.js';
import { formatSize, parseSize, WORKLOADS, type Workload, type WorkloadName } from '../bench/workloads.js';
import { checkOutputTargets, OutputSink } from '../io/output.js';
import { integerOption, useColor } from './options.js';

declare const __VERSION__: string;

interface BenchFlags {
  workload: string;
  sizes?: string;
  runs: number;
  warmup: number;
  engine: boolean;
  e2e: boolean;
  json?: string;
  markdown?: string;
  svg?: string;
  svgScale: 'auto' | 'log' | 'linear';
  baseline?: string;
  check?: boolean;
  threshold: number;
  cacheDir?: string;
  childHeapMb?: number;
  cpuProf?: string;
  from?: string;
  progress: boolean;
  reader: 'auto' | 'projected' | 'whole' | 'both';
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description("run the specification's scaling workloads: engine-only and end-to-end times, memory, ratios to the reference figures")
    .option('-w, --workload <name>', 'simple | payroll | enterprise | join | join10 | aggregate | all (or a comma list)', 'simple')
    .option('-s, --sizes <list>', "sizes to run, e.g. 100k,1m (default: the workload's own: 100k,200k,500k,1m)")
    .option('--runs <n>', 'measured runs per size (median, min, max over these)', integerOption(1), 5)
    .option('--warmup <n>', 'unmeasured warm-up runs before them', integerOption(0), 1)
    .option('--no-engine', 'skip the engine-only measurement')
    .option('--no-e2e', 'skip the end-to-end `rete-eval run` measurement')
    .option('--json <file>', 'write the results as JSON (usable later as --baseline)')
    .option('--markdown <file>', 'write the results as Markdown tables')
    .option('--svg <file>', 'draw time against N per workload, with the reference figures, as SVG')
    .addOption(new Option('--svg-scale <scale>', 'axes of the chart').choices(['auto', 'log', 'linear']).default('auto'))
    .option('--baseline <file>', 'compare with an earlier --json result; figures more than --threshold worse are marked')
    .option(
      '--check',
      `exit ${ExitCode.BENCH_CHECK} when a figure is worse than the baseline by more than --threshold, or an engine-only median misses the spec's target, or a peak RSS its memory limit`,
    )
    .option('--threshold <pct>', 'percent worse that marks a figure against the baseline', integerOption(0), 10)
    .option('--cache-dir <dir>', 'where the workload NDJSON and rules files are kept (default: .bench in a source checkout, else the temp dir)')
    .option('--child-heap-mb <n>', 'V8 old-space limit of the engine-only child (node --max-old-space-size)', integerOption(64))
    .option('--cpu-prof <dir>', 'write a V8 CPU profile of each measured engine-only run to DIR: its timed section only, not the facts built before it')
    .option('--from <file>', 'measure nothing: print (and write, compare, check) an earlier --json result')
    .option('--no-progress', 'never show progress bars')
    .addOption(
      new Option('--reader <kind>', 'fact reader of the end-to-end runs (as run --reader); both: projected and whole alternated, with their ratio')
        .choices(['auto', 'projected', 'whole', 'both'])
        .default('auto'),
    )
    .addHelpText(
      'after',
      `
Every size runs in a fresh child process, so its memory figures belong to it alone; its
compile figure is the median of first compiles in fresh processes, as many as --runs, each
started through the code cache as a second run is (RETE_EVAL_CODE_CACHE=off: as a first). The
firing count of every run is checked against the workload's; a wrong count fails the bench
with exit code ${ExitCode.BENCH_CHECK}. A workload whose rules this build cannot compile is
reported as not supported. Examples:
  rete-eval bench --workload simple --sizes 100k,200k --runs 3
  rete-eval bench --workload all --json bench.json --markdown bench.md --svg bench.svg
  rete-eval bench --baseline bench.json --check
  rete-eval bench --workload simple --sizes 1m --reader both   # projected vs whole records
  rete-eval bench --from bench.json --svg bench.svg`,
    )
    .action(async (flags: BenchFlags) => {
      const baseline = flags.baseline === undefined ? null : readResult(flags.baseline, '--baseline');
      // The output files are checked (and their temporary files created) before minutes of
      // measuring, and put in place together at the end.
      const outputs = openOutputs(flags);
      let result: BenchResult;
      let comparison: BaselineComparison | null;
      try {
        result = flags.from !== undefined ? readResult(flags.from, '--from') : await measure(flags);
        comparison = baseline ? compareResults(result, baseline, flags.threshold) : null;
        outputs.json?.write(JSON.stringify(result, null, 2) + '\n');
        outputs.markdown?.write(renderMarkdown(result, { comparison }));
        outputs.svg?.write(renderSvg(result, { scale: flags.svgScale }));
        for (const sink of Object.values(outputs)) await sink?.finish();
        for (const sink of Object.values(outputs)) sink?.commit();
      } catch (e) {
        for (const sink of Object.values(outputs)) sink?.abort();
        throw e;
      }
      process.stdout.write(renderText(result, { color: useColor(process.stdout), comparison }));

      if (flags.check) {
        const failures = [
          ...targetFailures(result),
          ...(comparison?.figures
            .filter((f) => f.worse)
            .map(
              (f) => `${f.workload}${f.size === null ? '' : ' ' + formatSize(f.size)} ${f.figure} ${(f.change * 100).toFixed(1)}% worse than the baseline`,
            ) ?? []),
        ];
        if (failures.length > 0) {
          const more = failures.length > 1 ? ` (and ${failures.length - 1} more above)` : '';
          throw new BenchCheckError(`bench --check failed: ${failures[0]}${more}`);
        }
      }
    });
}

async function measure(flags: BenchFlags): Promise<BenchResult> {
  const workloads = parseWorkloads(flags.workload);
  const sizes = flags.sizes === undefined ? null : parseSizes(flags.sizes);
  if (!flags.engine && !flags.e2e) throw new UsageError('--no-engine and --no-e2e leave nothing to measure');
  const dist = distDir();
  const childScript = join(dist, 'bench-child.js');
  const bin = resolve(dist, '..', 'bin', 'rete-eval.js');
  if (flags.engine && !existsSync(childScript)) throw new InputError(`${childScript}: missing; run \`npm run build\` first`);
  if (flags.e2e && !existsSync(bin)) throw new InputError(`${bin}: missing`);

  const progress = makeProgress(flags.progress && process.stderr.isTTY === true);
  try {
    return await runBench(
      {
        workloads,
        sizes,
        runs: flags.runs,
        warmup: flags.warmup,
        engine: flags.engine,
        endToEnd: flags.e2e,
        cacheDir: resolve(flags.cacheDir ?? defaultCacheDir(dist)),
        childScript,
        bin,
        version: typeof __VERSION__ === 'string' ? __VERSION__ : 'dev',
        childNodeFlags: flags.childHeapMb !== undefined ? [`--max-old-space-size=${flags.childHeapMb}`] : [],
        reader: flags.reader,
        ...(flags.cpuProf !== undefined ? { cpuProfileDir: resolve(flags.cpuProf) } : {}),
      },
      progress.on,
    );
  } finally {
    progress.stop();
  }
}

function parseWorkloads(text: string): Workload[] {
  const names = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const out: Workload[] = [];
  for (const name of names) {
    if (name === 'all') out.push(...Object.values(WORKLOADS));
    else {
      const w = WORKLOADS[name as WorkloadName];
      if (!w) throw new UsageError(`--workload: unknown workload "${name}"; expected ${Object.keys(WORKLOADS).join(', ')} or all`);
      out.push(w);
    }
  }
  if (out.length === 0) throw new UsageError('--workload: name a workload');
  return [...new Set(out)];
}

function parseSizes(text: string): number[] {
  const sizes = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const n = parseSize(s);
      if (Number.isNaN(n)) throw new UsageError(`--sizes: expected counts such as 100k,1m, got "${s}"`);
      return n;
    });
  if (sizes.length === 0) throw new UsageError('--sizes: give at least one size');
  return [...new Set(sizes)].sort((a, b) => a - b);
}

function readResult(file: string, option: string): BenchResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw describeIoError(e, file, 'read');
  }
  try {
    return assertBenchResult(JSON.parse(text), file);
  } catch (e) {
    throw new UsageError(`${option} ${e instanceof SyntaxError ? `${file}: invalid JSON: ${e.message}` : (e as Error).message}`);
  }
}

/** The directory of the bundled CLI (dist/), where bench-child.js sits beside it. */
function distDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  // Bundled: dist/cli.js. From source (tests, tsx): src/cli/ → ../../dist.
  return existsSync(join(here, 'bench-child.js')) ? here : resolve(here, '..', '..', 'dist');
}

function defaultCacheDir(dist: string): string {
  const root = resolve(dist, '..');
  if (!root.split(/[\\/]/).includes('node_modules') && existsSync(join(root, 'package.json')) && existsSync(join(root, 'src'))) return join(root, '.bench');
  return join(tmpdir(), 'rete-eval-bench');
}

/** The --json, --markdown and --svg files, opened (checked) now; `-` would clash with the tables on stdout. */
function openOutputs(flags: BenchFlags): { json: OutputSink | null; markdown: OutputSink | null; svg: OutputSink | null } {
  checkOutputTargets(
    [
      { option: 'the result tables', path: undefined },
      ...(['json', 'markdown', 'svg'] as const).filter((k) => flags[k] !== undefined).map((k) => ({ option: `--${k}`, path: flags[k] })),
    ],
    // --baseline and --from are read whole first, so writing a new result over them is fine.
    [],
  );
  const out = { json: null as OutputSink | null, markdown: null as OutputSink | null, svg: null as OutputSink | null };
  try {
    for (const k of ['json', 'markdown', 'svg'] as const) {
      const path = flags[k];
      if (path !== undefined) out[k] = OutputSink.file(path);
    }
  } catch (e) {
    for (const sink of Object.values(out)) sink?.abort();
    throw e;
  }
  return out;
}

/** The specification's own limits: engine-only median under the time target, peak RSS under the memory limit. */
export function targetFailures(r: BenchResult): string[] {
  const out: string[] = [];
  for (const w of r.workloads) {
    for (const s of w.sizes) {
      const at = `${w.name} ${formatSize(s.size)}`;
      if (s.engine && s.targetMs !== null && s.engine.time.median > s.targetMs)
        out.push(`${at}: engine-only median ${fmtMs(s.engine.time.median)} misses the target ${fmtMs(s.targetMs)}`);
      if (s.memoryTargetBytes !== null) {
        for (const [label, rss] of [
          ['engine-only', s.engine?.peakRssBytes],
          ['end-to-end', s.endToEnd?.peakRssBytes],
        ] as const) {
          if (rss !== undefined && rss > s.memoryTargetBytes)
            out.push(`${at}: ${label} peak RSS ${fmtBytes(rss)} over the limit ${fmtBytes(s.memoryTargetBytes)}`);
        }
      }
    }
  }
  return out;
}

function makeProgress(tty: boolean): { on: (p: BenchProgress) => void; stop: () => void } {
  if (!tty) {
    return {
      on: (p) => {
        if (p.kind === 'note') process.stderr.write(`rete-eval bench: ${p.message}\n`);
      },
      stop: () => {},
    };
  }
  const multi = new cliProgress.MultiBar(
    {
      stream: process.stderr,
      format: 'bench |{bar}| {value}/{total} · {task}',
      hideCursor: true,
      clearOnComplete: true,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | null = null;
  return {
    on: (p) => {
      if (p.kind === 'plan') bar = multi.create(p.steps, 0, { task: 'starting' });
      else if (p.kind === 'step') bar?.increment(1, { task: p.label });
      else if (bar === null) process.stderr.write(`rete-eval bench: ${p.message}\n`);
      else multi.log(`rete-eval bench: ${p.message}\n`);
    },
    stop: () => multi.stop(),
  };
}
