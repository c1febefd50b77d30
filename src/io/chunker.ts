// Cuts an input's bytes into chunks that hold whole records: after the last newline for
// NDJSON, at record boundaries found by a StructureSplitter for JSON documents. Detects the
// format from the head first and drops a byte-order mark. Every byte of the input belongs
// to exactly one chunk, so lines can be counted per chunk. Buffers are pooled: a chunk's
// buffer goes back to the pool once its records are decoded.

import { FactError } from '../model/errors.js';
import { FormatDetector, shardHeaderAt, type DetectedFormat, type InputFormat } from './detect.js';
import type { Source } from './source.js';
import { SpanList, SplitError, StructureSplitter } from './splitters.js';

/** Chunk size: big enough that per-chunk costs (a message each way to a worker) vanish. */
export const CHUNK_BYTES = 1 << 20;

export interface Chunk {
  /** The chunk's bytes are buf[0, length); buf has room for one more (a sentinel). */
  readonly buf: Buffer;
  readonly length: number;
  /** JSON documents: record spans (start, end pairs); null for NDJSON (records are lines). */
  readonly spans: Int32Array | null;
  readonly spanCount: number;
  /** A structural error at the end of this chunk: nothing after it can be read. */
  readonly error: string | null;
}

/** Free chunk buffers of the standard size (one spare byte each for a sentinel). */
export class BufferPool {
  private readonly free: ArrayBuffer[] = [];
  /** A buffer whose capacity (its length less one) is at least `min`. */
  acquire(min = CHUNK_BYTES): Buffer {
    if (min <= CHUNK_BYTES) {
      const ab = this.free.pop();
      if (ab !== undefined) return Buffer.from(ab);
    }
    return Buffer.from(new ArrayBuffer(Math.max(min, CHUNK_BYTES) + 1));
  }
  release(ab: ArrayBuffer): void {
    if (ab.byteLength === CHUNK_BYTES + 1 && this.free.length < 64) this.free.push(ab);
  }
}

export class Chunker {
  private readonly source: Source;
  private readonly pool: BufferPool;
  private cur: Buffer;
  private filled = 0;
  private eof = false;
  private finished = false;
  private splitter: StructureSplitter | null = null;
  private spans = new SpanList();

  constructor(source: Source, pool: BufferPool) {
    this.source = source;
    this.pool = pool;
    this.cur = pool.acquire();
  }

  private capacity(): number {
    return this.cur.length - 1;
  }

  /** Reads once into the free part of the buffer; sets eof at the end. Returns bytes read. */
  private async fill(): Promise<number> {
    if (this.eof) return 0;
    if (this.filled === this.capacity()) this.grow();
    const n = await this.source.read(this.cur, this.filled, this.capacity() - this.filled);
    if (n === 0) this.eof = true;
    this.filled += n;
    return n;
  }

  /** Doubles the buffer, keeping its content. */
  private grow(): void {
    const next = this.pool.acquire(this.capacity() * 2);
    this.cur.copy(next, 0, 0, this.filled);
    this.pool.release(this.cur.buffer as ArrayBuffer);
    this.cur = next;
  }

  /** Reads the head of the input and decides its format (null: empty input). Throws FactError for UTF-16. */
  async detect(forced: InputFormat): Promise<DetectedFormat | null> {
    while (this.filled < 3 && !this.eof) await this.fill();
    const b0 = this.cur[0];
    const b1 = this.cur[1];
    if (this.filled >= 2 && ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff))) {
      throw new FactError(
        'E_FACT_JSON',
        this.source.name,
        1,
        'the input is UTF-16 (it starts with a UTF-16 byte-order mark); facts must be UTF-8: convert it first, e.g. with iconv -f UTF-16 -t UTF-8',
        1,
      );
    }
    if (this.filled >= 3 && this.cur[0] === 0xef && this.cur[1] === 0xbb && this.cur[2] === 0xbf) {
      this.cur.copyWithin(0, 3, this.filled);
      this.filled -= 3;
    }
    if (forced !== 'json') {
      // A shard file (rete-eval split) says so on its first line, whatever --format says.
      let shard = shardHeaderAt(this.cur, this.filled);
      while (shard === null && !this.eof) {
        await this.fill();
        shard = shardHeaderAt(this.cur, this.filled);
      }
      if (shard === true) return 'shard';
    }
    const detector = new FormatDetector(forced);
    let seen = 0;
    let format: DetectedFormat | null = null;
    for (;;) {
      format = detector.push(this.cur.subarray(seen, this.filled));
      seen = this.filled;
      if (format !== null) break;
      if (this.eof) {
        format = detector.end();
        break;
      }
      await this.fill();
    }
    if (format === 'json-array' || format === 'json-facts' || format === 'json-values') {
      this.splitter = new StructureSplitter(format === 'json-array' ? 'array' : format === 'json-facts' ? 'facts' : 'values');
    }
    return format;
  }

  /** The next chunk of whole records, or null at the end. Throws InputError (I/O). */
  async next(): Promise<Chunk | null> {
    if (this.finished) return null;
    return this.splitter === null ? this.nextLines() : this.nextSpans(this.splitter);
  }

  /**
   * A file is read until the buffer is full, then cut; a stream (stdin, a pipe) hands over
   * what it has as soon as it holds a whole record, so a pipeline sees results promptly.
   */
  private ready(): boolean {
    return this.filled === this.capacity() || (this.source.size === null && this.filled > 0);
  }

  private async nextLines(): Promise<Chunk | null> {
    for (;;) {
      if (this.eof) {
        this.finished = true;
        return this.filled === 0 ? null : this.cut(this.filled, null, null);
      }
      if (this.ready()) {
        const nl = this.cur.lastIndexOf(10, this.filled - 1);
        if (nl >= 0) return this.cut(nl + 1, null, null);
      }
      await this.fill();
    }
  }

  private async nextSpans(splitter: StructureSplitter): Promise<Chunk | null> {
    for (;;) {
      try {
        splitter.scan(this.cur, this.filled, this.spans, this.eof);
        if (this.eof) splitter.finish(this.filled);
      } catch (e) {
        if (!(e instanceof SplitError)) throw e;
        this.finished = true;
        return this.cut(e.offset, this.takeSpans(), e.message);
      }
      if (this.eof) {
        this.finished = true;
        return this.filled === 0 ? null : this.cut(this.filled, this.takeSpans(), null);
      }
      const keep = splitter.keepFrom();
      // Cut before the record in progress once records are complete (or, in a full buffer,
      // pass on the bytes before it anyway: their lines count).
      if (this.ready() && keep > 0 && (this.spans.count > 0 || this.filled === this.capacity())) {
        const chunk = this.cut(keep, this.takeSpans(), null);
        splitter.shift(keep);
        return chunk;
      }
      await this.fill();
    }
  }

  private takeSpans(): { spans: Int32Array; count: number } {
    const out = { spans: this.spans.spans.slice(0, 2 * this.spans.count), count: this.spans.count };
    this.spans.clear();
    return out;
  }

  /** Hands out cur[0, end) as a chunk; what follows moves to a fresh buffer. */
  private cut(end: number, spans: { spans: Int32Array; count: number } | null, error: string | null): Chunk {
    const chunk: Chunk = {
      buf: this.cur,
      length: end,
      spans: spans === null ? null : spans.spans,
      spanCount: spans === null ? 0 : spans.count,
      error,
    };
    const rest = this.filled - end;
    const next = this.pool.acquire(rest);
    if (rest > 0 && !this.finished) this.cur.copy(next, 0, end, this.filled);
    this.cur = next;
    this.filled = this.finished ? 0 : rest;
    return chunk;
  }

  /**
   * Takes the first line off the input (a shard file's header), without its newline; the
   * records after it are cut into chunks as usual. Call after detect(), before next().
   */
  async takeLine(): Promise<Buffer> {
    let nl = this.cur.indexOf(10);
    while ((nl < 0 || nl >= this.filled) && !this.eof) {
      const from = this.filled;
      await this.fill();
      nl = this.cur.indexOf(10, from);
    }
    const end = nl >= 0 && nl < this.filled ? nl : this.filled;
    const line = Buffer.from(this.cur.subarray(0, end));
    const rest = Math.min(end + 1, this.filled);
    this.cur.copyWithin(0, rest, this.filled);
    this.filled -= rest;
    return line;
  }

  /** The input from its start (after a byte-order mark), for a reader of its own (stream-json). */
  async *bytes(): AsyncGenerator<Buffer> {
    if (this.filled > 0) yield Buffer.from(this.cur.subarray(0, this.filled));
    this.filled = 0;
    while (!this.eof) {
      const n = await this.fill();
      if (n > 0) yield Buffer.from(this.cur.subarray(0, this.filled));
      this.filled = 0;
    }
    this.finished = true;
  }
}
