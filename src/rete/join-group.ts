// Join groups: joins right after start nodes that read one memory's facts as their left side
// through the same index, and take the same right memory through the same hashed field (a
// rule per variant over shared memories, as in bench join10). A fact arriving on the right
// looks its bucket up once and offers each candidate to every join of the group while the
// candidate is in cache, instead of each join walking the bucket again. Which joins match,
// and so the firings, are the same; only the order tokens are made in differs, which the
// agenda does not depend on.

import { valuesEqual } from '../model/value.js';
import type { NodeSpec } from './beta-plan.js';
import type { JoinNode } from './join-node.js';
import { exactJoinKey, joinKey, shareKey } from './keys.js';
import type { Mismatches } from './predicates.js';
import type { Wme } from './wme.js';

export class JoinGroup {
  readonly joins: readonly JoinNode[];
  private readonly m: Mismatches;
  constructor(joins: readonly JoinNode[], m: Mismatches) {
    this.joins = joins;
    this.m = m;
  }

  rightAdd(w: Wme): void {
    const joins = this.joins;
    const first = joins[0]!;
    const h = first.hash!;
    const rv = h.index.read(w.fields);
    const key = joinKey(rv);
    if (key === undefined) return;
    const bucket = first.sharedIndex!.get(key);
    if (bucket === undefined) return;
    const self = first.selfOf(w);
    const exact = exactJoinKey(key);
    const m = this.m;
    const ts = bucket.entries();
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      if (t === self || !(exact || valuesEqual(rv!, h.leftValue(t)!))) continue;
      for (let j = 0; j < joins.length; j++) joins[j]!.candidate(t, w, m);
    }
  }

  rightRemove(): void {
    // As for a join: the tokens that bound the fact were removed with it.
  }
}

/**
 * The key that puts joins in one group: the same left memory read through the same index,
 * the same right memory through the same hashed field (null: not groupable). Read from the
 * node's spec, so the session's grouping and `explain` agree.
 */
export function groupKey(s: NodeSpec): string | null {
  if (s.kind !== 'join' || s.hash === null || s.sharedLeftIndex === null || s.sharedLeftIndex < 0) return null;
  return shareKey(s.parent!.memory.id, s.sharedLeftIndex, s.memory.id, s.hash.indexPos);
}
