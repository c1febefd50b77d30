// Alpha memories: the facts that pass one pattern's constant conditions (its alpha tests),
// held for the nodes that read them. A memory keeps one hash index per field that some
// node hashes on (shared by all of them): the right input of joins and not/exists nodes,
// and the left input of joins on a rule's first pattern, whose left memory is this memory
// itself (no copy, no token per fact). It keeps the plain set of its facts only when some
// node must scan it (a join without an Equal Ref).

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
  readonly buckets = new Map<JoinKey, Bucket<Wme>>();
  constructor(path: string) {
    this.path = path;
    this.read = compilePath(path);
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
  /** Whether facts can leave (their buckets must support removal). */
  private readonly removable: boolean;
  size = 0;
  peak = 0;
  constructor(spec: MemorySpec, removable: boolean) {
    this.spec = spec;
    this.all = spec.scanned ? new Set() : null;
    this.indexes = spec.indexPaths.map((p) => new FactIndex(p));
    this.removable = removable;
  }

  add(w: Wme): void {
    if (this.all !== null) this.all.add(w);
    const ixs = this.indexes;
    for (let i = 0; i < ixs.length; i++) {
      const ix = ixs[i]!;
      const key = joinKey(ix.read(w.fields));
      if (key !== undefined) addTo(ix.buckets, key, w, this.removable);
    }
    if (++this.size > this.peak) this.peak = this.size;
    const id = this.spec.id;
    if (w.memory < 0) w.memory = id;
    else if (w.more === null) w.more = [id];
    else w.more.push(id);
  }

  remove(w: Wme): void {
    if (this.all !== null) this.all.delete(w);
    const ixs = this.indexes;
    for (let i = 0; i < ixs.length; i++) {
      const ix = ixs[i]!;
      const key = joinKey(ix.read(w.fields));
      if (key !== undefined) removeFrom(ix.buckets, key, w);
    }
    this.size--;
  }
}
