// The projected scanner's output as it fills: a batch's columns (a row per record, `slots`
// tag and number cells per row) and its string blobs, interned within a chunk; grown by
// doubling, handed out whole with the batch and taken back to be filled again. ChunkScanner
// extends it, so its hot loop writes these fields as its own (no second object to reach).

import type { ScannedBatch } from './batch.js';
import { INTERN_SLOTS } from './scan-states.js';

export class ScanOutput {
  protected readonly slots: number;
  protected b: Buffer = Buffer.alloc(0);

  // Output columns (grown by doubling; they leave with the batch).
  protected cap = 0;
  protected count = 0;
  protected kinds: Uint8Array = new Uint8Array(0);
  protected starts: Int32Array = new Int32Array(0);
  protected ends: Int32Array = new Int32Array(0);
  protected lines: Int32Array = new Int32Array(0);
  protected positions: Float64Array = new Float64Array(0);
  protected tags: Uint8Array = new Uint8Array(0);
  protected nums: Float64Array = new Float64Array(0);
  protected blobCap = 0;
  protected blobCount = 0;
  protected blobStarts: Int32Array = new Int32Array(0);
  protected blobEnds: Int32Array = new Int32Array(0);
  protected blobKinds: Uint8Array = new Uint8Array(0);
  protected blobHashes: Int32Array = new Int32Array(0);
  protected newlines = 0;

  // Interning: slot → blob index + 1 (0 = empty).
  protected readonly intern = new Int32Array(INTERN_SLOTS);
  protected interned = 0;

  constructor(slots: number) {
    this.slots = slots;
  }

  /** Starts a batch over the chunk b with room for `expected` records and blobs. */
  protected startBatch(b: Buffer, expected: number): void {
    this.b = b;
    this.count = 0;
    this.blobCount = 0;
    this.newlines = 0;
    this.interned = 0;
    this.intern.fill(0);
    this.grow(expected);
    this.growBlobs(expected);
  }

  /**
   * Takes back a batch's arrays once its facts are made, to fill the next one (fresh
   * arrays per chunk cost allocation and, sent between threads, garbage collection).
   */
  recycle(batch: ScannedBatch): void {
    if (this.cap > 0 || batch.kinds.length === 0 || batch.tags.length !== batch.kinds.length * this.slots) return;
    batch.tags.fill(0, 0, batch.count * this.slots);
    this.kinds = batch.kinds;
    this.starts = batch.starts;
    this.ends = batch.ends;
    this.lines = batch.lines;
    this.positions = batch.positions;
    this.tags = batch.tags;
    this.nums = batch.nums;
    this.cap = batch.kinds.length;
    this.blobStarts = batch.blobStarts;
    this.blobEnds = batch.blobEnds;
    this.blobKinds = batch.blobKinds;
    this.blobCap = batch.blobStarts.length;
    if (this.blobHashes.length < this.blobCap) this.blobHashes = new Int32Array(this.blobCap);
  }

  protected take(): ScannedBatch {
    const out: ScannedBatch = {
      count: this.count,
      kinds: this.kinds,
      starts: this.starts,
      ends: this.ends,
      lines: this.lines,
      positions: this.positions,
      slots: this.slots,
      tags: this.tags,
      nums: this.nums,
      blobCount: this.blobCount,
      blobStarts: this.blobStarts,
      blobEnds: this.blobEnds,
      blobKinds: this.blobKinds,
      newlines: this.newlines,
    };
    // The arrays leave with the batch (they may be transferred): start afresh next time.
    this.cap = 0;
    this.blobCap = 0;
    this.b = Buffer.alloc(0);
    return out;
  }

  protected grow(min: number): void {
    if (this.cap >= min) return;
    const cap = Math.max(min, this.cap * 2);
    const s = this.slots;
    const kinds = new Uint8Array(cap);
    const starts = new Int32Array(cap);
    const ends = new Int32Array(cap);
    const lines = new Int32Array(cap);
    const positions = new Float64Array(cap);
    const tags = new Uint8Array(cap * s);
    const nums = new Float64Array(cap * s);
    if (this.cap > 0) {
      kinds.set(this.kinds.subarray(0, this.count));
      starts.set(this.starts.subarray(0, this.count));
      ends.set(this.ends.subarray(0, this.count));
      lines.set(this.lines.subarray(0, this.count));
      positions.set(this.positions.subarray(0, this.count));
      tags.set(this.tags.subarray(0, this.count * s));
      nums.set(this.nums.subarray(0, this.count * s));
    }
    this.kinds = kinds;
    this.starts = starts;
    this.ends = ends;
    this.lines = lines;
    this.positions = positions;
    this.tags = tags;
    this.nums = nums;
    this.cap = cap;
  }

  protected growBlobs(min: number): void {
    if (this.blobCap >= min) return;
    const cap = Math.max(min, this.blobCap * 2);
    const starts = new Int32Array(cap);
    const ends = new Int32Array(cap);
    const kinds = new Uint8Array(cap);
    if (this.blobCap > 0) {
      starts.set(this.blobStarts.subarray(0, this.blobCount));
      ends.set(this.blobEnds.subarray(0, this.blobCount));
      kinds.set(this.blobKinds.subarray(0, this.blobCount));
    }
    if (this.blobHashes.length < cap) {
      const hashes = new Int32Array(cap);
      hashes.set(this.blobHashes.subarray(0, this.blobCount));
      this.blobHashes = hashes;
    }
    this.blobStarts = starts;
    this.blobEnds = ends;
    this.blobKinds = kinds;
    this.blobCap = cap;
  }

  protected addBlob(s: number, e: number, kind: number, hash: number): number {
    if (this.blobCount === this.blobCap) this.growBlobs(this.blobCap * 2);
    const i = this.blobCount++;
    this.blobStarts[i] = s;
    this.blobEnds[i] = e;
    this.blobKinds[i] = kind;
    this.blobHashes[i] = hash;
    return i;
  }

  /** The blob index of the string bytes b[s, e): the same bytes in one chunk share a blob. */
  protected internString(s: number, e: number, kind: number, hash: number): number {
    if (this.interned >= INTERN_SLOTS >> 1) return this.addBlob(s, e, kind, hash);
    const b = this.b;
    const len = e - s;
    const mask = INTERN_SLOTS - 1;
    let slot = hash & mask;
    for (;;) {
      const at = this.intern[slot]!;
      if (at === 0) break;
      const i = at - 1;
      if (this.blobHashes[i] === hash && this.blobEnds[i]! - this.blobStarts[i]! === len) {
        const o = this.blobStarts[i]!;
        let k = 0;
        while (k < len && b[o + k] === b[s + k]) k++;
        if (k === len) return i;
      }
      slot = (slot + 1) & mask;
    }
    const i = this.addBlob(s, e, kind, hash);
    this.intern[slot] = i + 1;
    this.interned++;
    return i;
  }
}
