// Output sinks: buffered text written to stdout or to a file. A file is written under a
// temporary name beside it and renamed into place only when complete (gzip when the name
// ends in .gz); a closed stdout (`| head`) makes the sink report `closed` instead of failing.

import { createWriteStream, renameSync, statSync, unlinkSync, type WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createGzip, type Gzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import { describeIoError } from '../model/errors.js';

const FLUSH_AT = 256 * 1024;
/** File sinks not yet closed or aborted, so a signal handler can remove their temporary files. */
const open = new Set<OutputSink>();
/**
 * flush() waits for the stream only beyond this much queued output: below it, writing goes
 * on in the background while the next batch is read and evaluated.
 */
const BACKLOG = 16 << 20;

export class OutputSink {
  /** True once the reader of stdout has gone away; the run should stop quietly. */
  closed = false;
  readonly name: string;
  private readonly stream: Writable;
  private readonly file: WriteStream | null;
  /** The temporary file renamed onto the target at close; null when writing in place. */
  private readonly tmp: string | null;
  private readonly target: string | null;
  private parts: string[] = [];
  private size = 0;
  private failure: Error | null = null;

  private constructor(name: string, stream: Writable, file: WriteStream | null, tmp: string | null, target: string | null) {
    this.name = name;
    this.stream = stream;
    this.file = file;
    this.tmp = tmp;
    this.target = target;
    const onError = (e: NodeJS.ErrnoException) => {
      if (target === null && e.code === 'EPIPE') this.closed = true;
      else if (this.failure === null) this.failure = describeIoError(e, name, 'write');
    };
    stream.on('error', onError);
    if (file !== null && file !== stream) file.on('error', onError);
  }

  static stdout(): OutputSink {
    return new OutputSink('<stdout>', process.stdout, null, null, null);
  }

  /**
   * Opens `path` for writing via a temporary file in the same directory. A path that is
   * not a regular file (/dev/null, a FIFO, /dev/stdout) is written in place: renaming over
   * a device would replace it.
   */
  static file(path: string): OutputSink {
    const inPlace = !isRegularOrAbsent(path);
    const tmp = inPlace ? path : join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
    let file: WriteStream;
    try {
      file = createWriteStream(tmp, inPlace ? { highWaterMark: 1 << 20 } : { flush: true, highWaterMark: 1 << 20 });
    } catch (e) {
      throw describeIoError(e, path, 'write');
    }
    let stream: Writable = file;
    if (path.endsWith('.gz')) {
      const gz: Gzip = createGzip();
      gz.pipe(file);
      stream = gz;
    }
    const sink = new OutputSink(path, stream, file, inPlace ? null : tmp, path);
    open.add(sink);
    return sink;
  }

  /** Queues text; it is written when enough has gathered or at flush(). */
  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= FLUSH_AT) this.push();
  }

  private push(): void {
    if (this.parts.length === 0) return;
    const text = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (this.closed) return;
    this.stream.write(text);
  }

  /** Writes what is queued; waits while too much is still unwritten (backpressure). */
  async flush(): Promise<void> {
    this.push();
    this.check();
    if (this.stream.writableLength > BACKLOG && !this.closed) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.stream.off('drain', done);
          this.stream.off('error', done);
          this.stream.off('close', done);
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('error', done);
        this.stream.on('close', done);
      });
      this.check();
    }
  }

  private check(): void {
    if (this.failure !== null) throw this.failure;
  }

  /** Completes the output: ends the file and renames it into place. */
  async close(): Promise<void> {
    await this.flush();
    if (this.file === null) {
      // stdout: make sure everything queued reaches the pipe before the process exits.
      if (!this.closed && this.stream.writableNeedDrain) await new Promise((r) => this.stream.once('drain', r));
      return;
    }
    await new Promise<void>((resolve, reject) => {
      this.file!.once('close', resolve);
      this.file!.once('error', reject);
      this.stream.end();
    }).catch((e) => {
      throw describeIoError(e, this.name, 'write');
    });
    this.check();
    open.delete(this);
    if (this.tmp === null) return;
    try {
      renameSync(this.tmp, this.target!);
    } catch (e) {
      this.abort();
      throw describeIoError(e, this.name, 'write');
    }
  }

  /** Abandons a file output: the temporary file is removed and the target left untouched. */
  abort(): void {
    if (this.file === null) return;
    open.delete(this);
    this.stream.destroy();
    this.file.destroy();
    if (this.tmp === null) return;
    try {
      unlinkSync(this.tmp);
    } catch {
      // already gone
    }
  }
}

/** True for a regular file or a path that does not exist yet (it will be created). */
export function isRegularOrAbsent(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return true;
  }
}

/** Aborts every file output still open (their temporary files are removed): for signal handlers. */
export function abortOpenOutputs(): void {
  for (const sink of [...open]) sink.abort();
}
