// Unit tests for end-of-input conditions: Aggregation (groups, the four window forms) and
// Stream (time and count windows, every aggregation kind, filter, having), with facts
// placed exactly on window boundaries, session gaps equal to the timeout, count-window
// edges and out-of-order timestamps. Expected aggregates are worked out by hand.

import { describe, it, expect } from 'vitest';
import { Clock, compileDeferred, type DeferredCondition } from '../../src/rete/deferred/index.js';
import { Slots } from '../../src/rete/predicates.js';
import { Fact } from '../../src/model/fact.js';
import { DateValue, FloatValue, parseRfc3339, type FieldMap, type Value } from '../../src/model/value.js';
import type {
  AggregationCondition,
  AggregationFunction,
  AggregationWindow,
  Condition,
  Operator,
  StreamAggregation,
  StreamCondition,
  StreamWindow,
} from '../../src/model/types.js';

/** 2025-01-01T00:00:00Z: a multiple of every window length used here, so windows start on it. */
const T0 = Date.UTC(2025, 0, 1);
const iso = (ms: number): string => new Date(T0 + ms).toISOString();

/** Facts from [fields, ms after T0 (or null: no timestamp)]; ids and seq 0, 1, 2... */
function facts(...rows: [FieldMap, number | null][]): Fact[] {
  return rows.map(([fields, ms], i) => {
    return new Fact(i, fields, ms === null ? null : iso(ms), null, 0);
  });
}

function cmp(field: string, operator: Operator, value: Value): Condition {
  return { kind: 'simple', field, operator, value, ref: null };
}

function aggregation(fn: AggregationFunction, over: Partial<AggregationCondition> = {}): AggregationCondition {
  return { kind: 'aggregation', fn, percentile: null, sourceField: 'amount', groupBy: [], having: null, alias: 'v', window: null, ...over };
}

function stream(window: StreamWindow, agg: StreamAggregation, over: Partial<StreamCondition> = {}): StreamCondition {
  return { kind: 'stream', window, aggregation: agg, filter: null, having: null, alias: 'v', ...over };
}

/** A session's instance of a condition (its own counters and clock). */
function instance(c: AggregationCondition | StreamCondition, runStartMs: number): DeferredCondition {
  const slots = new Slots();
  const plan = compileDeferred(c, slots);
  return plan.instantiate({ runStartMs, m: new Array<number>(slots.count).fill(0) });
}

/** Whether the condition holds, fact by fact. */
function run(c: AggregationCondition | StreamCondition, fs: Fact[], runStartMs = T0): boolean[] {
  const d = instance(c, runStartMs);
  const tokens = fs.map((f) => d.observe(f));
  return fs.map((f, i) => d.holds(f, tokens[i]!));
}

/** A fact in several windows: holds when any of them has one of these aggregates. */
class AnyOf {
  readonly values: Value[];
  constructor(...values: Value[]) {
    this.values = values;
  }
}
type Expected = Value | AnyOf;

/**
 * Checks the aggregate each fact is judged on: for every expected value x, the condition
 * with `having v Equal x` holds exactly on the facts expected to see x.
 */
function expectAggregates(make: (having: Condition) => AggregationCondition | StreamCondition, fs: Fact[], expected: Expected[]): void {
  const sets = expected.map((e) => (e instanceof AnyOf ? e.values : [e]));
  for (const x of sets.flat()) {
    const holds = run(make(cmp('v', 'Equal', x)), fs);
    const want = sets.map((s) => s.some((y) => JSON.stringify(y) === JSON.stringify(x)));
    expect(holds, `having v Equal ${JSON.stringify(x)}`).toEqual(want);
  }
}

describe('Aggregation without a window', () => {
  const fs = facts(
    [{ emp: 'e1', amount: 60 }, null],
    [{ emp: 'e2', amount: 30 }, null],
    [{ emp: 'e1', amount: 50 }, null],
    [{ emp: 'e3' }, null],
    [{ emp: 'e1', amount: 'abc' }, null],
  );

  it('Sum by group, having: e1 60+50 = 110 > 100; e2 30; e3 has no value (Sum 0)', () => {
    const c = aggregation('Sum', { groupBy: ['emp'], having: cmp('v', 'GreaterThan', 100) });
    expect(run(c, fs)).toEqual([true, false, true, false, true]);
    expectAggregates((h) => aggregation('Sum', { groupBy: ['emp'], having: h }), fs, [110, 30, 110, 0, 110]);
  });

  it('without having, holds when the group has a value: not e3', () => {
    expect(run(aggregation('Sum', { groupBy: ['emp'] }), fs)).toEqual([true, true, true, false, true]);
  });

  it('counts the non-numeric value as ignored, once', () => {
    const d = instance(aggregation('Sum', { groupBy: ['emp'] }), T0);
    for (const f of fs) d.observe(f);
    expect(d.ignoredValues()).toBe(1); // "abc"; e3's missing amount is not a value at all
    expect(d.memory()).toEqual({ groups: 3, values: 0 });
  });

  it('Count counts any non-null value; Average, Min, Max; empty group gives null', () => {
    // e1: 60, 50, "abc"; e2: 30; e3: nothing
    expectAggregates((h) => aggregation('Count', { groupBy: ['emp'], having: h }), fs, [3, 1, 3, 0, 3]);
    // e1: (60+50)/2 = 55.0
    expectAggregates((h) => aggregation('Average', { groupBy: ['emp'], having: h }), fs, [55, 30, 55, null, 55]);
    expectAggregates((h) => aggregation('Min', { groupBy: ['emp'], having: h }), fs, [50, 30, 50, null, 50]);
    expectAggregates((h) => aggregation('Max', { groupBy: ['emp'], having: h }), fs, [60, 30, 60, null, 60]);
  });

  it('a null aggregate fails ordering tests in having', () => {
    const c = aggregation('Average', { groupBy: ['emp'], having: cmp('v', 'LessThan', 1000) });
    expect(run(c, fs)).toEqual([true, true, true, false, true]);
  });

  it('StandardDeviation and Percentile per group; all-equal and single values', () => {
    const g = facts(
      [{ k: 'a', amount: 2 }, null],
      [{ k: 'a', amount: 4 }, null],
      [{ k: 'a', amount: 4 }, null],
      [{ k: 'a', amount: 4 }, null],
      [{ k: 'a', amount: 5 }, null],
      [{ k: 'a', amount: 5 }, null],
      [{ k: 'a', amount: 7 }, null],
      [{ k: 'a', amount: 9 }, null],
      [{ k: 'same', amount: 3 }, null],
      [{ k: 'same', amount: 3 }, null],
      [{ k: 'one', amount: 8 }, null],
    );
    // a: σ = 2 (mean 5, Σ(x−5)² = 32, 32/8 = 4); same: 0; one: 0
    expectAggregates((h) => aggregation('StandardDeviation', { groupBy: ['k'], having: h }), g, [2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0]);
    // a sorted 2 4 4 4 5 5 7 9, p75: rank 0.75×7 = 5.25 → 5 + 0.25×(7−5) = 5.5; same 3; one 8
    expectAggregates((h) => aggregation('Percentile', { percentile: 75, groupBy: ['k'], having: h }), g, [5.5, 5.5, 5.5, 5.5, 5.5, 5.5, 5.5, 5.5, 3, 3, 8]);
  });

  it('groups by Equal: Integer 1 and Float 1.0 together; dates by instant; missing apart from null', () => {
    const g = facts(
      [{ k: 1, amount: 1 }, null],
      [{ k: new FloatValue(1), amount: 2 }, null],
      [{ amount: 4 }, null],
      [{ amount: 8 }, null],
      [{ k: null, amount: 16 }, null],
      [{ k: '1', amount: 32 }, null],
      [{ k: new DateValue(7), amount: 64 }, null],
      [{ k: new DateValue(7), amount: 128 }, null],
    );
    // {1, 1.0}: 3; missing: 4+8 = 12; null: 16; "1": 32; date 7: 64+128 = 192
    expectAggregates((h) => aggregation('Sum', { groupBy: ['k'], having: h }), g, [3, 3, 12, 12, 16, 32, 192, 192]);
  });

  it('groups by several fields, or by none', () => {
    const g = facts(
      [{ d: 'x', l: 1, amount: 1 }, null],
      [{ d: 'x', l: 2, amount: 2 }, null],
      [{ d: 'x', l: new FloatValue(1), amount: 4 }, null],
      [{ d: 'y', l: 1, amount: 8 }, null],
      [{ l: 1, amount: 16 }, null],
    );
    expectAggregates((h) => aggregation('Sum', { groupBy: ['d', 'l'], having: h }), g, [5, 2, 5, 8, 16]);
    // no group_by: one group, 1+2+4+8+16 = 31
    expectAggregates((h) => aggregation('Sum', { having: h }), g, [31, 31, 31, 31, 31]);
  });

  it('has a label and reads', () => {
    const d = compileDeferred(
      aggregation('Sum', { sourceField: 'amount', groupBy: ['employee_id'], alias: 'total', having: cmp('total', 'GreaterThan', 100) }),
      new Slots(),
    );
    expect(d.label).toBe('Sum(amount) by [employee_id] as total, having total GreaterThan 100');
    expect(d.reads).toEqual(['amount', 'employee_id']);
    const p = compileDeferred(aggregation('Percentile', { percentile: 95, sourceField: 'a.b', window: { kind: 'Time', durationMs: 5 } }), new Slots());
    expect(p.label).toBe('Percentile(a.b, 95) over Time(5ms) as v');
    expect(p.reads).toEqual(['a', 'timestamp']);
  });

  it('Percentile keeps every value; memory says so', () => {
    const d = instance(aggregation('Percentile', { percentile: 50, groupBy: ['k'] }), T0);
    for (const f of facts([{ k: 1, amount: 1 }, null], [{ k: 1, amount: 2 }, null], [{ k: 2, amount: 3 }, null])) d.observe(f);
    expect(d.memory()).toEqual({ groups: 2, values: 3 });
  });

  it('observe after holds is a programming error', () => {
    const d = instance(aggregation('Sum'), T0);
    const [f] = facts([{ amount: 1 }, null]);
    d.holds(f!, d.observe(f!));
    expect(() => d.observe(f!)).toThrow(/observe\(\) after holds\(\)/);
  });
});

describe('Aggregation windows', () => {
  const win =
    (window: AggregationWindow, fn: AggregationFunction = 'Sum') =>
    (h: Condition) =>
      aggregation(fn, { groupBy: ['k'], window, having: h });

  it('Sliding {size 2}: the last 2 facts of the group up to the candidate', () => {
    const fs = facts(
      [{ k: 'a', amount: 10 }, null],
      [{ k: 'a', amount: 20 }, null],
      [{ k: 'b', amount: 100 }, null],
      [{ k: 'a', amount: 30 }, null],
      [{ k: 'a', amount: 5 }, null],
      [{ k: 'a' }, null],
    );
    // a: [10]=10, [10,20]=30, [20,30]=50, [30,5]=35, [5,–]=5 (a fact without a value takes a place); b: 100
    expectAggregates(win({ kind: 'Sliding', size: 2 }), fs, [10, 30, 100, 50, 35, 5]);
    expect(run(win({ kind: 'Sliding', size: 2 })(cmp('v', 'GreaterThanOrEqual', 35)), fs)).toEqual([false, false, true, true, true, false]);
  });

  it('Sliding {size 1}: the fact alone; Max over the window', () => {
    const fs = facts([{ k: 'a', amount: 3 }, null], [{ k: 'a', amount: 1 }, null], [{ k: 'a', amount: 'x' }, null]);
    expectAggregates(win({ kind: 'Sliding', size: 1 }, 'Max'), fs, [3, 1, null]);
    // size 2: [3]=3, [3,1]=3, [1,x]=1
    expectAggregates(win({ kind: 'Sliding', size: 2 }, 'Max'), fs, [3, 3, 1]);
  });

  it('Sliding {size 3} with Percentile(50): the median of the window', () => {
    const fs = facts([{ k: 'a', amount: 5 }, null], [{ k: 'a', amount: 1 }, null], [{ k: 'a', amount: 3 }, null], [{ k: 'a', amount: 0 }, null]);
    // [5] 5; [5,1] rank 0.5 → 1 + 0.5×4 = 3; [5,1,3] sorted 1 3 5 → 3; [1,3,0] sorted 0 1 3 → 1
    expectAggregates((h) => aggregation('Percentile', { percentile: 50, groupBy: ['k'], window: { kind: 'Sliding', size: 3 }, having: h }), fs, [5, 3, 3, 1]);
  });

  it('Tumbling {size 2}: blocks of 2 group facts by arrival; the last block may be short', () => {
    const fs = facts(
      [{ k: 'a', amount: 1 }, null],
      [{ k: 'b', amount: 10 }, null],
      [{ k: 'a', amount: 2 }, null],
      [{ k: 'a', amount: 3 }, null],
      [{ k: 'a', amount: 4 }, null],
      [{ k: 'a', amount: 5 }, null],
    );
    // a: [1,2]=3, [3,4]=7, [5]=5; b: [10]=10
    expectAggregates(win({ kind: 'Tumbling', size: 2 }), fs, [3, 10, 3, 7, 7, 5]);
    expectAggregates(win({ kind: 'Tumbling', size: 2 }, 'Average'), fs, [1.5, 10, 1.5, 3.5, 3.5, 5]);
  });

  it('Session {timeout 1000}: a gap of exactly 1000 stays in the session, 1001 starts another', () => {
    const fs = facts(
      [{ k: 'a', amount: 1 }, 0],
      [{ k: 'a', amount: 2 }, 1000], // gap 1000 = timeout: same session
      [{ k: 'a', amount: 4 }, 2001], // gap 1001: new session
      [{ k: 'a', amount: 8 }, 3001], // gap 1000: joins it
      [{ k: 'a', amount: 16 }, 500], // out of order: joins the first
      [{ k: 'b', amount: 32 }, 1500], // other group: its own session
    );
    // sessions {0, 500, 1000} = 1+16+2 = 19, {2001, 3001} = 4+8 = 12, b {1500} = 32
    expectAggregates(win({ kind: 'Session', timeoutMs: 1000 }), fs, [19, 19, 12, 12, 19, 32]);
  });

  it('Session: a late fact bridges two sessions into one', () => {
    const fs = facts([{ k: 'a', amount: 1 }, 0], [{ k: 'a', amount: 2 }, 2000], [{ k: 'a', amount: 4 }, 1000]);
    // 0 and 2000 are 2000 apart (two sessions) until 1000 arrives: 1000 − 0 = 1000, 2000 − 1000 = 1000
    expectAggregates(win({ kind: 'Session', timeoutMs: 1000 }), fs, [7, 7, 7]);
    expectAggregates(win({ kind: 'Session', timeoutMs: 1000 }, 'Count'), fs, [3, 3, 3]);
    // with timeout 999 nothing joins
    expectAggregates(win({ kind: 'Session', timeoutMs: 999 }), fs, [1, 2, 4]);
  });

  it('Session: facts without a timestamp are at the run start', () => {
    const fs = facts([{ k: 'a', amount: 1 }, null], [{ k: 'a', amount: 2 }, 100], [{ k: 'a', amount: 4 }, 5000]);
    // run start = T0: facts at 0 and 100 share a session (1+2 = 3); 5000 alone
    expectAggregates(win({ kind: 'Session', timeoutMs: 1000 }), fs, [3, 3, 4]);
  });

  it('Time {duration 1000}: (t − 1000, t], a fact exactly 1000 earlier is out', () => {
    const fs = facts(
      [{ k: 'a', amount: 1 }, 0],
      [{ k: 'a', amount: 2 }, 500],
      [{ k: 'a', amount: 4 }, 1000],
      [{ k: 'a', amount: 8 }, 1000], // same instant, later arrival: in the window of the fact before
      [{ k: 'a', amount: 16 }, 1999],
      [{ k: 'a', amount: 32 }, 200], // out of order
      [{ k: 'b', amount: 64 }, 1000],
    );
    // t=0: {0}=1; t=500: (−500,500] {0,200,500} = 1+32+2 = 35; t=1000: (0,1000] {200,500,1000,1000} = 32+2+4+8 = 46;
    // t=1999: (999,1999] {1000,1000,1999} = 4+8+16 = 28; t=200: (−800,200] {0,200} = 33; b: 64
    expectAggregates(win({ kind: 'Time', durationMs: 1000 }), fs, [1, 35, 46, 46, 28, 33, 64]);
    // Min over the same windows: 1, 1, 2, 2, 4, 1, 64
    expectAggregates(win({ kind: 'Time', durationMs: 1000 }, 'Min'), fs, [1, 1, 2, 2, 4, 1, 64]);
  });

  it('Time {duration 1000} with StandardDeviation: exactly 0 once the window is all-equal', () => {
    const fs = facts([{ k: 'a', amount: 2 }, 0], [{ k: 'a', amount: 4 }, 500], [{ k: 'a', amount: 4 }, 1400]);
    // t=0: [2] σ 0; t=500: [2,4] mean 3, σ √((1+1)/2) = 1; t=1400: (400,1400] [4,4] σ 0
    expectAggregates(win({ kind: 'Time', durationMs: 1000 }, 'StandardDeviation'), fs, [0, 1, 0]);
  });
});

describe('Stream: Tumbling time windows', () => {
  const tumbling: StreamWindow = { kind: 'Tumbling', durationMs: 60000 };

  it('are [k·60s, (k+1)·60s): a fact at exactly 60 s is in the second window', () => {
    const fs = facts([{}, 0], [{}, 59999], [{}, 60000], [{}, 90000], [{}, 120000]);
    // [0,60s): 2; [60s,120s): 2; [120s,180s): 1
    expectAggregates((h) => stream(tumbling, { kind: 'Count' }, { having: h }), fs, [2, 2, 2, 2, 1]);
    expect(run(stream(tumbling, { kind: 'Count' }, { having: cmp('v', 'GreaterThanOrEqual', 2) }), fs)).toEqual([true, true, true, true, false]);
  });

  it('are aligned to the epoch, not to the first fact', () => {
    const fs = facts([{}, 30000], [{}, 70000]);
    // 30 s is in [0, 60s), 70 s in [60s, 120s): one each, though only 40 s apart
    expectAggregates((h) => stream(tumbling, { kind: 'Count' }, { having: h }), fs, [1, 1]);
  });

  it('take out-of-order facts into the window of their timestamp', () => {
    const fs = facts([{ amount: 1 }, 70000], [{ amount: 2 }, 10000], [{ amount: 4 }, 65000], [{ amount: 8 }, 5000]);
    // [0,60s): 2+8 = 10; [60s,120s): 1+4 = 5
    expectAggregates((h) => stream(tumbling, { kind: 'Sum', field: 'amount' }, { having: h }), fs, [5, 10, 5, 10]);
  });

  it('put a fact without a timestamp at the run start', () => {
    const fs = facts([{}, null], [{}, 61000], [{}, 59000]);
    const c = stream(tumbling, { kind: 'Count' }, { having: cmp('v', 'Equal', 2) });
    // run start T0+30s: window [0,60s) with the fact at 59 s
    const d = instance(c, T0 + 30000);
    const tokens = fs.map((f) => d.observe(f));
    expect(fs.map((f, i) => d.holds(f, tokens[i]!))).toEqual([true, false, true]);
  });

  it('every aggregation kind over one window', () => {
    const fs = facts(
      [{ amount: 10, user: 'u1' }, 0],
      [{ amount: 'x', user: 'u2' }, 20000],
      [{ amount: null, user: 'u1' }, 40000],
      [{ amount: 30, user: 'u3' }, 10000], // out of order
    );
    const check = (agg: StreamAggregation, v: Value) => expectAggregates((h) => stream(tumbling, agg, { having: h }), fs, [v, v, v, v]);
    check({ kind: 'Count' }, 4);
    check({ kind: 'Sum', field: 'amount' }, 40); // 10+30
    check({ kind: 'Average', field: 'amount' }, 20); // 40/2
    check({ kind: 'Min', field: 'amount' }, 10);
    check({ kind: 'Max', field: 'amount' }, 30);
    check({ kind: 'Distinct', field: 'user' }, 3); // u1 u2 u3
    check({ kind: 'First', field: 'amount' }, 10); // earliest timestamp (0 s)
    check({ kind: 'Last', field: 'amount' }, 'x'); // latest non-null: "x" at 20 s (null at 40 s is no value)
    check({ kind: 'First', field: 'user' }, 'u1');
    check({ kind: 'Last', field: 'user' }, 'u1'); // 40 s
    check({ kind: 'Rate', timeUnitMs: 15000 }, 1); // 4 facts × 15000 / 60000
  });

  it('filter: only passing facts feed the window, every fact is judged by it', () => {
    const fs = facts(
      [{ status: 'error' }, 0],
      [{ status: 'ok' }, 1000],
      [{ status: 'error' }, 2000],
      [{ status: 'ok' }, 61000], // its window has no error at all
    );
    const make = (h: Condition | null) => stream(tumbling, { kind: 'Count' }, { filter: cmp('status', 'Equal', 'error'), having: h });
    // window 0: 2 errors (the ok fact at 1 s is judged by it too); window 1: 0
    expectAggregates(make, fs, [2, 2, 2, 0]);
    // without having: holds where the window has a value: not in the quiet window
    expect(run(make(null), fs)).toEqual([true, true, true, false]);
  });

  it('counts ignored values once per fact, has a label', () => {
    const c = stream(tumbling, { kind: 'Sum', field: 'amount' }, { filter: cmp('ok', 'Equal', true), having: cmp('v', 'GreaterThan', 1) });
    const d = instance(c, T0);
    for (const f of facts([{ ok: true, amount: 'x' }, 0], [{ ok: false, amount: 'y' }, 0], [{ ok: true, amount: 2 }, 0])) d.observe(f);
    expect(d.ignoredValues()).toBe(1);
    const plan = compileDeferred(c, new Slots());
    expect(plan.label).toBe('Sum(amount) over Tumbling(60000ms) where ok Equal true as v, having v GreaterThan 1');
    expect(plan.reads).toEqual(['amount', 'ok', 'timestamp']);
    expect(d.memory()).toEqual({ groups: 1, values: 0 });
  });
});

describe('Stream: Sliding time windows', () => {
  const sliding: StreamWindow = { kind: 'Sliding', sizeMs: 60000, advanceMs: 30000 };
  const fs = facts([{ amount: 1 }, 0], [{ amount: 2 }, 30000], [{ amount: 4 }, 59000], [{ amount: 8 }, 60000], [{ amount: 16 }, 95000]);
  // windows [30k s, 30k+60 s): k=−1 [−30,30): 1; k=0 [0,60): 1+2+4 = 7; k=1 [30,90): 2+4+8 = 14;
  // k=2 [60,120): 8+16 = 24; k=3 [90,150): 16

  it('a fact is in every window holding its timestamp; ends are exclusive', () => {
    expectAggregates((h) => stream(sliding, { kind: 'Sum', field: 'amount' }, { having: h }), fs, [
      new AnyOf(1, 7),
      new AnyOf(7, 14),
      new AnyOf(7, 14),
      new AnyOf(14, 24),
      new AnyOf(24, 16),
    ]);
  });

  it('holds when any of its windows satisfies having', () => {
    const c = stream(sliding, { kind: 'Sum', field: 'amount' }, { having: cmp('v', 'GreaterThanOrEqual', 20) });
    expect(run(c, fs)).toEqual([false, false, false, true, true]);
  });

  it('Rate uses the window size as the span', () => {
    // per minute: k=0 has 3 facts → 3.0, k=1 3.0, k=2 2.0, k=3 1.0, k=−1 1.0
    expectAggregates((h) => stream(sliding, { kind: 'Rate', timeUnitMs: 60000 }, { having: h }), fs, [
      new AnyOf(1, 3),
      new AnyOf(3),
      new AnyOf(3),
      new AnyOf(3, 2),
      new AnyOf(2, 1),
    ]);
  });

  it('advance not dividing size: windows [4k, 4k+10)', () => {
    const w: StreamWindow = { kind: 'Sliding', sizeMs: 10, advanceMs: 4 };
    const g = facts([{}, 0], [{}, 5], [{}, 8], [{}, 10], [{}, 13]);
    // k=−2 [−8,2): {0} 1; k=−1 [−4,6): {0,5} 2; k=0 [0,10): {0,5,8} 3; k=1 [4,14): {5,8,10,13} 4;
    // k=2 [8,18): {8,10,13} 3; k=3 [12,22): {13} 1. The fact at 10 is not in k=0.
    expectAggregates((h) => stream(w, { kind: 'Count' }, { having: h }), g, [
      new AnyOf(1, 2, 3),
      new AnyOf(2, 3, 4),
      new AnyOf(3, 4),
      new AnyOf(4, 3),
      new AnyOf(4, 3, 1),
    ]);
  });
});

describe('Stream: Session windows', () => {
  const session: StreamWindow = { kind: 'Session', gapTimeoutMs: 1000 };

  it('cut where the gap exceeds the timeout; a gap equal to it stays in', () => {
    const fs = facts(
      [{ kind: 'click' }, 0],
      [{ kind: 'click' }, 1000], // gap 1000: same session
      [{ kind: 'click' }, 2500], // gap 1500: new session
      [{ kind: 'click' }, 3000],
      [{ kind: 'click' }, 700], // out of order: first session
      [{ kind: 'view' }, 500], // fails the filter, inside [0, 1000]
      [{ kind: 'view' }, 1500], // fails the filter, between sessions
      [{ kind: 'view' }, 3000], // fails the filter, on the last session's end
    );
    const make = (h: Condition | null) => stream(session, { kind: 'Count' }, { filter: cmp('kind', 'Equal', 'click'), having: h });
    // sessions [0, 1000] with 0, 700, 1000: 3; [2500, 3000]: 2; the fact at 1.5 s is in none
    expectAggregates(make, fs, [3, 3, 2, 2, 3, 3, new AnyOf(), 2]);
    expect(run(make(cmp('v', 'GreaterThanOrEqual', 0)), fs)).toEqual([true, true, true, true, true, true, false, true]);
  });

  it('a late fact bridges two sessions', () => {
    const fs = facts([{ amount: 1 }, 0], [{ amount: 2 }, 2000], [{ amount: 4 }, 1000]);
    expectAggregates((h) => stream(session, { kind: 'Sum', field: 'amount' }, { having: h }), fs, [7, 7, 7]);
  });

  it('Rate over a session: count × unit / (last − first); a one-fact session has none', () => {
    const fs = facts([{}, 0], [{}, 500], [{}, 1000], [{}, 5000]);
    // session [0, 1000]: 3 × 1000 / 1000 = 3.0; session [5000, 5000]: null
    expectAggregates((h) => stream(session, { kind: 'Rate', timeUnitMs: 1000 }, { having: h }), fs, [3, 3, 3, null]);
  });

  it('First and Last by timestamp', () => {
    const fs = facts([{ v: 'b' }, 500], [{ v: 'c' }, 900], [{ v: 'a' }, 100]);
    expectAggregates((h) => stream(session, { kind: 'First', field: 'v' }, { having: h }), fs, ['a', 'a', 'a']);
    expectAggregates((h) => stream(session, { kind: 'Last', field: 'v' }, { having: h }), fs, ['c', 'c', 'c']);
  });
});

describe('Stream: count windows', () => {
  it('CountTumbling {count 2}: positions among filtered facts; the short last window counts', () => {
    const fs = facts(
      [{ amount: 1 }, null],
      [{ amount: 2 }, null],
      [{ other: true }, null], // fails the filter: in no window, never holds
      [{ amount: 4 }, null],
      [{ amount: 8 }, null],
      [{ amount: 16 }, null],
    );
    const make = (h: Condition | null) =>
      stream({ kind: 'CountTumbling', count: 2 }, { kind: 'Sum', field: 'amount' }, { filter: cmp('amount', 'GreaterThan', 0), having: h });
    // [1,2] = 3, [4,8] = 12, [16] = 16
    expectAggregates(make, fs, [3, 3, new AnyOf(), 12, 12, 16]);
    expect(run(make(cmp('v', 'GreaterThanOrEqual', 0)), fs)).toEqual([true, true, false, true, true, true]);
  });

  it('CountSliding {size 3, advance 2}: windows [2k, 2k+3), the short last one counts', () => {
    const fs = facts(
      [{ amount: 1 }, null],
      [{ amount: 2 }, null],
      [{ amount: 4 }, null],
      [{ amount: 8 }, null],
      [{ amount: 16 }, null],
      [{ amount: 32 }, null],
    );
    // k=0 [0,3): 1+2+4 = 7; k=1 [2,5): 4+8+16 = 28; k=2 [4,6): 16+32 = 48
    expectAggregates((h) => stream({ kind: 'CountSliding', size: 3, advance: 2 }, { kind: 'Sum', field: 'amount' }, { having: h }), fs, [
      7,
      7,
      new AnyOf(7, 28),
      28,
      new AnyOf(28, 48),
      48,
    ]);
  });

  it('CountSliding ending on a full window: the next one still starts before the end', () => {
    const fs = facts([{ amount: 1 }, null], [{ amount: 2 }, null], [{ amount: 4 }, null], [{ amount: 8 }, null], [{ amount: 16 }, null]);
    // k=0 [0,3): 7; k=1 [2,5): 28; k=2 [4,5): 16
    expectAggregates((h) => stream({ kind: 'CountSliding', size: 3, advance: 2 }, { kind: 'Sum', field: 'amount' }, { having: h }), fs, [
      7,
      7,
      new AnyOf(7, 28),
      28,
      new AnyOf(28, 16),
    ]);
  });

  it('CountSliding {size 2, advance 1} with Min, Max, First, Last, Distinct across evictions', () => {
    const fs = facts([{ amount: 5 }, 0], [{ amount: 1 }, 0], [{ amount: 3 }, 0], [{ amount: 3 }, 0]);
    // windows [5,1], [1,3], [3,3], [3]
    const run2 = (agg: StreamAggregation, per: Expected[]) =>
      expectAggregates((h) => stream({ kind: 'CountSliding', size: 2, advance: 1 }, agg, { having: h }), fs, per);
    run2({ kind: 'Min', field: 'amount' }, [1, new AnyOf(1), new AnyOf(1, 3), new AnyOf(3)]);
    run2({ kind: 'Max', field: 'amount' }, [5, new AnyOf(5, 3), new AnyOf(3), new AnyOf(3)]);
    run2({ kind: 'First', field: 'amount' }, [5, new AnyOf(5, 1), new AnyOf(1, 3), new AnyOf(3)]);
    run2({ kind: 'Last', field: 'amount' }, [1, new AnyOf(1, 3), new AnyOf(3), new AnyOf(3)]);
    run2({ kind: 'Distinct', field: 'amount' }, [2, new AnyOf(2), new AnyOf(2, 1), new AnyOf(1)]);
    run2({ kind: 'Average', field: 'amount' }, [3, new AnyOf(3, 2), new AnyOf(2, 3), new AnyOf(3)]);
  });

  it('First and Last in count windows go by arrival, not timestamp', () => {
    const fs = facts([{ v: 'late' }, 9000], [{ v: 'early' }, 1000]);
    expectAggregates((h) => stream({ kind: 'CountTumbling', count: 2 }, { kind: 'First', field: 'v' }, { having: h }), fs, ['late', 'late']);
    expectAggregates((h) => stream({ kind: 'CountTumbling', count: 2 }, { kind: 'Last', field: 'v' }, { having: h }), fs, ['early', 'early']);
  });

  it('Rate over a count window: last − first timestamp; null for one instant', () => {
    const fs = facts([{}, 0], [{}, 3000], [{}, 1000], [{}, 7000]);
    // [0, 3000, 1000]: span 3000, 3 × 1000 / 3000 = 1.0; [7000]: null
    expectAggregates((h) => stream({ kind: 'CountTumbling', count: 3 }, { kind: 'Rate', timeUnitMs: 1000 }, { having: h }), fs, [1, 1, 1, null]);
    // sliding {size 2, advance 1}, per 3 s: [0,3000] 2 × 3000 / 3000 = 2; [3000,1000] 2 × 3000 / 2000 = 3;
    // [1000,7000] 2 × 3000 / 6000 = 1; [7000] null
    expectAggregates((h) => stream({ kind: 'CountSliding', size: 2, advance: 1 }, { kind: 'Rate', timeUnitMs: 3000 }, { having: h }), fs, [
      2,
      new AnyOf(2, 3),
      new AnyOf(3, 1),
      new AnyOf(1, null),
    ]);
  });

  it('empty input, and a single fact', () => {
    expect(run(stream({ kind: 'CountTumbling', count: 3 }, { kind: 'Count' }), [])).toEqual([]);
    const one = facts([{ amount: 4 }, null]);
    expectAggregates((h) => stream({ kind: 'CountSliding', size: 3, advance: 1 }, { kind: 'Average', field: 'amount' }, { having: h }), one, [4]);
  });

  it('memory: CountSliding keeps at most the window', () => {
    const d = instance(stream({ kind: 'CountSliding', size: 3, advance: 1 }, { kind: 'Sum', field: 'amount' }), T0);
    for (const f of facts([{ amount: 1 }, null], [{ amount: 2 }, null], [{ amount: 3 }, null], [{ amount: 4 }, null], [{ amount: 5 }, null])) d.observe(f);
    expect(d.memory().values).toBeLessThanOrEqual(3);
  });
});

describe('fact timestamps', () => {
  it('read the same as parseRfc3339, through the same-minute shortcut too', () => {
    const texts = [
      '2025-01-01T00:00:59.999Z',
      '2025-01-01T00:00:07Z',
      '2025-01-01T00:00:07.5Z',
      '2025-01-01T00:00:07.123456z',
      '2025-01-01T00:00:30+02:00', // same first 17 characters, not UTC: parsed in full
      '2025-01-01T00:00:30Z',
      '2025-01-01 00:00:31Z',
      '2025-01-01T00:01:00.001Z',
      '2024-02-29T23:59:59.9999Z',
    ];
    const clock = new Clock(0);
    for (const t of texts) expect(clock.ms(new Fact(0, {}, t, null, 0)), t).toBe(parseRfc3339(t));
    expect(clock.ms(new Fact(0, {}, null, null, 0))).toBe(0);
  });

  it('within one minute, a 500 ms window boundary splits 59.499 from 59.500', () => {
    const fs = facts([{}, 59499], [{}, 59500], [{}, 59000], [{}, 59999]);
    // [59.0, 59.5): 59.499 and 59.0; [59.5, 60.0): 59.5 and 59.999
    expectAggregates((h) => stream({ kind: 'Tumbling', durationMs: 500 }, { kind: 'Count' }, { having: h }), fs, [2, 2, 2, 2]);
    const first = (h: Condition) => stream({ kind: 'Tumbling', durationMs: 500 }, { kind: 'First', field: 'id' }, { having: h });
    const withIds = fs.map((f, i) => new Fact(f.id, { id: i }, f.timestamp, null, 0));
    // first by timestamp: 59.0 (id 2) in the first window, 59.5 (id 1) in the second
    expectAggregates(first, withIds, [2, 1, 2, 1]);
  });
});
