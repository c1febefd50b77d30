// Output bytes built in place: text and numbers are encoded straight into a Buffer, and
// pieces that repeat (a rule's line head, a derived result's tail) are copied as bytes they
// were encoded to once. Writing a firing line this way, rather than joining strings and
// encoding the result, took the write stage of bench payroll 1M (1.4M lines) from most of
// the run to a fraction of it (see the README's Performance section).

const CHUNK = 1 << 18;
/**
 * The first chunk: chunks double from here up to CHUNK. A server request of one fact writes
 * a line or two; a 256 KiB chunk per request was most of what its GC collected (profiled:
 * GC 14% and buffer allocation 3% of the server's time on 1-fact requests).
 */
const FIRST_CHUNK = 1 << 12;
const EMPTY = Buffer.alloc(0);

export class ByteWriter {
  private buf: Buffer = EMPTY;
  private off = 0;
  /** The size of the next chunk. */
  private next = FIRST_CHUNK;
  /** Chunks filled before the current one, not taken yet. */
  private readonly full: Buffer[] = [];

  /** Makes room for `n` more bytes: a full chunk is set aside and a new one begun. */
  private room(n: number): void {
    if (this.off + n <= this.buf.length) return;
    if (this.off > 0) this.full.push(this.buf.subarray(0, this.off));
    this.buf = Buffer.allocUnsafe(Math.max(this.next, n));
    this.off = 0;
    if (this.next < CHUNK) this.next *= 2;
  }

  /**
   * Bytes encoded before (a cached piece). Pieces are short (a line head, a result's tail):
   * a plain loop copies them; Buffer#copy's checks and call cost 2.5x the loop on bench
   * payroll 1M's 1.4M lines (profiled: 0.9 s against 0.26 s).
   */
  bytes(b: Uint8Array): void {
    const n = b.length;
    this.room(n);
    const buf = this.buf;
    const off = this.off;
    if (n > 64) buf.set(b, off);
    else for (let j = 0; j < n; j++) buf[off + j] = b[j]!;
    this.off = off + n;
  }

  /** Text, as UTF-8. */
  text(s: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    this.room(s.length * 3);
    this.off += this.buf.write(s, this.off, 'utf8');
  }

  /** A number as JSON writes it: digits by hand for small non-negative integers. */
  number(n: number): void {
    if (n >= 0 && n < 0x40000000 && (n | 0) === n) {
      this.room(10);
      const buf = this.buf;
      let digits = 1;
      for (let x = n; x >= 10; x = (x / 10) | 0) digits++;
      let at = this.off + digits;
      this.off = at;
      let x = n;
      do {
        buf[--at] = 48 + (x % 10);
        x = (x / 10) | 0;
      } while (x > 0);
    } else this.text(JSON.stringify(n));
  }

  /** An ASCII character code. */
  byte(c: number): void {
    this.room(1);
    this.buf[this.off++] = c;
  }

  /** Everything written since the last take(), handed over as it lies (the writer goes on in new memory). */
  take(): Buffer[] {
    const out = this.full.splice(0);
    if (this.off > 0) {
      out.push(this.buf.subarray(0, this.off));
      this.buf = EMPTY;
      this.off = 0;
    }
    return out;
  }
}
