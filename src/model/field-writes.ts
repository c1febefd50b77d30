// Field writes held back: a rule's SetField of a field that no rule reads is noted in a
// session's chunked column (4 bytes a write, or for a block of rules that fire together,
// 4 bytes for all of their writes) and applied to the fact's field map when its
// fields are next read (Fact.fields). Nothing in a run can tell the difference, since no
// condition, join, aggregation or action reads such a field; whoever reads the fact sees
// every write. When nobody reads the facts afterwards (`run` without `--emit facts`, the
// bench), the writes are never applied.
//
// Why (measured on this machine): adding properties to an object one by one is V8's
// dearest common store (a hidden-class transition per new name, the property array copied
// every few adds). A hand-written loop doing bench enterprise 1M's 1.6M field adds (27K
// facts gaining 50 to 150 fields) took ~150 ms more than the loop without them; noting the
// same writes in preallocated columns took ~12 ms more. An object per fact for its held
// writes cost as much again on bench simple: every one of them survives, and scavenges copy
// them. So a fact holds only where its writes are: a chunk and a span within it.
// A held field's store (generated code, see compileSetter) is made by the session at its
// first applied write: most runs never apply one, and making them is most of compiling bench
// enterprise's 200 rules in a fresh process.

import type { Fact } from './fact.js';
import { compileSetter, type FieldSetter } from './path.js';
import type { FieldMap, Value } from './value.js';

/** A constant an action writes: owned() gives the value for one fact (a copy of a mutable one). */
export interface WrittenConstant {
  owned(): Value;
}

/** A SetField whose writes may be held back: its plain field name, and its constant (null: the value comes with each write). */
export class HeldWriter {
  readonly field: string;
  readonly constant: WrittenConstant | null;
  constructor(field: string, constant: WrittenConstant | null) {
    this.field = field;
    this.constant = constant;
  }
}

/**
 * A session's stores for the network's held writers, each made at the writer's first
 * applied write (the network, shared by sessions, stays as compiled). The one place a held
 * write is applied, whether it was held back or written at once.
 */
export class HeldStores {
  private readonly writers: readonly HeldWriter[];
  private readonly stores: (FieldSetter | null)[];
  constructor(writers: readonly HeldWriter[]) {
    this.writers = writers;
    this.stores = new Array<FieldSetter | null>(writers.length).fill(null);
  }
  /** Writes writer `w`'s `value` to a field map, or without one its constant, as owned by that map (facts never share a mutable one). */
  write(w: number, fields: FieldMap, value: Value | undefined): void {
    let store = this.stores[w]!;
    if (store === null) store = this.stores[w] = compileSetter(this.writers[w]!.field);
    store(fields, value === undefined ? this.writers[w]!.constant!.owned() : value);
  }
}

/** Entries in the largest chunk; the first chunks are small (a server's session often writes a few fields). */
const MAX_CHUNK = 16_384;
const FIRST_CHUNK = 16;
/** A span packs its start and count of entries: start · SPAN + count (both ≤ MAX_CHUNK). */
const SPAN = 32_768;
const spanStart = (span: number) => (span / SPAN) | 0;
const spanEnd = (span: number) => spanStart(span) + (span % SPAN);

/** Writes a group of writers' constants, in order: a TerminalBlock's, as model code sees one. */
export interface WriteGroup {
  readonly writers: readonly number[];
}

/** Entry kinds (low bits of a code; the rest is the writer's or group's index). */
const CONSTANT = 0;
const GIVEN = 1;
const GROUP = 2;
const KIND_BITS = 2;
const KIND_MASK = 3;

/**
 * Held writes in write order, a code each: a writer's constant, a writer's value given at
 * the write (kept in `values` at the same position), or a group's constants.
 */
export class WriteChunk {
  readonly stores: HeldStores;
  readonly groups: readonly WriteGroup[];
  readonly codes: Int32Array;
  /** Given values, made when the chunk first holds one. */
  values: Value[] | null = null;
  constructor(stores: HeldStores, groups: readonly WriteGroup[], size: number) {
    this.stores = stores;
    this.groups = groups;
    this.codes = new Int32Array(size);
  }
}

/**
 * A session's held writes: the chunk being filled. A fact's held writes are one span of
 * one chunk; a write that cannot extend its fact's span (another fact wrote in between, or
 * the chunk filled) applies the fact's earlier writes first. Chunks are kept alive only by
 * the facts that point into them, so a long run does not keep the writes of facts it has
 * let go of.
 */
export class WriteBuffer {
  private readonly stores: HeldStores;
  private readonly groups: readonly WriteGroup[];
  private chunk: WriteChunk | null = null;
  private pos = 0;
  private size = 0;

  constructor(stores: HeldStores, groups: readonly WriteGroup[]) {
    this.stores = stores;
    this.groups = groups;
  }

  /** Holds back writer `w`'s write to the fact: its constant (value undefined), or `value`. */
  add(fact: Fact, w: number, value: Value | undefined): void {
    const c = this.room();
    const p = this.pos;
    if (value === undefined) c.codes[p] = (w << KIND_BITS) | CONSTANT;
    else {
      c.codes[p] = (w << KIND_BITS) | GIVEN;
      if (c.values === null) c.values = new Array<Value>(c.codes.length).fill(null);
      c.values[p] = value;
    }
    this.pos = p + 1;
    this.extend(fact, c, p);
  }

  /** Holds back the constant writes of group `g` to the fact, in order. */
  addGroup(fact: Fact, g: number): void {
    const c = this.room();
    const p = this.pos;
    c.codes[p] = (g << KIND_BITS) | GROUP;
    this.pos = p + 1;
    this.extend(fact, c, p);
  }

  /** The chunk to write the next entry to (a new one when the current one is full). */
  private room(): WriteChunk {
    const c = this.chunk;
    if (c !== null && this.pos < this.size) return c;
    this.size = this.size === 0 ? FIRST_CHUNK : Math.min(MAX_CHUNK, this.size * 2);
    this.pos = 0;
    return (this.chunk = new WriteChunk(this.stores, this.groups, this.size));
  }

  /** The fact's held writes now end with the entry at p: its span grows, or its earlier writes are applied. */
  private extend(fact: Fact, c: WriteChunk, p: number): void {
    const span = fact.heldSpan;
    if (fact.heldChunk === c && spanEnd(span) === p) fact.heldSpan = span + 1;
    else {
      fact.applyHeldWrites();
      fact.heldChunk = c;
      fact.heldSpan = p * SPAN + 1;
    }
  }
}

/** Applies the held writes of a span of a chunk to a field map, in write order (the last write of a field wins). */
export function applyWrites(c: WriteChunk, span: number, fields: FieldMap): void {
  const { codes, stores } = c;
  for (let i = spanStart(span), end = spanEnd(span); i < end; i++) {
    const code = codes[i]!;
    const index = code >> KIND_BITS;
    switch (code & KIND_MASK) {
      case CONSTANT:
        stores.write(index, fields, undefined);
        break;
      case GIVEN:
        stores.write(index, fields, c.values![i]!);
        break;
      default:
        for (const k of c.groups[index]!.writers) stores.write(k, fields, undefined);
    }
  }
}
