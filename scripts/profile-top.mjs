#!/usr/bin/env node
// The top of a V8 CPU profile (`node --cpu-prof`): self time per function, and per source
// file, as a share of the profile, so a performance note can show where the time goes.
//   node scripts/profile-top.mjs PROFILE.cpuprofile [--top 20]

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '20' } } });
if (positionals.length !== 1) {
  process.stderr.write('usage: node scripts/profile-top.mjs PROFILE.cpuprofile [--top 20]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const top = Number(values.top);

// Self time per node: samples are node ids, timeDeltas the time before each sample.
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
let total = 0;
const byFunction = new Map();
const byFile = new Map();
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0;
  if (us === 0) continue;
  total += us;
  const f = node.callFrame;
  const file = f.url ? basename(f.url) : `(${f.functionName || 'native'})`;
  const fn = `${f.functionName || '(anonymous)'} ${f.url ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  byFile.set(file, (byFile.get(file) ?? 0) + us);
}

const rows = (m) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => `  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`);
process.stdout.write(
  `profile: ${(total / 1000).toFixed(0)} ms sampled\nself time by function:\n${rows(byFunction).join('\n')}\nself time by file:\n${rows(byFile).slice(0, 10).join('\n')}\n`,
);
