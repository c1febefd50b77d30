// Stream conditions: windows over fact timestamps (Tumbling, Sliding, Session) or input
// order (CountTumbling, CountSliding) among the facts passing `filter`, with an aggregate
// per window tested by `having`. Semantics: deferred/index.ts.

import type { Fact } from '../../model/fact.js';
import { compilePath, rootField } from '../../model/path.js';
import type { StreamCondition } from '../../model/types.js';
import { makeAggregator, type Aggregator, type AggregatorSpec } from '../aggregators.js';
import { compileCondition, type AlphaTest, type Slots } from '../predicates.js';
import { Deferred, EVERY_FACT, Ring, SessionList, storedIn, TOKEN_OFFSET, type DeferredPlan, type DeferredRun, type Parts } from './shared.js';

export function compileStream(c: StreamCondition, slots: Slots): DeferredPlan {
  const w = c.window;
  const a = c.aggregation;
  const timeWindow = w.kind === 'Tumbling' || w.kind === 'Sliding' || w.kind === 'Session';
  const spec: AggregatorSpec = {
    kind: a.kind,
    percentile: null,
    timeUnitMs: a.kind === 'Rate' ? a.timeUnitMs : null,
    spanMs: w.kind === 'Tumbling' ? w.durationMs : w.kind === 'Sliding' ? w.sizeMs : null,
    byTime: timeWindow,
    removable: w.kind === 'CountSliding' && w.advance < w.size,
  };
  const filter = c.filter === null ? null : compileCondition(c.filter, slots);
  const having = c.having === null ? null : compileCondition(c.having, slots);
  const field = a.kind === 'Count' || a.kind === 'Rate' ? null : a.field;
  const agg = field !== null ? `${a.kind}(${field})` : a.kind === 'Rate' ? `Rate(per ${a.timeUnitMs}ms)` : 'Count';
  const over =
    w.kind === 'Tumbling'
      ? `Tumbling(${w.durationMs}ms)`
      : w.kind === 'Sliding'
        ? `Sliding(${w.sizeMs}ms every ${w.advanceMs}ms)`
        : w.kind === 'Session'
          ? `Session(gap ${w.gapTimeoutMs}ms)`
          : w.kind === 'CountTumbling'
            ? `CountTumbling(${w.count})`
            : `CountSliding(${w.size} every ${w.advance})`;
  const label = `${agg} over ${over}${filter ? ` where ${filter.label}` : ''} as ${c.alias}${having ? `, having ${having.label}` : ''}`;
  const reads: string[] = [];
  if (field !== null) reads.push(rootField(field));
  if (filter) reads.push(...filter.reads);
  if (timeWindow || a.kind === 'Rate') reads.push('timestamp');
  const read = field === null ? EVERY_FACT : compilePath(field);
  const parts: Parts = { label, spec, having, alias: c.alias, read };
  const make = (run: DeferredRun): Deferred => {
    switch (w.kind) {
      case 'Tumbling':
        return new TimeWindows(parts, run, filter, w.durationMs, w.durationMs);
      case 'Sliding':
        return new TimeWindows(parts, run, filter, w.sizeMs, w.advanceMs);
      case 'Session':
        return new StreamSessions(parts, run, filter, w.gapTimeoutMs);
      case 'CountTumbling':
        return new CountWindows(parts, run, filter, w.count, w.count, a.kind === 'Rate');
      case 'CountSliding':
        return new CountWindows(parts, run, filter, w.size, w.advance, a.kind === 'Rate');
    }
  };
  return { kind: 'stream', label, reads: [...new Set(reads)], instantiate: make };
}

class TimeWindow {
  readonly agg: Aggregator;
  outcome = false;
  constructor(agg: Aggregator) {
    this.agg = agg;
  }
}

/** Epoch-aligned windows [kA, kA + S) keyed by k (Tumbling: S = A); token = timestamp + offset. */
class TimeWindows extends Deferred {
  private readonly filter: AlphaTest | null;
  private readonly size: number;
  private readonly advance: number;
  private readonly windows = new Map<number, TimeWindow>();
  private emptyOutcome = false;
  constructor(parts: Parts, run: DeferredRun, filter: AlphaTest | null, size: number, advance: number) {
    super(parts, run);
    this.filter = filter;
    this.size = size;
    this.advance = advance;
  }
  protected take(fact: Fact): number {
    const ts = this.clock.ms(fact);
    if (this.filter === null || this.filter.test(fact.fields, this.m)) {
      const v = this.read(fact.fields);
      const last = Math.floor(ts / this.advance);
      for (let k = Math.floor((ts - this.size) / this.advance) + 1; k <= last; k++) {
        let w = this.windows.get(k);
        if (w === undefined) {
          w = new TimeWindow(makeAggregator(this.spec));
          this.windows.set(k, w);
        }
        if (k === last) this.add(w.agg, v, ts);
        else w.agg.add(v, ts);
      }
    }
    return ts + TOKEN_OFFSET;
  }
  protected seal(): void {
    this.emptyOutcome = this.verdict.decide(makeAggregator(this.spec));
    for (const w of this.windows.values()) w.outcome = this.verdict.decide(w.agg);
  }
  protected decide(_fact: Fact, token: number): boolean {
    const ts = token - TOKEN_OFFSET;
    const last = Math.floor(ts / this.advance);
    for (let k = Math.floor((ts - this.size) / this.advance) + 1; k <= last; k++) {
      const w = this.windows.get(k);
      if (w === undefined ? this.emptyOutcome : w.outcome) return true;
    }
    return false;
  }
  memory(): { groups: number; values: number } {
    let values = 0;
    for (const w of this.windows.values()) values += w.agg.stored();
    return { groups: this.windows.size, values };
  }
}

/** Sessions over the filtered facts; token = timestamp + offset. */
class StreamSessions extends Deferred {
  private readonly filter: AlphaTest | null;
  private readonly gap: number;
  private readonly list = new SessionList();
  private readonly parents: number[] = [];
  constructor(parts: Parts, run: DeferredRun, filter: AlphaTest | null, gap: number) {
    super(parts, run);
    this.filter = filter;
    this.gap = gap;
  }
  protected take(fact: Fact): number {
    const ts = this.clock.ms(fact);
    if (this.filter === null || this.filter.test(fact.fields, this.m)) {
      const s = this.list.insert(ts, this.gap, this.spec, this.parents);
      this.add(s.agg, this.read(fact.fields), ts);
    }
    return ts + TOKEN_OFFSET;
  }
  protected seal(): void {
    for (const s of this.list.sessions) s.outcome = this.verdict.decide(s.agg);
  }
  protected decide(_fact: Fact, token: number): boolean {
    return this.list.containing(token - TOKEN_OFFSET)?.outcome === true;
  }
  memory(): { groups: number; values: number } {
    return { groups: this.list.sessions.length, values: storedIn(this.list.sessions.map((s) => s.agg)) };
  }
}

/** Windows of positions [kA, kA + S) among filtered facts; token = position, -1 if filtered out. */
class CountWindows extends Deferred {
  private readonly filter: AlphaTest | null;
  private readonly size: number;
  private readonly advance: number;
  private readonly needsTime: boolean;
  /** Sliding only: the values of the positions in `agg`, oldest first. */
  private readonly ring: Ring | null;
  private agg: Aggregator;
  /** Positions given out so far. */
  private n = 0;
  /** Outcome of window k, for the windows decided so far (k = outcomes.length is open). */
  private readonly outcomes: boolean[] = [];
  constructor(parts: Parts, run: DeferredRun, filter: AlphaTest | null, size: number, advance: number, needsTime: boolean) {
    super(parts, run);
    this.filter = filter;
    this.size = size;
    this.advance = advance;
    this.needsTime = needsTime;
    this.ring = advance < size ? new Ring(size) : null;
    this.agg = makeAggregator(parts.spec);
  }
  protected take(fact: Fact): number {
    if (this.filter !== null && !this.filter.test(fact.fields, this.m)) return -1;
    const pos = this.n++;
    const v = this.read(fact.fields);
    const ts = this.needsTime ? this.clock.ms(fact) : 0;
    this.ring?.push(v, ts);
    this.add(this.agg, v, ts);
    if (pos === this.outcomes.length * this.advance + this.size - 1) this.closeWindow();
    return pos;
  }
  /** Decides the open window and moves on to the next one, `advance` positions later. */
  private closeWindow(): void {
    this.outcomes.push(this.verdict.decide(this.agg));
    const ring = this.ring;
    if (ring === null) {
      this.agg = makeAggregator(this.spec);
      return;
    }
    for (let i = 0; i < this.advance && ring.len > 0; i++) {
      ring.shift();
      this.agg.remove(ring.outValue, ring.outTs);
    }
  }
  protected seal(): void {
    // Windows that start before the end of input but were not filled count as they are.
    while (this.outcomes.length * this.advance < this.n) this.closeWindow();
  }
  protected decide(_fact: Fact, pos: number): boolean {
    const first = Math.max(0, Math.floor((pos - this.size) / this.advance) + 1);
    const last = Math.floor(pos / this.advance);
    for (let k = first; k <= last; k++) if (this.outcomes[k] === true) return true;
    return false;
  }
  memory(): { groups: number; values: number } {
    return { groups: this.outcomes.length + 1, values: (this.ring?.len ?? 0) + this.agg.stored() };
  }
}
