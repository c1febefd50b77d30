// Alpha memories: the facts that pass one pattern's constant conditions (its alpha tests),
// held for the nodes that read them. A memory keeps one hash index per field that some
// node hashes on (shared by all of them): the right input of joins and not/exists nodes,
// and the left input of joins on a rule's first pattern, whose left memory is this memory
// itself (no copy, no token per fact). It keeps the plain set of its facts only when some
// node must scan it (a join without an Equal Ref).
//
// Where facts never leave, an index is built at the first lookup that finds the memory
// non-empty, and kept up to date from then on; until then the memory keeps its facts in a
// plain array. Input that lists reference facts first (departments, then the employees that
// join them) thus never indexes the later ones: nothing looks them up. Bench join 100K:
// 18K index inserts a run became 5K.

import { compilePath, type FieldReader } from '../model/path.js';
import type { BetaNode } from './beta-node.js';
import type { MemorySpec } from './beta-plan.js';
import { addTo, removeFrom, type Bucket } from './bucket.js';
import { joinKey, type JoinKey } from './keys.js';
import type { Wme } from './wme.js';

/** A node's right input, or a group of joins taking one bucket lookup (join-group.ts). */
export interface RightInput {
  rightAdd(w: Wme): void;
}

/** The facts of a memory by the join key of one of their fields. */
export class FactIndex {
  readonly path: string;
  readonly read: FieldReader;
  /** Null until a lookup needs it (memories whose facts never leave; see above). */
  buckets: Map<JoinKey, Bucket<Wme>> | null;
  private readonly memory: AlphaMemory;
  constructor(path: string, memory: AlphaMemory, eager: boolean) {
    this.path = path;
    this.read = compilePath(path);
    this.memory = memory;
    this.buckets = eager ? new Map() : null;
  }

  /** The facts whose join key is `key`. */
  get(key: JoinKey): Bucket<Wme> | undefined {
    const b = this.buckets;
    if (b !== null) return b.get(key);
    return this.memory.size === 0 ? undefined : this.memory.build(this).get(key);
  }
}

export class AlphaMemory {
  readonly spec: MemorySpec;
  /** Every fact held, in arrival order; null when no node scans the memory. */
  readonly all: Set<Wme> | null;
  readonly indexes: FactIndex[];
  /**
   * What a fact arriving here is shown to: start nodes, and nodes (or groups of joins) whose
   * right input this is, deepest first (see BetaNetwork.insert).
   */
  readonly successors: RightInput[] = [];
  /** Successors told when a fact leaves (not/exists nodes recount; start nodes count what they pass on). */
  readonly onLeave: BetaNode[] = [];
  /** Whether facts can leave (their buckets must support removal; indexes are then built from the start). */
  private readonly removable: boolean;
  /** Every fact held, in arrival order, while some index is not built yet (else null). */
  private unindexed: Wme[] | null;
  private unbuilt: number;
  size = 0;
  peak = 0;
  constructor(spec: MemorySpec, removable: boolean) {
    this.spec = spec;
    this.all = spec.scanned ? new Set() : null;
    this.indexes = spec.indexPaths.map((p) => new FactIndex(p, this, removable));
    this.removable = removable;
    this.unbuilt = removable ? 0 : this.indexes.length;
    this.unindexed = this.unbuilt > 0 ? [] : null;
  }

  add(w: Wme): void {
    if (this.all !== null) this.all.add(w);
    if (this.unindexed !== null) this.unindexed.push(w);
    const ixs = this.indexes;
    for (let i = 0; i < ixs.length; i++) {
      const ix = ixs[i]!;
      const buckets = ix.buckets;
      if (buckets === null) continue;
      const key = joinKey(ix.read(w.fields));
      if (key !== undefined) addTo(buckets, key, w, this.removable);
    }
    if (++this.size > this.peak) this.peak = this.size;
    const id = this.spec.id;
    if (w.memory < 0) w.memory = id;
    else if (w.more === null) w.more = [id];
    else w.more.push(id);
  }

  /** Builds an index from the facts held so far (memories whose facts never leave). */
  build(ix: FactIndex): Map<JoinKey, Bucket<Wme>> {
    const buckets = new Map<JoinKey, Bucket<Wme>>();
    const facts = this.unindexed!;
    for (let i = 0; i < facts.length; i++) {
      const w = facts[i]!;
      const key = joinKey(ix.read(w.fields));
      if (key !== undefined) addTo(buckets, key, w, false);
    }
    ix.buckets = buckets;
    if (--this.unbuilt === 0) this.unindexed = null;
    return buckets;
  }

  remove(w: Wme): void {
    if (this.all !== null) this.all.delete(w);
    const ixs = this.indexes;
    for (let i = 0; i < ixs.length; i++) {
      const ix = ixs[i]!;
      const key = joinKey(ix.read(w.fields));
      if (key !== undefined) removeFrom(ix.buckets!, key, w);
    }
    this.size--;
  }
}
