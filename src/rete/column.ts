// Columns that grow in fixed chunks: appending never copies what is written, and no memory
// is touched beyond the chunk being filled. For lists of millions: the firing log's columns,
// the candidates of end-of-input rules.
//
// Why not one array that doubles: on this machine the first write to a fresh page of memory
// costs about 13 µs (16 MiB first touched in 52 ms, touched again in 0.1 ms), and doubling
// touches twice the final size (the copies) while the final array is up to half empty. On
// bench enterprise 1M engine-only (1.6M firings) the doubling columns touched ~130 MB: about
// half of the run's time.

/** Entries per full chunk (64 KiB of Int32, 128 KiB of Float64). */
const SHIFT = 14;
const CHUNK = 1 << SHIFT;
const MASK = CHUNK - 1;
/**
 * The first chunk starts this small and doubles up to CHUNK: a server session logs a
 * firing or two, and eight elements (64 bytes) keep the array inside V8's heap (a larger
 * typed array gets a backing store of its own, whose allocation and finalization made
 * creating a log 2% of a server's time).
 */
const FIRST = 8;

type Typed = Int32Array | Float64Array;

export class Column<T extends Typed> {
  private readonly make: new (
    n: number,
  ) => T;
  /** chunks[j] holds entries j·CHUNK …; only the first may be shorter than CHUNK. */
  private readonly chunks: T[] = [];
  /** The chunk being filled (null until the first push: most of a server's logs stay empty). */
  private last: T | null = null;
  /** Entries written (and not truncated away). */
  length = 0;
  /** One past the last entry the chunks have room for. */
  private end = 0;

  constructor(make: new (n: number) => T) {
    this.make = make;
  }

  push(v: number): void {
    const n = this.length;
    if (n === this.end) this.extend();
    this.last![n & MASK] = v;
    this.length = n + 1;
  }

  at(i: number): number {
    return this.chunks[i >>> SHIFT]![i & MASK]!;
  }

  /** Overwrites entry i (< length). */
  set(i: number, v: number): void {
    this.chunks[i >>> SHIFT]![i & MASK] = v;
  }

  /** Forgets the entries from n on; the chunks stay for the next ones. */
  truncate(n: number): void {
    this.length = n;
    if (this.last === null) return;
    const j = n === 0 ? 0 : (n - 1) >>> SHIFT;
    this.last = this.chunks[j]!;
    this.end = j * CHUNK + this.last.length;
  }

  private extend(): void {
    const j = this.length >>> SHIFT;
    if (this.last === null) {
      this.last = new this.make(FIRST);
      this.chunks.push(this.last);
    } else if (j === 0) {
      // Only the first chunk grows, by doubling, up to CHUNK; then chunks are added whole.
      const grown = new this.make(this.last.length * 2);
      grown.set(this.last);
      this.last = this.chunks[0] = grown;
    } else if (j < this.chunks.length) {
      // Truncated earlier: the next chunk is already there.
      this.last = this.chunks[j]!;
    } else {
      this.last = new this.make(CHUNK);
      this.chunks.push(this.last);
    }
    this.end = j * CHUNK + this.last!.length;
  }
}

/** Entries per chunk of a List: 4,096 references (32 KiB) stay a regular heap object. */
const LIST_SHIFT = 12;
const LIST_CHUNK = 1 << LIST_SHIFT;
const LIST_MASK = LIST_CHUNK - 1;

/**
 * A list of object references that grows in chunks, for lists of millions that only grow:
 * a plain array that long grows by reallocating and copying itself in V8's large-object
 * space, each time on fresh memory. Chunks are made whole (no growth inside one).
 */
export class List<T> {
  private readonly chunks: T[][] = [];
  private last: T[] = [];
  length = 0;

  push(v: T): void {
    const o = this.length & LIST_MASK;
    if (o === 0) {
      this.last = new Array<T>(LIST_CHUNK);
      this.chunks.push(this.last);
    }
    this.last[o] = v;
    this.length++;
  }

  at(i: number): T {
    return this.chunks[i >>> LIST_SHIFT]![i & LIST_MASK]!;
  }
}
