#!/usr/bin/env node
// The top of V8 CPU profiles (`node --cpu-prof`, `rete-eval bench --cpu-prof`): self time per
// function, and per source file, as a share of the profile and in ms (the mean over several
// profiles), so a performance note can show where the time goes.
//   node scripts/profile-top.mjs PROFILE.cpuprofile [MORE.cpuprofile ...] [--top 20]

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { scriptArgs } from './lib/args.mjs';

const USAGE = 'usage: node scripts/profile-top.mjs PROFILE.cpuprofile [MORE.cpuprofile ...] [--top 20]';
const { values, positionals } = scriptArgs(USAGE, { allowPositionals: true, options: { top: { type: 'string', default: '20' } } });
if (positionals.length === 0) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
const top = Number(values.top);

// Self time per function and file, summed over the profiles (each one run: times are
// reported per profile, as the mean over them).
let total = 0;
let inspectorUs = 0;
const byFunction = new Map();
const byFile = new Map();
for (const path of positionals) {
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  // Self time per node: samples are node ids, timeDeltas the time before each sample.
  const selfUs = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  // Samples under node:inspector are the profiler stopping itself (bench --cpu-prof stops it
  // from inside the process): counted apart, not in the shares.
  const parent = new Map();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node);
  const underInspector = (node) => {
    for (let n = parent.get(node.id); n !== undefined; n = parent.get(n.id)) if (n.callFrame.url === 'node:inspector') return true;
    return false;
  };
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    if (underInspector(node)) {
      inspectorUs += us;
      continue;
    }
    total += us;
    const f = node.callFrame;
    const file = f.url ? basename(f.url) : `(${f.functionName || 'native'})`;
    const fn = `${f.functionName || '(anonymous)'} ${f.url ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  }
}

const n = positionals.length;
const rows = (m) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => `  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / n / 1000).toFixed(1).padStart(8)} ms  ${name}`);
process.stdout.write(
  `${n === 1 ? 'profile' : `${n} profiles, per profile`}: ${(total / n / 1000).toFixed(0)} ms sampled` +
    `${inspectorUs > 0 ? ` (and ${(inspectorUs / n / 1000).toFixed(0)} ms of the profiler stopping, left out)` : ''}\nself time by function:\n${rows(byFunction).join('\n')}\nself time by file:\n${rows(byFile).slice(0, 10).join('\n')}\n`,
);
