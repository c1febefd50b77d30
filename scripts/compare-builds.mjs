#!/usr/bin/env node
// This build against another (an older checkout, built) end to end, on the bench's
// workload files: `rete-eval run` of each, alternated A B A B per workload and size, the
// ratio this ÷ other per pair. On a shared machine only a ratio taken in one run means much.
//   node scripts/compare-builds.mjs --other /path/to/old/bin/rete-eval.js [--workloads simple,payroll] [--sizes 100k,1m] [--pairs 5]

import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, fail, fmtMs, fmtRatio, median, prepareWorkload, ROOT, timeProcess } from './lib/ab.mjs';
import { scriptArgs } from './lib/args.mjs';

const USAGE =
  'usage: node scripts/compare-builds.mjs --other OTHER/bin/rete-eval.js [--workloads simple,payroll] [--sizes 100k,1m] [--pairs 5] [--warmup 1] [--cache-dir DIR]';
const { values: o } = scriptArgs(USAGE, {
  options: {
    other: { type: 'string' },
    workloads: { type: 'string', default: 'simple,payroll,enterprise,join,aggregate' },
    sizes: { type: 'string', default: '100k,1m' },
    pairs: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    'cache-dir': { type: 'string', default: join(ROOT, '.bench') },
  },
});
if (!o.other) fail(USAGE);
const pairs = Number(o.pairs);
const warmup = Number(o.warmup);
const reportFile = join(o['cache-dir'], `compare-builds-${process.pid}.json`);

async function run(bin, files) {
  rmSync(reportFile, { force: true });
  const { ms } = await timeProcess(process.execPath, [bin, 'run', '-r', files.rulesFile, files.factsFile, '--quiet', '--no-progress', '--report', reportFile], {
    stdout: 'ignore',
  });
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  return { ms, firings: report.firings.total, rss: report.memory.peakRssBytes, readParse: report.timings.readParseMs, write: report.timings.writeMs };
}

const lines = [];
for (const workload of o.workloads.split(',')) {
  for (const size of o.sizes.split(',')) {
    const files = await prepareWorkload(workload, size, o['cache-dir']);
    const a = [];
    const b = [];
    for (let i = 0; i < warmup + pairs; i++) {
      const ra = await run(BIN, files);
      const rb = await run(o.other, files);
      if (ra.firings !== rb.firings) fail(`${workload} ${size}: firings differ: this build ${ra.firings}, the other ${rb.firings}`);
      if (i >= warmup) {
        a.push(ra);
        b.push(rb);
      }
      process.stderr.write(
        `  ${workload} ${size} ${i < warmup ? 'warm-up' : `pair ${i - warmup + 1}/${pairs}`}: this ${fmtMs(ra.ms)} · other ${fmtMs(rb.ms)}\n`,
      );
    }
    const ratios = a.map((x, i) => x.ms / b[i].ms);
    const mib = (xs) => `${(median(xs.map((x) => x.rss)) / 2 ** 20).toFixed(0)} MiB`;
    lines.push(
      `  ${`${workload} ${size}`.padEnd(16)} this ${fmtMs(median(a.map((x) => x.ms))).padStart(8)} (read+parse ${fmtMs(median(a.map((x) => x.readParse)))}, write ${fmtMs(median(a.map((x) => x.write)))}, ${mib(a)})` +
        ` · other ${fmtMs(median(b.map((x) => x.ms))).padStart(8)} (read+parse ${fmtMs(median(b.map((x) => x.readParse)))}, write ${fmtMs(median(b.map((x) => x.write)))}, ${mib(b)})` +
        ` · this ÷ other ${fmtRatio(median(ratios))} (min ${fmtRatio(Math.min(...ratios))}, max ${fmtRatio(Math.max(...ratios))})`,
    );
  }
}
process.stdout.write(`\nThis build ÷ ${o.other}, end to end (${pairs} alternated pairs each; medians)\n${lines.join('\n')}\n`);
