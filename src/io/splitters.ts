// Record splitters for JSON documents: find where each record of a top-level array (bare,
// or as `{"facts":[...]}`) or of a stream of JSON values begins and ends, on bytes, without
// parsing it (strings and nesting are tracked; everything between is left for the record
// decoder). NDJSON needs none: its records are lines.

/** Record spans found in a buffer: start and end offsets, in pairs. */
export class SpanList {
  // 16 (64 bytes) stays in V8's heap: a reader per server request should not cost a backing store.
  spans = new Int32Array(16);
  count = 0;
  add(start: number, end: number): void {
    if (2 * this.count + 2 > this.spans.length) {
      const next = new Int32Array(this.spans.length * 2);
      next.set(this.spans);
      this.spans = next;
    }
    this.spans[2 * this.count] = start;
    this.spans[2 * this.count + 1] = end;
    this.count++;
  }
  clear(): void {
    this.count = 0;
  }
}

/** A structural error: the input cannot be cut into records from `offset` on. */
export class SplitError extends Error {
  constructor(
    message: string,
    /** Offset in the buffer scanned. */
    readonly offset: number,
  ) {
    super(message);
  }
}

export type SplitMode = 'array' | 'facts' | 'values';

const START = 0;
const BEFORE_ELEMENT = 1;
const IN_ELEMENT = 2;
const AFTER_ELEMENT = 3;
const AFTER_ARRAY = 4;
const DONE = 5;

const FACTS_PREFIX = '{"facts":[';

/**
 * Cuts a top-level JSON array (`array`), the `{"facts":[...]}` wrapper with `facts` first
 * (`facts`; other keys may follow the array), or a stream of JSON values separated by
 * whitespace or nothing (`values`), fed as a growing buffer. Each element (value) is a record.
 */
export class StructureSplitter {
  private readonly mode: SplitMode;
  private state: number;
  private pos = 0;
  /** Start of the element being scanned, or -1. */
  private elemStart = -1;
  private depth = 0;
  private inString = false;
  private prefixAt = 0;
  /** Scanning the wrapper's keys after the facts array (skipped, not records). */
  private trailing = false;

  constructor(mode: SplitMode) {
    this.mode = mode;
    this.state = mode === 'values' ? BEFORE_ELEMENT : START;
  }

  /** Where the bytes still needed start: the element being scanned, or the scan position. */
  keepFrom(): number {
    return this.elemStart >= 0 ? this.elemStart : this.pos;
  }

  /** The caller dropped the first `n` bytes of its buffer (n ≤ keepFrom()). */
  shift(n: number): void {
    this.pos -= n;
    if (this.elemStart >= 0) this.elemStart -= n;
  }

  /** At the end of the input, after the last scan: throws when the structure is unfinished. */
  finish(end: number): void {
    if (this.state === DONE || (this.mode === 'values' && this.state !== IN_ELEMENT)) return;
    const expected =
      this.state === START
        ? this.mode === 'facts'
          ? '{"facts": [...]}'
          : 'a JSON array'
        : this.state === IN_ELEMENT
          ? this.mode === 'values'
            ? 'the rest of the value'
            : 'the rest of the element'
          : this.state === AFTER_ARRAY
            ? '"}" closing the {"facts": [...]} object'
            : '"," or "]"';
    throw new SplitError(`unexpected end of input: expected ${expected}`, end);
  }

  /**
   * Scans b[pos, to) and adds every complete record to `out`. `final`: nothing follows
   * `to`, so a scalar running to it is complete. Throws SplitError.
   */
  scan(b: Buffer, to: number, out: SpanList, final: boolean): void {
    let i = this.pos;
    const values = this.mode === 'values';
    while (i < to) {
      if (this.state === IN_ELEMENT) {
        if (this.inString) {
          // To the closing quote, stepping over escapes (a loop: records hold many short
          // strings, where an indexOf call each cost more than the bytes it skipped).
          let c = b[i]!;
          while (c !== 34 && c !== 92 && i < to) c = b[++i]!;
          if (i >= to) break;
          if (c === 92) {
            // The escaped byte may lie past `to`: stop before the backslash and resume there.
            if (i + 1 >= to) break;
            i += 2;
            continue;
          }
          i++;
          this.inString = false;
          if (this.depth === 0) this.endElement(i, out);
          continue;
        }
        const c = b[i]!;
        if (this.depth === 0) {
          // A scalar ends at a delimiter, which is left for the states below.
          if (c === 44 || c === 93 || c === 125 || c === 32 || c === 10 || c === 13 || c === 9 || (values && (c === 123 || c === 91 || c === 34))) {
            this.endElement(i, out);
            continue;
          }
        } else if (c === 34) this.inString = true;
        else if (c === 123 || c === 91) this.depth++;
        else if ((c === 125 || c === 93) && --this.depth === 0) {
          i++;
          this.endElement(i, out);
          continue;
        }
        i++;
        continue;
      }
      const c = b[i]!;
      if (c === 32 || c === 10 || c === 13 || c === 9) {
        i++;
        continue;
      }
      switch (this.state) {
        case START:
          if (this.mode === 'array') {
            if (c !== 91) throw new SplitError(`expected "[" starting a JSON array, found ${show(c)}`, i);
            this.state = BEFORE_ELEMENT;
          } else {
            // `{"facts":[`, whitespace allowed between its tokens.
            if (c !== FACTS_PREFIX.charCodeAt(this.prefixAt)) throw new SplitError('expected {"facts": [...]} with "facts" as its first key', i);
            if (++this.prefixAt === FACTS_PREFIX.length) this.state = BEFORE_ELEMENT;
          }
          i++;
          break;
        case BEFORE_ELEMENT:
        case AFTER_ELEMENT:
          if (values) {
            if (c === 125 || c === 93 || c === 44) throw new SplitError(`unexpected ${show(c)} between JSON values`, i);
            this.startElement(i, c);
            i++;
            break;
          }
          if (c === 93) {
            this.state = this.mode === 'facts' ? AFTER_ARRAY : DONE;
            i++;
            break;
          }
          if (this.state === AFTER_ELEMENT) {
            if (c !== 44) throw new SplitError(`expected "," or "]" after an array element, found ${show(c)}`, i);
            this.state = BEFORE_ELEMENT;
            i++;
            break;
          }
          if (c === 44) throw new SplitError('expected an array element, found ","', i);
          this.startElement(i, c);
          i++;
          break;
        case AFTER_ARRAY:
          if (c === 125) {
            this.state = DONE;
            i++;
            break;
          }
          if (c === 44) {
            // Other keys after "facts": scan past them to the wrapper's closing brace.
            this.trailing = true;
            this.state = IN_ELEMENT;
            this.elemStart = i;
            this.depth = 1;
            this.inString = false;
            i++;
            break;
          }
          throw new SplitError(`expected "," or "}" after the facts array, found ${show(c)}`, i);
        case DONE:
          throw new SplitError(`unexpected ${show(c)} after the end of the JSON document`, i);
      }
    }
    if (final && this.state === IN_ELEMENT && this.depth === 0 && !this.inString && !this.trailing) this.endElement(to, out);
    this.pos = i;
  }

  private startElement(i: number, c: number): void {
    this.state = IN_ELEMENT;
    this.elemStart = i;
    this.depth = c === 123 || c === 91 ? 1 : 0;
    this.inString = c === 34;
  }

  private endElement(end: number, out: SpanList): void {
    const start = this.elemStart;
    this.elemStart = -1;
    if (this.trailing) {
      this.state = DONE;
      return;
    }
    out.add(start, end);
    this.state = AFTER_ELEMENT;
  }
}

function show(c: number): string {
  return JSON.stringify(String.fromCharCode(c));
}
