// Join nodes: a positive pattern after the first. The left memory holds the tokens of the
// earlier patterns, the right input is the pattern's alpha memory. With an Equal against
// a Ref the join is hashed: left tokens are indexed by the Ref'd field of the earlier
// fact, the memory's facts by the pattern's own field (FactIndex), and each arrival on
// either side looks up only its bucket; the other Ref conditions are tested on the
// candidates the lookup returns. Without an Equal Ref every pair is tested (a cross
// product; explain says so).

import type { FieldReader } from '../model/path.js';
import { valuesEqual, type Value } from '../model/value.js';
import { BetaNode, type BetaSink } from './beta-node.js';
import { addTo, removeFrom, type Bucket } from './bucket.js';
import type { NodeSpec } from './beta.js';
import { joinKey, type JoinKey, type JoinTest } from './join-tests.js';
import type { AlphaMemory, FactIndex } from './memory.js';
import { fieldsAt, Token, type Wme } from './token.js';

/** The hash side of a join or not/exists node, set up from its spec. */
export class HashJoin {
  /** Reads the Ref'd value: `steps` patterns above the left token. */
  readonly leftSteps: number;
  readonly leftRead: FieldReader;
  /** The memory's index on the pattern's own field. */
  readonly index: FactIndex;
  constructor(leftSteps: number, leftRead: FieldReader, index: FactIndex) {
    this.leftSteps = leftSteps;
    this.leftRead = leftRead;
    this.index = index;
  }
  leftValue(t: Token): Value | undefined {
    return this.leftRead(fieldsAt(t, this.leftSteps));
  }
}

/** Whether every join test holds for a left token and a right fact. */
export function passes(tests: readonly JoinTest[], t: Token, w: Wme): boolean {
  for (let i = 0; i < tests.length; i++) if (!tests[i]!.test(t, w.fields)) return false;
  return true;
}

export class JoinNode extends BetaNode {
  readonly memory: AlphaMemory;
  readonly hash: HashJoin | null;
  readonly tests: readonly JoinTest[];
  /** Hashed: left tokens by the key of their Ref'd value (tokens whose value is missing are left out: they join nothing). */
  private readonly left: Map<JoinKey, Bucket<Token>>;
  /** Not hashed: every left token. */
  private readonly leftAll: Set<Token>;
  private leftCount = 0;
  private leftPeak = 0;

  constructor(spec: NodeSpec, sink: BetaSink, memory: AlphaMemory, hash: HashJoin | null) {
    super(spec, sink);
    this.memory = memory;
    this.hash = hash;
    this.tests = spec.tests;
    this.left = new Map();
    this.leftAll = new Set();
  }

  leftAdd(t: Token): void {
    const h = this.hash;
    if (h !== null) {
      const lv = h.leftValue(t);
      const key = joinKey(lv);
      if (key === undefined) return;
      addTo(this.left, key, t);
      if (++this.leftCount > this.leftPeak) this.leftPeak = this.leftCount;
      const bucket = h.index.buckets.get(key);
      if (bucket === undefined) return;
      const read = h.index.read;
      const ws = bucket.entries();
      for (let i = 0; i < ws.length; i++) {
        const w = ws[i]!;
        if (valuesEqual(read(w.fields)!, lv!) && passes(this.tests, t, w)) this.join(t, w);
      }
      return;
    }
    this.leftAll.add(t);
    if (++this.leftCount > this.leftPeak) this.leftPeak = this.leftCount;
    for (const w of this.memory.all!) if (passes(this.tests, t, w)) this.join(t, w);
  }

  leftRemove(t: Token): void {
    const h = this.hash;
    if (h !== null) {
      const key = joinKey(h.leftValue(t));
      if (key !== undefined && removeFrom(this.left, key, t)) this.leftCount--;
    } else if (this.leftAll.delete(t)) this.leftCount--;
  }

  rightAdd(w: Wme): void {
    const h = this.hash;
    if (h !== null) {
      const rv = h.index.read(w.fields);
      const key = joinKey(rv);
      if (key === undefined) return;
      const bucket = this.left.get(key);
      if (bucket === undefined) return;
      const ts = bucket.entries();
      for (let i = 0; i < ts.length; i++) {
        const t = ts[i]!;
        if (valuesEqual(rv!, h.leftValue(t)!) && passes(this.tests, t, w)) this.join(t, w);
      }
      return;
    }
    for (const t of this.leftAll) if (passes(this.tests, t, w)) this.join(t, w);
  }

  rightRemove(): void {
    // The tokens that bound the fact were removed with it (through its Wme's token list).
  }

  private join(t: Token, w: Wme): void {
    this.emit(new Token(t, w, this));
  }

  override leftSize(): number {
    return this.leftCount;
  }
  override peakLeftSize(): number {
    return this.leftPeak;
  }
}
