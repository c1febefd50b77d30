#!/usr/bin/env node
// rete-eval's start-up with its code cache (src/boot/) against without it, or against another
// build: whole processes alternated A B A B on the bundled fixtures (`validate`, `explain`,
// `run`), medians and the median of the per-pair ratios. The cache is made by one run of each
// command first, in a directory of this script's own.
//   node scripts/compare-startup.mjs [--pairs 20] [--other OTHER_CHECKOUT]

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BIN, fail, fmtRatio, median, ROOT, timeProcess } from './lib/ab.mjs';
import { scriptArgs } from './lib/args.mjs';

const USAGE = 'usage: node scripts/compare-startup.mjs [--pairs 20] [--other OTHER_CHECKOUT]';
const { values: o } = scriptArgs(USAGE, {
  options: {
    pairs: { type: 'string', default: '20' },
    other: { type: 'string' },
  },
});
const pairs = Number(o.pairs);
if (!Number.isSafeInteger(pairs) || pairs < 1) fail(`--pairs: expected a positive integer, got ${o.pairs}`);
const otherBin = o.other === undefined ? null : join(resolve(o.other), 'bin', 'rete-eval.js');
if (otherBin !== null && !existsSync(otherBin)) fail(`${otherBin} not found`);
if (!existsSync(join(ROOT, 'dist', 'cli.js'))) fail('dist/cli.js not found: npm run build first');

const rules = join(ROOT, 'fixtures', 'rules.json');
const facts = join(ROOT, 'fixtures', 'facts.ndjson');
const commands = [
  ['validate', rules],
  ['explain', '-r', rules],
  ['run', '-r', rules, facts, '--quiet', '--no-progress'],
];
const cacheDir = mkdtempSync(join(tmpdir(), 'rete-eval-startup-'));
const sides = [
  { label: 'cached', bin: BIN, env: { RETE_EVAL_CODE_CACHE: cacheDir } },
  otherBin === null ? { label: 'no cache', bin: BIN, env: { RETE_EVAL_CODE_CACHE: 'off' } } : { label: 'other', bin: otherBin, env: {} },
];
const once = async (side, args) => (await timeProcess(process.execPath, [side.bin, ...args], { stdout: 'ignore', env: side.env })).ms;

const lines = [];
try {
  for (const args of commands) {
    for (const side of sides) await once(side, args); // makes the cache; warms the disk cache
    const a = [];
    const b = [];
    for (let i = 0; i < pairs; i++) {
      a.push(await once(sides[0], args));
      b.push(await once(sides[1], args));
    }
    const ratios = a.map((x, i) => x / b[i]);
    lines.push(
      `  ${args[0].padEnd(9)} ${sides[0].label} ${median(a).toFixed(1).padStart(6)} ms · ${sides[1].label} ${median(b).toFixed(1).padStart(6)} ms` +
        ` · ratio ${fmtRatio(median(ratios))} (min ${fmtRatio(Math.min(...ratios))}, max ${fmtRatio(Math.max(...ratios))})`,
    );
    process.stderr.write(`${lines.at(-1)}\n`);
  }
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
process.stdout.write(`\nStart-up on the bundled fixtures, whole process (${pairs} alternated pairs each; medians)\n${lines.join('\n')}\n`);
