#!/usr/bin/env node
// rete-eval against json-rules-engine (devDependency) running the same rules over the same
// facts: the workload's rules translated as scripts/lib/jre-translate.mjs documents, the
// NDJSON facts read as flat field maps, engine.run per fact. Both are whole processes
// started with execa, alternated A B A B, ratio per pair; the firing counts must agree.
// Also compares the evaluation alone: rete-eval's evaluate stage (its run report) against
// json-rules-engine's loop over the facts already parsed.
//   node scripts/compare-json-rules-engine.mjs [--workload simple] [--size 200k] [--pairs 5] [--warmup 1]
// (npm run compare:jre -- --workload payroll --size 100k)

import { join } from 'node:path';
import { alternate, fail, fmtMs, fmtRatio, median, parseOptions, prepareWorkload, printSummary, runReteEval, timeProcess, ROOT } from './lib/ab.mjs';

const o = parseOptions();
if (o.help) {
  process.stdout.write(
    'usage: node scripts/compare-json-rules-engine.mjs [--workload simple|payroll|enterprise] [--size 200k] [--pairs 5] [--warmup 1] [--cache-dir DIR]\n',
  );
  process.exit(0);
}
if (o.workload === 'join') fail('join: json-rules-engine has no multi-fact rules (joins); compare simple, payroll or enterprise');
const files = await prepareWorkload(o.workload, o.size, o.cacheDir);
const reportFile = join(o.cacheDir, `compare-jre-report-${process.pid}.json`);
const child = join(ROOT, 'scripts', 'lib', 'jre-child.mjs');

process.stderr.write(`rete-eval vs json-rules-engine: ${o.workload} ${o.size} (${files.factsFile})\n`);
const s = await alternate({
  pairs: o.pairs,
  warmup: o.warmup,
  a: {
    name: 'rete-eval',
    run: async () => {
      const { ms, report } = await runReteEval(files, reportFile);
      return { ms, firings: report.firings.total, records: report.facts.read, evalMs: report.timings.evaluateMs };
    },
  },
  b: {
    name: 'json-rules-engine',
    run: async () => {
      const { ms, stdout } = await timeProcess(process.execPath, [child, files.rulesFile, files.factsFile]);
      const out = JSON.parse(stdout.trim().split('\n').pop());
      return { ms, firings: out.events, records: out.records, evalMs: out.evalMs, parseMs: out.parseMs };
    },
  },
});
for (const r of s.rows) {
  if (r.a.records !== r.b.records) fail(`fact counts differ: rete-eval ${r.a.records}, json-rules-engine ${r.b.records}`);
  if (r.a.firings !== r.b.firings)
    fail(`firing counts differ: rete-eval ${r.a.firings}, json-rules-engine ${r.b.firings} events: the translation or an engine is wrong`);
}

const facts = s.rows[0].a.records;
printSummary(
  `rete-eval ÷ json-rules-engine, whole processes (${o.workload} ${o.size}: ${facts.toLocaleString('en-US')} facts, ${s.rows[0].a.firings.toLocaleString('en-US')} firings in both)`,
  'rete-eval',
  'json-rules-engine',
  s,
);
const evalRatios = s.rows.map((r) => r.a.evalMs / r.b.evalMs);
const ea = median(s.rows.map((r) => r.a.evalMs));
const eb = median(s.rows.map((r) => r.b.evalMs));
process.stdout.write(
  `\nevaluation alone (facts already parsed): rete-eval evaluate stage ${fmtMs(ea)} (${Math.round((facts / ea) * 1000).toLocaleString('en-US')} facts/s) · ` +
    `json-rules-engine ${fmtMs(eb)} (${Math.round((facts / eb) * 1000).toLocaleString('en-US')} facts/s)\n` +
    `  ratio per pair: median ${fmtRatio(median(evalRatios))} (min ${fmtRatio(Math.min(...evalRatios))}, max ${fmtRatio(Math.max(...evalRatios))}); json-rules-engine is ${fmtRatio(1 / median(evalRatios))} rete-eval's time\n` +
    `  json-rules-engine read+parse+flatten: ${fmtMs(median(s.rows.map((r) => r.b.parseMs)))}\n`,
);
