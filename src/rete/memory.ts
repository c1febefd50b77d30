// Alpha memories: the facts that pass one pattern's constant conditions (its alpha tests),
// held for the joins that read them as their right input. A memory keeps one hash index
// per field that some join or not/exists node hashes on (shared by all of them), and the
// plain set of its facts only when some node must scan it (a join without an Equal Ref).

import { compilePath, type FieldReader } from '../model/path.js';
import type { BetaNode } from './beta-node.js';
import type { MemorySpec } from './beta.js';
import { addTo, removeFrom, type Bucket } from './bucket.js';
import { joinKey, type JoinKey } from './join-tests.js';
import type { Wme } from './token.js';

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
  /** Nodes whose right input this is, deepest first (see BetaNetwork.insert). */
  readonly successors: BetaNode[] = [];
  /** Successors that react to a fact leaving (not/exists nodes). */
  readonly negations: BetaNode[] = [];
  size = 0;
  peak = 0;
  constructor(spec: MemorySpec) {
    this.spec = spec;
    this.all = spec.scanned ? new Set() : null;
    this.indexes = spec.indexPaths.map((p) => new FactIndex(p));
  }

  add(w: Wme): void {
    if (this.all !== null) this.all.add(w);
    const ixs = this.indexes;
    for (let i = 0; i < ixs.length; i++) {
      const ix = ixs[i]!;
      const key = joinKey(ix.read(w.fields));
      if (key !== undefined) addTo(ix.buckets, key, w);
    }
    if (++this.size > this.peak) this.peak = this.size;
    if (w.memory === null) w.memory = this;
    else if (w.more === null) w.more = [this];
    else w.more.push(this);
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
