// Where an evaluate request's output goes: its HTTP response. Lines are held back until the
// run ends or they pass HOLD_BYTES, so any error found before then (a malformed fact at the
// end of a small body) still gets its proper status; past that the response streams with
// backpressure, and a later error can only cut it short (the client sees it incomplete).
// In JSON form the lines become the elements of one array, followed by the run report.

import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { LineSink } from '../pipeline.js';

/** Output held back before the response starts. */
export const HOLD_BYTES = 1 << 20;
/** Unwritten response bytes above which the run waits for the client (backpressure). */
const HIGH_WATER = 1 << 20;

export class ResponseSink implements LineSink {
  readonly name = 'response';
  readonly closed = false;
  /** True once the status line and headers are sent: errors can no longer change them. */
  committed = false;
  private parts: (string | Buffer)[] = [];
  private size = 0;
  private readonly res: ServerResponse;
  private readonly headers: () => OutgoingHttpHeaders;
  private readonly json: boolean;
  private readonly hold: number;
  /** JSON form: whether an array element was written (the next needs a comma). */
  private elements = false;

  /**
   * `headers`: called once, when the response starts. `key`: JSON form's array key
   * (`firings` or `facts`); null for NDJSON.
   */
  constructor(res: ServerResponse, headers: () => OutgoingHttpHeaders, key: 'firings' | 'facts' | null, hold = HOLD_BYTES) {
    this.res = res;
    this.headers = headers;
    this.json = key !== null;
    this.hold = hold;
    if (key !== null) this.push(`{"${key}":[`);
  }

  write(text: string): void {
    if (text.length === 0) return;
    if (this.json) {
      // NDJSON lines (JSON values with no raw newline inside) become comma-separated elements.
      text = (this.elements ? ',' : '') + text.slice(0, -1).replaceAll('\n', ',');
      this.elements = true;
    }
    this.push(text);
  }

  /**
   * Queues whole encoded lines (NDJSON: as they are). In JSON form they are decoded and
   * written as text, all chunks at once: a chunk may end inside a line or a character.
   */
  writeBytes(chunks: readonly Buffer[]): void {
    if (this.json) {
      this.write(Buffer.concat(chunks).toString('utf8'));
      return;
    }
    for (const b of chunks) this.push(b);
  }

  private push(part: string | Buffer): void {
    this.parts.push(part);
    this.size += part.length;
  }

  async flush(): Promise<void> {
    const res = this.res;
    if (res.destroyed) return;
    if (!this.committed) {
      if (this.size < this.hold) return;
      this.commit(null);
    }
    if (this.parts.length > 0) res.write(this.take());
    if (res.writableLength > HIGH_WATER && !res.destroyed) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }

  /** Ends the response; `tail` closes the JSON form (the report). Unstarted, it goes in one piece with its length. */
  end(tail = ''): void {
    if (this.json) this.push(`]${tail}}`);
    const body = this.take();
    if (this.res.destroyed) return;
    if (!this.committed) this.commit(Buffer.byteLength(body));
    this.res.end(body);
  }

  private commit(length: number | null): void {
    this.committed = true;
    const headers = this.headers();
    if (length !== null) headers['content-length'] = length;
    this.res.writeHead(200, headers);
  }

  private take(): string | Buffer {
    const parts = this.parts;
    this.parts = [];
    this.size = 0;
    if (parts.length === 1) return parts[0]!;
    let text = true;
    for (const p of parts) if (typeof p !== 'string') text = false;
    if (text) return parts.join('');
    return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
  }
}
