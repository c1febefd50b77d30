#!/usr/bin/env node
// The scale-out recipe against one run, on this machine: per round, one `rete-eval run` over
// the whole file (firings to a file), then the recipe: `rete-eval split -n S`, every shard run
// by `parallel -j J`, `rete-eval merge` (each phase timed); alternated round by round, the
// merged output checked byte for byte against the single run's. Prints per workload the
// medians and the speed-ups (one run ÷ the parallel runs, and ÷ the whole recipe), and the
// CPU time (user + system, all threads and children: what the machine's load cannot inflate).
//   node scripts/measure-scale-out.mjs [--workloads simple,join,aggregate] [--size 1m] [--pairs 5] [--warmup 1]
//                                      [--shards 2] [--jobs 2] [--reader-threads auto|0|1]
// --reader-threads: the reader worker threads of each shard run (RETE_EVAL_READER_THREADS);
// the one run over the whole input keeps its default.

import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { BIN, fmtMs, fmtRatio, median, parseOptions, prepareWorkload, timeProcess } from './lib/ab.mjs';

const o = parseOptions(
  'usage: node scripts/measure-scale-out.mjs [--workloads simple,join,aggregate] [--size 1m] [--pairs 5] [--warmup 1] [--shards 2] [--jobs 2] [--reader-threads auto]',
  {
    workloads: { type: 'string', default: 'simple,join,aggregate' },
    shards: { type: 'string', default: '2' },
    jobs: { type: 'string', default: '2' },
    'reader-threads': { type: 'string', default: 'auto' },
  },
);
const size = o.size === '200k' && !process.argv.includes('--size') && !process.argv.includes('-n') ? '1m' : o.size;
const threads = o['reader-threads'];
const node = process.execPath;
if (!existsSync('/usr/bin/time')) throw new Error('needs /usr/bin/time (Debian package time) for CPU times');
/** Runs a bash script; its wall time (ms) and CPU time (user + system of it and its children, ms). */
async function sh(script, cwd) {
  const cpuFile = join(cwd, '.cpu');
  const { ms } = await timeProcess('/usr/bin/time', ['-f', '%U %S', '-o', cpuFile, 'bash', '-c', `set -euo pipefail\n${script}`], { cwd });
  const [user, sys] = readFileSync(cpuFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
  return { ms, cpu: (user + sys) * 1000 };
}

const results = [];
for (const workload of o.workloads.split(',')) {
  const { factsFile, rulesFile } = await prepareWorkload(workload, size, o.cacheDir);
  const dir = join(o.cacheDir, `scale-out-${workload}-${size}`);
  const times = { single: [], split: [], runs: [], merge: [], recipe: [], cpuSingle: [], cpuRuns: [], cpuRecipe: [] };
  process.stderr.write(`${workload} ${size}: ${o.shards} shards, parallel -j ${o.jobs}, reader threads of the shard runs ${threads}\n`);
  for (let round = 0; round < o.warmup + o.pairs; round++) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const single = await sh(`${node} ${BIN} run -q --no-progress -r ${rulesFile} ${factsFile} -o single.ndjson`, dir);
    const split = await sh(`${node} ${BIN} split -q -r ${rulesFile} -n ${o.shards} ${factsFile} --out-dir shards`, dir);
    const runs = await sh(
      `ls shards/shard-*.ndjson.gz | RETE_EVAL_READER_THREADS=${threads} parallel --will-cite --plus -j ${o.jobs} --halt now,fail=1 ${node} ${BIN} run -q --no-progress -r ${rulesFile} {} -o {/..}.out --report {/..}.report.json`,
      dir,
    );
    const merge = await sh(`${node} ${BIN} merge -q shard-*.out -o merged.ndjson --reports shard-*.report.json --report merged.report.json`, dir);
    const same = readFileSync(join(dir, 'single.ndjson')).equals(readFileSync(join(dir, 'merged.ndjson')));
    if (!same) throw new Error(`${workload}: the merged output differs from the single run's (kept in ${dir})`);
    const recipe = split.ms + runs.ms + merge.ms;
    const label = round < o.warmup ? 'warm-up' : `round ${round - o.warmup + 1}/${o.pairs}`;
    process.stderr.write(
      `  ${label.padEnd(11)} one run ${fmtMs(single.ms)} (cpu ${fmtMs(single.cpu)}) · split ${fmtMs(split.ms)} · runs ${fmtMs(runs.ms)} (cpu ${fmtMs(runs.cpu)}) · merge ${fmtMs(merge.ms)} · recipe ${fmtMs(recipe)} · identical\n`,
    );
    if (round < o.warmup) continue;
    times.single.push(single.ms);
    times.split.push(split.ms);
    times.runs.push(runs.ms);
    times.merge.push(merge.ms);
    times.recipe.push(recipe);
    times.cpuSingle.push(single.cpu);
    times.cpuRuns.push(runs.cpu);
    times.cpuRecipe.push(split.cpu + runs.cpu + merge.cpu);
  }
  const speedRuns = median(times.single.map((s, i) => s / times.runs[i]));
  const speedRecipe = median(times.single.map((s, i) => s / times.recipe[i]));
  results.push({
    workload,
    single: median(times.single),
    split: median(times.split),
    runs: median(times.runs),
    merge: median(times.merge),
    recipe: median(times.recipe),
    speedRuns,
    speedRecipe,
    cpuSingle: median(times.cpuSingle),
    cpuRuns: median(times.cpuRuns),
    cpuRecipe: median(times.cpuRecipe),
  });
  rmSync(dir, { recursive: true, force: true });
}

const head = `| workload (${size}) | one run | split | ${o.shards} shards, -j ${o.jobs} | merge | whole recipe | one run ÷ the -j ${o.jobs} runs | one run ÷ whole recipe | CPU: one run / the runs / whole recipe |`;
const rows = results.map(
  (r) =>
    `| ${r.workload} | ${fmtMs(r.single)} | ${fmtMs(r.split)} | ${fmtMs(r.runs)} | ${fmtMs(r.merge)} | ${fmtMs(r.recipe)} | ${fmtRatio(r.speedRuns)} | ${fmtRatio(r.speedRecipe)} | ${fmtMs(r.cpuSingle)} / ${fmtMs(r.cpuRuns)} / ${fmtMs(r.cpuRecipe)} |`,
);
process.stdout.write(
  `\n${head}\n|${'---|'.repeat(9)}\n${rows.join('\n')}\n(medians of ${o.pairs} rounds; speed-ups are medians of the per-round ratios; load average at the end: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')})\n`,
);
