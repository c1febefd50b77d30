// One reader over one file, timed inside its own process: `ours` is rete-eval's FactReader
// (newline splitter or array splitter, then JSON.parse and decode per record); `stream-json`
// is stream-json's parser for the same format, with the same decode per record.
//   node scripts/lib/parse-child.mjs ours|stream-json FILE
// Prints {"records": N, "ms": T}.

import { createReadStream } from 'node:fs';
import chain from 'stream-chain';
import { parser } from 'stream-json';
import { streamArray } from 'stream-json/streamers/stream-array.js';
import jsonlParser from 'stream-json/jsonl/parser.js';
import { FactReader, decodeFact } from '../../dist/index.js';

const [mode, file] = process.argv.slice(2);
const t = performance.now();
let records = 0;
if (mode === 'ours') {
  const reader = new FactReader([file]);
  for await (const batch of reader.batches()) records += batch.length;
} else if (mode === 'stream-json') {
  const isArray = file.endsWith('.json');
  const pipeline = chain([createReadStream(file, { highWaterMark: 1 << 20 }), isArray ? parser() : jsonlParser(), ...(isArray ? [streamArray()] : [])]);
  for await (const item of pipeline) decodeFact(item.value, records++);
} else {
  process.stderr.write('usage: parse-child.mjs ours|stream-json FILE\n');
  process.exit(2);
}
process.stdout.write(JSON.stringify({ records, ms: performance.now() - t }) + '\n');
