#!/usr/bin/env node
// rete-eval end to end against a hand-written hash join in node over the same file (read
// all, map departments by id, test each employee against its department for each rule, write
// a line per firing). Both are whole processes writing their firings to the null device,
// alternated A B A B; the ratio is per pair. The firing counts must agree.
//   node scripts/compare-hash-join.mjs [--workload join10] [--size 1m] [--pairs 5] [--warmup 1]

import { join } from 'node:path';
import { alternate, fail, median, parseOptions, prepareWorkload, printSummary, runReteEval, timeProcess, ROOT, fmtMiB, stagesLine } from './lib/ab.mjs';

const o = parseOptions('usage: node scripts/compare-hash-join.mjs [--workload join10|join] [--size 1m] [--pairs 5] [--warmup 1] [--cache-dir DIR]');
const workload = o.workload === 'simple' ? 'join10' : o.workload;
const files = await prepareWorkload(workload, o.size, o.cacheDir);
const reportFile = join(o.cacheDir, `compare-hash-join-report-${process.pid}.json`);
const script = join(ROOT, 'scripts', 'lib', 'hash-join.mjs');

process.stderr.write(`rete-eval end to end vs a hand-written hash join: ${workload} ${o.size} (${files.factsFile})\n`);
const stages = [];
const s = await alternate({
  pairs: o.pairs,
  warmup: o.warmup,
  a: {
    name: 'rete-eval',
    run: async () => {
      const { ms, report } = await runReteEval(files, reportFile);
      stages.push(report.timings);
      return { ms, firings: report.firings.total, rss: report.memory.peakRssBytes };
    },
  },
  b: {
    name: 'hash join',
    run: async () => {
      const { ms, stderr } = await timeProcess(process.execPath, [script, files.rulesFile, files.factsFile], { stdout: 'ignore' });
      const out = JSON.parse(stderr);
      return { ms, firings: out.firings, rss: out.peakRssBytes };
    },
  },
});
for (const r of s.rows) if (r.a.firings !== r.b.firings) fail(`firing counts differ: rete-eval ${r.a.firings}, the hash join ${r.b.firings}`);

printSummary(
  `rete-eval end to end ÷ hand-written hash join (${workload} ${o.size}, ${s.rows[0].a.firings.toLocaleString('en-US')} firings, whole processes)`,
  'rete-eval',
  'hash join',
  s,
);
process.stdout.write(
  `  peak RSS (medians): rete-eval ${fmtMiB(median(s.rows.map((r) => r.a.rss)))} · hash join ${fmtMiB(median(s.rows.map((r) => r.b.rss)))}\n` +
    `  inside rete-eval (run report medians): ${stagesLine(stages.slice(o.warmup))}\n`,
);
