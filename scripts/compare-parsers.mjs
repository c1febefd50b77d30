#!/usr/bin/env node
// rete-eval's readers against stream-json on the same facts: NDJSON (newline splitter +
// JSON.parse vs stream-json's JSONL parser) and a JSON array (array splitter + JSON.parse vs
// stream-json's parser + streamArray). Both sides decode every record into a Fact. Each
// reader runs in its own process (started with execa), alternated A B A B, ratio per pair.
//   node scripts/compare-parsers.mjs [--workload simple] [--size 200k] [--pairs 5] [--warmup 1]
// (npm run compare:parsers -- --size 1m; needs `npm run build`)

import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { alternate, fail, parseOptions, prepareWorkload, printSummary, timeProcess, ROOT } from './lib/ab.mjs';

const o = parseOptions(
  'usage: node scripts/compare-parsers.mjs [--workload simple|payroll|enterprise] [--size 200k] [--pairs 5] [--warmup 1] [--cache-dir DIR]',
);
const files = await prepareWorkload(o.workload, o.size, o.cacheDir);
const arrayFile = files.factsFile.replace(/\.ndjson$/, '.json');
if (!existsSync(arrayFile)) {
  // The same facts as one pretty-printed JSON array.
  const out = createWriteStream(arrayFile);
  out.write('[\n');
  let first = true;
  for await (const line of createInterface({ input: createReadStream(files.factsFile) })) {
    if (!out.write((first ? '  ' : ',\n  ') + line)) await once(out, 'drain');
    first = false;
  }
  out.end('\n]\n');
  await once(out, 'finish');
}
const child = join(ROOT, 'scripts', 'lib', 'parse-child.mjs');
const reader = (mode, file) => async () => {
  const { ms, stdout } = await timeProcess(process.execPath, [child, mode, file]);
  const out = JSON.parse(stdout);
  return { ms, records: out.records, innerMs: out.ms };
};

for (const [label, file] of [
  ['NDJSON', files.factsFile],
  ['JSON array', arrayFile],
]) {
  process.stderr.write(`${label}: rete-eval reader vs stream-json (${file})\n`);
  const s = await alternate({
    pairs: o.pairs,
    warmup: o.warmup,
    a: { name: 'rete-eval', run: reader('ours', file) },
    b: { name: 'stream-json', run: reader('stream-json', file) },
  });
  for (const r of s.rows) if (r.a.records !== r.b.records) fail(`record counts differ: ${r.a.records} vs ${r.b.records}`);
  printSummary(`${label}: rete-eval reader vs stream-json (${o.workload} ${o.size}, read+parse+decode, whole processes)`, 'rete-eval', 'stream-json', s);
}
