#!/usr/bin/env node
// This build's first compile of a workload's rules against another build's, each in a fresh
// process: both builds' bench children (dist/bench-child.js) alternated A B A B, each stopped
// once it has reported its "compiled" event. What `rete-eval bench` shows as compile, as a
// ratio taken in one run (one cold compile is a few milliseconds and noisy on its own). Each
// child starts as the bench starts it: through its build's code cache, if it has one
// (src/boot/); --cold turns that off (RETE_EVAL_CODE_CACHE=off), as a first run meets it.
//   node scripts/compare-compile.mjs --other /path/to/old [--workloads simple,enterprise] [--pairs 15] [--cold]

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { fail, fmtRatio, median, ROOT } from './lib/ab.mjs';
import { scriptArgs } from './lib/args.mjs';

const USAGE =
  'usage: node scripts/compare-compile.mjs --other OTHER_CHECKOUT [--workloads simple,payroll,enterprise,join,aggregate] [--size 100k] [--pairs 15] [--cold]';
const { values: o } = scriptArgs(USAGE, {
  options: {
    other: { type: 'string' },
    workloads: { type: 'string', default: 'simple,payroll,enterprise,join,aggregate' },
    size: { type: 'string', default: '100000' },
    pairs: { type: 'string', default: '15' },
    cold: { type: 'boolean', default: false },
  },
});
if (!o.other) fail(USAGE);
const pairs = Number(o.pairs);
if (!Number.isSafeInteger(pairs) || pairs < 1) fail(`--pairs: expected a positive integer, got ${o.pairs}`);
const size = String(Number(o.size.toLowerCase().replace(/k$/, '000').replace(/m$/, '000000')));
if (size === 'NaN') fail(`--size: expected a size such as 100k, got ${o.size}`);

/** Milliseconds with two decimals: cold compiles are a few of them. */
const fmtMs = (ms) => `${ms.toFixed(2)} ms`;
const child = (root) => join(root, 'dist', 'bench-child.js');
const roots = [ROOT, resolve(o.other)];
for (const root of roots) if (!existsSync(child(root))) fail(`${child(root)} not found: build that checkout first (npm run build)`);

/** One fresh bench child of `root`: the milliseconds of its "compiled" event (the child is stopped then). */
async function firstCompile(root, workload) {
  const p = execa(process.execPath, ['--expose-gc', child(root), '--workload', workload, '--size', size, '--runs', '1', '--warmup', '0'], {
    reject: false,
    stdin: 'ignore',
    lines: false,
    env: o.cold ? { RETE_EVAL_CODE_CACHE: 'off' } : {},
  });
  let ms = null;
  let other = null;
  for await (const line of p.iterable({ from: 'stdout' })) {
    const msg = JSON.parse(String(line));
    if (msg.type === 'compiled') {
      ms = msg.compileMs;
      break;
    }
    other = msg;
  }
  p.kill();
  await p;
  if (ms === null) fail(`${child(root)} --workload ${workload}: no "compiled" event (${other === null ? 'no output' : JSON.stringify(other)})`);
  return ms;
}

const lines = [];
for (const workload of o.workloads.split(',')) {
  const a = [];
  const b = [];
  for (let i = 0; i < pairs; i++) {
    a.push(await firstCompile(roots[0], workload));
    b.push(await firstCompile(roots[1], workload));
    process.stderr.write(`  ${workload} pair ${i + 1}/${pairs}: this ${fmtMs(a[i])} · other ${fmtMs(b[i])}\n`);
  }
  const ratios = a.map((x, i) => x / b[i]);
  lines.push(
    `  ${workload.padEnd(11)} this ${fmtMs(median(a)).padStart(8)} · other ${fmtMs(median(b)).padStart(8)} · this − other ${fmtMs(median(a) - median(b)).padStart(8)}` +
      ` · this ÷ other ${fmtRatio(median(ratios))} (min ${fmtRatio(Math.min(...ratios))}, max ${fmtRatio(Math.max(...ratios))})`,
  );
}
process.stdout.write(
  `\nFirst compile in a fresh process${o.cold ? ' without a code cache' : ''}, this build ÷ ${o.other} (${pairs} alternated pairs each; medians)\n${lines.join('\n')}\n`,
);
