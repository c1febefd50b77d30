#!/usr/bin/env node
// What handing a chunk to a reader worker and its columnar batch back costs: the real
// worker (dist/scan-worker.js) scans 1 MiB chunks of an NDJSON file one at a time; the
// round trip minus the worker's own scan time is the hand-over (both postMessage hops,
// ArrayBuffers transferred, nothing cloned). For scale, structuredClone of the same
// records as plain objects ({id, timestamp, fields}) is what sending objects would cost.
//   node scripts/measure-handover.mjs [--workload simple] [--size 1m] [--fields status]
// (needs `npm run build`)

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { fmtMs, median, prepareWorkload, ROOT } from './lib/ab.mjs';
import { scriptArgs } from './lib/args.mjs';
import { loadRules } from '../dist/index.js';

const { values: o } = scriptArgs('usage: node scripts/measure-handover.mjs [--workload simple] [--size 1m] [--fields a,b] [--cache-dir DIR]', {
  options: {
    workload: { type: 'string', default: 'simple' },
    size: { type: 'string', default: '1m' },
    fields: { type: 'string' },
    'cache-dir': { type: 'string', default: join(ROOT, '.bench') },
  },
});
const files = await prepareWorkload(o.workload, o.size, o.cacheDir ?? o['cache-dir']);
// The fields the rules read, as `rete-eval run` computes them (condition fields of the workload's rules).
const rules = loadRules(JSON.parse(readFileSync(files.rulesFile, 'utf8'))).rules;
const fields = o.fields ? o.fields.split(',') : [...new Set(rules.flatMap((r) => r.conditions.map((c) => c.field)))];

const all = readFileSync(files.factsFile);
const CHUNK = 1 << 20;
const chunks = [];
for (let p = 0; p < all.length; ) {
  let e = Math.min(all.length, p + CHUNK);
  if (e < all.length) e = all.lastIndexOf(10, e - 1) + 1;
  const buf = Buffer.from(new ArrayBuffer(e - p + 1));
  all.copy(buf, 0, p, e);
  chunks.push({ buffer: buf.buffer, length: e - p });
  p = e;
}

const worker = new Worker(join(ROOT, 'dist', 'scan-worker.js'), { workerData: { fields } });
const trips = [];
const scans = [];
let columnBytes = 0;
let records = 0;
const t0 = performance.now();
for (const [seq, c] of chunks.entries()) {
  const sent = performance.now();
  const reply = await new Promise((resolve) => {
    worker.once('message', resolve);
    worker.postMessage({ seq, buffer: c.buffer, length: c.length, spans: null, spanCount: 0 }, [c.buffer]);
  });
  trips.push(performance.now() - sent);
  scans.push(reply.scanMs);
  const b = reply.batch;
  records += b.count;
  for (const a of [b.kinds, b.starts, b.ends, b.lines, b.tags, b.nums, b.blobStarts, b.blobEnds, b.blobKinds]) columnBytes += a.byteLength;
  c.buffer = reply.buffer;
}
const wall = performance.now() - t0;
await worker.terminate();

// The same records as objects, cloned as a worker sending objects would have them cloned.
const sample = all
  .subarray(0, chunks[0].length)
  .toString('utf8')
  .trimEnd()
  .split('\n')
  .map((line) => {
    const r = JSON.parse(line);
    const src = r.data?.fields ?? r;
    const f = {};
    for (const k of fields) if (k in src) f[k] = src[k];
    return { id: r.id, timestamp: r.timestamp ?? null, fields: f };
  });
const clones = [];
for (let i = 0; i < 20; i++) {
  const t = performance.now();
  structuredClone(sample);
  clones.push(performance.now() - t);
}

const overhead = trips.map((t, i) => t - scans[i]);
const perChunk = median(overhead);
process.stdout.write(
  `Hand-over to a reader worker and back (${o.workload} ${o.size}: ${chunks.length} chunks of ≤ 1 MiB, ${records.toLocaleString('en-US')} records, fields ${fields.join(', ')})\n` +
    `  round trip per chunk: median ${fmtMs(median(trips))} · worker scan ${fmtMs(median(scans))} · hand-over ${fmtMs(perChunk)} (both hops, transfers)\n` +
    `  hand-over for the whole file: ${fmtMs(overhead.reduce((a, b) => a + b, 0))} of ${fmtMs(wall)} (columns: ${(columnBytes / 2 ** 20).toFixed(1)} MiB moved, not copied)\n` +
    `  structuredClone of one chunk's ${sample.length.toLocaleString('en-US')} records as objects: median ${fmtMs(median(clones))} ` +
    `(≈ ${fmtMs((median(clones) * records) / sample.length)} for the file, on the thread that evaluates)\n`,
);
