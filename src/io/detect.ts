// Format detection: decides from the first bytes of an input which reader serves it.
// Incremental: it is fed the head of the input until it can decide, and looks at each
// byte once, so a 30 MB first record costs one pass, never a give-up.

/** How a file is read. */
export type DetectedFormat =
  /** One record a line. */
  | 'ndjson'
  /** `[ … ]`: each element a record. */
  | 'json-array'
  /** `{"facts": [ … ]}` with `facts` first: each element a record. */
  | 'json-facts'
  /** JSON values one after another (pretty-printed or not, as `jq` prints them): each a record. */
  | 'json-values'
  /** Any other document with a `facts` array, streamed by stream-json. */
  | 'json-stream'
  /**
   * A shard written by `rete-eval split`: a header line (SHARD_HEADER_PREFIX…), then one
   * record a line, each optionally followed by whitespace and its position in the input.
   */
  | 'shard';

export type InputFormat = 'auto' | 'ndjson' | 'json';

/** How far detection reads without deciding before it settles for the best guess. */
const DETECT_LIMIT = 64 << 20;

const FACTS_PREFIX = [123, 34, 102, 97, 99, 116, 115, 34, 58, 91]; // {"facts":[

/** How the first line of a shard file starts, byte for byte (no whitespace, no BOM). */
export const SHARD_HEADER_PREFIX = '{"rete_eval_shard":';
const SHARD_PREFIX_BYTES = Buffer.from(SHARD_HEADER_PREFIX, 'latin1');

/**
 * Whether an input's head starts a shard file: true, false, or null when fewer bytes than
 * the prefix have come and they match so far (the caller reads on, or at the end: false).
 */
export function shardHeaderAt(head: Uint8Array, length: number): boolean | null {
  const n = Math.min(length, SHARD_PREFIX_BYTES.length);
  for (let i = 0; i < n; i++) if (head[i] !== SHARD_PREFIX_BYTES[i]) return false;
  return n === SHARD_PREFIX_BYTES.length ? true : null;
}

/**
 * Reads the head of an input and decides its format:
 * - `[` starts a JSON array; `{"facts": [` (facts first) the wrapper; any other first
 *   character than `{` is NDJSON (whose reader reports what is wrong);
 * - for `{`, the first value is followed to its end. Closed on its first line, the input is
 *   NDJSON, unless that line is an object holding a `facts` array and nothing follows it
 *   (a one-line wrapper document). Spread over lines, it is a pretty-printed document when
 *   it holds a top-level `facts` array, else the first of a stream of JSON values; but when
 *   its second line starts with `{` (which no pretty-printed object can), the first line is
 *   a broken NDJSON record.
 */
export class FormatDetector {
  private readonly forced: InputFormat;
  private offset = 0;
  /** Offset of the first non-whitespace byte, or -1. */
  private first = -1;
  private prefixAt = 0;
  private prefixFailed = false;
  private depth = 0;
  private inString = false;
  private escape = false;
  private multiline = false;
  /** After the first newline inside the first value: looking for the next line's first byte. */
  private atLineStart = false;
  private closed = false;
  /** A top-level key's bytes, collected while inside it. */
  private key: number[] | null = null;
  private lastKey = '';
  /** The last top-level token was a key's colon: the next byte starts its value. */
  private afterColon = false;
  private factsArray = false;

  constructor(forced: InputFormat = 'auto') {
    this.forced = forced;
  }

  /** Feeds the next bytes; returns the format once decidable, else null. */
  push(b: Uint8Array): DetectedFormat | null {
    for (let i = 0; i < b.length; i++) {
      const r = this.step(b[i]!);
      this.offset++;
      if (r !== null) return r;
    }
    return this.offset >= DETECT_LIMIT ? this.guess() : null;
  }

  /** At the end of the input: the format, or null for an empty (blank) input. */
  end(): DetectedFormat | null {
    if (this.first < 0) return null;
    if (this.closed && this.factsArray && !this.multiline) return 'json-stream';
    return this.guess();
  }

  private guess(): DetectedFormat {
    if (this.forced === 'json') return 'json-stream';
    if (this.multiline) return this.factsArray ? 'json-stream' : 'json-values';
    return 'ndjson';
  }

  private step(c: number): DetectedFormat | null {
    if (this.first < 0) {
      if (c === 32 || c === 9 || c === 10 || c === 13) return null;
      this.first = this.offset;
      if (this.forced === 'ndjson') return 'ndjson';
      if (c === 91) return 'json-array';
      if (c !== 123) return this.forced === 'json' ? 'json-stream' : 'ndjson';
    }
    // The `{"facts":[` prefix, whitespace allowed between its tokens.
    if (!this.prefixFailed) {
      if (c === FACTS_PREFIX[this.prefixAt]) {
        if (++this.prefixAt === FACTS_PREFIX.length) return 'json-facts';
      } else if (!(isWs(c) && (this.prefixAt === 1 || this.prefixAt === 8 || this.prefixAt === 9))) {
        // Whitespace may stand between the tokens `{`, `"facts"`, `:` and `[`, not inside them.
        this.prefixFailed = true;
      }
    }
    if (this.forced === 'json' && this.prefixFailed) return 'json-stream';
    if (this.closed) {
      // After a one-line first value holding a facts array: anything but whitespace makes it NDJSON.
      return isWs(c) ? null : 'ndjson';
    }
    return this.structure(c);
  }

  /** Follows the first value: strings, nesting, top-level keys, newlines. */
  private structure(c: number): DetectedFormat | null {
    if (this.atLineStart) {
      if (c === 32 || c === 9 || c === 13) return null;
      if (c !== 10) {
        this.atLineStart = false;
        if (c === 123) return 'ndjson';
      }
    }
    if (this.inString) {
      if (this.escape) this.escape = false;
      else if (c === 92) this.escape = true;
      else if (c === 34) {
        this.inString = false;
        if (this.key !== null) {
          this.lastKey = String.fromCharCode(...this.key);
          this.key = null;
        }
      } else if (c === 10) return this.newline();
      else if (this.key !== null && this.key.length < 16) this.key.push(c);
      return null;
    }
    if (c === 10) return this.newline();
    if (isWs(c)) return null;
    const valueStart = this.afterColon;
    this.afterColon = false;
    if (c === 34) {
      this.inString = true;
      if (this.depth === 1 && !valueStart) this.key = [];
    } else if (c === 58 && this.depth === 1) this.afterColon = true;
    else if (c === 123 || c === 91) {
      if (valueStart && this.depth === 1 && c === 91 && this.lastKey === 'facts') {
        this.factsArray = true;
        if (this.multiline) return 'json-stream';
      }
      this.depth++;
    } else if (c === 125 || c === 93) {
      if (--this.depth === 0) {
        this.closed = true;
        if (this.multiline) return this.factsArray ? 'json-stream' : 'json-values';
        if (!this.factsArray || this.forced === 'json') return this.forced === 'json' ? 'json-stream' : 'ndjson';
      }
    }
    return null;
  }

  private newline(): DetectedFormat | null {
    if (!this.multiline) {
      this.multiline = true;
      this.atLineStart = true;
      if (this.factsArray) return 'json-stream';
    }
    return null;
  }
}

function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Detects the format of a whole text or byte buffer (tests and one-off use). */
export function detectFormat(head: string | Uint8Array, forced: InputFormat = 'auto'): DetectedFormat | null {
  const d = new FormatDetector(forced);
  const bytes = typeof head === 'string' ? new TextEncoder().encode(head) : head;
  return d.push(bytes) ?? d.end();
}
