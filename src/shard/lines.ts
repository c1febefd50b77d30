// Lines of a file (gzip or not), read in large pieces: take() finds the next complete line
// in what is buffered (no promise, no string per line: a line can be copied out as bytes);
// fill() reads on when it returns false.

import { openSource, type Source } from '../io/source.js';

const PIECE = 1 << 20;

export class LineReader {
  readonly name: string;
  /** 1-based number of the line taken last. */
  lineNo = 0;
  /** The buffer holding the line taken last: buf[from, to), without its newline. */
  buf = Buffer.alloc(PIECE);
  from = 0;
  to = 0;
  private readonly source: Source;
  private start = 0;
  private end = 0;
  private eof = false;

  constructor(path: string) {
    this.source = openSource(path);
    this.name = this.source.name;
  }

  /** Takes the next complete line of what is buffered; false when more must be read first (or at the end). */
  take(): boolean {
    const nl = this.buf.indexOf(10, this.start);
    if (nl < 0 || nl >= this.end) {
      if (!this.eof || this.start >= this.end) return false;
      // The last line, without a newline.
      this.from = this.start;
      this.to = this.end;
      this.start = this.end;
    } else {
      this.from = this.start;
      this.to = nl;
      this.start = nl + 1;
    }
    this.lineNo++;
    return true;
  }

  /** The line taken last, as text. */
  text(): string {
    return this.buf.toString('utf8', this.from, this.to);
  }

  /** Whether the line taken last starts with these bytes (ASCII). */
  startsWith(prefix: string): boolean {
    if (this.to - this.from < prefix.length) return false;
    for (let i = 0; i < prefix.length; i++) if (this.buf[this.from + i] !== prefix.charCodeAt(i)) return false;
    return true;
  }

  /** Reads more; false at the end of the file (take() may still find its last line). */
  async fill(): Promise<boolean> {
    if (this.eof) return false;
    if (this.start > 0) {
      this.buf.copy(this.buf, 0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    if (this.end === this.buf.length) {
      const grown = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(grown, 0, 0, this.end);
      this.buf = grown;
    }
    const n = await this.source.read(this.buf, this.end, this.buf.length - this.end);
    if (n === 0) this.eof = true;
    this.end += n;
    return true;
  }

  /** Takes the next line, reading as needed; false at the end of the file. */
  async next(): Promise<boolean> {
    for (;;) {
      if (this.take()) return true;
      if (!(await this.fill())) return this.take();
    }
  }

  async close(): Promise<void> {
    await this.source.close();
  }
}
