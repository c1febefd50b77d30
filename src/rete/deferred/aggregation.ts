// Aggregation conditions: an aggregate over the facts of the candidate's group (facts
// whose group_by values are Equal), over the whole group or a window of it (Sliding or
// Tumbling by arrival, Session or Time by timestamp). Semantics: deferred/index.ts.

import type { Fact } from '../../model/fact.js';
import { compilePath, rootField } from '../../model/path.js';
import type { AggregationCondition } from '../../model/types.js';
import type { Value } from '../../model/value.js';
import { makeAggregator, type Aggregator, type AggregatorSpec } from '../aggregators.js';
import { compileCondition, type Slots } from '../predicates.js';
import { Deferred, find, GroupIndex, Ring, SessionList, storedIn, type DeferredPlan, type DeferredRun, type Parts } from './shared.js';

export function compileAggregation(c: AggregationCondition, slots: Slots): DeferredPlan {
  const w = c.window;
  const spec: AggregatorSpec = {
    kind: c.fn,
    percentile: c.percentile,
    timeUnitMs: null,
    spanMs: null,
    byTime: false,
    removable: w !== null && (w.kind === 'Sliding' || w.kind === 'Time'),
  };
  const having = c.having === null ? null : compileCondition(c.having, slots);
  const fn = c.fn === 'Percentile' ? `Percentile(${c.sourceField}, ${c.percentile})` : `${c.fn}(${c.sourceField})`;
  const by = c.groupBy.length > 0 ? ` by [${c.groupBy.join(', ')}]` : '';
  const over =
    w === null
      ? ''
      : w.kind === 'Sliding'
        ? ` over Sliding(${w.size} facts)`
        : w.kind === 'Tumbling'
          ? ` over Tumbling(${w.size} facts)`
          : w.kind === 'Session'
            ? ` over Session(timeout ${w.timeoutMs}ms)`
            : ` over Time(${w.durationMs}ms)`;
  const label = `${fn}${by}${over} as ${c.alias}${having ? `, having ${having.label}` : ''}`;
  const reads = [rootField(c.sourceField), ...c.groupBy.map(rootField)];
  if (w !== null && (w.kind === 'Session' || w.kind === 'Time')) reads.push('timestamp');
  const parts: Parts = { label, spec, having, alias: c.alias, read: compilePath(c.sourceField) };
  const groupBy = c.groupBy;
  const make = (run: DeferredRun): Deferred => {
    const groups = new GroupIndex(groupBy);
    if (w === null) return new WholeGroup(parts, run, groups);
    switch (w.kind) {
      case 'Sliding':
        return new GroupSliding(parts, run, groups, w.size);
      case 'Tumbling':
        return new GroupTumbling(parts, run, groups, w.size);
      case 'Session':
        return new GroupSessions(parts, run, groups, w.timeoutMs);
      case 'Time':
        return new GroupTime(parts, run, groups, w.durationMs);
    }
  };
  return { kind: 'aggregation', label, reads: [...new Set(reads)], instantiate: make };
}

/** No window: one aggregate per group; token = group id. */
class WholeGroup extends Deferred {
  private readonly groups: GroupIndex;
  private readonly aggs: Aggregator[] = [];
  private outcomes: boolean[] = [];
  constructor(parts: Parts, run: DeferredRun, groups: GroupIndex) {
    super(parts, run);
    this.groups = groups;
  }
  protected take(fact: Fact): number {
    const g = this.groups.id(fact.fields);
    let agg = this.aggs[g];
    if (agg === undefined) {
      agg = makeAggregator(this.spec);
      this.aggs.push(agg);
    }
    this.add(agg, this.read(fact.fields), 0);
    return g;
  }
  protected seal(): void {
    this.outcomes = this.aggs.map((a) => this.verdict.decide(a));
  }
  protected decide(_fact: Fact, g: number): boolean {
    return this.outcomes[g] === true;
  }
  memory(): { groups: number; values: number } {
    return { groups: this.aggs.length, values: storedIn(this.aggs) };
  }
}

class RingState {
  readonly ring: Ring;
  readonly agg: Aggregator;
  constructor(size: number, agg: Aggregator) {
    this.ring = new Ring(size);
    this.agg = agg;
  }
}

/** Sliding {size N}: decided as each fact arrives; token 1 = holds, -1 = does not. */
class GroupSliding extends Deferred {
  private readonly groups: GroupIndex;
  private readonly size: number;
  private readonly states: RingState[] = [];
  constructor(parts: Parts, run: DeferredRun, groups: GroupIndex, size: number) {
    super(parts, run);
    this.groups = groups;
    this.size = size;
  }
  protected take(fact: Fact): number {
    const g = this.groups.id(fact.fields);
    let st = this.states[g];
    if (st === undefined) {
      st = new RingState(this.size, makeAggregator(this.spec));
      this.states.push(st);
    }
    const { ring, agg } = st;
    if (ring.len === ring.cap) {
      ring.shift();
      agg.remove(ring.outValue, 0);
    }
    const v = this.read(fact.fields);
    ring.push(v, 0);
    this.add(agg, v, 0);
    return this.verdict.decide(agg) ? 1 : -1;
  }
  protected seal(): void {}
  protected decide(): boolean {
    return true; // only reached with token 1
  }
  memory(): { groups: number; values: number } {
    let values = 0;
    for (const s of this.states) values += s.ring.len + s.agg.stored();
    return { groups: this.states.length, values };
  }
}

class BlockState {
  agg: Aggregator;
  filled = 0;
  /** Global id of the open block, -1 when none is open. */
  block = -1;
  constructor(agg: Aggregator) {
    this.agg = agg;
  }
}

/** Tumbling {size N}: blocks of N group facts by arrival; token = global block id. */
class GroupTumbling extends Deferred {
  private readonly groups: GroupIndex;
  private readonly size: number;
  private readonly states: BlockState[] = [];
  private readonly outcomes: boolean[] = [];
  constructor(parts: Parts, run: DeferredRun, groups: GroupIndex, size: number) {
    super(parts, run);
    this.groups = groups;
    this.size = size;
  }
  protected take(fact: Fact): number {
    const g = this.groups.id(fact.fields);
    let st = this.states[g];
    if (st === undefined) {
      st = new BlockState(makeAggregator(this.spec));
      this.states.push(st);
    }
    if (st.block < 0) {
      st.block = this.outcomes.length;
      this.outcomes.push(false);
    }
    const block = st.block;
    this.add(st.agg, this.read(fact.fields), 0);
    if (++st.filled === this.size) {
      this.outcomes[block] = this.verdict.decide(st.agg);
      st.block = -1;
      st.filled = 0;
      st.agg = makeAggregator(this.spec);
    }
    return block;
  }
  protected seal(): void {
    for (const st of this.states) if (st.block >= 0) this.outcomes[st.block] = this.verdict.decide(st.agg);
  }
  protected decide(_fact: Fact, block: number): boolean {
    return this.outcomes[block] === true;
  }
  memory(): { groups: number; values: number } {
    return { groups: this.states.length, values: storedIn(this.states.map((s) => s.agg)) };
  }
}

/** Session {timeout_ms}: per-group sessions; token = session id (merged sessions union-found). */
class GroupSessions extends Deferred {
  private readonly groups: GroupIndex;
  private readonly gap: number;
  private readonly lists: SessionList[] = [];
  private readonly parents: number[] = [];
  private outcomes: boolean[] = [];
  constructor(parts: Parts, run: DeferredRun, groups: GroupIndex, gap: number) {
    super(parts, run);
    this.groups = groups;
    this.gap = gap;
  }
  protected take(fact: Fact): number {
    const g = this.groups.id(fact.fields);
    let list = this.lists[g];
    if (list === undefined) {
      list = new SessionList();
      this.lists.push(list);
    }
    const ts = this.clock.ms(fact);
    const s = list.insert(ts, this.gap, this.spec, this.parents);
    this.add(s.agg, this.read(fact.fields), ts);
    return s.id;
  }
  protected seal(): void {
    this.outcomes = new Array<boolean>(this.parents.length).fill(false);
    for (const list of this.lists) for (const s of list.sessions) this.outcomes[s.id] = this.verdict.decide(s.agg);
  }
  protected decide(_fact: Fact, id: number): boolean {
    return this.outcomes[find(this.parents, id)] === true;
  }
  memory(): { groups: number; values: number } {
    let groups = 0;
    let values = 0;
    for (const list of this.lists) {
      groups += list.sessions.length;
      for (const s of list.sessions) values += s.agg.stored();
    }
    return { groups, values };
  }
}

class TimeEntries {
  readonly ts: number[] = [];
  readonly vals: (Value | undefined)[] = [];
  readonly ids: number[] = [];
}

/** Time {duration_ms D}: (t − D, t] around each fact, swept per group at seal; token = fact ordinal. */
class GroupTime extends Deferred {
  private readonly groups: GroupIndex;
  private readonly duration: number;
  private readonly entries: TimeEntries[] = [];
  private observed = 0;
  private outcomes: Uint8Array = new Uint8Array(0);
  constructor(parts: Parts, run: DeferredRun, groups: GroupIndex, duration: number) {
    super(parts, run);
    this.groups = groups;
    this.duration = duration;
  }
  protected take(fact: Fact): number {
    const g = this.groups.id(fact.fields);
    let e = this.entries[g];
    if (e === undefined) {
      e = new TimeEntries();
      this.entries.push(e);
    }
    const id = this.observed++;
    e.ts.push(this.clock.ms(fact));
    e.vals.push(this.read(fact.fields));
    e.ids.push(id);
    return id;
  }
  protected seal(): void {
    this.outcomes = new Uint8Array(this.observed);
    for (const e of this.entries) this.sweep(e);
  }
  /** Ascending timestamps: add up to t, drop at or before t − D, decide the facts at t. */
  private sweep(e: TimeEntries): void {
    const ts = e.ts;
    const n = ts.length;
    const order: number[] = new Array<number>(n);
    let sorted = true;
    for (let i = 0; i < n; i++) {
      order[i] = i;
      if (i > 0 && ts[i]! < ts[i - 1]!) sorted = false;
    }
    if (!sorted) order.sort((a, b) => ts[a]! - ts[b]! || a - b);
    const agg = makeAggregator(this.spec);
    let lo = 0;
    let hi = 0;
    let i = 0;
    while (i < n) {
      const t = ts[order[i]!]!;
      while (hi < n && ts[order[hi]!]! <= t) {
        const k = order[hi++]!;
        this.add(agg, e.vals[k], ts[k]!);
      }
      while (ts[order[lo]!]! <= t - this.duration) {
        const k = order[lo++]!;
        agg.remove(e.vals[k], ts[k]!);
      }
      const ok = this.verdict.decide(agg) ? 1 : 0;
      for (; i < hi; i++) this.outcomes[e.ids[order[i]!]!] = ok;
    }
  }
  protected decide(_fact: Fact, id: number): boolean {
    return this.outcomes[id] === 1;
  }
  memory(): { groups: number; values: number } {
    let values = 0;
    for (const e of this.entries) values += e.ts.length;
    return { groups: this.entries.length, values };
  }
}
