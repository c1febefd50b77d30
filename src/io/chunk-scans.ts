// Where the projected reader's chunks are scanned: by a ChunkScanner on the main thread, or by
// worker threads (ScanPool) for large inputs, started at once for a big file or once enough
// content has come from stdin or gzip. Results come back per chunk; their arrays are reused.

import { availableParallelism } from 'node:os';
import type { ScannedBatch } from './batch.js';
import { chunkLines, type ChunkLines } from './chunk-stats.js';
import type { Chunk } from './chunker.js';
import { ChunkScanner } from './scan.js';
import type { ScanPlan } from './scan-plan.js';
import { ScanPool } from './scan-pool.js';
import type { Source } from './source.js';

/**
 * With `workers: auto`, inputs smaller than this are scanned on the main thread. Measured
 * on simple (README, Performance): one worker lost at 200K and 500K records (32 and 78 MB)
 * and won at 1M (162 MB): below that, its start-up and its own warm-up cost more than
 * the main thread saves.
 */
export const WORKER_MIN_BYTES = 96 << 20;
/**
 * Inputs of unknown length (stdin, gzip) start on the main thread and get a worker once
 * this much content has come: by then the input is likely large, and most of it is left.
 */
const WORKER_LAZY_BYTES = 48 << 20;
/**
 * Chunks in flight per worker: enough queued that a worker keeps scanning while the main
 * thread evaluates and writes a batch (with 2, workers sat idle for a third of the run).
 */
const IN_FLIGHT_PER_WORKER = 4;

/** A scanned chunk, back in the main thread. */
export interface Scanned {
  buffer: ArrayBuffer;
  length: number;
  batch: ScannedBatch;
  lines: ChunkLines;
  ndjson: boolean;
  error: string | null;
  /** Scanned by a worker (its arrays go back to one). */
  worker: boolean;
}

export class ChunkScans {
  private scanner: ChunkScanner | null = null;
  private pool: ScanPool | null = null;
  private poolStarted = false;
  private seq = 0;
  private contentBytes = 0;
  /** Finished batches whose arrays can travel back to a worker. */
  private readonly spares: ScannedBatch[] = [];

  /** `workers`: `auto` (see WORKER_MIN_BYTES), or that many whatever the size (0: none). */
  constructor(
    private readonly plan: ScanPlan,
    private readonly workers: number | 'auto',
  ) {}

  /** Worker threads scanning (0: the main thread does). */
  get workerCount(): number {
    return this.pool?.size ?? 0;
  }

  /** How many chunks to have in flight: one on the main thread, a few per worker. */
  get inFlight(): number {
    return this.pool === null ? 1 : this.pool.size * IN_FLIGHT_PER_WORKER;
  }

  /**
   * An input begins. `auto`: workers for a file of WORKER_MIN_BYTES or more at once, else once
   * WORKER_LAZY_BYTES of content have been read (stdin, gzip, small files in a row); a number:
   * that many, whatever the size.
   */
  beginSource(source: Source): void {
    if (this.poolStarted) return;
    if (this.workers !== 'auto' || (source.size !== null && !source.gzip && source.size >= WORKER_MIN_BYTES)) this.startPool();
  }

  /** Scans a chunk (`positioned`: facts are numbered by position, see ReaderOptions). */
  scan(chunk: Chunk, positioned: boolean): Promise<Scanned> {
    this.contentBytes += chunk.length;
    if (!this.poolStarted && this.workers === 'auto' && this.contentBytes >= WORKER_LAZY_BYTES) this.startPool();
    const ndjson = chunk.spans === null;
    const pool = this.pool;
    if (pool !== null) {
      const seq = this.seq++;
      return pool
        .scan({
          seq,
          buffer: chunk.buf.buffer as ArrayBuffer,
          length: chunk.length,
          spans: chunk.spans === null ? null : (chunk.spans.buffer as ArrayBuffer),
          spanCount: chunk.spanCount,
          positioned,
          recycle: this.spares.pop() ?? null,
        })
        .then((r) => ({ buffer: r.buffer, length: chunk.length, batch: r.batch, lines: r.lines, ndjson, error: chunk.error, worker: true }));
    }
    this.scanner ??= new ChunkScanner(this.plan);
    const b = chunk.buf;
    let batch: ScannedBatch;
    let lines: ChunkLines;
    if (ndjson) {
      batch = this.scanner.scanLines(b, 0, chunk.length, positioned);
      const lastNl = chunk.length > 0 && b[chunk.length - 1] === 10;
      lines = { newlines: batch.newlines, tailUnits: lastNl ? 0 : chunkLines(b, chunk.length).tailUnits };
    } else {
      batch = this.scanner.scanSpans(b, chunk.spans!, chunk.spanCount);
      lines = chunkLines(b, chunk.length);
    }
    return Promise.resolve({ buffer: b.buffer as ArrayBuffer, length: chunk.length, batch, lines, ndjson, error: chunk.error, worker: false });
  }

  /** A decoded chunk's batch arrays go back to a scanner to be filled again. */
  recycle(s: Scanned): void {
    if (s.worker) this.spares.push(s.batch);
    else this.scanner?.recycle(s.batch);
  }

  /** Stops the worker threads. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.close();
  }

  private startPool(): void {
    this.poolStarted = true;
    // auto: the cores left beside the main thread (which evaluates and writes), 1 to 3.
    // On 2 cores one worker measured faster than two: three busy threads on two cores
    // slowed each other more than the second scanner gained (see the README).
    const n = this.workers === 'auto' ? Math.max(1, Math.min(3, availableParallelism() - 1)) : this.workers;
    if (n < 1) return;
    this.pool = ScanPool.start(this.plan.fields, n);
  }
}
