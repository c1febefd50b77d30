#!/usr/bin/env node
// rete-eval against json-rules-engine (a devDependency) on the same json-rules-engine rule
// file and the same records: `rete-eval run -r RULES.json` (the file as it is, format
// detected) against engine.run per record (scripts/lib/jre-child.mjs). The workload
// (scripts/lib/jre-workload.mjs) is written once per rule count and size into .bench/. Both
// are whole processes started with execa, alternated A B A B, ratio per pair; the firing
// count of every rule must equal json-rules-engine's count of its event. Also compares the
// evaluation alone: rete-eval's evaluate stage (its run report) against json-rules-engine's
// loop over the records already parsed.
//   node scripts/compare-json-rules-engine.mjs [--rules 10,100] [--size 200k] [--pairs 3] [--warmup 1] [--json out.json]
// (npm run compare:jre -- --rules 100 --size 50k)

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alternate, fail, fmtMs, fmtRatio, median, parseOptions, printSummary, runReteEval, timeProcess, ROOT } from './lib/ab.mjs';
import { prepareJreWorkload } from './lib/jre-workload.mjs';

const o = parseOptions(
  'usage: node scripts/compare-json-rules-engine.mjs [--rules 10,100] [--size 200k] [--pairs 5] [--warmup 1] [--cache-dir DIR] [--json FILE]',
  { rules: { type: 'string', default: '10,100' }, json: { type: 'string' } },
);
const counts = o.rules.split(',').map((s) => Number(s.trim()));
if (counts.some((n) => !Number.isSafeInteger(n) || n < 1)) fail(`--rules: expected rule counts such as 10,100, got "${o.rules}"`);
const child = join(ROOT, 'scripts', 'lib', 'jre-child.mjs');
const reportFile = join(o.cacheDir, `compare-jre-report-${process.pid}.json`);
const results = [];

for (const n of counts) {
  const files = await prepareJreWorkload(n, o.size, o.cacheDir);
  process.stderr.write(`\nrete-eval vs json-rules-engine: ${n} rules, ${o.size} records (${files.rulesFile}, ${files.factsFile})\n`);
  const s = await alternate({
    pairs: o.pairs,
    warmup: o.warmup,
    a: {
      name: 'rete-eval',
      run: async () => {
        const { ms, report } = await runReteEval(files, reportFile);
        const byRule = Object.fromEntries(report.firings.byRule.map((r) => [r.name, r.firings]));
        return {
          ms,
          firings: report.firings.total,
          byRule,
          records: report.facts.read,
          evalMs: report.timings.evaluateMs,
          readMs: report.timings.readParseMs,
          writeMs: report.timings.writeMs,
        };
      },
    },
    b: {
      name: 'json-rules-engine',
      run: async () => {
        const { ms, stdout } = await timeProcess(process.execPath, [child, files.rulesFile, files.factsFile]);
        const out = JSON.parse(stdout.trim().split('\n').pop());
        return { ms, firings: out.events, byRule: out.byType, records: out.records, evalMs: out.evalMs, parseMs: out.parseMs };
      },
    },
  });
  for (const r of s.rows) {
    if (r.a.records !== r.b.records) fail(`record counts differ: rete-eval ${r.a.records}, json-rules-engine ${r.b.records}`);
    for (const name of new Set([...Object.keys(r.a.byRule), ...Object.keys(r.b.byRule)])) {
      const a = r.a.byRule[name] ?? 0;
      const b = r.b.byRule[name] ?? 0;
      if (a !== b) fail(`${name}: rete-eval fired ${a} times, json-rules-engine emitted its event ${b} times`);
    }
  }
  const first = s.rows[0];
  printSummary(
    `rete-eval ÷ json-rules-engine, whole processes (${n} rules, ${first.a.records.toLocaleString('en-US')} records, ${first.a.firings.toLocaleString('en-US')} firings in both)`,
    'rete-eval',
    'json-rules-engine',
    s,
  );
  const evalRatios = s.rows.map((r) => r.a.evalMs / r.b.evalMs);
  const ea = median(s.rows.map((r) => r.a.evalMs));
  const eb = median(s.rows.map((r) => r.b.evalMs));
  const perSecond = (ms) => Math.round((first.a.records / ms) * 1000).toLocaleString('en-US');
  process.stdout.write(
    `  evaluation alone (records already parsed): rete-eval evaluate stage ${fmtMs(ea)} (${perSecond(ea)} records/s) · json-rules-engine ${fmtMs(eb)} (${perSecond(eb)} records/s)\n` +
      `    ratio per pair: median ${fmtRatio(median(evalRatios))} (min ${fmtRatio(Math.min(...evalRatios))}, max ${fmtRatio(Math.max(...evalRatios))}): json-rules-engine takes ${fmtRatio(1 / median(evalRatios))} rete-eval's time\n` +
      `  rete-eval read+parse ${fmtMs(median(s.rows.map((r) => r.a.readMs)))} · write ${fmtMs(median(s.rows.map((r) => r.a.writeMs)))}; json-rules-engine read+parse ${fmtMs(median(s.rows.map((r) => r.b.parseMs)))}\n`,
  );
  results.push({
    rules: n,
    records: first.a.records,
    firings: first.a.firings,
    pairs: s.rows.length,
    wholeProcess: { reteEvalMs: s.medianA, jsonRulesEngineMs: s.medianB, medianRatio: s.medianRatio, minRatio: s.minRatio, maxRatio: s.maxRatio },
    evaluation: { reteEvalMs: ea, jsonRulesEngineMs: eb, medianRatio: median(evalRatios) },
  });
}
if (o.json) writeFileSync(o.json, JSON.stringify({ size: o.size, results }, null, 2) + '\n');
