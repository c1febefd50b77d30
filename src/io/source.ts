// Input sources: a fact file, stdin or any byte stream, read as content bytes into the
// caller's buffers. Gzip is sniffed from the first bytes (content, not the name) and
// inflated by zlib's stream, which runs in libuv's thread pool, not on the calling thread.
// Raw bytes read (before inflation) are counted, for progress.

import { open, type FileHandle } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { describeIoError } from '../model/errors.js';

export interface Source {
  /** The name used in messages: the path, or `<stdin>`. */
  readonly name: string;
  /** The file's path when the source is a file (it can be read again), else null. */
  readonly path: string | null;
  /** Raw size in bytes when known (a regular file; for gzip, the compressed size). */
  readonly size: number | null;
  /** Whether the content turned out to be gzip (known after the first read). */
  readonly gzip: boolean;
  /** Raw bytes read so far (compressed bytes for gzip). */
  readonly rawBytes: number;
  /** Reads up to `length` content bytes into buf at `offset`; resolves 0 at the end. Throws InputError. */
  read(buf: Uint8Array, offset: number, length: number): Promise<number>;
  /** Releases the file or stream; safe to call more than once. */
  close(): Promise<void>;
}

const CHUNK = 1 << 20;

function isGzip(b: Uint8Array, n: number): boolean {
  return n >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** Opens a fact file, or stdin for `-`. Throws InputError at once for a missing file or a directory. */
export function openSource(path: string): Source {
  if (path === '-') return streamSource('<stdin>', process.stdin, null, false);
  let size: number | null = null;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    size = st.isFile() ? st.size : null;
  } catch (e) {
    throw describeIoError(e, path, 'read');
  }
  return new FileSource(path, size);
}

/**
 * A source over an already open byte stream (a socket, a request body, a pipe). `close`
 * destroys the stream when `owned` (stdin is left open).
 */
export function streamSource(name: string, stream: Readable | AsyncIterable<Uint8Array>, size: number | null = null, owned = true): Source {
  return new StreamSource(name, stream, size, owned);
}

/** A regular file (or FIFO): read straight into the caller's buffer unless it is gzip. */
class FileSource implements Source {
  gzip = false;
  rawBytes = 0;
  private fh: FileHandle | null = null;
  private inflated: StreamSource | null = null;
  private started = false;
  private closed = false;

  constructor(
    readonly name: string,
    readonly size: number | null,
  ) {}

  get path(): string {
    return this.name;
  }

  async read(buf: Uint8Array, offset: number, length: number): Promise<number> {
    if (this.inflated) return this.inflated.read(buf, offset, length);
    if (this.closed) return 0;
    try {
      if (this.fh === null) this.fh = await open(this.name, 'r');
      const { bytesRead } = await this.fh.read(buf, offset, length, null);
      this.rawBytes += bytesRead;
      if (!this.started) {
        this.started = true;
        if (isGzip(buf.subarray(offset), bytesRead)) {
          // Hand the bytes read and the rest of the file to a gunzip stream.
          this.gzip = true;
          const first = Buffer.from(buf.subarray(offset, offset + bytesRead));
          const fh = this.fh;
          const raw = Readable.from(rawChunks(first, fh, (n) => (this.rawBytes += n)));
          this.inflated = new StreamSource(this.name, raw, this.size, true, true);
          return this.inflated.read(buf, offset, length);
        }
      }
      return bytesRead;
    } catch (e) {
      throw describeIoError(e, this.name, 'read');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.inflated?.close();
    const fh = this.fh;
    this.fh = null;
    await fh?.close().catch(() => undefined);
  }
}

/** The first bytes, then the rest of the file, as raw chunks (counted as read). */
async function* rawChunks(first: Buffer, fh: FileHandle, count: (n: number) => void): AsyncGenerator<Buffer> {
  yield first;
  for (;;) {
    const buf = Buffer.allocUnsafe(CHUNK);
    const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
    if (bytesRead === 0) return;
    count(bytesRead);
    yield buf.subarray(0, bytesRead);
  }
}

/** Any byte stream, gunzipped when it starts with the gzip magic bytes. */
class StreamSource implements Source {
  gzip = false;
  rawBytes = 0;
  readonly path = null;
  private it: AsyncIterator<Uint8Array> | null = null;
  private rest: Uint8Array | null = null;
  private done = false;

  constructor(
    readonly name: string,
    private readonly stream: Readable | AsyncIterable<Uint8Array>,
    readonly size: number | null,
    private readonly owned: boolean,
    /** The stream is already known to be gzip (raw bytes are counted by the caller). */
    private readonly forceGzip = false,
  ) {}

  async read(buf: Uint8Array, offset: number, length: number): Promise<number> {
    try {
      if (this.it === null) await this.start();
      let chunk = this.rest;
      this.rest = null;
      while (chunk === null || chunk.length === 0) {
        if (this.done) return 0;
        const r = await this.it!.next();
        if (r.done) {
          this.done = true;
          return 0;
        }
        chunk = r.value;
      }
      const n = Math.min(length, chunk.length);
      buf.set(n === chunk.length ? chunk : chunk.subarray(0, n), offset);
      if (n < chunk.length) this.rest = chunk.subarray(n);
      return n;
    } catch (e) {
      throw describeIoError(e, this.name, 'read');
    }
  }

  /** Reads the first chunk to sniff gzip, then sets up the iterator of content chunks. */
  private async start(): Promise<void> {
    const raw = this.stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
    if (this.forceGzip) {
      this.gzip = true;
      this.it = gunzipped(this.stream as Readable);
      return;
    }
    const first = await raw.next();
    if (first.done) {
      this.done = true;
      this.it = raw;
      return;
    }
    this.rawBytes += first.value.length;
    const counted = async function* (self: StreamSource): AsyncGenerator<Uint8Array> {
      yield first.value;
      for (;;) {
        const r = await raw.next();
        if (r.done) return;
        self.rawBytes += r.value.length;
        yield r.value;
      }
    };
    if (isGzip(first.value, first.value.length)) {
      this.gzip = true;
      this.it = gunzipped(Readable.from(counted(this)));
    } else this.it = counted(this);
  }

  async close(): Promise<void> {
    this.done = true;
    if (this.owned && this.stream instanceof Readable) this.stream.destroy();
  }
}

function gunzipped(raw: Readable): AsyncIterator<Uint8Array> {
  const gunzip = createGunzip({ chunkSize: CHUNK });
  raw.on('error', (e) => gunzip.destroy(e));
  raw.pipe(gunzip);
  return gunzip[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
}

/** File size for progress totals; null for stdin and non-regular files. */
export function totalSize(paths: readonly string[]): number | null {
  let total = 0;
  for (const p of paths) {
    if (p === '-') return null;
    try {
      total += statSync(p).size;
    } catch {
      return null;
    }
  }
  return total;
}
