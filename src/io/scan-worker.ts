// A reader worker thread: scans chunks of input bytes with the projected record scanner and
// sends back columnar batches. Chunk bytes and every column travel as transferred
// ArrayBuffers, so nothing is copied or cloned object by object. Bundled as dist/scan-worker.js.

import { parentPort, workerData } from 'node:worker_threads';
import { batchBuffers, type ScannedBatch } from './batch.js';
import { chunkLines, type ChunkLines } from './chunk-stats.js';
import { ChunkScanner } from './scan.js';
import { compileScanPlan } from './scan-plan.js';
import type { ScanRequest, ScanResponse } from './scan-pool.js';

const scanner = new ChunkScanner(compileScanPlan((workerData as { fields: string[] }).fields));

parentPort!.on('message', (m: ScanRequest) => {
  const t0 = performance.now();
  if (m.recycle !== null) scanner.recycle(m.recycle);
  const b = Buffer.from(m.buffer, 0, m.buffer.byteLength);
  let batch: ScannedBatch;
  let lines: ChunkLines;
  if (m.spans === null) {
    batch = scanner.scanLines(b, 0, m.length, m.positioned);
    const lastNl = m.length > 0 && b[m.length - 1] === 10;
    lines = { newlines: batch.newlines, tailUnits: lastNl ? 0 : chunkLines(b, m.length).tailUnits };
  } else {
    batch = scanner.scanSpans(b, new Int32Array(m.spans), m.spanCount);
    lines = chunkLines(b, m.length);
  }
  const r: ScanResponse = { seq: m.seq, buffer: m.buffer, spans: m.spans, batch, lines, scanMs: performance.now() - t0 };
  const transfer = [m.buffer, ...batchBuffers(batch)];
  if (m.spans !== null) transfer.push(m.spans);
  parentPort!.postMessage(r, transfer);
});
