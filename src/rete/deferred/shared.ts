// What the end-of-input conditions share: the clock that reads fact timestamps, the
// verdict that tests an aggregate against `having`, group numbering, a bounded FIFO,
// session lists, and the base class of every condition instance.

import type { Fact } from '../../model/fact.js';
import { compilePath, type FieldReader } from '../../model/path.js';
import { fractionMs, hashKey, parseRfc3339, setOwn, type FieldMap, type Value } from '../../model/value.js';
import { makeAggregator, type Aggregator, type AggregatorSpec } from '../aggregators.js';
import { canonical } from '../keys.js';
import type { AlphaTest, Mismatches } from '../predicates.js';

/** What a session asks of an end-of-input condition. */
export interface DeferredCondition {
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

/** A compiled end-of-input condition: what it is, and how a session makes its instance. */
export interface DeferredPlan {
  readonly kind: 'aggregation' | 'stream';
  /** Human form for reports and explain, e.g. "Sum(amount) by [employee_id] as total, having total GreaterThan 100". */
  readonly label: string;
  /** Root fields read (source, group_by, filter, `timestamp` for time windows). */
  readonly reads: readonly string[];
  /** A fresh instance for one session: it holds that run's groups and windows. */
  instantiate(run: DeferredRun): DeferredCondition;
}

/**
 * Time-window tokens are the fact's timestamp plus this offset, so they are never
 * negative (RFC 3339 years 0100..9999 are within ±3·10^14 ms).
 */
export const TOKEN_OFFSET = 1e14;

/** The value every fact offers to Count-all and Rate. */
export const EVERY_FACT: FieldReader = () => true;

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
  return text.length > 20 ? sec * 1000 + fractionMs(text.slice(19, -1)) : sec * 1000;
}

/** Tests an aggregate: `having` against `{alias: result}`, or "covers a value". */
export class Verdict {
  private readonly test: AlphaTest | null;
  private readonly alias: string;
  private readonly m: Mismatches;
  private readonly record: FieldMap = {};
  constructor(test: AlphaTest | null, alias: string, m: Mismatches) {
    this.test = test;
    this.alias = alias;
    this.m = m;
  }
  decide(agg: Aggregator): boolean {
    if (this.test === null) return agg.count > 0;
    setOwn(this.record, this.alias, agg.result());
    return this.test.test(this.record, this.m);
  }
}

type GroupKey = string | number | boolean | null | undefined;
/** Nested maps, one level per group_by field, the last level holding group ids. */
type GroupTree = Map<GroupKey, GroupTree | number>;

/** Numbers groups 0, 1, 2... by their group_by values. */
export class GroupIndex {
  private readonly readers: readonly FieldReader[];
  /** Tuples of hashable values (or missing: key undefined): one map level per field. */
  private readonly hashed: GroupTree = new Map();
  /** Tuples holding a date, array or object value: by the JSON of their canonical forms. */
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
    const text = JSON.stringify(
      this.readers.map((read) => {
        const v = read(fields);
        return v === undefined ? ['missing'] : canonical(v);
      }),
    );
    let id = this.other.get(text);
    if (id === undefined) {
      id = this.size++;
      this.other.set(text, id);
    }
    return id;
  }
}

/** A FIFO of at most `cap` (value, timestamp) entries; shift() leaves the oldest in out*. */

export class Ring {
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

/** A run of timestamps at most the gap apart, with its aggregate. */
export class WindowSession {
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
export class SessionList {
  readonly sessions: WindowSession[] = [];
  insert(ts: number, gap: number, spec: AggregatorSpec, parents: number[]): WindowSession {
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
      const s = new WindowSession(ts, makeAggregator(spec), parents.length);
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
  containing(ts: number): WindowSession | undefined {
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

export function find(parents: number[], id: number): number {
  while (parents[id] !== id) {
    const up = parents[parents[id]!]!;
    parents[id] = up;
    id = up;
  }
  return id;
}

/** What every compiled condition is made of. */

/** What a compiled condition is made of (immutable, shared by every session). */
export interface Parts {
  readonly label: string;
  readonly spec: AggregatorSpec;
  /** `having`, tested against `{alias: aggregate}`; null: the aggregate covers a value. */
  readonly having: AlphaTest | null;
  readonly alias: string;
  /** Reads the value a fact offers to the aggregate. */
  readonly read: FieldReader;
}

/** What a session gives a condition's instance: its clock and its mismatch counters. */
export interface DeferredRun {
  readonly runStartMs: number;
  readonly m: Mismatches;
}

/** The base of every condition instance: one per session, holding that run's groups and windows. */
export abstract class Deferred implements DeferredCondition {
  readonly label: string;
  protected readonly spec: AggregatorSpec;
  protected readonly verdict: Verdict;
  protected readonly read: FieldReader;
  protected readonly clock: Clock;
  protected readonly m: Mismatches;
  protected ignored = 0;
  private sealed = false;
  constructor(parts: Parts, run: DeferredRun) {
    this.label = parts.label;
    this.spec = parts.spec;
    this.verdict = new Verdict(parts.having, parts.alias, run.m);
    this.read = parts.read;
    this.clock = new Clock(run.runStartMs);
    this.m = run.m;
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

export function storedIn(aggs: Iterable<Aggregator>): number {
  let n = 0;
  for (const a of aggs) n += a.stored();
  return n;
}
