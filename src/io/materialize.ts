// Turns a scanned columnar batch into Facts on the main thread: strings are made once per
// distinct value in the chunk, fields are set in slot order (so facts share hidden
// classes), and records the scanner left alone go to the whole-record decoder.

import {
  BLOB_ASCII,
  BLOB_COMPLEX,
  BLOB_ESCAPED,
  KIND_FLAT,
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
import { META_SLOTS, SLOT_EXTERNAL_ID, SLOT_ID, SLOT_TIMESTAMP, type ScanPlan } from './scan-plan.js';
import { Fact, FactShape, FIRST_CREATED_ID, isTimestamp } from '../model/fact.js';
import { DateValue, decodeValue, FloatValue, setOwn, ValueDecodeError, type FieldMap, type Value } from '../model/value.js';

/** What the reader does with records the scanner did not decode. */
export interface SlowRecords {
  /** Decodes record `r` (bytes start..end of the chunk) whole, as the whole-record reader does. */
  slow(r: number, start: number, end: number, ordinal: number, out: Fact[]): void;
}

export class BatchMaterializer {
  private readonly names: readonly string[];
  /** A field name is `__proto__`: that key must be defined, not assigned. */
  private readonly protoSlot: number;
  private strs: (string | undefined)[] = [];

  constructor(plan: ScanPlan) {
    this.names = plan.fields;
    this.protoSlot = plan.fields.indexOf('__proto__');
  }

  /**
   * Appends the batch's facts to `out` in record order; `ordinal` is the first record's
   * position in the whole input (unless the record carries its own). Returns the next ordinal.
   */
  materialize(batch: ScannedBatch, buf: Buffer, ordinal: number, out: Fact[], slowRecords: SlowRecords): number {
    this.makeStrings(batch, buf);
    const { kinds, tags, nums, slots, positions } = batch;
    const names = this.names;
    const nf = names.length;
    for (let r = 0; r < batch.count; r++, ordinal++) {
      // A shard file's record carries its position in the input that was split.
      if (positions[r]! >= 0) ordinal = positions[r]!;
      const kind = kinds[r]!;
      if (kind === KIND_SLOW) {
        slowRecords.slow(r, batch.starts[r]!, batch.ends[r]!, ordinal, out);
        continue;
      }
      const base = r * slots;
      const fields: FieldMap = {};
      let decodable = true;
      for (let f = 0; f < nf; f++) {
        const tag = tags[base + META_SLOTS + f]!;
        if (tag === TAG_ABSENT) continue;
        const v = this.value(tag, nums[base + META_SLOTS + f]!, buf, kind === KIND_FLAT ? 2 : 4);
        if (v === undefined) {
          decodable = false;
          break;
        }
        if (f === this.protoSlot) setOwn(fields, names[f]!, v);
        else fields[names[f]!] = v;
      }
      const fact = !decodable ? null : kind === KIND_FLAT ? this.flat(base, tags, nums, fields, ordinal) : this.reference(base, tags, nums, fields);
      if (fact === null) slowRecords.slow(r, batch.starts[r]!, batch.ends[r]!, ordinal, out);
      else out.push(fact);
    }
    return ordinal;
  }

  /**
   * As decodeFact does for a flat record: id, timestamp and external_id when well formed;
   * null for an id in the created facts' range (the slow path names the error).
   */
  private flat(base: number, tags: Uint8Array, nums: Float64Array, fields: FieldMap, ordinal: number): Fact | null {
    let id = ordinal;
    if (tags[base + SLOT_ID] === TAG_NUM) {
      const n = nums[base + SLOT_ID]!;
      if (Number.isSafeInteger(n) && n >= 0) {
        if (n >= FIRST_CREATED_ID) return null;
        id = n;
      }
    }
    let ts: string | null = null;
    const tsTag = tags[base + SLOT_TIMESTAMP];
    if (tsTag === TAG_STR || tsTag === TAG_STR_ESCAPED) {
      const s = this.strs[nums[base + SLOT_TIMESTAMP]!]!;
      if (isTimestamp(s)) ts = s;
    }
    let ext: string | null = null;
    const extTag = tags[base + SLOT_EXTERNAL_ID];
    if (extTag === TAG_STR || extTag === TAG_STR_ESCAPED) {
      ext = this.strs[nums[base + SLOT_EXTERNAL_ID]!]!;
      if (extTag === TAG_STR_ESCAPED && ext === 'Null') ext = null;
    }
    return new Fact(id, fields, ts, ext, FactShape.Flat);
  }

  /** A reference record; null when its id or timestamp is not valid (the slow path names the error). */
  private reference(base: number, tags: Uint8Array, nums: Float64Array, fields: FieldMap): Fact | null {
    const id = nums[base + SLOT_ID]!;
    if (!(Number.isSafeInteger(id) && id >= 0) || id >= FIRST_CREATED_ID) return null;
    let ts: string | null = null;
    if (tags[base + SLOT_TIMESTAMP] === TAG_STR) {
      ts = this.strs[nums[base + SLOT_TIMESTAMP]!]!;
      if (!isTimestamp(ts)) return null;
    }
    const ext = tags[base + SLOT_EXTERNAL_ID] === TAG_STR ? this.strs[nums[base + SLOT_EXTERNAL_ID]!]! : null;
    return new Fact(id, fields, ts, ext, FactShape.Reference);
  }

  /** A field's value; undefined when a captured span is one the decoder refuses (the record then goes the slow way). */
  private value(tag: number, n: number, buf: Buffer, depth: number): Value | undefined {
    switch (tag) {
      case TAG_NUM:
        return n;
      case TAG_STR:
        return this.strs[n]!;
      case TAG_STR_ESCAPED: {
        // "Nul\u006c" is "Null" too, which the decoder reads as null.
        const s = this.strs[n]!;
        return s === 'Null' ? null : s;
      }
      case TAG_TRUE:
        return true;
      case TAG_FALSE:
        return false;
      case TAG_NULL:
        return null;
      case TAG_FLOAT_BOX:
        return new FloatValue(n);
      case TAG_DATE:
        return new DateValue(n);
      case TAG_COMPLEX:
        // Parsed anew for each use: arrays and objects are never shared between facts.
        return decodeComplex(buf.toString('utf8', this.blobStart[n], this.blobEnd[n]), depth);
    }
    throw new Error(`unknown value tag ${tag}`);
  }

  private blobStart: Int32Array = new Int32Array(0);
  private blobEnd: Int32Array = new Int32Array(0);

  /** Makes each string blob once: ASCII by the one-byte path, others decoded as UTF-8. */
  private makeStrings(batch: ScannedBatch, buf: Buffer): void {
    const n = batch.blobCount;
    const strs = this.strs;
    strs.length = n;
    const { blobStarts, blobEnds, blobKinds } = batch;
    this.blobStart = blobStarts;
    this.blobEnd = blobEnds;
    for (let i = 0; i < n; i++) {
      const kind = blobKinds[i]!;
      const s = blobStarts[i]!;
      const e = blobEnds[i]!;
      if (kind === BLOB_ASCII) strs[i] = buf.toString('latin1', s, e);
      else if (kind === BLOB_COMPLEX) strs[i] = undefined;
      else if (kind === BLOB_ESCAPED) strs[i] = JSON.parse(buf.toString('utf8', s, e)) as string;
      else strs[i] = buf.toString('utf8', s, e);
    }
  }
}

/**
 * A captured array or object, parsed and decoded; undefined when the decoder refuses it. The
 * scanner vouches for a span's JSON, not for the tagged values inside it: `{"Date": {…},
 * "Date": "Null"}` is valid JSON that JSON.parse makes `{"Date": "Null"}`, which is no date.
 * The record is then decoded whole, which names the error (or rejects the record) as the
 * whole-record reader does. The try/catch stays here, on the captured-span path only.
 */
function decodeComplex(text: string, depth: number): Value | undefined {
  try {
    return decodeValue(JSON.parse(text), '', depth);
  } catch (e) {
    if (e instanceof ValueDecodeError) return undefined;
    throw e;
  }
}
