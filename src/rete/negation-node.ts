// Not and exists nodes: a pattern with "not": true or "exists": true. For each match of
// the earlier patterns the node makes one token of its own (binding no fact) and counts
// the facts of its alpha memory that match it, Refs bound; the count is kept up to date
// as facts arrive and leave, through the same hash index as a join (Equal against a Ref)
// or by testing every fact (no Equal Ref).
//
// - exists: the token is passed on while the count is above 0 (one token however many
//   facts match: exists does not multiply matches).
// - not: the token is passed on while the count is 0, but only once the node is open.
//   Not-patterns are decided on all of the input: the session opens every not node at end
//   of input; until then their counts are kept but nothing is passed on. After that they
//   follow working memory like every other node.

import { valuesEqual } from '../model/value.js';
import { BetaNode, withdraw, type BetaRun } from './beta-node.js';
import type { NodeSpec } from './beta-plan.js';
import { addTo, removeFrom, type Bucket } from './bucket.js';
import { passes, type JoinTest } from './join-predicates.js';
import type { HashJoin } from './join-node.js';
import { exactJoinKey, joinKey, type JoinKey } from './keys.js';
import type { AlphaMemory } from './memory.js';
import { Token, type PartialMatch } from './wme.js';
import type { Wme } from './wme.js';

export class NegationNode extends BetaNode {
  readonly memory: AlphaMemory;
  readonly hash: HashJoin | null;
  readonly tests: readonly JoinTest[];
  readonly exists: boolean;
  /** Whether tokens may be passed on (exists nodes: always; not nodes: from end of input). */
  open: boolean;
  /** Hashed: this node's tokens by the key of the Ref'd value of their parent. */
  private readonly left = new Map<JoinKey, Bucket<Token>>();
  /** Tokens no fact can match through the hash (Ref'd value missing), or all tokens when not hashed. */
  private readonly unkeyed = new Set<Token>();
  private leftCount = 0;
  private leftPeak = 0;

  constructor(spec: NodeSpec, run: BetaRun, memory: AlphaMemory, hash: HashJoin | null) {
    super(spec, run);
    this.memory = memory;
    this.hash = hash;
    this.tests = spec.tests;
    this.exists = spec.kind === 'exists';
    this.open = this.exists;
  }

  leftAdd(parent: PartialMatch): void {
    const o = new Token(parent as Wme | Token, null, this, true);
    const h = this.hash;
    const m = this.run.m;
    let count = 0;
    if (h !== null) {
      const lv = h.leftValue(parent);
      const key = joinKey(lv);
      if (key === undefined) this.unkeyed.add(o);
      else {
        addTo(this.left, key, o, true);
        const bucket = h.index.get(key);
        if (bucket !== undefined) {
          const read = h.index.read;
          const exact = exactJoinKey(key);
          const ws = bucket.entries();
          for (let i = 0; i < ws.length; i++) {
            const w = ws[i]!;
            if ((exact || valuesEqual(read(w.fields)!, lv!)) && passes(this.tests, parent, w.fields, m)) count++;
          }
        }
      }
    } else {
      this.unkeyed.add(o);
      for (const w of this.memory.all!) if (passes(this.tests, parent, w.fields, m)) count++;
    }
    o.count = count;
    if (++this.leftCount > this.leftPeak) this.leftPeak = this.leftCount;
    if (this.exists ? count > 0 : this.open && count === 0) this.emit(o);
  }

  leftRemove(): void {
    // This node's token for the parent is the parent's child: removed with it.
  }

  override ownedRemoved(o: Token): void {
    const h = this.hash;
    if (h !== null) {
      const key = joinKey(h.leftValue(o.parent));
      if (key !== undefined && removeFrom(this.left, key, o)) {
        this.leftCount--;
        return;
      }
    }
    if (this.unkeyed.delete(o)) this.leftCount--;
  }

  rightAdd(w: Wme): void {
    this.rightChange(w, true);
  }

  rightRemove(w: Wme): void {
    this.rightChange(w, false);
  }

  /** A fact entered (or left) the memory: recount the tokens it matches. */
  private rightChange(w: Wme, added: boolean): void {
    const h = this.hash;
    const m = this.run.m;
    if (h !== null) {
      const rv = h.index.read(w.fields);
      const key = joinKey(rv);
      if (key === undefined) return;
      const bucket = this.left.get(key);
      if (bucket === undefined) return;
      const exact = exactJoinKey(key);
      const os = bucket.entries();
      for (let i = 0; i < os.length; i++) {
        const o = os[i]!;
        const parent = o.parent;
        if ((exact || valuesEqual(rv!, h.leftValue(parent)!)) && passes(this.tests, parent, w.fields, m)) {
          if (added) this.increment(o);
          else this.decrement(o);
        }
      }
      return;
    }
    for (const o of this.unkeyed) {
      if (!passes(this.tests, o.parent, w.fields, m)) continue;
      if (added) this.increment(o);
      else this.decrement(o);
    }
  }

  /** Opens a not node (end of input): passes on every token no fact matches. */
  openNow(): void {
    if (this.open) return;
    this.open = true;
    for (const bucket of this.left.values()) {
      const os = bucket.entries();
      for (let i = 0; i < os.length; i++) if (os[i]!.count === 0 && !os[i]!.active) this.emit(os[i]!);
    }
    for (const o of this.unkeyed) if (o.count === 0) this.emit(o);
  }

  private increment(o: Token): void {
    if (++o.count !== 1) return;
    if (this.exists) this.emit(o);
    else if (o.active) withdraw(o);
  }

  private decrement(o: Token): void {
    if (--o.count !== 0) return;
    if (this.exists) {
      if (o.active) withdraw(o);
    } else if (this.open) this.emit(o);
  }

  override leftSize(): number {
    return this.leftCount;
  }
  override peakLeftSize(): number {
    return this.leftPeak;
  }
}
