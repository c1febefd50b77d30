#!/usr/bin/env node
// rete-eval end to end against the parsing floor: the same NDJSON file read in 1 MiB
// chunks, split into lines and JSON.parsed by a bare node process doing nothing else.
// Both are whole processes started with execa, alternated A B A B; the ratio is per pair.
//   node scripts/compare-floor.mjs [--workload simple] [--size 200k] [--pairs 5] [--warmup 1]
// (npm run compare:floor -- --size 1m)

import { join } from 'node:path';
import { alternate, fail, fmtMs, median, parseOptions, prepareWorkload, printSummary, runReteEval, timeProcess, ROOT, fmtMiB, stagesLine } from './lib/ab.mjs';

const o = parseOptions('usage: node scripts/compare-floor.mjs [--workload simple|payroll|enterprise] [--size 200k] [--pairs 5] [--warmup 1] [--cache-dir DIR]');
const files = await prepareWorkload(o.workload, o.size, o.cacheDir);
const reportFile = join(o.cacheDir, `compare-floor-report-${process.pid}.json`);
const floorScript = join(ROOT, 'scripts', 'lib', 'parse-floor.mjs');

process.stderr.write(`rete-eval end to end vs the parsing floor: ${o.workload} ${o.size} (${files.factsFile})\n`);
const stages = [];
const s = await alternate({
  pairs: o.pairs,
  warmup: o.warmup,
  a: {
    name: 'rete-eval',
    run: async () => {
      const { ms, report } = await runReteEval(files, reportFile);
      stages.push(report.timings);
      return { ms, records: report.facts.read, rss: report.memory.peakRssBytes };
    },
  },
  b: {
    name: 'floor',
    run: async () => {
      const { ms, stdout } = await timeProcess(process.execPath, [floorScript, files.factsFile]);
      const out = JSON.parse(stdout);
      return { ms, records: out.records, innerMs: out.ms, rss: out.peakRssBytes };
    },
  },
});
for (const r of s.rows) if (r.a.records !== r.b.records) fail(`record counts differ: rete-eval read ${r.a.records}, the floor parsed ${r.b.records}`);

printSummary(
  `rete-eval end to end ÷ parsing floor (${o.workload} ${o.size}, ${s.rows[0].a.records.toLocaleString('en-US')} facts, whole processes)`,
  'rete-eval',
  'floor',
  s,
);
process.stdout.write(
  `  peak RSS (medians): rete-eval ${fmtMiB(median(s.rows.map((r) => r.a.rss)))} · floor ${fmtMiB(median(s.rows.map((r) => r.b.rss)))}\n` +
    `  inside the floor process: read+parse ${fmtMs(median(s.rows.map((r) => r.b.innerMs)))}\n` +
    `  inside rete-eval (run report medians): ${stagesLine(stages.slice(o.warmup))}\n`,
);
