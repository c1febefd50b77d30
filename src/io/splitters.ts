// Record splitters: cut a stream of text chunks into the text of single records without
// parsing them, so each record can go to JSON.parse on its own. One for NDJSON (a line
// each) and one for a top-level JSON array, bare or as `{"facts":[...]}`.

/**
 * Record texts cut from one chunk, with the 1-based line and column each starts on.
 * Reused per chunk.
 */
export class TextBatch {
  texts: string[] = [];
  lines: number[] = [];
  columns: number[] = [];
  clear(): void {
    this.texts.length = 0;
    this.lines.length = 0;
    this.columns.length = 0;
  }
  add(text: string, line: number, column: number): void {
    this.texts.push(text);
    this.lines.push(line);
    this.columns.push(column);
  }
}

/** A structural error found by a splitter: the input cannot be cut into records any further. */
export class SplitError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

export interface Splitter {
  push(chunk: string, out: TextBatch): void;
  end(out: TextBatch): void;
}

/** NDJSON: one record a line; blank lines skipped; CRLF accepted. */
export class NdjsonSplitter implements Splitter {
  private rest = '';
  private line = 0;

  push(chunk: string, out: TextBatch): void {
    const text = this.rest.length > 0 ? this.rest + chunk : chunk;
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl >= 0) {
      this.line++;
      this.emit(text, start, nl, out);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    this.rest = start === 0 ? text : text.slice(start);
  }

  end(out: TextBatch): void {
    if (this.rest.length > 0) {
      this.line++;
      this.emit(this.rest, 0, this.rest.length, out);
      this.rest = '';
    }
  }

  private emit(text: string, start: number, end: number, out: TextBatch): void {
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    if (end === start) return;
    // Blank (whitespace-only) lines are skipped; a record starts with `{` in practice.
    const c = text.charCodeAt(start);
    if (c === 32 || c === 9 || c === 13) {
      const line = text.slice(start, end);
      if (line.trim().length === 0) return;
      out.add(line, this.line, 1);
      return;
    }
    out.add(text.slice(start, end), this.line, 1);
  }
}

enum State {
  /** Before the opening `[` (or `{"facts":`). */
  Start,
  /** Inside the array, expecting an element or `]`. */
  BeforeElement,
  /** Inside an element. */
  InElement,
  /** After an element, expecting `,` or `]`. */
  AfterElement,
  /** After the array's `]` (and, for the wrapper, expecting `}`). */
  AfterArray,
  Done,
}

/**
 * Top-level JSON array splitter. Tracks nesting depth and strings (with escapes) to find
 * where each element ends; everything between is handed over untouched. With `wrapped`,
 * expects `{"facts": [ ... ]}` with `facts` as the only key.
 */
export class ArraySplitter implements Splitter {
  private buf = '';
  /** Offset in buf where scanning resumes. */
  private pos = 0;
  /** Start of the current element in buf, or -1. */
  private elemStart = -1;
  private elemLine = 0;
  private depth = 0;
  private inString = false;
  private state = State.Start;
  /** Line number at buf[0]. */
  private line = 1;
  /** Offset in buf up to which newlines have been counted into `line`. */
  private counted = 0;
  /** Characters of its line that stand before buf[0] (text already dropped). */
  private lineOffset = 0;
  /** Offset in buf of the last newline counted, or -1 when none is left in buf. */
  private lastNl = -1;
  private elemColumn = 0;
  private readonly wrapped: boolean;
  private prefix = '';
  /** Scanning the wrapper's keys after the facts array (skipped, not records). */
  private trailing = false;

  constructor(wrapped: boolean) {
    this.wrapped = wrapped;
  }

  push(chunk: string, out: TextBatch): void {
    this.buf = this.buf.length > 0 ? this.buf + chunk : chunk;
    this.scan(out);
    this.compact();
  }

  end(out: TextBatch): void {
    this.scan(out);
    if (this.state !== State.Done) {
      const expected =
        this.state === State.Start
          ? this.wrapped
            ? '{"facts": [...]}'
            : 'a JSON array'
          : this.state === State.InElement
            ? 'the rest of the element'
            : this.state === State.AfterArray
              ? '"}" closing the {"facts": [...]} object'
              : '"," or "]"';
      throw this.error(`unexpected end of input: expected ${expected}`, this.buf.length);
    }
  }

  /** Drops consumed text, keeping the current partial element. */
  private compact(): void {
    const keepFrom = this.elemStart >= 0 ? this.elemStart : this.pos;
    if (keepFrom === 0) return;
    this.lineOffset = this.columnAt(keepFrom) - 1;
    this.lastNl = -1;
    this.buf = this.buf.slice(keepFrom);
    this.pos -= keepFrom;
    this.counted -= keepFrom;
    if (this.elemStart >= 0) this.elemStart -= keepFrom;
  }

  /** Counts newlines up to `upTo`; offsets only move forward, so each is counted once. */
  private countLines(upTo: number): void {
    if (upTo <= this.counted) return;
    const b = this.buf;
    for (let k = b.indexOf('\n', this.counted); k >= 0 && k < upTo; k = b.indexOf('\n', k + 1)) {
      this.line++;
      this.lastNl = k;
    }
    this.counted = upTo;
  }

  private lineAt(offset: number): number {
    this.countLines(offset);
    return this.line;
  }

  /** 1-based column of an offset in buf (not behind the scan), counting text of its line already dropped. */
  private columnAt(offset: number): number {
    this.countLines(offset);
    return this.lastNl >= 0 ? offset - this.lastNl : this.lineOffset + offset + 1;
  }

  private error(message: string, offset: number): SplitError {
    return new SplitError(message, this.lineAt(offset), this.columnAt(offset));
  }

  private scan(out: TextBatch): void {
    const b = this.buf;
    const n = b.length;
    let i = this.pos;
    while (i < n) {
      if (this.state === State.InElement) {
        if (this.inString) {
          // Jump to the next quote; it closes the string unless an odd run of backslashes
          // precedes it. The run never reaches past the opening quote, which is kept in buf.
          const q = b.indexOf('"', i);
          if (q < 0) {
            i = n;
            break;
          }
          let k = q - 1;
          while (b.charCodeAt(k) === 92) k--;
          i = q + 1;
          if (((q - 1 - k) & 1) === 0) {
            this.inString = false;
            if (this.depth === 0) this.endElement(b, i, out);
          }
          continue;
        }
        const c = b.charCodeAt(i);
        if (this.depth === 0) {
          // A scalar element ends at a delimiter, which is left for the states below.
          if (c === 44 || c === 93 || c === 125 || c === 32 || c === 10 || c === 13 || c === 9) {
            this.endElement(b, i, out);
            continue;
          }
        } else if (c === 34) this.inString = true;
        else if (c === 123 || c === 91) this.depth++;
        else if ((c === 125 || c === 93) && --this.depth === 0) {
          this.endElement(b, i + 1, out);
          i++;
          continue;
        }
        i++;
        continue;
      }
      const c = b.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) {
        i++;
        continue;
      }
      switch (this.state) {
        case State.Start: {
          if (!this.wrapped) {
            if (c !== 91) throw this.error(`expected "[" starting a JSON array, found ${JSON.stringify(b[i])}`, i);
            this.state = State.BeforeElement;
            i++;
            break;
          }
          // Match `{"facts":[`, allowing whitespace between its tokens.
          this.prefix += b[i];
          if (!'{"facts":['.startsWith(this.prefix)) throw this.error('expected {"facts": [...]} with "facts" as its first key', i);
          if (this.prefix.length === 10) this.state = State.BeforeElement;
          i++;
          break;
        }
        case State.BeforeElement:
        case State.AfterElement:
          if (c === 93) {
            this.state = this.wrapped ? State.AfterArray : State.Done;
            i++;
            break;
          }
          if (this.state === State.AfterElement) {
            if (c !== 44) throw this.error(`expected "," or "]" after an array element, found ${JSON.stringify(b[i])}`, i);
            this.state = State.BeforeElement;
            i++;
            break;
          }
          if (c === 44) throw this.error('expected an array element, found ","', i);
          this.state = State.InElement;
          this.elemStart = i;
          this.elemLine = this.lineAt(i);
          this.elemColumn = this.columnAt(i);
          this.depth = c === 123 || c === 91 ? 1 : 0;
          this.inString = c === 34;
          i++;
          break;
        case State.AfterArray:
          if (c === 125) {
            this.state = State.Done;
            i++;
            break;
          }
          if (c === 44) {
            // Other keys after "facts": scan past them to the wrapper's closing brace.
            this.trailing = true;
            this.state = State.InElement;
            this.elemStart = i;
            this.depth = 1;
            this.inString = false;
            i++;
            break;
          }
          throw this.error(`expected "," or "}" after the facts array, found ${JSON.stringify(b[i])}`, i);
        case State.Done:
          throw this.error(`unexpected ${JSON.stringify(b[i])} after the end of the JSON document`, i);
      }
    }
    this.pos = i;
  }

  private endElement(b: string, end: number, out: TextBatch): void {
    const start = this.elemStart;
    this.elemStart = -1;
    if (this.trailing) {
      this.state = State.Done;
      return;
    }
    out.add(b.slice(start, end), this.elemLine, this.elemColumn);
    this.state = State.AfterElement;
  }
}
