// The reader's worker threads: chunks go out to the least busy worker and come back as
// columnar batches, in whatever order they finish (the reader restores input order).
// Workers exist only for inputs large enough to repay their start-up (see reader.ts).

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { batchBuffers, type ScannedBatch } from './batch.js';
import type { ChunkLines } from './chunk-stats.js';

export interface ScanRequest {
  seq: number;
  buffer: ArrayBuffer;
  length: number;
  /** Record spans (start, end pairs) for JSON documents; null for NDJSON (lines). */
  spans: ArrayBuffer | null;
  spanCount: number;
  /** NDJSON lines of a shard file: a record may end in its position (position-suffix.ts). */
  positioned: boolean;
  /** A finished batch whose arrays the worker may fill again (transferred back), or null. */
  recycle: ScannedBatch | null;
}

export interface ScanResponse {
  seq: number;
  buffer: ArrayBuffer;
  spans: ArrayBuffer | null;
  batch: ScannedBatch;
  lines: ChunkLines;
  /** Time the worker spent scanning (ms). */
  scanMs: number;
}

/** The bundled worker script beside this module (dist/), or the build's when running from sources. */
function workerScript(): URL | null {
  for (const rel of ['./scan-worker.js', '../../dist/scan-worker.js']) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return null;
}

interface Slot {
  worker: Worker;
  busy: number;
}

export class ScanPool {
  private readonly slots: Slot[] = [];
  private readonly waiting = new Map<number, { resolve: (r: ScanResponse) => void; reject: (e: Error) => void }>();
  private failure: Error | null = null;
  private closing = false;

  private constructor(script: URL, fields: readonly string[], size: number) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(script, { workerData: { fields: [...fields] } });
      const slot: Slot = { worker, busy: 0 };
      worker.on('message', (r: ScanResponse) => {
        // A worker with work keeps the process alive; an idle one must not.
        if (--slot.busy === 0) worker.unref();
        const w = this.waiting.get(r.seq);
        this.waiting.delete(r.seq);
        w?.resolve(r);
      });
      worker.on('error', (e) => this.fail(e));
      worker.on('exit', (code) => {
        if (code !== 0 && !this.closing) this.fail(new Error(`a reader worker stopped with exit code ${code}`));
      });
      worker.unref();
      this.slots.push(slot);
    }
  }

  /** A pool of `size` workers, or null when the worker script is not built. */
  static start(fields: readonly string[], size: number): ScanPool | null {
    const script = workerScript();
    return script === null || size < 1 ? null : new ScanPool(script, fields, size);
  }

  get size(): number {
    return this.slots.length;
  }

  scan(req: ScanRequest): Promise<ScanResponse> {
    if (this.failure) return Promise.reject(this.failure);
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.busy < slot.busy) slot = s;
    if (slot.busy++ === 0) slot.worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(req.seq, { resolve, reject });
      const transfer: ArrayBuffer[] = [req.buffer];
      if (req.spans !== null) transfer.push(req.spans);
      if (req.recycle !== null) transfer.push(...batchBuffers(req.recycle));
      slot.worker.postMessage(req, transfer);
    });
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
