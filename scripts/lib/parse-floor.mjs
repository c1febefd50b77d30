// The parsing floor: reads an NDJSON file the way rete-eval does (1 MiB chunks), splits it
// into lines and JSON.parses each one, and does nothing else. Whatever rete-eval spends
// beyond this process's time is decoding, evaluation, output and its own start-up.
// Usage: node scripts/lib/parse-floor.mjs FILE   → prints {"records":N,"ms":T}

import { createReadStream } from 'node:fs';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: parse-floor.mjs FILE\n');
  process.exit(2);
}
const t0 = performance.now();
let records = 0;
let carry = '';
for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
  const text = carry + chunk;
  let start = 0;
  let nl;
  while ((nl = text.indexOf('\n', start)) !== -1) {
    if (nl > start) {
      JSON.parse(text.slice(start, nl));
      records++;
    }
    start = nl + 1;
  }
  carry = text.slice(start);
}
if (carry.trim() !== '') {
  JSON.parse(carry);
  records++;
}
process.stdout.write(JSON.stringify({ records, ms: performance.now() - t0, peakRssBytes: process.resourceUsage().maxRSS * 1024 }) + '\n');
