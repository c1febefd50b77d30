// End-of-input conditions: Aggregation and Stream conditions (formats.md §3) compiled into
// objects that observe every fact once, in insertion order, and then say for each
// candidate fact whether the condition holds. The session decides them at end of input.
//
// Semantics (the README repeats them):
//
// Aggregation conditions
// - Groups: facts whose group_by values are Equal (Integer 5 = Float 5.0; a date and a
//   string holding the same instant are different groups). A fact lacking a group_by
//   field is in the group of facts that lack it too (apart from facts where it is null).
//   No group_by: one group of all facts. Every observed fact is a member of its group;
//   its source value, when present, is offered to the aggregate (aggregators.ts says
//   which values are taken).
// - No window: the aggregate over the whole group. The candidate's own group decides.
// - Sliding {size N}: the last N facts of the group in input order, up to and including
//   the candidate (facts without a usable value still take a place).
// - Tumbling {size N}: the group's facts cut by arrival into blocks of N (the 1st to Nth,
//   the N+1th to 2Nth, ...); the candidate's block decides. The last block may be short.
// - Session {timeout_ms T}: the group's facts ordered by timestamp, cut where two
//   consecutive timestamps are more than T apart (exactly T apart stays one session).
// - Time {duration_ms D}: the group's facts with timestamp in (t − D, t], t the
//   candidate's timestamp: a fact exactly D earlier is out, one at t (even arriving
//   later) is in.
//
// Stream conditions
// - Time windows use fact timestamps (a fact without one: the run's start time). Every
//   fact of the input is judged, whether or not it passes `filter`; only facts passing
//   `filter` feed the aggregates.
// - Tumbling {duration_ms D}: windows [kD, (k+1)D), aligned to the Unix epoch. A fact at
//   exactly (k+1)D is in the next window.
// - Sliding {size_ms S, advance_ms A}: windows [kA, kA + S) for every integer k, aligned to
//   the epoch; a fact is in every window whose interval contains its timestamp (about S/A
//   of them). The condition holds when any of them satisfies `having`.
// - A fact in a tumbling or sliding window that no filtered fact reached is judged on the
//   empty aggregate (Count 0, Sum 0, Average null...): `having n == 0` finds quiet windows.
// - Session {gap_timeout_ms G}: the filtered facts ordered by timestamp, cut where two
//   consecutive timestamps are more than G apart; a session spans [first, last]
//   (inclusive). A fact that failed the filter is judged by the session whose span holds its
//   timestamp, if any; outside every session it does not hold.
// - Out-of-order timestamps go to the window their timestamp says (and can join or bridge
//   sessions): all input is seen before deciding, so there is no lateness cutoff.
// - CountTumbling {count C} / CountSliding {size S, advance A}: over the facts passing
//   `filter`, numbered 0, 1, 2... in input order; windows are positions [kA, kA + S)
//   (CountTumbling: A = S = C). Every window that starts at or before the last position
//   counts, even when the input ends before it fills. A fact that fails `filter` is in no
//   count window and never holds.
// - First/Last: by timestamp in time windows (ties by input order), by input order in
//   count windows. Rate: count × time_unit_ms / span, the span being the window length
//   for Tumbling and Sliding time windows, else last − first timestamp (Rate null when 0).
//
// Both: `having` is tested against `{alias: aggregate}`; without it, the condition holds
// when the aggregate covers at least one value.
//
// Memory: one running aggregate per group / window / session. Percentile keeps every
// value of its group (8 bytes each); Distinct one map entry per distinct value. Sliding
// {size N} keeps the last N values of each group; Time windows keep (timestamp, value) of
// every fact until decided; CountSliding keeps the last S values; time Sliding windows
// touch S/A aggregates per fact (at most 1000, checked by the validator). Decided
// outcomes are one boolean per window, block or session; nothing is kept per fact except
// for Time windows.

import { compilePath, rootField, type FieldReader } from '../model/path.js';
import type { Fact } from '../model/fact.js';
import type { AggregationCondition, StreamCondition } from '../model/types.js';
import { hashKey, parseRfc3339, type FieldMap, type Value } from '../model/value.js';
import { makeAggregator, type Aggregator, type AggregatorSpec } from './aggregators.js';
import { canonicalValue, compileCondition, type AlphaTest } from './tests.js';

export interface DeferredCondition {
  /** Human form for reports/explain, e.g. "Sum(amount) by [employee_id] as total, having total GreaterThan 100". */
  readonly label: string;
  /** Root fields read (source, group_by, filter, `timestamp` for time windows). */
  readonly reads: readonly string[];
  /**
   * Called once per fact in insertion order, with the fact's final field values. Returns
   * a token that holds() gets back for this fact, or -1 when the fact cannot hold.
   */
  observe(fact: Fact): number;
  /**
   * After all facts were observed: whether the condition holds for this fact. The first
   * call closes the input: a later observe() throws.
   */
  holds(fact: Fact, token: number): boolean;
  /** What is held, for the report: groups (or windows, sessions) and stored values. */
  memory(): { groups: number; values: number };
  /** Source values that were present but not taken (null or of the wrong type), once per fact. */
  ignoredValues(): number;
}

/**
 * Time-window tokens are the fact's timestamp plus this offset, so they are never
 * negative (RFC 3339 years 0100..9999 are within ±3·10^14 ms).
 */
const TOKEN_OFFSET = 1e14;

/** The value every fact offers to Count-all and Rate. */
const EVERY_FACT: FieldReader = () => true;

export function compileDeferred(c: AggregationCondition | StreamCondition, runStartMs: number): DeferredCondition {
  return c.kind === 'aggregation' ? compileAggregation(c, runStartMs) : compileStream(c, runStartMs);
}

// ---------------------------------------------------------------------------
// Shared parts.

/**
 * Fact timestamps in epoch ms (null: the run start). Timestamps were validated when the
 * facts were decoded. Consecutive facts usually share the minute: for UTC texts ("...Z")
 * whose first 17 characters (up to the minutes) match the last full parse, only the
 * seconds and fraction are read.
 */
export class Clock {
  private readonly runStartMs: number;
  private lastText = '';
  private lastMs = 0;
  /** "YYYY-MM-DDTHH:MM:" of the last UTC text fully parsed, and its epoch ms. */
  private minute = '';
  private minuteMs = 0;
  constructor(runStartMs: number) {
    this.runStartMs = runStartMs;
  }
  ms(fact: Fact): number {
    const text = fact.timestamp;
    if (text === null) return this.runStartMs;
    if (text === this.lastText) return this.lastMs;
    this.lastText = text;
    const utc = (text.charCodeAt(text.length - 1) | 0x20) === 0x7a; // 'Z' or 'z'
    if (utc && this.minute !== '' && text.startsWith(this.minute)) {
      this.lastMs = this.minuteMs + secondsMs(text);
      return this.lastMs;
    }
    const ms = parseRfc3339(text);
    if (Number.isNaN(ms)) {
      this.lastMs = this.runStartMs;
      this.minute = '';
      return this.lastMs;
    }
    this.lastMs = ms;
    if (utc) {
      this.minute = text.slice(0, 17);
      this.minuteMs = ms - secondsMs(text);
    } else this.minute = '';
    return ms;
  }
}

/** The seconds and fraction of a valid RFC 3339 UTC text, in ms (as parseRfc3339 rounds them). */
function secondsMs(text: string): number {
  const sec = (text.charCodeAt(17) - 48) * 10 + (text.charCodeAt(18) - 48);
  return text.length > 20 ? sec * 1000 + Math.floor(Number(text.slice(19, -1)) * 1000) : sec * 1000;
}

/** Tests an aggregate: `having` against `{alias: result}`, or "covers a value". */
class Verdict {
  private readonly test: AlphaTest | null;
  private readonly alias: string;
  private readonly record: FieldMap = {};
  constructor(test: AlphaTest | null, alias: string) {
    this.test = test;
    this.alias = alias;
  }
  decide(agg: Aggregator): boolean {
    if (this.test === null) return agg.count > 0;
    this.record[this.alias] = agg.result();
    return this.test.test(this.record);
  }
}

/** Numbers groups 0, 1, 2... by their group_by values. */
type GroupKey = string | number | boolean | null | undefined;
/** Nested maps, one level per group_by field, the last level holding group ids. */
type GroupTree = Map<GroupKey, GroupTree | number>;

class GroupIndex {
  private readonly readers: readonly FieldReader[];
  /** Tuples of hashable values (or missing: key undefined): one map level per field. */
  private readonly hashed: GroupTree = new Map();
  /** Tuples holding a date, array or object value: by canonical text. */
  private readonly other = new Map<string, number>();
  size = 0;
  constructor(fields: readonly string[]) {
    this.readers = fields.map(compilePath);
    if (fields.length === 0) this.size = 1;
  }
  id(fields: FieldMap): number {
    const rs = this.readers;
    if (rs.length === 0) return 0;
    // The common case, every value hashable: walk the tree without building a key string.
    let level = this.hashed;
    for (let i = 0; i < rs.length; i++) {
      const v = rs[i]!(fields);
      const k = hashKey(v);
      if (k === undefined && v !== undefined) return this.byText(fields);
      const next = level.get(k);
      if (i === rs.length - 1) {
        if (next !== undefined) return next as number;
        const id = this.size++;
        level.set(k, id);
        return id;
      }
      if (next === undefined) {
        const created: GroupTree = new Map();
        level.set(k, created);
        level = created;
      } else level = next as GroupTree;
    }
    return 0;
  }
  /** A tuple holding a value without a hash key; the same tuple always lands here. */
  private byText(fields: FieldMap): number {
    const rs = this.readers;
    let text = '';
    for (let i = 0; i < rs.length; i++) {
      const v = rs[i]!(fields);
      // Canonical strings are JSON-quoted, so neither '?' nor \u0001 can occur unquoted.
      text += (i === 0 ? '' : '\u0001') + (v === undefined ? '?' : canonicalValue(v));
    }
    let id = this.other.get(text);
    if (id === undefined) {
      id = this.size++;
      this.other.set(text, id);
    }
    return id;
  }
}

/** A FIFO of at most `cap` (value, timestamp) entries; shift() leaves the oldest in out*. */
class Ring {
  readonly cap: number;
  private vals: (Value | undefined)[] = [];
  private times: number[] = [];
  private head = 0;
  len = 0;
  outValue: Value | undefined = undefined;
  outTs = 0;
  constructor(cap: number) {
    this.cap = cap;
  }
  push(v: Value | undefined, ts: number): void {
    const i = (this.head + this.len) % this.cap;
    if (i === this.vals.length) {
      this.vals.push(v);
      this.times.push(ts);
    } else {
      this.vals[i] = v;
      this.times[i] = ts;
    }
    this.len++;
  }
  shift(): void {
    this.outValue = this.vals[this.head];
    this.outTs = this.times[this.head]!;
    this.vals[this.head] = undefined;
    this.head = (this.head + 1) % this.cap;
    this.len--;
  }
}

class Session {
  start: number;
  end: number;
  readonly agg: Aggregator;
  readonly id: number;
  outcome = false;
  constructor(ts: number, agg: Aggregator, id: number) {
    this.start = ts;
    this.end = ts;
    this.agg = agg;
    this.id = id;
  }
}

/**
 * Sessions of one group, sorted and disjoint: a timestamp within `gap` of a session joins
 * it, and may bridge it with the next one. Merged-away sessions point to the one they
 * joined in `parents` (a union-find over session ids shared by all groups).
 */
class SessionList {
  readonly sessions: Session[] = [];
  insert(ts: number, gap: number, spec: AggregatorSpec, parents: number[]): Session {
    const ss = this.sessions;
    // First session ending at or after ts − gap.
    let lo = 0;
    let hi = ss.length;
    if (hi > 0 && ss[hi - 1]!.end >= ts - gap) {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (ss[mid]!.end < ts - gap) lo = mid + 1;
        else hi = mid;
      }
    } else lo = hi;
    const found = ss[lo];
    if (found === undefined || found.start > ts + gap) {
      const s = new Session(ts, makeAggregator(spec), parents.length);
      parents.push(s.id);
      if (lo === ss.length) ss.push(s);
      else ss.splice(lo, 0, s);
      return s;
    }
    const next = ss[lo + 1];
    if (next !== undefined && next.start <= ts + gap) {
      found.agg.merge(next.agg);
      found.end = next.end;
      parents[next.id] = found.id;
      ss.splice(lo + 1, 1);
    }
    if (ts < found.start) found.start = ts;
    if (ts > found.end) found.end = ts;
    return found;
  }
  /** The session whose [start, end] holds ts, if any. */
  containing(ts: number): Session | undefined {
    const ss = this.sessions;
    let lo = 0;
    let hi = ss.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ss[mid]!.end < ts) lo = mid + 1;
      else hi = mid;
    }
    const s = ss[lo];
    return s !== undefined && s.start <= ts ? s : undefined;
  }
}

function find(parents: number[], id: number): number {
  while (parents[id] !== id) {
    const up = parents[parents[id]!]!;
    parents[id] = up;
    id = up;
  }
  return id;
}

/** What every compiled condition is made of. */
interface Parts {
  readonly label: string;
  readonly reads: string[];
  readonly spec: AggregatorSpec;
  readonly verdict: Verdict;
  /** Reads the value a fact offers to the aggregate. */
  readonly read: FieldReader;
  readonly clock: Clock;
}

abstract class Deferred implements DeferredCondition {
  readonly label: string;
  readonly reads: readonly string[];
  protected readonly spec: AggregatorSpec;
  protected readonly verdict: Verdict;
  protected readonly read: FieldReader;
  protected readonly clock: Clock;
  protected ignored = 0;
  private sealed = false;
  constructor(parts: Parts) {
    this.label = parts.label;
    this.reads = [...new Set(parts.reads)];
    this.spec = parts.spec;
    this.verdict = parts.verdict;
    this.read = parts.read;
    this.clock = parts.clock;
  }
  observe(fact: Fact): number {
    if (this.sealed) throw new Error(`deferred condition "${this.label}": observe() after holds()`);
    return this.take(fact);
  }
  holds(fact: Fact, token: number): boolean {
    if (!this.sealed) {
      this.sealed = true;
      this.seal();
    }
    return token >= 0 && this.decide(fact, token);
  }
  ignoredValues(): number {
    return this.ignored;
  }
  abstract memory(): { groups: number; values: number };
  protected abstract take(fact: Fact): number;
  /** Called once, after the last observe: decides what is still open. */
  protected abstract seal(): void;
  protected abstract decide(fact: Fact, token: number): boolean;
  /** Adds a value, counting it as ignored when present but not taken. */
  protected add(agg: Aggregator, v: Value | undefined, ts: number): void {
    if (!agg.add(v, ts) && v !== undefined) this.ignored++;
  }
}

function storedIn(aggs: Iterable<Aggregator>): number {
  let n = 0;
  for (const a of aggs) n += a.stored();
  return n;
}

// ---------------------------------------------------------------------------
// Aggregation conditions.

function compileAggregation(c: AggregationCondition, runStartMs: number): DeferredCondition {
  const w = c.window;
  const spec: AggregatorSpec = {
    kind: c.fn,
    percentile: c.percentile,
    timeUnitMs: null,
    spanMs: null,
    byTime: false,
    removable: w !== null && (w.kind === 'Sliding' || w.kind === 'Time'),
  };
  const test = c.having === null ? null : compileCondition(c.having);
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
  const label = `${fn}${by}${over} as ${c.alias}${test ? `, having ${test.label}` : ''}`;
  const reads = [rootField(c.sourceField), ...c.groupBy.map(rootField)];
  if (w !== null && (w.kind === 'Session' || w.kind === 'Time')) reads.push('timestamp');
  const parts: Parts = { label, reads, spec, verdict: new Verdict(test, c.alias), read: compilePath(c.sourceField), clock: new Clock(runStartMs) };
  const groups = new GroupIndex(c.groupBy);
  if (w === null) return new WholeGroup(parts, groups);
  switch (w.kind) {
    case 'Sliding':
      return new GroupSliding(parts, groups, w.size);
    case 'Tumbling':
      return new GroupTumbling(parts, groups, w.size);
    case 'Session':
      return new GroupSessions(parts, groups, w.timeoutMs);
    case 'Time':
      return new GroupTime(parts, groups, w.durationMs);
  }
}

/** No window: one aggregate per group; token = group id. */
class WholeGroup extends Deferred {
  private readonly groups: GroupIndex;
  private readonly aggs: Aggregator[] = [];
  private outcomes: boolean[] = [];
  constructor(parts: Parts, groups: GroupIndex) {
    super(parts);
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
  constructor(parts: Parts, groups: GroupIndex, size: number) {
    super(parts);
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
  constructor(parts: Parts, groups: GroupIndex, size: number) {
    super(parts);
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
  constructor(parts: Parts, groups: GroupIndex, gap: number) {
    super(parts);
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
  constructor(parts: Parts, groups: GroupIndex, duration: number) {
    super(parts);
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

// ---------------------------------------------------------------------------
// Stream conditions.

function compileStream(c: StreamCondition, runStartMs: number): DeferredCondition {
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
  const filter = c.filter === null ? null : compileCondition(c.filter);
  const test = c.having === null ? null : compileCondition(c.having);
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
  const label = `${agg} over ${over}${filter ? ` where ${filter.label}` : ''} as ${c.alias}${test ? `, having ${test.label}` : ''}`;
  const reads: string[] = [];
  if (field !== null) reads.push(rootField(field));
  if (filter) reads.push(...filter.reads);
  if (timeWindow || a.kind === 'Rate') reads.push('timestamp');
  const read = field === null ? EVERY_FACT : compilePath(field);
  const parts: Parts = { label, reads, spec, verdict: new Verdict(test, c.alias), read, clock: new Clock(runStartMs) };
  switch (w.kind) {
    case 'Tumbling':
      return new TimeWindows(parts, filter, w.durationMs, w.durationMs);
    case 'Sliding':
      return new TimeWindows(parts, filter, w.sizeMs, w.advanceMs);
    case 'Session':
      return new StreamSessions(parts, filter, w.gapTimeoutMs);
    case 'CountTumbling':
      return new CountWindows(parts, filter, w.count, w.count, a.kind === 'Rate');
    case 'CountSliding':
      return new CountWindows(parts, filter, w.size, w.advance, a.kind === 'Rate');
  }
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
  constructor(parts: Parts, filter: AlphaTest | null, size: number, advance: number) {
    super(parts);
    this.filter = filter;
    this.size = size;
    this.advance = advance;
  }
  protected take(fact: Fact): number {
    const ts = this.clock.ms(fact);
    if (this.filter === null || this.filter.test(fact.fields)) {
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
  constructor(parts: Parts, filter: AlphaTest | null, gap: number) {
    super(parts);
    this.filter = filter;
    this.gap = gap;
  }
  protected take(fact: Fact): number {
    const ts = this.clock.ms(fact);
    if (this.filter === null || this.filter.test(fact.fields)) {
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
  constructor(parts: Parts, filter: AlphaTest | null, size: number, advance: number, needsTime: boolean) {
    super(parts);
    this.filter = filter;
    this.size = size;
    this.advance = advance;
    this.needsTime = needsTime;
    this.ring = advance < size ? new Ring(size) : null;
    this.agg = makeAggregator(parts.spec);
  }
  protected take(fact: Fact): number {
    if (this.filter !== null && !this.filter.test(fact.fields)) return -1;
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
