// Lines of a file (gzip or not), read in large pieces: line() hands out complete lines from
// what is buffered, without a promise per line; fill() reads on when it returns null.

import { openSource, type Source } from '../io/source.js';

const PIECE = 1 << 20;

export class LineReader {
  readonly name: string;
  /** 1-based number of the line line() returned last. */
  lineNo = 0;
  private readonly source: Source;
  private buf = Buffer.alloc(PIECE);
  private start = 0;
  private end = 0;
  private eof = false;

  constructor(path: string) {
    this.source = openSource(path);
    this.name = this.source.name;
  }

  /** The next complete line (without its newline), or null when more must be read first (or at the end). */
  line(): string | null {
    const nl = this.buf.indexOf(10, this.start);
    if (nl < 0 || nl >= this.end) {
      if (!this.eof || this.start >= this.end) return null;
      // The last line, without a newline.
      const last = this.buf.toString('utf8', this.start, this.end);
      this.start = this.end;
      this.lineNo++;
      return last;
    }
    const s = this.buf.toString('utf8', this.start, nl);
    this.start = nl + 1;
    this.lineNo++;
    return s;
  }

  /** Reads more; false at the end of the file (line() may still return its last line). */
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

  /** The next line, reading as needed; null at the end of the file. */
  async next(): Promise<string | null> {
    for (;;) {
      const l = this.line();
      if (l !== null) return l;
      if (!(await this.fill())) return this.line();
    }
  }

  async close(): Promise<void> {
    await this.source.close();
  }
}
