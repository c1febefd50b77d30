// The projected record scanner: walks a chunk's bytes record by record in one pass,
// validating every byte as strict JSON, and decodes only the keys of the ScanPlan into a
// columnar batch; nothing else becomes a string or an object. A record it cannot vouch for
// (invalid JSON, or unusual: escaped keys in odd places, numbers that may be out of range,
// deep nesting, a Date tag that is not RFC 3339 …) is marked slow: the main thread then
// decodes it whole, as the whole-record reader does, so both readers agree on every fact
// and every error.
//
// Hot code, written for V8 (measured: a call per token made this 4× slower): one loop per
// record with an explicit container stack, typed arrays, no closures or try/catch, byte
// constants inline: 34 '"', 92 '\\', 123 '{', 125 '}', 91 '[', 93 ']', 44 ',', 58 ':',
// 32 9 10 13 whitespace. The lexing of strings, numbers and whitespace is scan-lex.ts; the
// scanner's state codes and limits are scan-states.ts; the columns and blobs it fills are
// scan-output.ts.

import {
  BLOB_ASCII,
  BLOB_COMPLEX,
  BLOB_ESCAPED,
  BLOB_UTF8,
  KIND_FLAT,
  KIND_REFERENCE,
  KIND_SLOW,
  TAG_ABSENT,
  TAG_COMPLEX,
  TAG_DATE,
  TAG_FALSE,
  TAG_FLOAT_BOX,
  TAG_NULL,
  TAG_NUM,
  TAG_STR,
  TAG_STR_ESCAPED,
  TAG_TRUE,
  type ScannedBatch,
} from './batch.js';
import { META_SLOTS, SLOT_EXTERNAL_ID, SLOT_ID, SLOT_TIMESTAMP, type KeyTable, type ScanPlan } from './scan-plan.js';
import { MAX_EXACT_INTEGER, parseRfc3339 } from '../model/value.js';
import { positionSuffix, suffix } from './position-suffix.js';
import { ScanOutput } from './scan-output.js';
import {
  isDate,
  latin1,
  Lexeme,
  scanNumber,
  scanString,
  tagOf,
  TAG_KEY_BOOLEAN,
  TAG_KEY_DATE,
  TAG_KEY_FLOAT,
  TAG_KEY_INTEGER,
  TAG_KEY_STRING,
  ws,
  WS_ANY,
  WS_LINE,
} from './scan-lex.js';
import {
  CTX_DATA,
  CTX_FIELDS,
  CTX_OTHER,
  CTX_RECORD,
  FORM_NULL,
  FORM_NUMBER,
  FORM_OTHER,
  FORM_STRING,
  SCAN_DEPTH,
  TO_INNER,
  TO_NONE,
  TO_TOP,
} from './scan-states.js';

export class ChunkScanner extends ScanOutput {
  private readonly plan: ScanPlan;
  // Per record: decoded values of the top-level keys and of data.fields' keys (last wins).
  private readonly topTags: Uint8Array;
  private readonly topNums: Float64Array;
  private readonly topForm: Uint8Array;
  private readonly innerTags: Uint8Array;
  private readonly innerNums: Float64Array;
  private readonly topEntries: ScanPlan['top']['entries'];
  /** The last `data` value was an object holding a `fields` key … */
  private dataHasFields = false;
  /** … and the last such `fields` value was an object. */
  private fieldsObject = false;
  /** Set when the record must go to the whole-record decoder. */
  private slow = false;

  // The container stack: kind (123 or 91) and context per depth; open span captures.
  private readonly stack = new Uint8Array(SCAN_DEPTH + 4);
  private readonly ctx = new Uint8Array(SCAN_DEPTH + 4);
  /** Depth whose closing ends the top-level (resp. data.fields) capture in progress, or -1. */
  private topCapDepth = -1;
  private topCapStart = 0;
  private topCapEntry = 0;
  private innerCapDepth = -1;
  private innerCapStart = 0;
  private innerCapEntry = 0;

  /** What the last string or number scan found. */
  private readonly lx = new Lexeme();
  /** The last valid date text checked and its epoch ms (null: none yet; '' is a text, and no date). */
  private lastDate: string | null = null;

  constructor(plan: ScanPlan) {
    super(plan.slots);
    this.plan = plan;
    this.topEntries = plan.top.entries;
    const nt = plan.top.entries.length;
    const ni = plan.inner.entries.length;
    this.topTags = new Uint8Array(nt);
    this.topNums = new Float64Array(nt);
    this.topForm = new Uint8Array(nt);
    this.innerTags = new Uint8Array(ni);
    this.innerNums = new Float64Array(ni);
    this.lastBlob = new Int32Array(nt + ni);
  }

  /**
   * Scans NDJSON: every line of b[start, end) is a record (blank lines skipped, a CR
   * before the newline dropped). b[end] must be writable: it is set to a newline, so scans
   * stop at the end of the data without a bounds check per byte. A record's scan stops at
   * its line's newline (never whitespace here, and a control character in strings): no
   * search for line ends is needed except after a bad record.
   */
  scanLines(b: Buffer, start: number, end: number, positioned = false): ScannedBatch {
    this.begin(b, Math.max(16, ((end - start) / 128) | 0));
    b[end] = 10;
    this.ws = WS_LINE;
    let line = 0;
    let p = start;
    while (p < end) {
      let q = p;
      while (b[q] === 32 || b[q] === 9 || b[q] === 13) q++;
      if (b[q] !== 10) {
        // A record from p: its scan ends at the newline, or it is slow and the newline is searched.
        const r = this.record(p, end, line);
        q = this.ends[r]!;
        if (b[q] !== 10 || this.kinds[r] === KIND_SLOW) {
          const stop = q;
          q = b.indexOf(10, p);
          // A shard file's line may end in the record's position: the record is what precedes it.
          const pos = positioned ? positionSuffix(b, p, q) : -1;
          if (pos >= 0) {
            this.positions[r] = pos;
            if (stop !== suffix.digits) this.kinds[r] = KIND_SLOW;
            this.ends[r] = suffix.recordEnd;
          } else {
            this.kinds[r] = KIND_SLOW;
            this.ends[r] = q > p && b[q - 1] === 13 ? q - 1 : q;
          }
        }
      }
      if (q >= end) break;
      line++;
      this.newlines++;
      p = q + 1;
    }
    return this.take();
  }

  /** Scans records whose spans (start, end pairs) a splitter found in b. */
  scanSpans(b: Buffer, spans: Int32Array, n: number): ScannedBatch {
    this.begin(b, n);
    this.ws = WS_ANY;
    for (let i = 0; i < n; i++) {
      const end = spans[2 * i + 1]!;
      const r = this.record(spans[2 * i]!, end, 0);
      if (this.ends[r] !== end) this.kinds[r] = KIND_SLOW;
      this.ends[r] = end;
    }
    return this.take();
  }

  /** Which bytes are whitespace between tokens: NDJSON records never span a newline. */
  private ws: Uint8Array = WS_ANY;

  private begin(b: Buffer, expected: number): void {
    this.startBatch(b, expected);
    this.lastBlob.fill(-1);
  }

  // -------------------------------------------------------------------------
  // Records.

  /**
   * Scans one record from `start` (not past `end`) into the next row; returns the row.
   * ends[row] is where the scan stopped (after the record and whitespace after it).
   */
  private record(start: number, end: number, line: number): number {
    if (this.count === this.cap) this.grow(this.cap * 2);
    const r = this.count++;
    this.starts[r] = start;
    this.lines[r] = line;
    this.positions[r] = -1;
    const topTags = this.topTags;
    for (let k = 0; k < topTags.length; k++) topTags[k] = TAG_ABSENT;
    const innerTags = this.innerTags;
    for (let k = 0; k < innerTags.length; k++) innerTags[k] = TAG_ABSENT;
    this.slow = false;
    this.dataHasFields = false;
    this.fieldsObject = false;
    this.topCapDepth = -1;
    this.innerCapDepth = -1;
    const e = this.scan(start, end);
    this.ends[r] = e;
    if (e < 0 || this.slow) {
      this.kinds[r] = KIND_SLOW;
      return r;
    }
    this.kinds[r] = this.dataHasFields ? this.reference(r * this.slots) : this.flat(r * this.slots);
    return r;
  }

  /** A flat record's row: meta and fields from the top-level keys. */
  private flat(base: number): number {
    const entries = this.topEntries;
    const tags = this.tags;
    const nums = this.nums;
    for (let k = 0; k < entries.length; k++) {
      const tag = this.topTags[k]!;
      if (tag === TAG_ABSENT) continue;
      const e = entries[k]!;
      if (e.meta >= 0) {
        tags[base + e.meta] = tag;
        nums[base + e.meta] = this.topNums[k]!;
      }
      if (e.field >= 0) {
        tags[base + META_SLOTS + e.field] = tag;
        nums[base + META_SLOTS + e.field] = this.topNums[k]!;
      }
    }
    return KIND_FLAT;
  }

  /**
   * A reference record's row: id, timestamp and external_id from the top level, fields from
   * data.fields. data.fields must be an object, the id a plain number, the others plain
   * strings or null: otherwise the decoder has an error (or an odd value) to give.
   */
  private reference(base: number): number {
    if (!this.fieldsObject) return KIND_SLOW;
    const plan = this.plan;
    const tags = this.tags;
    const nums = this.nums;
    const id = plan.topIndex[SLOT_ID]!;
    if (this.topForm[id] !== FORM_NUMBER || this.topTags[id] !== TAG_NUM) return KIND_SLOW;
    tags[base + SLOT_ID] = TAG_NUM;
    nums[base + SLOT_ID] = this.topNums[id]!;
    for (let m = SLOT_TIMESTAMP; m <= SLOT_EXTERNAL_ID; m++) {
      const k = plan.topIndex[m]!;
      const tag = this.topTags[k]!;
      if (tag === TAG_ABSENT) continue;
      const form = this.topForm[k];
      if (form === FORM_NULL) tags[base + m] = TAG_NULL;
      else if (form === FORM_STRING) {
        // A plain string, escaped or not: the raw text (a reference record's "Null" is text).
        tags[base + m] = TAG_STR;
        nums[base + m] = this.topNums[k]!;
      } else return KIND_SLOW;
    }
    const inner = this.innerTags;
    for (let k = 0; k < inner.length; k++) {
      const tag = inner[k]!;
      if (tag === TAG_ABSENT) continue;
      tags[base + META_SLOTS + k] = tag;
      nums[base + META_SLOTS + k] = this.innerNums[k]!;
    }
    return KIND_REFERENCE;
  }

  /**
   * Scans the record's JSON text from `start`, decoding captured values on the way.
   * Returns the offset after it and the whitespace after it, or -1 when it is not valid
   * (or not vouched for).
   */
  private scan(start: number, end: number): number {
    const b = this.b;
    const stack = this.stack;
    const ctx = this.ctx;
    const W = this.ws;
    let p = ws(b, start, end, W);
    if (b[p] !== 123) return -1;
    let depth = 0;
    // For the next value: the context an object value gets, and where a value goes.
    let nextCtx = CTX_RECORD;
    let to = TO_NONE;
    let entry = 0;
    for (;;) {
      // A value at p.
      const c = b[p]!;
      const newCtx = nextCtx;
      const dest = to;
      nextCtx = CTX_OTHER;
      to = TO_NONE;
      if (c === 123 || c === 91) {
        let tagged = -1;
        if (dest !== TO_NONE) {
          // A tagged scalar is decoded whole here; anything else is captured as a span.
          if (c === 123) tagged = this.tagged(p, end, dest, entry);
          if (tagged < 0) {
            if (this.slow) return -1;
            if (dest === TO_TOP) {
              this.topCapDepth = depth;
              this.topCapStart = p;
              this.topCapEntry = entry;
            } else {
              this.innerCapDepth = depth;
              this.innerCapStart = p;
              this.innerCapEntry = entry;
            }
          }
        }
        if (tagged > 0) p = tagged;
        else {
          if (depth === SCAN_DEPTH) {
            this.slow = true;
            return -1;
          }
          stack[depth] = c;
          ctx[depth] = c === 123 ? newCtx : CTX_OTHER;
          depth++;
          p = ws(b, p + 1, end, W);
          if (b[p] === c + 2) {
            // `{}` or `[]`
            p++;
            depth--;
            if (depth === this.innerCapDepth || depth === this.topCapDepth) this.closed(depth, p);
          } else if (c === 91) continue;
          else {
            const k = ctx[depth - 1]!;
            const ks = p;
            p = this.key(p, end);
            if (p < 0) return -1;
            if (!((k === CTX_OTHER || k === CTX_DATA) && b[p] === 34 && (this.lx.escaped || isDate(b, ks)))) {
              if (k !== CTX_OTHER) {
                this.routeKey(k, ks, p);
                to = this.routeTo;
                entry = this.routeEntry;
                nextCtx = this.routeCtx;
              }
              continue;
            }
            // A first member whose key is Date (or escaped, so it may spell Date) with a
            // string value: when it is the only member, the decoder reads a date there.
            const escaped = this.lx.escaped;
            if (k === CTX_DATA && escaped && this.keyText(ks) === 'fields') {
              // `"fields": "…"`: a reference record whose fields are not an object.
              this.dataHasFields = true;
              this.fieldsObject = false;
            }
            const vs = p;
            p = scanString(this.b, p, this.lx);
            if (p < 0) return -1;
            const q = ws(b, p, end, W);
            if (b[q] === 125) {
              if (escaped || Number.isNaN(this.checkDate(vs, p))) this.slow = true;
              p = q + 1;
              depth--;
              if (depth === this.innerCapDepth || depth === this.topCapDepth) this.closed(depth, p);
            }
          }
        }
      } else if (dest !== TO_NONE) {
        p = this.scalar(p, dest, entry);
        if (p < 0) return -1;
      } else if (c === 34) {
        // A string passed over: plain ASCII in a loop here, anything else by string().
        let q = p + 1;
        let d = b[q]!;
        while ((d > 34 && d < 127 && d !== 92) || d === 32 || d === 33) d = b[++q]!;
        if (d === 34) p = q + 1;
        else {
          p = scanString(this.b, p, this.lx);
          if (p < 0) return -1;
        }
      } else if (c === 116) {
        if (b[p + 1] !== 114 || b[p + 2] !== 117 || b[p + 3] !== 101) return -1;
        p += 4;
      } else if (c === 102) {
        if (b[p + 1] !== 97 || b[p + 2] !== 108 || b[p + 3] !== 115 || b[p + 4] !== 101) return -1;
        p += 5;
      } else if (c === 110) {
        if (b[p + 1] !== 117 || b[p + 2] !== 108 || b[p + 3] !== 108) return -1;
        p += 4;
      } else if (c >= 49 && c <= 57) {
        // A short positive integer passed over here; anything else by number().
        let q = p + 1;
        let d = b[q]!;
        while (d >= 48 && d <= 57) d = b[++q]!;
        if (q - p <= 15 && d !== 46 && d !== 101 && d !== 69) p = q;
        else {
          p = scanNumber(b, p, false, this.lx);
          if (p < 0) return -1;
          if (this.lx.unsafe) this.slow = true;
        }
      } else {
        p = scanNumber(b, p, false, this.lx);
        if (p < 0) return -1;
        if (this.lx.unsafe) this.slow = true;
      }
      // After a value: close containers, or go on to the next member.
      for (;;) {
        if (depth === 0) return ws(b, p, end, W);
        let d = b[p]!;
        if (d <= 32) {
          p = ws(b, p, end, W);
          d = b[p]!;
        }
        const open = stack[depth - 1]!;
        if (d === 44) {
          p++;
          if (b[p]! <= 32) p = ws(b, p, end, W);
          if (open === 123) {
            const k = ctx[depth - 1]!;
            const ks = p;
            p = this.key(p, end);
            if (p < 0) return -1;
            if (k !== CTX_OTHER) {
              this.routeKey(k, ks, p);
              to = this.routeTo;
              entry = this.routeEntry;
              nextCtx = this.routeCtx;
            }
          }
          break;
        }
        if (d !== open + 2) return -1;
        p++;
        depth--;
        if (depth === this.innerCapDepth || depth === this.topCapDepth) this.closed(depth, p);
      }
    }
  }

  /** A container at `depth` closed at p: ends a span capture started there. */
  private closed(depth: number, p: number): void {
    if (depth === this.innerCapDepth) {
      this.innerCapDepth = -1;
      this.innerTags[this.innerCapEntry] = TAG_COMPLEX;
      this.innerNums[this.innerCapEntry] = this.addBlob(this.innerCapStart, p, BLOB_COMPLEX, 0);
    }
    if (depth === this.topCapDepth) {
      this.topCapDepth = -1;
      this.topTags[this.topCapEntry] = TAG_COMPLEX;
      this.topNums[this.topCapEntry] = this.addBlob(this.topCapStart, p, BLOB_COMPLEX, 0);
      this.topForm[this.topCapEntry] = FORM_OTHER;
    }
  }

  // Results of routeKey: where the member's value goes, and the context of an object value.
  private routeTo = TO_NONE;
  private routeEntry = 0;
  private routeCtx = CTX_OTHER;

  /** Decides where the value of the key just scanned at ks, in an object of context `k`, goes. */
  private routeKey(k: number, ks: number, vs: number): void {
    this.routeTo = TO_NONE;
    this.routeCtx = CTX_OTHER;
    if (k === CTX_OTHER) return;
    if (k === CTX_RECORD) {
      const e = this.matchKey(this.plan.top, ks);
      if (e >= 0) {
        this.routeTo = TO_TOP;
        this.routeEntry = e;
        if (this.topEntries[e]!.data) {
          // A new `data` value: what it says about the shape starts afresh (last wins).
          this.dataHasFields = false;
          this.fieldsObject = false;
          if (this.topEntries[e]!.field < 0 && this.topEntries[e]!.meta < 0) this.routeTo = TO_NONE;
          this.routeCtx = CTX_DATA;
        }
      }
      return;
    }
    if (k === CTX_DATA) {
      if (this.lx.escaped ? this.keyText(ks) === 'fields' : this.isFieldsKey(ks)) {
        this.dataHasFields = true;
        this.fieldsObject = this.b[vs] === 123;
        if (this.fieldsObject) {
          const inner = this.innerTags;
          for (let i = 0; i < inner.length; i++) inner[i] = TAG_ABSENT;
          this.innerCapDepth = -1;
          this.routeCtx = CTX_FIELDS;
        }
      }
      return;
    }
    // CTX_FIELDS
    const e = this.matchKey(this.plan.inner, ks);
    if (e >= 0) {
      this.routeTo = TO_INNER;
      this.routeEntry = e;
    }
  }

  /** The table entry of the key string starting at ks (just scanned), -1 for none. */
  private matchKey(table: KeyTable, ks: number): number {
    if (this.lx.escaped || (this.lx.high && table.decodeHighKeys)) return table.matchName(this.keyText(ks));
    return table.match(this.b, ks + 1, this.keyEnd - 1);
  }

  private isFieldsKey(ks: number): boolean {
    const b = this.b;
    return this.keyEnd - ks === 8 && b[ks + 1] === 102 && b[ks + 2] === 105 && b[ks + 3] === 101 && b[ks + 4] === 108 && b[ks + 5] === 100 && b[ks + 6] === 115;
  }

  /** The end of the last key scanned (after its closing quote). */
  private keyEnd = 0;

  /** A key string at p, then its colon: returns where the value starts, or -1. */
  private key(p: number, end: number): number {
    const b = this.b;
    if (b[p] !== 34) return -1;
    // Most keys are plain ASCII: pass them in the tight loop, else scan them in full.
    let q = p + 1;
    let c = b[q]!;
    while ((c > 34 && c < 127 && c !== 92) || c === 32 || c === 33) c = b[++q]!;
    if (c === 34) {
      this.lx.escaped = false;
      this.lx.high = false;
      q++;
    } else {
      q = scanString(this.b, p, this.lx);
      if (q < 0) return -1;
    }
    this.keyEnd = q;
    if (b[q] !== 58) {
      q = ws(b, q, end, this.ws);
      if (b[q] !== 58) return -1;
    }
    q++;
    return b[q]! > 32 ? q : ws(b, q, end, this.ws);
  }

  /** A key's text, decoded (escapes, UTF-8). Off the hot path. */
  private keyText(ks: number): string {
    return JSON.parse(this.b.toString('utf8', ks, this.keyEnd)) as string;
  }

  // -------------------------------------------------------------------------
  // Captured values.

  private put(to: number, entry: number, tag: number, num: number, form: number): void {
    if (to === TO_TOP) {
      this.topTags[entry] = tag;
      this.topNums[entry] = num;
      this.topForm[entry] = form;
    } else {
      this.innerTags[entry] = tag;
      this.innerNums[entry] = num;
    }
  }

  /** A captured scalar at p; returns its end or -1. */
  private scalar(p: number, to: number, entry: number): number {
    const b = this.b;
    const c = b[p]!;
    if (c === 34) {
      const e = scanString(this.b, p, this.lx);
      if (e < 0) return -1;
      if (!this.lx.escaped && e - p === 6 && b[p + 1] === 78 && b[p + 2] === 117 && b[p + 3] === 108 && b[p + 4] === 108) {
        this.put(to, entry, TAG_NULL, 0, FORM_OTHER); // "Null"
      } else this.put(to, entry, this.lx.escaped ? TAG_STR_ESCAPED : TAG_STR, this.stringBlob(p, e, to, entry), FORM_STRING);
      return e;
    }
    if (c === 116) {
      if (b[p + 1] !== 114 || b[p + 2] !== 117 || b[p + 3] !== 101) return -1;
      this.put(to, entry, TAG_TRUE, 0, FORM_OTHER);
      return p + 4;
    }
    if (c === 102) {
      if (b[p + 1] !== 97 || b[p + 2] !== 108 || b[p + 3] !== 115 || b[p + 4] !== 101) return -1;
      this.put(to, entry, TAG_FALSE, 0, FORM_OTHER);
      return p + 5;
    }
    if (c === 110) {
      if (b[p + 1] !== 117 || b[p + 2] !== 108 || b[p + 3] !== 108) return -1;
      this.put(to, entry, TAG_NULL, 0, FORM_NULL);
      return p + 4;
    }
    const e = scanNumber(b, p, true, this.lx);
    if (e < 0) return -1;
    const v = this.lx.value;
    if (!(v <= MAX_EXACT_INTEGER && v >= -MAX_EXACT_INTEGER)) this.slow = true;
    this.put(to, entry, TAG_NUM, v, FORM_NUMBER);
    return e;
  }

  /**
   * The blob of the string b[s, e) (quotes included) just scanned. The same key's value in
   * the last record is tried first (columns repeat: a status, a timestamp), then the table.
   */
  private stringBlob(s: number, e: number, to: number, entry: number): number {
    if (this.lx.escaped) return this.addBlob(s, e, BLOB_ESCAPED, 0);
    const b = this.b;
    const cache = to === TO_TOP ? entry : this.topTags.length + entry;
    const last = this.lastBlob[cache]!;
    const len = e - s - 2;
    if (last >= 0 && last < this.blobCount && this.blobEnds[last]! - this.blobStarts[last]! === len) {
      const o = this.blobStarts[last]!;
      let k = 0;
      while (k < len && b[o + k] === b[s + 1 + k]) k++;
      if (k === len) return last;
    }
    // FNV-1a over the bytes.
    let hash = 0x811c9dc5 | 0;
    for (let k = s + 1; k < e - 1; k++) hash = Math.imul(hash ^ b[k]!, 16777619);
    const i = this.internString(s + 1, e - 1, this.lx.high ? BLOB_UTF8 : BLOB_ASCII, hash);
    this.lastBlob[cache] = i;
    return i;
  }

  /** Per captured key: the blob its last string value got in this chunk (-1: none). */
  private lastBlob = new Int32Array(0);

  /**
   * A captured object at p: when it is a one-key tagged scalar (`{"String":"…"}`,
   * `{"Integer":n}`, `{"Float":n}`, `{"Boolean":b}`, `{"Date":"…"}`), decodes it and returns
   * its end. Otherwise returns -1, having read nothing (the caller captures a span), or
   * sets `slow` (a tag the decoder would refuse).
   */
  private tagged(s: number, end: number, to: number, entry: number): number {
    const b = this.b;
    const W = this.ws;
    let p = ws(b, s + 1, end, W);
    if (b[p] !== 34) return -1;
    const ks = p + 1;
    // Tag names are ASCII letters: find the closing quote directly.
    let ke = ks;
    while (ke < end && (b[ke]! | 32) >= 97 && (b[ke]! | 32) <= 122) ke++;
    if (b[ke] !== 34) return -1;
    const tag = tagOf(b, ks, ke);
    if (tag === 0) return -1;
    p = ws(b, ke + 1, end, W);
    if (b[p] !== 58) return -1;
    p = ws(b, p + 1, end, W);
    const vs = p;
    const c = b[p]!;
    let ve: number;
    if (c === 34) {
      if (tag !== TAG_KEY_STRING && tag !== TAG_KEY_DATE) return -1;
      ve = scanString(this.b, p, this.lx);
    } else if (c === 116 || c === 102) {
      if (tag !== TAG_KEY_BOOLEAN) return -1;
      ve =
        c === 116
          ? b[p + 1] === 114 && b[p + 2] === 117 && b[p + 3] === 101
            ? p + 4
            : -1
          : b[p + 1] === 97 && b[p + 2] === 108 && b[p + 3] === 115 && b[p + 4] === 101
            ? p + 5
            : -1;
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      if (tag !== TAG_KEY_INTEGER && tag !== TAG_KEY_FLOAT) return -1;
      ve = scanNumber(b, p, true, this.lx);
    } else return -1;
    if (ve < 0) return -1;
    const q = ws(b, ve, end, W);
    if (b[q] !== 125) return -1; // more than one member: not a tag
    switch (tag) {
      case TAG_KEY_STRING:
        this.put(to, entry, TAG_STR, this.stringBlob(vs, ve, to, entry), FORM_OTHER);
        break;
      case TAG_KEY_BOOLEAN:
        this.put(to, entry, c === 116 ? TAG_TRUE : TAG_FALSE, 0, FORM_OTHER);
        break;
      case TAG_KEY_INTEGER: {
        const v = this.lx.value;
        // A fractional Integer is no tag: the object stays an object (a captured span).
        if (!Number.isInteger(v)) return -1;
        if (!(v <= MAX_EXACT_INTEGER && v >= -MAX_EXACT_INTEGER)) {
          this.slow = true;
          return -1;
        }
        this.put(to, entry, TAG_NUM, v, FORM_OTHER);
        break;
      }
      case TAG_KEY_FLOAT: {
        const v = this.lx.value;
        if (!Number.isFinite(v)) {
          this.slow = true;
          return -1;
        }
        this.put(to, entry, Number.isInteger(v) ? TAG_FLOAT_BOX : TAG_NUM, v, FORM_OTHER);
        break;
      }
      case TAG_KEY_DATE: {
        const ms = this.checkDate(vs, ve);
        if (Number.isNaN(ms)) {
          this.slow = true;
          return -1;
        }
        this.put(to, entry, TAG_DATE, ms, FORM_OTHER);
        break;
      }
    }
    return q + 1;
  }

  /** Epoch ms of the date string b[s, e) (quotes included); NaN when not RFC 3339 (or escaped). */
  private checkDate(s: number, e: number): number {
    const b = this.b;
    if (e - s > 66) return NaN;
    for (let i = s + 1; i < e - 1; i++) if (b[i] === 92 || b[i]! >= 128) return NaN;
    const text = latin1.decode(b.subarray(s + 1, e - 1));
    if (text === this.lastDate) return this.lastDateMs;
    const ms = parseRfc3339(text);
    if (!Number.isNaN(ms)) {
      this.lastDate = text;
      this.lastDateMs = ms;
    }
    return ms;
  }
  private lastDateMs = 0;
}
