// Join nodes: a positive pattern after the first. The left side holds the matches of the
// earlier patterns, the right input is the pattern's alpha memory. With an Equal against a
// Ref the join is hashed: left matches are indexed by the Ref'd field of the earlier fact,
// the memory's facts by the pattern's own field, and each arrival on either side looks up
// only its bucket; the other Ref conditions are tested on the candidates the lookup
// returns. Without an Equal Ref every pair is tested (a cross product; explain says so).
//
// A join right after a start node keeps no left memory of its own: its left matches are
// the facts of the start node's alpha memory, read through that memory's index on the
// Ref'd field (or its plain set). Other joins index the tokens their parent passes on.

import type { FieldReader } from '../model/path.js';
import { valuesEqual, type Value } from '../model/value.js';
import { BetaNode, type BetaRun } from './beta-node.js';
import type { NodeSpec } from './beta-plan.js';
import { addTo, removeFrom, type Bucket } from './bucket.js';
import { passes, type JoinTest } from './join-predicates.js';
import { exactJoinKey, joinKey, type JoinKey } from './keys.js';
import type { AlphaMemory, FactIndex } from './memory.js';
import type { AlphaTest, Mismatches } from './predicates.js';
import { passesFilter } from './start-node.js';
import { Token, type PartialMatch } from './wme.js';
import type { Wme } from './wme.js';

/** The hash side of a join or not/exists node, set up from its spec. */
export class HashJoin {
  /** Pattern whose fact the Ref'd value is read from, and the reader. */
  readonly leftPattern: number;
  readonly leftRead: FieldReader;
  /** The right memory's index on the pattern's own field. */
  readonly index: FactIndex;
  constructor(leftPattern: number, leftRead: FieldReader, index: FactIndex) {
    this.leftPattern = leftPattern;
    this.leftRead = leftRead;
    this.index = index;
  }
  leftValue(t: PartialMatch): Value | undefined {
    return this.leftRead(t.factAt(this.leftPattern)!.fields);
  }
}

export class JoinNode extends BetaNode {
  readonly memory: AlphaMemory;
  readonly hash: HashJoin | null;
  readonly tests: readonly JoinTest[];
  /** A join after a start node: the start node's memory, whose facts are the left matches. */
  readonly sharedLeft: AlphaMemory | null;
  /** ... and its index on the Ref'd field (hashed joins). */
  readonly sharedIndex: FactIndex | null;
  /** ... and the start node's filter, which the facts read there must pass too. */
  private readonly leftFilter: readonly AlphaTest[];
  /** Own left memory, hashed: matches by the key of their Ref'd value (a missing value joins nothing). */
  private readonly left: Map<JoinKey, Bucket<Token>> | null;
  /** Own left memory, not hashed: every left match. */
  private readonly leftAll: Set<Token> | null;
  private leftCount = 0;
  private leftPeak = 0;

  constructor(spec: NodeSpec, run: BetaRun, memory: AlphaMemory, hash: HashJoin | null, sharedLeft: AlphaMemory | null) {
    super(spec, run);
    this.memory = memory;
    this.hash = hash;
    this.tests = spec.tests;
    this.sharedLeft = sharedLeft;
    const pos = spec.sharedLeftIndex;
    this.sharedIndex = sharedLeft !== null && pos !== null && pos >= 0 ? sharedLeft.indexes[pos]! : null;
    this.leftFilter = sharedLeft !== null ? spec.parent!.filter : [];
    this.left = sharedLeft === null && hash !== null ? new Map() : null;
    this.leftAll = sharedLeft === null && hash === null ? new Set() : null;
  }

  leftAdd(t: PartialMatch): void {
    const h = this.hash;
    const m = this.run.m;
    if (h !== null) {
      const lv = h.leftValue(t);
      const key = joinKey(lv);
      if (key === undefined) return;
      if (this.left !== null) {
        addTo(this.left, key, t as Token, this.run.link);
        if (++this.leftCount > this.leftPeak) this.leftPeak = this.leftCount;
      }
      const bucket = h.index.get(key);
      if (bucket === undefined) return;
      const read = h.index.read;
      const exact = exactJoinKey(key);
      const ws = bucket.entries();
      for (let i = 0; i < ws.length; i++) {
        const w = ws[i]!;
        if ((exact || valuesEqual(read(w.fields)!, lv!)) && passes(this.tests, t, w.fields, m)) this.join(t, w);
      }
      return;
    }
    if (this.leftAll !== null) {
      this.leftAll.add(t as Token);
      if (++this.leftCount > this.leftPeak) this.leftPeak = this.leftCount;
    }
    for (const w of this.memory.all!) if (passes(this.tests, t, w.fields, m)) this.join(t, w);
  }

  leftRemove(t: PartialMatch): void {
    if (this.left !== null) {
      const key = joinKey(this.hash!.leftValue(t));
      if (key !== undefined && removeFrom(this.left, key, t as Token)) this.leftCount--;
    } else if (this.leftAll?.delete(t as Token)) this.leftCount--;
  }

  rightAdd(w: Wme): void {
    const h = this.hash;
    const m = this.run.m;
    // A fact in both the shared left memory and the right memory: its pairing with itself
    // is made when it arrives on the left (the start node passes it on after this).
    if (h !== null) {
      const rv = h.index.read(w.fields);
      const key = joinKey(rv);
      if (key === undefined) return;
      const bucket = this.sharedIndex !== null ? this.sharedIndex.get(key) : this.left!.get(key);
      if (bucket === undefined) return;
      const self = this.selfOf(w);
      const exact = exactJoinKey(key);
      const ts = bucket.entries();
      for (let i = 0; i < ts.length; i++) {
        const t = ts[i]!;
        if (t !== self && (exact || valuesEqual(rv!, h.leftValue(t)!))) this.candidate(t, w, m);
      }
      return;
    }
    const self = this.selfOf(w);
    const all: Iterable<PartialMatch> = this.sharedLeft !== null ? this.sharedLeft.all! : this.leftAll!;
    for (const t of all) if (t !== self) this.candidate(t, w, m);
  }

  /**
   * A fact in both the shared left memory and the right memory: its pairing with itself is
   * made when it arrives on the left (the start node passes it on after this), not here.
   */
  selfOf(w: Wme): Wme | null {
    return this.sharedLeft === this.memory ? w : null;
  }

  /** A left match whose join key equals the right fact's: joined when the filter and tests hold. */
  candidate(t: PartialMatch, w: Wme, m: Mismatches): void {
    const filter = this.leftFilter;
    if ((filter.length === 0 || passesFilter(filter, (t as Wme).fields, m)) && passes(this.tests, t, w.fields, m)) this.join(t, w);
  }

  rightRemove(): void {
    // The tokens that bound the fact were removed with it (through its token list).
  }

  private join(t: PartialMatch, w: Wme): void {
    this.emit(new Token(t as Wme | Token, w, this, this.run.link));
  }

  override leftSize(): number {
    return this.leftCount;
  }
  override peakLeftSize(): number {
    return this.leftPeak;
  }
}
