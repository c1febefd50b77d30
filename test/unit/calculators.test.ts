// Unit tests for the nine built-in calculators of the CallCalculator action: results and
// their int/float typing, edge cases (zero totals, negative spans, workday boundaries),
// and the exact one-line error messages. Expected values are worked out by hand here.

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { CALCULATORS, getCalculator, type CalculatorOutcome } from '../../src/actions/calculators.js';
import { DateValue, FloatValue, type Value } from '../../src/model/value.js';

type Args = Record<string, Value | undefined>;

function run(name: string, args: Args): CalculatorOutcome {
  const calc = getCalculator(name);
  if (calc === undefined) throw new Error(`no calculator ${name}`);
  return calc.run(args);
}

/** The value of a successful outcome (fails the test with the message otherwise). */
function ok(name: string, args: Args): Value {
  const out = run(name, args);
  if (!out.ok) throw new Error(`expected success, got: ${out.message}`);
  return out.value;
}

/** The message of a failed outcome. */
function err(name: string, args: Args): string {
  const out = run(name, args);
  if (out.ok) throw new Error(`expected an error, got ${JSON.stringify(out.value)}`);
  return out.message;
}

/** An integer result: a plain integral number. */
function expectInt(v: Value, n: number): void {
  expect(typeof v).toBe('number');
  expect(Number.isInteger(v)).toBe(true);
  expect(Object.is(v, n)).toBe(true);
}

/** A float result: a FloatValue when integral, else a plain non-integral number. */
function expectFloat(v: Value, n: number): void {
  if (Number.isInteger(n)) {
    expect(v).toBeInstanceOf(FloatValue);
    expect(Object.is((v as FloatValue).value, n)).toBe(true);
  } else {
    expect(v).toBe(n);
  }
}

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): DateValue => new DateValue(Date.UTC(y, mo - 1, d, h, mi, s, ms));

const WD = '{"hours":H,"minutes":M} (H 0-23, M 0-59)';

describe('registry', () => {
  it('holds exactly the nine calculators with their argument lists', () => {
    const table = [...CALCULATORS.values()].map((c) => [c.name, [...c.required], [...c.optional]]);
    expect(table).toEqual([
      ['add', ['a', 'b'], []],
      ['multiply', ['a', 'b'], []],
      ['percentage_add', ['amount', 'percentage'], []],
      ['percentage_deduct', ['amount', 'percentage'], []],
      ['proportional_allocator', ['total_amount', 'individual_value', 'total_value'], []],
      ['time_between_datetime', ['start_datetime', 'finish_datetime'], ['units', 'workday', 'part']],
      ['weighted_average', ['items'], []],
      ['threshold_check', ['value', 'threshold'], []],
      ['limit_validator', ['value', 'min', 'max'], []],
    ]);
    for (const [name, calc] of CALCULATORS) expect(calc.name).toBe(name);
  });

  it('looks calculators up by exact name', () => {
    expect(getCalculator('add')).toBe(CALCULATORS.get('add'));
    expect(getCalculator('Add')).toBeUndefined();
    expect(getCalculator('nope')).toBeUndefined();
  });

  it('reports the first missing required argument for every calculator', () => {
    const msgs = [...CALCULATORS.values()].map((c) => err(c.name, {}));
    expect(msgs).toEqual([
      'add: argument "a" is missing',
      'multiply: argument "a" is missing',
      'percentage_add: argument "amount" is missing',
      'percentage_deduct: argument "amount" is missing',
      'proportional_allocator: argument "total_amount" is missing',
      'time_between_datetime: argument "start_datetime" is missing',
      'weighted_average: argument "items" is missing',
      'threshold_check: argument "value" is missing',
      'limit_validator: argument "value" is missing',
    ]);
  });
});

describe('add', () => {
  it('adds two integers to an integer', () => {
    expectInt(ok('add', { a: 2, b: 3 }), 5);
    expectInt(ok('add', { a: -7, b: 3 }), -4);
  });

  it('gives a float when either operand is a float', () => {
    expectFloat(ok('add', { a: 2, b: new FloatValue(3) }), 5);
    expectFloat(ok('add', { a: new FloatValue(2), b: 3 }), 5);
    expectFloat(ok('add', { a: 1.5, b: 2 }), 3.5);
    // 0.5 + 0.5 is integral but stays a float.
    expectFloat(ok('add', { a: 0.5, b: 0.5 }), 1);
    expectFloat(ok('add', { a: 0.1, b: 0.2 }), 0.1 + 0.2);
  });

  it('ignores unmapped extra arguments', () => {
    expectInt(ok('add', { a: 1, b: 2, c: 'x' }), 3);
  });

  it('rejects missing and mistyped operands, naming the argument', () => {
    expect(err('add', { a: 1 })).toBe('add: argument "b" is missing');
    expect(err('add', { a: 1, b: undefined })).toBe('add: argument "b" is missing');
    expect(err('add', { a: 'x', b: 1 })).toBe('add: argument "a" must be a number, got string "x"');
    // Numeric strings are not numbers (strict).
    expect(err('add', { a: '5', b: 1 })).toBe('add: argument "a" must be a number, got string "5"');
    expect(err('add', { a: 1, b: null })).toBe('add: argument "b" must be a number, got null');
    expect(err('add', { a: true, b: 1 })).toBe('add: argument "a" must be a number, got boolean true');
    expect(err('add', { a: utc(2024, 1, 15, 10, 30), b: 1 })).toBe('add: argument "a" must be a number, got date "2024-01-15T10:30:00Z"');
    expect(err('add', { a: [1, 2], b: 1 })).toBe('add: argument "a" must be a number, got array [1,2]');
    expect(err('add', { a: { k: 1 }, b: 1 })).toBe('add: argument "a" must be a number, got object {"k":1}');
    expect(err('add', { a: Infinity, b: 1 })).toBe('add: argument "a" must be a finite number, got number Infinity');
    expect(err('add', { a: 1, b: NaN })).toBe('add: argument "b" must be a finite number, got number NaN');
  });

  it('rejects non-finite and inexact integer results', () => {
    // 1e308 is an integral double, so both are integers; the sum overflows to Infinity.
    expect(err('add', { a: 1e308, b: 1e308 })).toBe('add: result is not a finite number (Infinity)');
    // 2^53 - 1 + 1 = 2^53 is past the exact integer range.
    expect(err('add', { a: 9007199254740991, b: 1 })).toBe('add: integer result 9007199254740992 is outside the exact integer range');
    // As a float it is fine.
    expectFloat(ok('add', { a: new FloatValue(9007199254740991), b: 1 }), 9007199254740992);
  });
});

describe('multiply', () => {
  it('multiplies integers to an integer, anything with a float to a float', () => {
    expectInt(ok('multiply', { a: 6, b: 7 }), 42);
    expectFloat(ok('multiply', { a: 2, b: new FloatValue(3) }), 6);
    expectFloat(ok('multiply', { a: 2.5, b: 4 }), 10);
    expectFloat(ok('multiply', { a: 0.1, b: 3 }), 0.1 * 3);
  });

  it('writes a negative zero as 0', () => {
    expectInt(ok('multiply', { a: 0, b: -5 }), 0);
    expectFloat(ok('multiply', { a: new FloatValue(0), b: -5 }), 0);
  });

  it('rejects bad inputs and overflow', () => {
    expect(err('multiply', { b: 2 })).toBe('multiply: argument "a" is missing');
    expect(err('multiply', { a: 2, b: 'two' })).toBe('multiply: argument "b" must be a number, got string "two"');
    expect(err('multiply', { a: 1e200, b: 1e200 })).toBe('multiply: result is not a finite number (Infinity)');
  });
});

describe('percentage_add / percentage_deduct', () => {
  it('adds a fractional percentage: amount × (1 + p), always a float', () => {
    expectFloat(ok('percentage_add', { amount: 100, percentage: 0.1 }), 100 * (1 + 0.1));
    expectFloat(ok('percentage_add', { amount: 200, percentage: 0.5 }), 300);
    expectFloat(ok('percentage_add', { amount: 100, percentage: 0 }), 100);
    expectFloat(ok('percentage_add', { amount: new FloatValue(80), percentage: 0.25 }), 100);
    expectFloat(ok('percentage_add', { amount: 100, percentage: -0.5 }), 50);
    // p = 1 means +100%.
    expectFloat(ok('percentage_add', { amount: 40, percentage: 1 }), 80);
  });

  it('deducts a fractional percentage: amount × (1 − p), always a float', () => {
    expectFloat(ok('percentage_deduct', { amount: 100, percentage: 0.1 }), 100 * (1 - 0.1));
    expectFloat(ok('percentage_deduct', { amount: 250, percentage: 0.2 }), 200);
    expectFloat(ok('percentage_deduct', { amount: 50, percentage: 1 }), 0);
    expectFloat(ok('percentage_deduct', { amount: 50, percentage: 2 }), -50);
    // 0 × (1 − 2) is -0 in IEEE arithmetic; written as 0.
    expectFloat(ok('percentage_deduct', { amount: 0, percentage: 2 }), 0);
  });

  it('rejects bad inputs', () => {
    expect(err('percentage_deduct', { amount: 100 })).toBe('percentage_deduct: argument "percentage" is missing');
    expect(err('percentage_add', { amount: '10%', percentage: 0.1 })).toBe('percentage_add: argument "amount" must be a number, got string "10%"');
    expect(err('percentage_add', { amount: 100, percentage: '0.1' })).toBe('percentage_add: argument "percentage" must be a number, got string "0.1"');
    expect(err('percentage_add', { amount: 1e308, percentage: 1 })).toBe('percentage_add: result is not a finite number (Infinity)');
  });
});

describe('proportional_allocator', () => {
  it('allocates total × ind / tot as a float', () => {
    expectFloat(ok('proportional_allocator', { total_amount: 1000, individual_value: 25, total_value: 100 }), 250);
    expectFloat(ok('proportional_allocator', { total_amount: 1000, individual_value: 1, total_value: 3 }), (1000 * 1) / 3);
    expectFloat(ok('proportional_allocator', { total_amount: 100, individual_value: 5, total_value: -10 }), -50);
    expectFloat(ok('proportional_allocator', { total_amount: new FloatValue(90), individual_value: 1.5, total_value: 4.5 }), (90 * 1.5) / 4.5);
  });

  it('gives 0 when the total value is 0', () => {
    expectFloat(ok('proportional_allocator', { total_amount: 1000, individual_value: 5, total_value: 0 }), 0);
    expectFloat(ok('proportional_allocator', { total_amount: 0, individual_value: 0, total_value: 0 }), 0);
    expectFloat(ok('proportional_allocator', { total_amount: 10, individual_value: 5, total_value: new FloatValue(0) }), 0);
  });

  it('rejects bad inputs and overflow', () => {
    expect(err('proportional_allocator', { total_amount: 1, individual_value: 1 })).toBe('proportional_allocator: argument "total_value" is missing');
    expect(err('proportional_allocator', { total_amount: 1, individual_value: 'x', total_value: 2 })).toBe(
      'proportional_allocator: argument "individual_value" must be a number, got string "x"',
    );
    expect(err('proportional_allocator', { total_amount: 1e308, individual_value: 10, total_value: 1 })).toBe(
      'proportional_allocator: result is not a finite number (Infinity)',
    );
  });
});

describe('time_between_datetime', () => {
  const tb = (args: Args): Value => ok('time_between_datetime', args);
  const tbErr = (args: Args): string => err('time_between_datetime', args);

  describe('total span', () => {
    it('defaults to hours, as a float', () => {
      // 08:00 → 17:30 = 9 h 30 min = 9.5 h
      expectFloat(tb({ start_datetime: '2024-01-15T08:00:00Z', finish_datetime: '2024-01-15T17:30:00Z' }), 9.5);
      // integral hours stay floats
      expectFloat(tb({ start_datetime: '2024-01-15T08:00:00Z', finish_datetime: '2024-01-15T17:00:00Z' }), 9);
      // 20 min = 20/3600 h
      expectFloat(tb({ start_datetime: '2024-01-15T08:00:00Z', finish_datetime: '2024-01-15T08:20:00Z' }), 1200 / 3600);
    });

    it('converts to minutes and seconds', () => {
      const span = { start_datetime: '2024-01-15T08:00:00Z', finish_datetime: '2024-01-15T17:30:00Z' };
      expectFloat(tb({ ...span, units: 'hours' }), 9.5);
      expectFloat(tb({ ...span, units: 'minutes' }), 9 * 60 + 30);
      expectFloat(tb({ ...span, units: 'seconds' }), (9 * 60 + 30) * 60);
      // 90 s = 1.5 min
      expectFloat(tb({ start_datetime: '2024-01-15T08:00:00Z', finish_datetime: '2024-01-15T08:01:30Z', units: 'minutes' }), 1.5);
    });

    it('takes null or missing units as hours', () => {
      const span = { start_datetime: '2024-01-15T08:00:00Z', finish_datetime: '2024-01-15T09:30:00Z' };
      expectFloat(tb({ ...span, units: null }), 1.5);
      expectFloat(tb({ ...span, units: undefined }), 1.5);
    });

    it('accepts DateValues, strings, and a mix', () => {
      expectFloat(tb({ start_datetime: utc(2024, 1, 15, 8), finish_datetime: utc(2024, 1, 15, 17, 30) }), 9.5);
      expectFloat(tb({ start_datetime: utc(2024, 1, 15, 8), finish_datetime: '2024-01-15T10:00:00Z' }), 2);
      expectFloat(tb({ start_datetime: '2024-01-15T08:00:00Z', finish_datetime: utc(2024, 1, 15, 7) }), -1);
    });

    it('reads UTC offsets', () => {
      // 10:00+02:00 = 08:00Z; 12:30-05:00 = 17:30Z → 9.5 h
      expectFloat(tb({ start_datetime: '2024-01-15T10:00:00+02:00', finish_datetime: '2024-01-15T12:30:00-05:00' }), 9.5);
      // the same instant written in two offsets is 0
      expectFloat(tb({ start_datetime: '2024-01-15T00:30:00+05:30', finish_datetime: '2024-01-14T19:00:00Z', units: 'seconds' }), 0);
    });

    it('spans month ends and leap days', () => {
      // Feb 28 → Mar 1 in 2024 crosses Feb 29: 2 days = 48 h
      expectFloat(tb({ start_datetime: '2024-02-28T00:00:00Z', finish_datetime: '2024-03-01T00:00:00Z' }), 48);
      // 2023 has no Feb 29: 24 h
      expectFloat(tb({ start_datetime: '2023-02-28T00:00:00Z', finish_datetime: '2023-03-01T00:00:00Z' }), 24);
    });

    it('truncates each instant to the whole second before subtracting', () => {
      // 08:00:00.900 → 08:00:00, 08:00:10.100 → 08:00:10: 10 s, not 9.2 s
      expectFloat(tb({ start_datetime: '2024-01-15T08:00:00.900Z', finish_datetime: '2024-01-15T08:00:10.100Z', units: 'seconds' }), 10);
      // both in the same second: 0
      expectFloat(tb({ start_datetime: '2024-01-15T08:00:00.100Z', finish_datetime: '2024-01-15T08:00:00.999Z', units: 'seconds' }), 0);
      // DateValues with milliseconds: 08:00:00.999 → 08:00:01.001 is 1 s after truncation
      expectFloat(tb({ start_datetime: utc(2024, 1, 15, 8, 0, 0, 999), finish_datetime: utc(2024, 1, 15, 8, 0, 1, 1), units: 'seconds' }), 1);
      // before 1970 the fractional field is dropped too: 23:59:58.5 → 23:59:58, 23:59:59.7 → 23:59:59
      expectFloat(tb({ start_datetime: '1969-12-31T23:59:58.5Z', finish_datetime: '1969-12-31T23:59:59.7Z', units: 'seconds' }), 1);
    });

    it('keeps negative spans negative', () => {
      // 17:30 → 15:00 = −2.5 h
      expectFloat(tb({ start_datetime: '2024-01-15T17:30:00Z', finish_datetime: '2024-01-15T15:00:00Z' }), -2.5);
      expectFloat(tb({ start_datetime: '2024-01-15T17:30:00Z', finish_datetime: '2024-01-15T15:00:00Z', units: 'seconds' }), -(2.5 * 3600));
      // 10:00:00.700 → 10:00:00, 09:59:59.300 → 09:59:59: −1 s
      expectFloat(tb({ start_datetime: '2024-01-15T10:00:00.700Z', finish_datetime: '2024-01-15T09:59:59.300Z', units: 'seconds' }), -1);
    });

    it('with a workday but no part, gives the total span (negative too)', () => {
      const span = { start_datetime: '2024-01-15T08:00:00Z', finish_datetime: '2024-01-15T20:00:00Z' };
      expectFloat(tb({ ...span, workday: { hours: 17, minutes: 30 } }), 12);
      expectFloat(tb({ ...span, workday: '{"hours":17,"minutes":30}' }), 12);
      expectFloat(tb({ ...span, workday: { hours: 17, minutes: 30 }, part: null }), 12);
      expectFloat(tb({ start_datetime: '2024-01-15T20:00:00Z', finish_datetime: '2024-01-15T08:00:00Z', workday: { hours: 9, minutes: 0 } }), -12);
    });
  });

  describe('workday split', () => {
    const split = (start: Value, finish: Value, workday: Value, units?: string): [Value, Value] => {
      const base: Args = { start_datetime: start, finish_datetime: finish, workday, units };
      return [tb({ ...base, part: 'time_before' }), tb({ ...base, part: 'time_after' })];
    };

    it('splits at a boundary after the start on the same day', () => {
      // 08:00 → 20:00, boundary 17:30: before 9.5 h, after 2.5 h
      const [before, after] = split('2024-01-15T08:00:00Z', '2024-01-15T20:00:00Z', { hours: 17, minutes: 30 });
      expectFloat(before, 9.5);
      expectFloat(after, 2.5);
    });

    it('moves a boundary before the start to the next day', () => {
      // start 15th 18:00, boundary 15th 09:00 is earlier → 16th 09:00; finish 16th 20:00
      // before 18:00 → 09:00 = 15 h, after 09:00 → 20:00 = 11 h
      const [before, after] = split('2024-01-15T18:00:00Z', '2024-01-16T20:00:00Z', { hours: 9, minutes: 0 });
      expectFloat(before, 15);
      expectFloat(after, 11);
    });

    it('moves a boundary exactly at the start to the next day', () => {
      // start 15th 09:00 = boundary → 16th 09:00; finish 16th 12:00: before 24 h, after 3 h
      const [before, after] = split('2024-01-15T09:00:00Z', '2024-01-16T12:00:00Z', { hours: 9, minutes: 0 });
      expectFloat(before, 24);
      expectFloat(after, 3);
      // midnight boundary at a midnight start: 15th 00:00 → 16th 00:00; finish 16th 06:00
      const [b0, a0] = split('2024-01-15T00:00:00Z', '2024-01-16T06:00:00Z', { hours: 0, minutes: 0 });
      expectFloat(b0, 24);
      expectFloat(a0, 6);
    });

    it('clamps a boundary beyond the finish to the finish', () => {
      // 08:00 → 12:00, boundary 17:00 is past the finish: before 4 h, after 0
      const [before, after] = split('2024-01-15T08:00:00Z', '2024-01-15T12:00:00Z', { hours: 17, minutes: 0 });
      expectFloat(before, 4);
      expectFloat(after, 0);
      // boundary moved to the next day and still past the finish: 18:00 → 22:00, boundary 09:00 → 16th 09:00
      const [b2, a2] = split('2024-01-15T18:00:00Z', '2024-01-15T22:00:00Z', { hours: 9, minutes: 0 });
      expectFloat(b2, 4);
      expectFloat(a2, 0);
    });

    it('puts a boundary exactly at the finish wholly before', () => {
      // 08:00 → 17:00, boundary 17:00: before 9 h, after 0
      const [before, after] = split('2024-01-15T08:00:00Z', '2024-01-15T17:00:00Z', { hours: 17, minutes: 0 });
      expectFloat(before, 9);
      expectFloat(after, 0);
    });

    it('gives 0 and 0 for an empty span', () => {
      const [before, after] = split('2024-01-15T08:00:00Z', '2024-01-15T08:00:00Z', { hours: 17, minutes: 0 });
      expectFloat(before, 0);
      expectFloat(after, 0);
    });

    it('uses minutes of the workday and the requested units', () => {
      // 08:00 → 18:00, boundary 17:45: before 9 h 45 = 585 min, after 15 min
      const [before, after] = split('2024-01-15T08:00:00Z', '2024-01-15T18:00:00Z', { hours: 17, minutes: 45 }, 'minutes');
      expectFloat(before, 9 * 60 + 45);
      expectFloat(after, 15);
      const [bs, as] = split('2024-01-15T08:00:00Z', '2024-01-15T18:00:00Z', { hours: 17, minutes: 45 }, 'seconds');
      expectFloat(bs, (9 * 60 + 45) * 60);
      expectFloat(as, 15 * 60);
      // in hours: 9.75 and 0.25
      const [bh, ah] = split('2024-01-15T08:00:00Z', '2024-01-15T18:00:00Z', { hours: 17, minutes: 45 });
      expectFloat(bh, 9.75);
      expectFloat(ah, 0.25);
    });

    it('accepts the workday as a JSON string, plain or tagged, and with FloatValue fields', () => {
      for (const workday of [
        '{"hours":17,"minutes":30}',
        ' { "minutes": 30, "hours": 17 } ',
        '{"hours":{"Integer":17},"minutes":{"Float":30}}',
        { hours: new FloatValue(17), minutes: 30 },
      ]) {
        const [before, after] = split('2024-01-15T08:00:00Z', '2024-01-15T20:00:00Z', workday);
        expectFloat(before, 9.5);
        expectFloat(after, 2.5);
      }
    });

    it("takes the boundary on the start's UTC date, whatever the input offsets", () => {
      // start 23:00-05:00 on the 15th = 16th 04:00Z; boundary 02:00Z on the 16th is earlier → 17th 02:00Z.
      // finish 17th 00:00-05:00 = 17th 05:00Z. before 16th 04:00 → 17th 02:00 = 22 h, after 3 h.
      const [before, after] = split('2024-01-15T23:00:00-05:00', '2024-01-17T00:00:00-05:00', { hours: 2, minutes: 0 });
      expectFloat(before, 22);
      expectFloat(after, 3);
      // start 01:00+02:00 on the 15th = 14th 23:00Z; boundary 14th 09:00Z is earlier → 15th 09:00Z.
      // finish 12:00+02:00 = 15th 10:00Z. before 10 h, after 1 h.
      const [b2, a2] = split('2024-01-15T01:00:00+02:00', '2024-01-15T12:00:00+02:00', { hours: 9, minutes: 0 });
      expectFloat(b2, 10);
      expectFloat(a2, 1);
    });

    it('truncates sub-seconds before splitting', () => {
      // start 08:00:00.500 → 08:00:00; boundary 17:00; finish 20:00:00.999 → 20:00:00: 9 h and 3 h
      const [before, after] = split(utc(2024, 1, 15, 8, 0, 0, 500), '2024-01-15T20:00:00.999Z', { hours: 17, minutes: 0 });
      expectFloat(before, 9);
      expectFloat(after, 3);
      // start 16:59:59.600 → 16:59:59: boundary 17:00 is 1 s after it
      const [b1] = split('2024-01-15T16:59:59.600Z', '2024-01-15T18:00:00Z', { hours: 17, minutes: 0 }, 'seconds');
      expectFloat(b1, 1);
    });

    it('rejects a negative span when a part is asked for', () => {
      const msg = 'time_between_datetime: argument "part" needs "finish_datetime" at or after "start_datetime" (the span is negative)';
      for (const part of ['time_before', 'time_after']) {
        expect(
          tbErr({
            start_datetime: '2024-01-15T20:00:00Z',
            finish_datetime: '2024-01-15T08:00:00Z',
            workday: { hours: 17, minutes: 0 },
            part,
          }),
        ).toBe(msg);
      }
      // one second negative after truncation is still negative
      expect(
        tbErr({
          start_datetime: '2024-01-15T08:00:01.000Z',
          finish_datetime: '2024-01-15T08:00:00.999Z',
          workday: { hours: 17, minutes: 0 },
          part: 'time_after',
        }),
      ).toBe(msg);
    });
  });

  describe('errors', () => {
    const span = { start_datetime: '2024-01-15T08:00:00Z', finish_datetime: '2024-01-15T20:00:00Z' };

    it('rejects missing and non-date datetimes', () => {
      expect(tbErr({ start_datetime: '2024-01-15T08:00:00Z' })).toBe('time_between_datetime: argument "finish_datetime" is missing');
      expect(tbErr({ ...span, start_datetime: 'yesterday' })).toBe(
        'time_between_datetime: argument "start_datetime" must be a date or an RFC 3339 date-time string, got string "yesterday"',
      );
      expect(tbErr({ ...span, finish_datetime: 1705305600000 })).toBe(
        'time_between_datetime: argument "finish_datetime" must be a date or an RFC 3339 date-time string, got number 1705305600000',
      );
      expect(tbErr({ ...span, start_datetime: '2024-02-30T00:00:00Z' })).toBe(
        'time_between_datetime: argument "start_datetime" must be a date or an RFC 3339 date-time string, got string "2024-02-30T00:00:00Z"',
      );
      expect(tbErr({ ...span, start_datetime: '2024-01-15' })).toBe(
        'time_between_datetime: argument "start_datetime" must be a date or an RFC 3339 date-time string, got string "2024-01-15"',
      );
      expect(tbErr({ ...span, start_datetime: null })).toBe(
        'time_between_datetime: argument "start_datetime" must be a date or an RFC 3339 date-time string, got null',
      );
    });

    it('rejects unknown units and parts', () => {
      expect(tbErr({ ...span, units: 'days' })).toBe('time_between_datetime: argument "units" must be one of "hours", "minutes", "seconds", got string "days"');
      expect(tbErr({ ...span, units: 'Hours' })).toBe(
        'time_between_datetime: argument "units" must be one of "hours", "minutes", "seconds", got string "Hours"',
      );
      expect(tbErr({ ...span, units: 3600 })).toBe('time_between_datetime: argument "units" must be one of "hours", "minutes", "seconds", got number 3600');
      expect(tbErr({ ...span, workday: { hours: 9, minutes: 0 }, part: 'middle' })).toBe(
        'time_between_datetime: argument "part" must be one of "time_before", "time_after", got string "middle"',
      );
    });

    it('rejects a part without a workday', () => {
      expect(tbErr({ ...span, part: 'time_before' })).toBe('time_between_datetime: argument "part" needs argument "workday", which is missing');
      expect(tbErr({ ...span, part: 'time_after', workday: null })).toBe('time_between_datetime: argument "part" needs argument "workday", which is missing');
    });

    it('rejects a malformed workday, with or without a part', () => {
      const cases: [Value, string][] = [
        ['9:00', `argument "workday" must be ${WD} or a string holding that JSON, got string "9:00" (not JSON)`],
        ['{"hours":9,', `argument "workday" must be ${WD} or a string holding that JSON, got string "{\\"hours\\":9," (not JSON)`],
        ['[9,0]', `argument "workday" must be ${WD}, got string "[9,0]"`],
        ['null', `argument "workday" must be ${WD}, got string "null"`],
        [9, `argument "workday" must be ${WD}, got number 9`],
        [[9, 0], `argument "workday" must be ${WD}, got array [9,0]`],
        [{ hours: 24, minutes: 0 }, `argument "workday" must be ${WD}; "hours" is 24`],
        [{ hours: -1, minutes: 0 }, `argument "workday" must be ${WD}; "hours" is -1`],
        [{ hours: 9, minutes: 60 }, `argument "workday" must be ${WD}; "minutes" is 60`],
        [{ hours: 9.5, minutes: 0 }, `argument "workday" must be ${WD}; "hours" is 9.5`],
        [{ hours: '9', minutes: 0 }, `argument "workday" must be ${WD}; "hours" is "9"`],
        [{ hours: 9 }, `argument "workday" must be ${WD}; "minutes" is missing`],
        ['{"minutes":0}', `argument "workday" must be ${WD}; "hours" is missing`],
        [{ hour: 9, minutes: 0 }, `argument "workday" has unknown key "hour"; expected ${WD}`],
      ];
      for (const [workday, msg] of cases) {
        expect(tbErr({ ...span, workday, part: 'time_before' })).toBe(`time_between_datetime: ${msg}`);
        expect(tbErr({ ...span, workday })).toBe(`time_between_datetime: ${msg}`);
      }
    });
  });
});

describe('weighted_average', () => {
  it('computes Σ(v×w)/Σw as a float', () => {
    // (10×1 + 20×3) / (1 + 3) = 70 / 4 = 17.5
    expectFloat(
      ok('weighted_average', {
        items: [
          { value: 10, weight: 1 },
          { value: 20, weight: 3 },
        ],
      }),
      17.5,
    );
    // (2×1 + 4×1) / 2 = 3, integral but a float
    expectFloat(
      ok('weighted_average', {
        items: [
          { value: 2, weight: 1 },
          { value: 4, weight: 1 },
        ],
      }),
      3,
    );
    // (1.5×2 + FloatValue 3 × 0.5) / 2.5 = (3 + 1.5) / 2.5 = 1.8
    expectFloat(
      ok('weighted_average', {
        items: [
          { value: 1.5, weight: 2 },
          { value: new FloatValue(3), weight: 0.5 },
        ],
      }),
      (1.5 * 2 + 3 * 0.5) / (2 + 0.5),
    );
    // a single item is its own value
    expectFloat(ok('weighted_average', { items: [{ value: 7.25, weight: 9 }] }), 7.25);
  });

  it('ignores extra keys in items and allows negative weights', () => {
    expectFloat(ok('weighted_average', { items: [{ value: 4, weight: 2, label: 'a' }] }), 4);
    // (10×3 + 20×(−1)) / (3 − 1) = 10 / 2 = 5
    expectFloat(
      ok('weighted_average', {
        items: [
          { value: 10, weight: 3 },
          { value: 20, weight: -1 },
        ],
      }),
      5,
    );
  });

  it('gives 0 when empty or when the weights sum to 0', () => {
    expectFloat(ok('weighted_average', { items: [] }), 0);
    expectFloat(ok('weighted_average', { items: [{ value: 5, weight: 0 }] }), 0);
    expectFloat(
      ok('weighted_average', {
        items: [
          { value: 5, weight: 1 },
          { value: 7, weight: -1 },
        ],
      }),
      0,
    );
  });

  it('rejects bad items, naming the index', () => {
    const e = (items: Value): string => err('weighted_average', { items });
    expect(e('x')).toBe('weighted_average: argument "items" must be an array of {"value","weight"} objects, got string "x"');
    expect(e({ value: 1, weight: 1 })).toBe(
      'weighted_average: argument "items" must be an array of {"value","weight"} objects, got object {"value":1,"weight":1}',
    );
    expect(e([{ value: 1, weight: 1 }, 5])).toBe(
      'weighted_average: item 1 of argument "items" must be an object with numeric "value" and "weight", got number 5',
    );
    expect(e([null])).toBe('weighted_average: item 0 of argument "items" must be an object with numeric "value" and "weight", got null');
    expect(e([[1, 2]])).toBe('weighted_average: item 0 of argument "items" must be an object with numeric "value" and "weight", got array [1,2]');
    expect(e([{ value: 1 }])).toBe('weighted_average: item 0 of argument "items" has no "weight"');
    expect(e([{ weight: 1 }])).toBe('weighted_average: item 0 of argument "items" has no "value"');
    expect(
      e([
        { value: 1, weight: 1 },
        { value: 2, weight: 1 },
        { value: 'x', weight: 1 },
      ]),
    ).toBe('weighted_average: "value" of item 2 of argument "items" must be a number, got string "x"');
    expect(e([{ value: 1, weight: '2' }])).toBe('weighted_average: "weight" of item 0 of argument "items" must be a number, got string "2"');
    expect(e([{ value: 1, weight: null }])).toBe('weighted_average: "weight" of item 0 of argument "items" must be a number, got null');
    expect(e([{ value: 1e308, weight: 10 }])).toBe('weighted_average: result is not a finite number (Infinity)');
  });
});

describe('threshold_check', () => {
  it('is value > threshold', () => {
    expect(ok('threshold_check', { value: 10, threshold: 5 })).toBe(true);
    expect(ok('threshold_check', { value: 5, threshold: 5 })).toBe(false);
    expect(ok('threshold_check', { value: 4, threshold: 5 })).toBe(false);
    expect(ok('threshold_check', { value: 4.5, threshold: 4 })).toBe(true);
    expect(ok('threshold_check', { value: new FloatValue(5), threshold: 5 })).toBe(false);
    expect(ok('threshold_check', { value: -1, threshold: -2 })).toBe(true);
  });

  it('rejects bad inputs', () => {
    expect(err('threshold_check', { value: 1 })).toBe('threshold_check: argument "threshold" is missing');
    expect(err('threshold_check', { value: 'high', threshold: 1 })).toBe('threshold_check: argument "value" must be a number, got string "high"');
  });
});

describe('limit_validator', () => {
  it('is min ≤ value ≤ max, inclusive at both ends', () => {
    expect(ok('limit_validator', { value: 5, min: 1, max: 10 })).toBe(true);
    expect(ok('limit_validator', { value: 1, min: 1, max: 10 })).toBe(true);
    expect(ok('limit_validator', { value: 10, min: 1, max: 10 })).toBe(true);
    expect(ok('limit_validator', { value: 0, min: 1, max: 10 })).toBe(false);
    expect(ok('limit_validator', { value: 11, min: 1, max: 10 })).toBe(false);
    expect(ok('limit_validator', { value: 10.5, min: 1, max: new FloatValue(10) })).toBe(false);
    expect(ok('limit_validator', { value: new FloatValue(3), min: 2.5, max: 3.5 })).toBe(true);
  });

  it('is false when min > max', () => {
    expect(ok('limit_validator', { value: 5, min: 10, max: 1 })).toBe(false);
  });

  it('rejects bad inputs', () => {
    expect(err('limit_validator', { value: 5, min: 1 })).toBe('limit_validator: argument "max" is missing');
    expect(err('limit_validator', { value: 5, min: '1', max: 10 })).toBe('limit_validator: argument "min" must be a number, got string "1"');
  });
});

describe('run never throws', () => {
  it('turns an unexpected exception into an error outcome', () => {
    const hostile = {
      get a(): Value {
        throw new Error('boom');
      },
    } as unknown as Args;
    expect(run('add', hostile)).toEqual({ ok: false, message: 'add: internal error: boom' });
  });

  it('returns an outcome with a one-line message for arbitrary inputs', () => {
    const value: fc.Arbitrary<Value> = fc.oneof(
      fc.jsonValue() as fc.Arbitrary<Value>,
      fc.double().map((n) => n as Value),
      fc.integer().map((n) => new FloatValue(n)),
      fc.integer({ min: -1e13, max: 1e13 }).map((n) => new DateValue(n)),
      fc.constantFrom<Value>('hours', 'minutes', 'time_before', 'time_after', '2024-01-15T08:00:00Z', '{"hours":9,"minutes":0}'),
      fc.constant<Value | undefined>(undefined) as fc.Arbitrary<Value>,
    );
    for (const calc of CALCULATORS.values()) {
      const names = [...calc.required, ...calc.optional];
      fc.assert(
        fc.property(fc.tuple(...names.map(() => value)), (vals) => {
          const args: Args = {};
          names.forEach((n, i) => {
            args[n] = vals[i];
          });
          const out = calc.run(args);
          if (!out.ok) {
            expect(out.message.startsWith(`${calc.name}: `)).toBe(true);
            expect(out.message).not.toContain('\n');
            expect(out.message).not.toContain('internal error');
          }
        }),
        { numRuns: 200 },
      );
    }
  });
});
