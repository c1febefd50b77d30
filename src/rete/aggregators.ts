// Running aggregators for Aggregation and Stream conditions: one small class per kind,
// fed one value at a time (add), optionally un-fed oldest-first (remove, for sliding
// windows) or combined (merge, for merging sessions), read out with result().
//
// Rules shared by every kind (the README states them too):
// - A missing field (undefined) is not a value: add() ignores it and returns false.
// - null is never a value either: add(null) returns false, and the caller counts it as
//   ignored. Sum, Average, Min, Max, StandardDeviation and Percentile take numbers only
//   (Integer or Float; booleans, strings and dates are ignored the same way). Count,
//   Distinct, First and Last take a value of any other type. Rate counts every add.
// - `count` is the number of values taken; a condition without `having` holds when the
//   aggregate covers at least one value (count > 0).
// - Empty aggregates: Sum 0 (Integer), Count 0, Distinct 0, Rate 0.0 over a fixed span;
//   Average, Min, Max, StandardDeviation, Percentile, First, Last: null. A null aggregate
//   fails every ordering test in `having` (Equal null / NotEqual hold as usual).
// - Result types: Count and Distinct are Integers; Sum is an Integer when every value
//   taken was an Integer, else a Float; Min, Max, First, Last return the value as given
//   (its type kept); Average, StandardDeviation, Percentile and Rate are Floats.
// - StandardDeviation is the population one (divide by n), by Welford's method (by
//   shifted sums when removable); one value gives 0.0. Percentile(p) interpolates linearly between the closest ranks:
//   rank r = p/100 × (n−1) over the sorted values, result x[⌊r⌋] + (r−⌊r⌋)(x[⌈r⌉]−x[⌊r⌋]).
// - Distinct counts values distinct under Equal (Integer 5 = Float 5.0), with one
//   exception: a date and a string holding the same instant are two values.
// - First/Last: "byTime" aggregators (time windows) order by timestamp, ties by arrival;
//   the others (count windows) by arrival.
// - Rate = count × time_unit_ms / span. The span is fixed (the window's length) for
//   Tumbling and Sliding time windows; otherwise it is the window's last timestamp minus
//   its first, and Rate is null when that is 0.
//
// Memory: every kind is O(1) except Percentile (keeps every value: 8 bytes each, and a
// sort, O(n log n), when read), Distinct (one map entry per distinct value), and the
// removable forms of Min, Max, First, Last and Rate (a deque of at most the window's
// values).

import { canonicalKey } from './keys.js';
import { hashKey, isFloat, makeNumber, toNumber, type Value } from '../model/value.js';

export type AggregatorKind = 'Sum' | 'Count' | 'Average' | 'Min' | 'Max' | 'StandardDeviation' | 'Percentile' | 'Distinct' | 'First' | 'Last' | 'Rate';

/** What to build: a kind and its parameters. */
export interface AggregatorSpec {
  readonly kind: AggregatorKind;
  /** Percentile: p in 0..100. */
  readonly percentile: number | null;
  /** Rate: the time unit. */
  readonly timeUnitMs: number | null;
  /** Rate: the window's fixed length, or null to use last − first timestamp. */
  readonly spanMs: number | null;
  /** First/Last: order by timestamp (ties by arrival) rather than by arrival. */
  readonly byTime: boolean;
  /** Whether remove() will be called (sliding windows): some kinds then keep a deque. */
  readonly removable: boolean;
}

export abstract class Aggregator {
  /** Values taken into the aggregate (see the rules above). */
  count = 0;
  /** Takes a value; false when it is missing, null or of a type this kind does not take. */
  abstract add(v: Value | undefined, ts: number): boolean;
  /**
   * Removes the oldest value still held (the caller passes what it added, oldest first).
   * Only for aggregators built with `removable`.
   */
  abstract remove(v: Value | undefined, ts: number): void;
  /** Folds in another aggregator of the same spec (never removable). */
  abstract merge(other: Aggregator): void;
  abstract result(): Value;
  /** Values held beyond the O(1) state (for memory reports). */
  stored(): number {
    return 0;
  }
}

// ---------------------------------------------------------------------------
// Numeric kinds.

export class SumAggregator extends Aggregator {
  sum = 0;
  /** How many of the values taken are Floats: the result is a Float when any is. */
  floats = 0;
  add(v: Value | undefined): boolean {
    const n = toNumber(v);
    if (n === undefined) return false;
    this.sum += n;
    this.count++;
    if (isFloat(v)) this.floats++;
    return true;
  }
  remove(v: Value | undefined): void {
    const n = toNumber(v);
    if (n === undefined) return;
    this.count--;
    if (isFloat(v)) this.floats--;
    // Exact again when the window empties, whatever rounding came before.
    this.sum = this.count === 0 ? 0 : this.sum - n;
  }
  merge(other: Aggregator): void {
    const o = other as SumAggregator;
    this.sum += o.sum;
    this.count += o.count;
    this.floats += o.floats;
  }
  result(): Value {
    return makeNumber(this.sum, this.floats > 0);
  }
}

export class AverageAggregator extends SumAggregator {
  override result(): Value {
    return this.count === 0 ? null : makeNumber(this.sum / this.count, true);
  }
}

/**
 * Population standard deviation. Append-only: Welford's running mean and sum of squared
 * deviations. Removable: sums of (x − K) and (x − K)², K the first value of the window,
 * which stay exact for integers however many values come and go.
 */
export class StdDevAggregator extends Aggregator {
  private readonly removable: boolean;
  private mean = 0;
  private m2 = 0;
  private shift = 0;
  private s1 = 0;
  private s2 = 0;
  constructor(removable: boolean) {
    super();
    this.removable = removable;
  }
  add(v: Value | undefined): boolean {
    const x = toNumber(v);
    if (x === undefined) return false;
    this.count++;
    if (this.removable) {
      if (this.count === 1) this.shift = x;
      const d = x - this.shift;
      this.s1 += d;
      this.s2 += d * d;
    } else {
      const d = x - this.mean;
      this.mean += d / this.count;
      this.m2 += d * (x - this.mean);
    }
    return true;
  }
  remove(v: Value | undefined): void {
    const x = toNumber(v);
    if (x === undefined) return;
    if (--this.count === 0) {
      this.s1 = 0;
      this.s2 = 0;
      return;
    }
    const d = x - this.shift;
    this.s1 -= d;
    this.s2 -= d * d;
  }
  merge(other: Aggregator): void {
    const o = other as StdDevAggregator;
    if (o.count === 0) return;
    const n = this.count + o.count;
    const d = o.mean - this.mean;
    this.m2 += o.m2 + (d * d * this.count * o.count) / n;
    this.mean += (d * o.count) / n;
    this.count = n;
  }
  result(): Value {
    const n = this.count;
    if (n === 0) return null;
    const variance = this.removable ? this.s2 / n - (this.s1 / n) ** 2 : this.m2 / n;
    return makeNumber(Math.sqrt(Math.max(0, variance)), true);
  }
}

/** Keeps every value; sorted on read (append-only) or kept sorted (removable). */
export class PercentileAggregator extends Aggregator {
  readonly p: number;
  private readonly keepSorted: boolean;
  private values: number[] = [];
  private sorted = true;
  constructor(p: number, removable: boolean) {
    super();
    this.p = p;
    this.keepSorted = removable;
  }
  add(v: Value | undefined): boolean {
    const x = toNumber(v);
    if (x === undefined) return false;
    this.count++;
    const vs = this.values;
    if (this.keepSorted) vs.splice(lowerBound(vs, x), 0, x);
    else {
      if (vs.length > 0 && x < vs[vs.length - 1]!) this.sorted = false;
      vs.push(x);
    }
    return true;
  }
  remove(v: Value | undefined): void {
    const x = toNumber(v);
    if (x === undefined) return;
    this.count--;
    this.values.splice(lowerBound(this.values, x), 1);
  }
  merge(other: Aggregator): void {
    const o = other as PercentileAggregator;
    for (const x of o.values) this.values.push(x);
    this.count += o.count;
    this.sorted = false;
  }
  result(): Value {
    const vs = this.values;
    const n = vs.length;
    if (n === 0) return null;
    if (!this.sorted) {
      vs.sort((a, b) => a - b);
      this.sorted = true;
    }
    const rank = (this.p / 100) * (n - 1);
    const lo = Math.floor(rank);
    const hi = Math.ceil(rank);
    const a = vs[lo]!;
    return makeNumber(a + (rank - lo) * (vs[hi]! - a), true);
  }
  override stored(): number {
    return this.values.length;
  }
}

/** Index of the first element ≥ x in an ascending array. */
function lowerBound(vs: readonly number[], x: number): number {
  let lo = 0;
  let hi = vs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (vs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A FIFO of (key, value) pairs kept monotonic, so its front is the extreme of the window:
 * keys only ever leave from the front, oldest first. `sign` 1 keeps the minimum, −1 the maximum.
 */
export class MonotonicDeque {
  private readonly sign: number;
  private keys: number[] = [];
  private vals: Value[] = [];
  private head = 0;
  constructor(sign: 1 | -1) {
    this.sign = sign;
  }
  get size(): number {
    return this.keys.length - this.head;
  }
  push(key: number, val: Value): void {
    const s = this.sign;
    const keys = this.keys;
    while (keys.length > this.head && s * keys[keys.length - 1]! > s * key) {
      keys.pop();
      this.vals.pop();
    }
    keys.push(key);
    this.vals.push(val);
  }
  /** The oldest entry leaves the window: drop it if it is still the front. */
  expire(key: number): void {
    if (this.keys.length > this.head && this.keys[this.head] === key) {
      this.head++;
      if (this.head > 64 && this.head * 2 > this.keys.length) {
        this.keys = this.keys.slice(this.head);
        this.vals = this.vals.slice(this.head);
        this.head = 0;
      }
    }
  }
  frontKey(): number {
    return this.keys[this.head]!;
  }
  frontValue(): Value {
    return this.vals[this.head]!;
  }
}

/** Min (sign 1) or Max (sign −1) of numbers; returns the extreme value as given. */
export class ExtremeAggregator extends Aggregator {
  private readonly sign: 1 | -1;
  private best: Value = null;
  private bestNum = 0;
  private readonly deque: MonotonicDeque | null;
  constructor(sign: 1 | -1, removable: boolean) {
    super();
    this.sign = sign;
    this.deque = removable ? new MonotonicDeque(sign) : null;
  }
  add(v: Value | undefined): boolean {
    const x = toNumber(v);
    if (x === undefined) return false;
    this.count++;
    if (this.deque !== null) this.deque.push(x, v!);
    else if (this.count === 1 || this.sign * x < this.sign * this.bestNum) {
      this.best = v!;
      this.bestNum = x;
    }
    return true;
  }
  remove(v: Value | undefined): void {
    const x = toNumber(v);
    if (x === undefined) return;
    this.count--;
    this.deque!.expire(x);
  }
  merge(other: Aggregator): void {
    const o = other as ExtremeAggregator;
    if (o.count === 0) return;
    if (this.count === 0 || this.sign * o.bestNum < this.sign * this.bestNum) {
      this.best = o.best;
      this.bestNum = o.bestNum;
    }
    this.count += o.count;
  }
  result(): Value {
    if (this.count === 0) return null;
    return this.deque !== null ? this.deque.frontValue() : this.best;
  }
  override stored(): number {
    return this.deque !== null ? this.deque.size : 0;
  }
}

// ---------------------------------------------------------------------------
// Kinds over values of any type.

/** Count of values (anything but null). */
export class CountAggregator extends Aggregator {
  add(v: Value | undefined): boolean {
    if (v === undefined || v === null) return false;
    this.count++;
    return true;
  }
  remove(v: Value | undefined): void {
    if (v !== undefined && v !== null) this.count--;
  }
  merge(other: Aggregator): void {
    this.count += other.count;
  }
  result(): Value {
    return this.count;
  }
}

/** Number of distinct values; keeps one map entry (with its multiplicity) per distinct value. */
export class DistinctAggregator extends Aggregator {
  /** Strings, numbers (Integer 5 and Float 5.0 share a key), booleans. */
  private readonly hashed = new Map<string | number | boolean, number>();
  /** Dates, arrays and objects, by canonical text. */
  private readonly other = new Map<string, number>();
  add(v: Value | undefined): boolean {
    if (v === undefined || v === null) return false;
    this.count++;
    const k = hashKey(v);
    if (k !== undefined && k !== null) this.hashed.set(k, (this.hashed.get(k) ?? 0) + 1);
    else {
      const c = canonicalKey(v);
      this.other.set(c, (this.other.get(c) ?? 0) + 1);
    }
    return true;
  }
  remove(v: Value | undefined): void {
    if (v === undefined || v === null) return;
    this.count--;
    const k = hashKey(v);
    if (k !== undefined && k !== null) drop(this.hashed, k);
    else drop(this.other, canonicalKey(v));
  }
  merge(other: Aggregator): void {
    const o = other as DistinctAggregator;
    for (const [k, n] of o.hashed) this.hashed.set(k, (this.hashed.get(k) ?? 0) + n);
    for (const [k, n] of o.other) this.other.set(k, (this.other.get(k) ?? 0) + n);
    this.count += o.count;
  }
  result(): Value {
    return this.hashed.size + this.other.size;
  }
  override stored(): number {
    return this.hashed.size + this.other.size;
  }
}

function drop<K>(m: Map<K, number>, k: K): void {
  const n = m.get(k);
  if (n === undefined) return;
  if (n <= 1) m.delete(k);
  else m.set(k, n - 1);
}

/** First (last = false) or Last (last = true) value of the window. */
export class EdgeAggregator extends Aggregator {
  private readonly last: boolean;
  private readonly byTime: boolean;
  private value: Value = null;
  private ts = 0;
  /** Removable form: the values taken, oldest first (count windows, by arrival). */
  private readonly queue: Value[] | null;
  private head = 0;
  constructor(last: boolean, byTime: boolean, removable: boolean) {
    super();
    this.last = last;
    this.byTime = byTime && !removable;
    this.queue = removable ? [] : null;
  }
  add(v: Value | undefined, ts: number): boolean {
    if (v === undefined || v === null) return false;
    this.count++;
    if (this.queue !== null) this.queue.push(v);
    else if (this.count === 1 || this.later(ts)) {
      this.value = v;
      this.ts = ts;
    }
    return true;
  }
  /** Whether a value at `ts`, arriving now, replaces the held one. */
  private later(ts: number): boolean {
    if (!this.byTime) return this.last;
    return this.last ? ts >= this.ts : ts < this.ts;
  }
  remove(v: Value | undefined): void {
    if (v === undefined || v === null) return;
    this.count--;
    const q = this.queue!;
    this.head++;
    if (this.count === 0) {
      q.length = 0;
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > q.length) {
      q.splice(0, this.head);
      this.head = 0;
    }
  }
  merge(other: Aggregator): void {
    const o = other as EdgeAggregator;
    if (o.count === 0) return;
    // Merged windows (sessions) are disjoint in time, so the timestamp decides.
    if (this.count === 0 || (this.last ? o.ts > this.ts : o.ts < this.ts)) {
      this.value = o.value;
      this.ts = o.ts;
    }
    this.count += o.count;
  }
  result(): Value {
    if (this.count === 0) return null;
    const q = this.queue;
    if (q === null) return this.value;
    return this.last ? q[q.length - 1]! : q[this.head]!;
  }
  override stored(): number {
    return this.queue !== null ? this.queue.length - this.head : 0;
  }
}

/** Facts per time unit: count × unit / span (see the rules above for the span). */
export class RateAggregator extends Aggregator {
  private readonly unitMs: number;
  private readonly spanMs: number | null;
  private minTs = 0;
  private maxTs = 0;
  private readonly mins: MonotonicDeque | null;
  private readonly maxs: MonotonicDeque | null;
  constructor(unitMs: number, spanMs: number | null, removable: boolean) {
    super();
    this.unitMs = unitMs;
    this.spanMs = spanMs;
    const track = removable && spanMs === null;
    this.mins = track ? new MonotonicDeque(1) : null;
    this.maxs = track ? new MonotonicDeque(-1) : null;
  }
  add(_v: Value | undefined, ts: number): boolean {
    this.count++;
    if (this.mins !== null) {
      this.mins.push(ts, null);
      this.maxs!.push(ts, null);
    } else if (this.count === 1) {
      this.minTs = ts;
      this.maxTs = ts;
    } else {
      if (ts < this.minTs) this.minTs = ts;
      if (ts > this.maxTs) this.maxTs = ts;
    }
    return true;
  }
  remove(_v: Value | undefined, ts: number): void {
    this.count--;
    if (this.mins !== null) {
      this.mins.expire(ts);
      this.maxs!.expire(ts);
    }
  }
  merge(other: Aggregator): void {
    const o = other as RateAggregator;
    if (o.count === 0) return;
    if (this.count === 0 || o.minTs < this.minTs) this.minTs = o.minTs;
    if (this.count === 0 || o.maxTs > this.maxTs) this.maxTs = o.maxTs;
    this.count += o.count;
  }
  result(): Value {
    let span = this.spanMs;
    if (span === null) {
      if (this.count === 0) return null;
      span = this.mins !== null ? this.maxs!.frontKey() - this.mins.frontKey() : this.maxTs - this.minTs;
      if (span === 0) return null;
    }
    return makeNumber((this.count * this.unitMs) / span, true);
  }
  override stored(): number {
    return this.mins !== null ? this.mins.size + this.maxs!.size : 0;
  }
}

/** Builds an empty aggregator for a spec. */
export function makeAggregator(spec: AggregatorSpec): Aggregator {
  switch (spec.kind) {
    case 'Sum':
      return new SumAggregator();
    case 'Average':
      return new AverageAggregator();
    case 'Count':
      return new CountAggregator();
    case 'Min':
      return new ExtremeAggregator(1, spec.removable);
    case 'Max':
      return new ExtremeAggregator(-1, spec.removable);
    case 'StandardDeviation':
      return new StdDevAggregator(spec.removable);
    case 'Percentile':
      return new PercentileAggregator(spec.percentile ?? 50, spec.removable);
    case 'Distinct':
      return new DistinctAggregator();
    case 'First':
      return new EdgeAggregator(false, spec.byTime, spec.removable);
    case 'Last':
      return new EdgeAggregator(true, spec.byTime, spec.removable);
    case 'Rate':
      return new RateAggregator(spec.timeUnitMs ?? 1000, spec.spanMs, spec.removable);
  }
}
