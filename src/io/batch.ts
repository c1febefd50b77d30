// The columnar layout a scanned chunk travels in between a worker and the main thread:
// typed arrays only (moved as transferable ArrayBuffers, never structured-cloned object by
// object), plus the chunk's own bytes, which strings and odd records are read from.

/** What a record turned out to be. */
export const KIND_FLAT = 0;
export const KIND_REFERENCE = 1;
/** Not decoded by the scanner (invalid, or unusual enough to need the whole-record decoder). */
export const KIND_SLOW = 2;

/** Value tags, one per record and slot. */
export const TAG_ABSENT = 0;
export const TAG_NULL = 1;
export const TAG_TRUE = 2;
export const TAG_FALSE = 3;
/** A number (plain, or an Integer or a fractional Float tag); `nums` holds it. */
export const TAG_NUM = 4;
/** A string; `nums` holds its blob index. */
export const TAG_STR = 5;
/** `{"Float": n}` with an integral n; `nums` holds n. */
export const TAG_FLOAT_BOX = 6;
/** `{"Date": "…"}`; `nums` holds epoch ms. */
export const TAG_DATE = 7;
/** Anything else (arrays, objects, other tags); `nums` holds its blob index. */
export const TAG_COMPLEX = 8;
/** A plain string written with escapes: the decoder's null when it reads "Null"; `nums` holds its blob index. */
export const TAG_STR_ESCAPED = 9;

/** Blob kinds: how the bytes of a blob become a value. */
export const BLOB_ASCII = 0;
export const BLOB_UTF8 = 1;
/** A string with escapes: the span includes its quotes and goes through JSON.parse. */
export const BLOB_ESCAPED = 2;
/** A JSON value to parse and decode (never shared between facts: each use parses anew). */
export const BLOB_COMPLEX = 3;

export interface ScannedBatch {
  /** Records in the chunk (blank lines are not records). */
  count: number;
  kinds: Uint8Array;
  /** Byte span of each record in the chunk. */
  starts: Int32Array;
  ends: Int32Array;
  /** NDJSON: the 0-based line of each record within the chunk. */
  lines: Int32Array;
  /** Shard files: each record's position in the input that was split (-1: the one after the previous record's). */
  positions: Float64Array;
  /** Slots per record: meta slots, then projected fields. */
  slots: number;
  tags: Uint8Array;
  nums: Float64Array;
  /** Strings (interned per chunk: equal strings share one blob) and complex values. */
  blobCount: number;
  blobStarts: Int32Array;
  blobEnds: Int32Array;
  blobKinds: Uint8Array;
  /** Newlines in the chunk (NDJSON: lines ended in it). */
  newlines: number;
}

/** The ArrayBuffers of a batch, for a transfer list. */
export function batchBuffers(b: ScannedBatch): ArrayBuffer[] {
  return [b.kinds, b.starts, b.ends, b.lines, b.positions, b.tags, b.nums, b.blobStarts, b.blobEnds, b.blobKinds].map((a) => a.buffer as ArrayBuffer);
}
