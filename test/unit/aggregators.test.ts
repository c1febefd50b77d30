// Unit tests for the running aggregators behind Aggregation and Stream conditions: every
// kind's result and result type, empty input, a single value, all-equal values, nulls and
// values of the wrong type, oldest-first removal (sliding windows) and merging (sessions).
// Expected values are worked out by hand in the comments next to them.

import { describe, it, expect } from 'vitest';
import { makeAggregator, MonotonicDeque, type Aggregator, type AggregatorKind, type AggregatorSpec } from '../../src/rete/aggregators.js';
import { DateValue, FloatValue, type Value } from '../../src/model/value.js';

function spec(kind: AggregatorKind, over: Partial<AggregatorSpec> = {}): AggregatorSpec {
  return { kind, percentile: null, timeUnitMs: null, spanMs: null, byTime: false, removable: false, ...over };
}

/** An aggregator fed `values` (timestamps 0, 1, 2... unless given). */
function fed(s: AggregatorSpec, values: (Value | undefined)[], times?: number[]): Aggregator {
  const a = makeAggregator(s);
  values.forEach((v, i) => {
    a.add(v, times?.[i] ?? i);
  });
  return a;
}

function result(kind: AggregatorKind, values: (Value | undefined)[], over: Partial<AggregatorSpec> = {}): Value {
  return fed(spec(kind, over), values).result();
}

/** An Integer result: a plain integral number. */
function expectInt(v: Value, n: number): void {
  expect(typeof v).toBe('number');
  expect(Object.is(v, n)).toBe(true);
}

/** A Float result: a FloatValue when integral, else a plain non-integral number. */
function expectFloat(v: Value, n: number): void {
  if (Number.isInteger(n)) {
    expect(v).toBeInstanceOf(FloatValue);
    expect((v as FloatValue).value).toBe(n);
  } else {
    expect(typeof v).toBe('number');
    expect(v as number).toBeCloseTo(n, 12);
  }
}

describe('what counts as a value', () => {
  it('numeric kinds take Integers and Floats only, and say so', () => {
    for (const kind of ['Sum', 'Average', 'Min', 'Max', 'StandardDeviation', 'Percentile'] as const) {
      const a = makeAggregator(spec(kind, { percentile: 50 }));
      expect(a.add(1, 0)).toBe(true);
      expect(a.add(new FloatValue(2), 0)).toBe(true);
      expect(a.add(null, 0)).toBe(false);
      expect(a.add('3', 0)).toBe(false);
      expect(a.add(true, 0)).toBe(false);
      expect(a.add(new DateValue(5), 0)).toBe(false);
      expect(a.add([1], 0)).toBe(false);
      expect(a.add(undefined, 0)).toBe(false);
      expect(a.count).toBe(2);
    }
  });

  it('Count, Distinct, First, Last take anything but null and missing', () => {
    for (const kind of ['Count', 'Distinct', 'First', 'Last'] as const) {
      const a = makeAggregator(spec(kind));
      expect(a.add('x', 0)).toBe(true);
      expect(a.add(false, 0)).toBe(true);
      expect(a.add({ k: 1 }, 0)).toBe(true);
      expect(a.add(null, 0)).toBe(false);
      expect(a.add(undefined, 0)).toBe(false);
      expect(a.count).toBe(3);
    }
  });
});

describe('Sum', () => {
  it('adds Integers to an Integer', () => expectInt(result('Sum', [1, 2, 3]), 6)); // 1+2+3
  it('is a Float when any value is', () => {
    expectFloat(result('Sum', [1, 2.5]), 3.5); // 1+2.5
    expectFloat(result('Sum', [new FloatValue(2), 3]), 5); // 2.0+3 = 5.0
  });
  it('is 0 (Integer) when empty or when nothing was numeric', () => {
    expectInt(result('Sum', []), 0);
    expectInt(result('Sum', [null, 'x', true]), 0);
  });
  it('single and all-equal values', () => {
    expectInt(result('Sum', [42]), 42);
    expectInt(result('Sum', [7, 7, 7]), 21); // 3×7
  });
  it('skips nulls and non-numbers', () => expectInt(result('Sum', [null, 'x', 4, undefined, false, 6]), 10)); // 4+6
});

describe('Count', () => {
  it('counts present non-null values of any type', () => expectInt(result('Count', [1, 'a', true, null, undefined, [2]]), 4));
  it('is 0 when empty', () => expectInt(result('Count', []), 0));
});

describe('Average', () => {
  it('is the mean, as a Float', () => {
    expectFloat(result('Average', [1, 2, 3, 4]), 2.5); // 10/4
    expectFloat(result('Average', [2, 4]), 3); // 6/2 = 3.0
  });
  it('is null when empty or nothing numeric', () => {
    expect(result('Average', [])).toBeNull();
    expect(result('Average', [null, 'x'])).toBeNull();
  });
  it('single and all-equal values', () => {
    expectFloat(result('Average', [5]), 5);
    expectFloat(result('Average', [3, 3, 3]), 3);
  });
  it('ignores non-numbers in the divisor too', () => expectFloat(result('Average', [10, 'x', null, 20]), 15)); // (10+20)/2
});

describe('Min and Max', () => {
  it('find the extreme', () => {
    expectFloat(result('Min', [3, 1.5, 2]), 1.5);
    expectInt(result('Max', [3, 1.5, 2]), 3);
    expectInt(result('Min', [-1, -7, 0]), -7);
  });
  it('return the value as given, type kept', () => {
    const f = new FloatValue(3);
    expect(result('Max', [f, 2])).toBe(f);
    // Ties keep the first: Integer 2 comes before Float 2.0.
    expectInt(result('Min', [2, new FloatValue(2)]), 2);
  });
  it('are null when empty; skip non-numbers', () => {
    expect(result('Min', [])).toBeNull();
    expect(result('Max', ['z', null])).toBeNull();
    expectInt(result('Max', ['zzz', 1, null]), 1);
  });
  it('single and all-equal values', () => {
    expectInt(result('Min', [9]), 9);
    expectInt(result('Max', [4, 4, 4]), 4);
  });
});

describe('StandardDeviation (population)', () => {
  it('textbook example', () => {
    // mean 40/8 = 5; squared deviations 9,1,1,1,0,0,4,16 sum 32; 32/8 = 4; sqrt 4 = 2
    expectFloat(result('StandardDeviation', [2, 4, 4, 4, 5, 5, 7, 9]), 2);
  });
  it('two values', () => expectFloat(result('StandardDeviation', [1, 2]), 0.5)); // mean 1.5, (0.25+0.25)/2 = 0.25
  it('single value is 0.0, all-equal is 0.0, empty is null', () => {
    expectFloat(result('StandardDeviation', [7]), 0);
    expectFloat(result('StandardDeviation', [5, 5, 5, 5]), 0);
    expect(result('StandardDeviation', [])).toBeNull();
  });
  it('skips non-numbers', () => expectFloat(result('StandardDeviation', [1, 'x', null, 3]), 1)); // mean 2, (1+1)/2 = 1
});

describe('Percentile (linear interpolation between closest ranks)', () => {
  const p = (q: number, values: (Value | undefined)[]) => result('Percentile', values, { percentile: q });
  it('interpolates', () => {
    // sorted 15 20 35 40 50; rank 0.4×4 = 1.6 → 20 + 0.6×(35−20) = 29
    expectFloat(p(40, [35, 15, 50, 40, 20]), 29);
    // sorted 1 2 3 4; rank 0.95×3 = 2.85 → 3 + 0.85×(4−3) = 3.85
    expectFloat(p(95, [4, 3, 2, 1]), 3.85);
    // rank 0.5×3 = 1.5 → 2 + 0.5×1 = 2.5
    expectFloat(p(50, [1, 2, 3, 4]), 2.5);
  });
  it('p = 0 is the minimum, p = 100 the maximum, p = 50 of an odd count the median', () => {
    expectFloat(p(0, [35, 15, 50]), 15);
    expectFloat(p(100, [35, 15, 50]), 50);
    expectFloat(p(50, [35, 15, 50]), 35);
  });
  it('single value, all-equal, empty', () => {
    expectFloat(p(95, [7]), 7);
    expectFloat(p(30, [4, 4, 4]), 4);
    expect(p(50, [])).toBeNull();
  });
  it('skips non-numbers', () => expectFloat(p(50, ['a', 10, null, 20]), 15)); // sorted 10 20; rank 0.5 → 15
  it('reads again after more values', () => {
    const a = fed(spec('Percentile', { percentile: 50 }), [3, 1]);
    expectFloat(a.result(), 2); // 1 3 → 2
    a.add(2, 0);
    expectFloat(a.result(), 2); // 1 2 3 → 2
    a.add(10, 0);
    expectFloat(a.result(), 2.5); // 1 2 3 10; rank 1.5 → 2.5
    expect(a.stored()).toBe(4);
  });
});

describe('Distinct', () => {
  it('counts values distinct under Equal', () => {
    // 1 = 1.0; "1" is a string; dates by instant; arrays deeply: 1, "1", true, "a", date 0, [1,2] → 6
    const values: Value[] = [1, new FloatValue(1), '1', true, 'a', 'a', new DateValue(0), new DateValue(0), [1, 2], [1, 2]];
    expectInt(result('Distinct', values), 6);
  });
  it('ignores null; empty is 0; all-equal is 1; single is 1', () => {
    expectInt(result('Distinct', [null, null]), 0);
    expectInt(result('Distinct', []), 0);
    expectInt(result('Distinct', ['x', 'x', 'x']), 1);
    expectInt(result('Distinct', [5]), 1);
  });
  it('holds one entry per distinct value', () => expect(fed(spec('Distinct'), ['a', 'b', 'a']).stored()).toBe(2));
});

describe('First and Last', () => {
  it('by arrival', () => {
    expect(result('First', [null, 'a', 'b'])).toBe('a');
    expect(result('Last', ['a', 'b', null, undefined])).toBe('b');
  });
  it('by timestamp, ties by arrival', () => {
    const s = { byTime: true };
    // ("late", 100), ("early", 50), ("tie", 50): earliest is 50, first to arrive there "early"
    expect(fed(spec('First', s), ['late', 'early', 'tie'], [100, 50, 50]).result()).toBe('early');
    expect(fed(spec('Last', s), ['late', 'early', 'tie'], [100, 50, 50]).result()).toBe('late');
    // a tie at the latest instant goes to the later arrival
    expect(fed(spec('Last', s), ['x', 'y'], [100, 100]).result()).toBe('y');
  });
  it('take any type; null when empty; single value', () => {
    expect(result('First', [{ k: 1 }])).toEqual({ k: 1 });
    expect(result('First', [])).toBeNull();
    expect(result('Last', [null])).toBeNull();
    expectInt(result('Last', [3]), 3);
  });
});

describe('Rate', () => {
  it('over a fixed span: count × unit / span', () => {
    // 3 facts in a 60 s window, per second: 3 × 1000 / 60000 = 0.05
    expectFloat(fed(spec('Rate', { timeUnitMs: 1000, spanMs: 60000 }), [true, true, true]).result(), 0.05);
    // per 15 s: 4 × 15000 / 60000 = 1.0
    expectFloat(fed(spec('Rate', { timeUnitMs: 15000, spanMs: 60000 }), [true, true, true, true]).result(), 1);
  });
  it('over a fixed span, empty is 0.0', () => expectFloat(fed(spec('Rate', { timeUnitMs: 1000, spanMs: 60000 }), []).result(), 0));
  it('over the actual span: last − first timestamp', () => {
    // timestamps 1000, 3000, 2000: span 2000; 3 × 1000 / 2000 = 1.5
    expectFloat(fed(spec('Rate', { timeUnitMs: 1000 }), [true, true, true], [1000, 3000, 2000]).result(), 1.5);
  });
  it('over the actual span, a single fact or one instant has no rate', () => {
    expect(fed(spec('Rate', { timeUnitMs: 1000 }), [true], [5]).result()).toBeNull();
    expect(fed(spec('Rate', { timeUnitMs: 1000 }), [true, true], [5, 5]).result()).toBeNull();
    expect(fed(spec('Rate', { timeUnitMs: 1000 }), []).result()).toBeNull();
  });
});

describe('removal, oldest first (sliding windows)', () => {
  const removable = { removable: true };
  it('Sum, Count, Average', () => {
    const sum = fed(spec('Sum', removable), [1, 2.5, 3]);
    sum.remove(1, 0);
    expectFloat(sum.result(), 5.5); // 2.5+3
    sum.remove(2.5, 0);
    expectInt(sum.result(), 3); // only Integer 3 left: Integer again
    sum.remove(3, 0);
    expectInt(sum.result(), 0);
    const avg = fed(spec('Average', removable), [10, 'x', 20, 30]);
    avg.remove(10, 0);
    avg.remove('x', 0);
    expectFloat(avg.result(), 25); // (20+30)/2
    const count = fed(spec('Count', removable), ['a', null, 'b']);
    count.remove('a', 0);
    count.remove(null, 0);
    expectInt(count.result(), 1);
  });
  it('Min and Max keep the extreme of what is left', () => {
    const min = fed(spec('Min', removable), [3, 1, 2]);
    min.remove(3, 0);
    expectInt(min.result(), 1); // 1 2
    min.remove(1, 0);
    expectInt(min.result(), 2); // 2
    min.remove(2, 0);
    expect(min.result()).toBeNull();
    const max = fed(spec('Max', removable), [5, 1, 5]);
    max.remove(5, 0);
    expectInt(max.result(), 5); // 1 5: the second 5
    max.remove(1, 0);
    expectInt(max.result(), 5);
    // ascending input: the window minimum moves up one by one
    const asc = fed(spec('Min', removable), [1, 2, 3, 4]);
    asc.remove(1, 0);
    asc.remove(2, 0);
    expectInt(asc.result(), 3);
    expect(asc.stored()).toBe(2); // 3 4
  });
  it('StandardDeviation', () => {
    const sd = fed(spec('StandardDeviation', removable), [2, 4, 4, 4, 5, 5, 7, 9]);
    sd.remove(2, 0);
    // left 4 4 4 5 5 7 9: n 7, Σx 38, Σx² 228 → variance 228/7 − (38/7)²
    expectFloat(sd.result(), Math.sqrt(228 / 7 - (38 / 7) ** 2));
    for (const x of [4, 4, 4, 5, 5, 7]) sd.remove(x, 0);
    expectFloat(sd.result(), 0); // 9 alone
    sd.remove(9, 0);
    expect(sd.result()).toBeNull();
  });
  it('Percentile', () => {
    const p = fed(spec('Percentile', { removable: true, percentile: 50 }), [5, 1, 3]);
    p.remove(5, 0);
    expectFloat(p.result(), 2); // 1 3 → 2
  });
  it('Distinct', () => {
    const d = fed(spec('Distinct', removable), ['a', 'a', 'b']);
    d.remove('a', 0);
    expectInt(d.result(), 2); // a b
    d.remove('a', 0);
    expectInt(d.result(), 1); // b
  });
  it('First and Last by arrival', () => {
    const first = fed(spec('First', removable), ['a', null, 'b', 'c']);
    const last = fed(spec('Last', removable), ['a', null, 'b', 'c']);
    for (const a of [first, last]) {
      a.remove('a', 0);
      a.remove(null, 0);
    }
    expect(first.result()).toBe('b');
    expect(last.result()).toBe('c');
  });
  it('Rate over the actual span', () => {
    const r = fed(spec('Rate', { removable: true, timeUnitMs: 1000 }), [true, true, true], [10, 30, 20]);
    r.remove(true, 10);
    expectFloat(r.result(), 200); // 20 and 30 left: 2 × 1000 / (30 − 20)
  });
});

describe('merging (sessions)', () => {
  const both = (kind: AggregatorKind, a: Value[], b: Value[], over: Partial<AggregatorSpec> = {}): Value => {
    const x = fed(
      spec(kind, over),
      a,
      a.map((_, i) => i),
    );
    x.merge(
      fed(
        spec(kind, over),
        b,
        b.map((_, i) => 100 + i),
      ),
    );
    return x.result();
  };
  it('numeric kinds', () => {
    expectInt(both('Sum', [1, 2], [3]), 6);
    expectFloat(both('Average', [1, 2], [6]), 3); // 9/3
    expectInt(both('Min', [4, 2], [3]), 2);
    expectInt(both('Max', [4, 2], [9]), 9);
    expectInt(both('Min', [], [3]), 3);
    // the textbook set split in two: still mean 5, σ 2
    expectFloat(both('StandardDeviation', [2, 4, 4, 4], [5, 5, 7, 9]), 2);
    expectFloat(both('Percentile', [50, 10], [30], { percentile: 50 }), 30);
  });
  it('Count, Distinct, First, Last, Rate', () => {
    expectInt(both('Count', ['a'], ['b', 'c']), 3);
    expectInt(both('Distinct', ['a', 'b'], ['b', 'c']), 3);
    expect(both('First', ['a'], ['b'], { byTime: true })).toBe('a'); // ts 0 before 100
    expect(both('Last', ['a'], ['b'], { byTime: true })).toBe('b');
    expect(both('Last', ['a'], [], { byTime: true })).toBe('a');
    // timestamps 0, 1 and 100: span 100; 3 × 1000 / 100 = 30
    expectFloat(both('Rate', [true, true], [true], { timeUnitMs: 1000 }), 30);
  });
});

describe('MonotonicDeque', () => {
  it('keeps the window minimum under oldest-first expiry, duplicates included', () => {
    const d = new MonotonicDeque(1);
    for (const k of [4, 2, 2, 5]) d.push(k, k);
    expect(d.frontKey()).toBe(2);
    d.expire(4); // 4 had been dropped already
    expect(d.frontKey()).toBe(2);
    d.expire(2);
    expect(d.frontKey()).toBe(2); // the second 2
    d.expire(2);
    expect(d.frontKey()).toBe(5);
    expect(d.size).toBe(1);
  });
});
