// Tests for the value model (src/model/value.ts): tagged vs plain decoding (docs/input.md (values)),
// RFC 3339 parsing, equality and ordering as docs/rules.md (conditions) states them, the tagged
// encoding and its round trip, hash keys and cloning.

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  cloneValue,
  compareValues,
  DateValue,
  decodeValue,
  FloatValue,
  formatRfc3339,
  hashKey,
  parseRfc3339,
  toTagged,
  ValueDecodeError,
  valuesEqual,
  type Value,
} from '../../src/model/value.js';

const date = (s: string) => new DateValue(parseRfc3339(s));

/** Decodes a JSON text (so the input is a fresh parsed tree, as the readers give it). */
function dec(json: string): Value {
  return decodeValue(JSON.parse(json));
}

function decodeError(json: string): ValueDecodeError {
  try {
    decodeValue(JSON.parse(json));
  } catch (e) {
    if (e instanceof ValueDecodeError) return e;
    throw e;
  }
  throw new Error(`expected a ValueDecodeError for ${json}`);
}

describe('decodeValue: tagged values', () => {
  it('decodes each tagged type', () => {
    expect(dec('{"String":"abc"}')).toBe('abc');
    expect(dec('{"Integer":42}')).toBe(42);
    expect(dec('{"Float":42.5}')).toBe(42.5);
    expect(dec('{"Boolean":true}')).toBe(true);
    expect(dec('{"Boolean":false}')).toBe(false);
    expect(dec('{"Array":[{"Integer":1},{"String":"x"}]}')).toEqual([1, 'x']);
    expect(dec('{"Object":{"k":{"Integer":1}}}')).toEqual({ k: 1 });
    const d = dec('{"Date":"2024-01-15T10:30:00Z"}');
    expect(d).toBeInstanceOf(DateValue);
    expect((d as DateValue).ms).toBe(Date.UTC(2024, 0, 15, 10, 30, 0));
  });

  it('keeps an integral Float apart from an Integer', () => {
    const f = dec('{"Float":42}');
    expect(f).toBeInstanceOf(FloatValue);
    expect((f as FloatValue).value).toBe(42);
    expect(dec('{"Integer":42}')).toBe(42);
  });

  it('reads "Null" as null, at top level and nested', () => {
    expect(dec('"Null"')).toBeNull();
    expect(dec('null')).toBeNull();
    expect(dec('["Null", 1]')).toEqual([null, 1]);
    expect(dec('{"a":"Null","b":{"c":"Null"}}')).toEqual({ a: null, b: { c: null } });
    expect(dec('{"Array":["Null"]}')).toEqual([null]);
    expect(dec('{"Object":{"k":"Null"}}')).toEqual({ k: null });
  });

  it('keeps a tagged String "Null" as the string', () => {
    expect(dec('{"String":"Null"}')).toBe('Null');
    expect(dec('{"a":{"String":"Null"}}')).toEqual({ a: 'Null' });
  });

  it('decodes nested tagged values inside tagged and plain containers', () => {
    const v = dec('{"Array":[{"Object":{"x":{"Float":1},"y":[{"Integer":2},"Null"]}},{"Date":"2024-01-01T00:00:00Z"}]}');
    expect(Array.isArray(v)).toBe(true);
    const arr = v as Value[];
    const obj = arr[0] as { x: Value; y: Value[] };
    expect(obj.x).toBeInstanceOf(FloatValue);
    expect(obj.y).toEqual([2, null]);
    expect(arr[1]).toBeInstanceOf(DateValue);
    expect(dec('{"outer":{"inner":{"Integer":7}},"list":[{"Boolean":true}]}')).toEqual({ outer: { inner: 7 }, list: [true] });
  });

  it('returns plain primitives as they are', () => {
    expect(dec('5')).toBe(5);
    expect(dec('5.5')).toBe(5.5);
    expect(dec('"abc"')).toBe('abc');
    expect(dec('true')).toBe(true);
    expect(dec('[1,"x",[2]]')).toEqual([1, 'x', [2]]);
  });
});

describe('decodeValue: tagged vs plain detection', () => {
  it('treats an object with more than one key as plain, even when a key is a type name', () => {
    expect(dec('{"String":"a","other":1}')).toEqual({ String: 'a', other: 1 });
    expect(dec('{"Integer":1,"Float":2}')).toEqual({ Integer: 1, Float: 2 });
  });

  it('treats a single key that is not a type name as plain', () => {
    expect(dec('{"Str":"a"}')).toEqual({ Str: 'a' });
    expect(dec('{"string":"a"}')).toEqual({ string: 'a' });
    expect(dec('{"Null":null}')).toEqual({ Null: null });
    expect(dec('{}')).toEqual({});
  });

  it('treats a type name with the wrong payload shape as plain', () => {
    expect(dec('{"String":5}')).toEqual({ String: 5 });
    expect(dec('{"Integer":1.5}')).toEqual({ Integer: 1.5 });
    expect(dec('{"Integer":"1"}')).toEqual({ Integer: '1' });
    expect(dec('{"Float":"1.5"}')).toEqual({ Float: '1.5' });
    expect(dec('{"Boolean":1}')).toEqual({ Boolean: 1 });
    expect(dec('{"Array":{"a":1}}')).toEqual({ Array: { a: 1 } });
    expect(dec('{"Array":5}')).toEqual({ Array: 5 });
    expect(dec('{"Object":[1,2]}')).toEqual({ Object: [1, 2] });
    expect(dec('{"Object":null}')).toEqual({ Object: null });
    expect(dec('{"Object":"x"}')).toEqual({ Object: 'x' });
    expect(dec('{"Date":5}')).toEqual({ Date: 5 });
  });

  it('decodes tagged values found inside a plain object that looked tagged', () => {
    const v = dec('{"String":{"Integer":3}}');
    expect(v).toEqual({ String: 3 });
  });
});

describe('decodeValue: errors', () => {
  it('rejects a Date tag whose text is not RFC 3339, with the path to it', () => {
    const e = decodeError('{"Date":"yesterday"}');
    expect(e.path).toBe('.Date');
    expect(e.message).toContain('RFC 3339');
    expect(e.message).toContain('"yesterday"');
  });

  it('rejects impossible calendar dates', () => {
    expect(decodeError('{"Date":"2024-02-30T00:00:00Z"}').path).toBe('.Date');
    expect(decodeError('{"Date":"2024-13-01T00:00:00Z"}').path).toBe('.Date');
  });

  it('gives the path through tagged and plain containers', () => {
    expect(decodeError('{"Array":[1,{"Date":"x"}]}').path).toBe('.Array[1].Date');
    expect(decodeError('{"Object":{"k":{"Date":"x"}}}').path).toBe('.Object.k.Date');
    expect(decodeError('{"a":[{"b":{"Date":"x"}}]}').path).toBe('.a[0].b.Date');
    expect(decodeError('[0,[1,{"Date":"x"}]]').path).toBe('[1][1].Date');
  });

  it('prefixes the base path given', () => {
    try {
      decodeValue({ Date: 'nope' }, '$.x');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValueDecodeError);
      expect((e as ValueDecodeError).path).toBe('$.x.Date');
    }
  });

  it('rejects a missing (undefined) value', () => {
    expect(() => decodeValue(undefined)).toThrow(ValueDecodeError);
    expect(() => decodeValue(undefined)).toThrow('missing value');
  });
});

describe('parseRfc3339', () => {
  it('parses UTC date-times', () => {
    expect(parseRfc3339('2024-01-15T10:30:00Z')).toBe(Date.UTC(2024, 0, 15, 10, 30, 0));
    expect(parseRfc3339('1970-01-01T00:00:00Z')).toBe(0);
    expect(parseRfc3339('2024-01-15t10:30:00z')).toBe(Date.UTC(2024, 0, 15, 10, 30, 0));
    expect(parseRfc3339('2024-01-15 10:30:00Z')).toBe(Date.UTC(2024, 0, 15, 10, 30, 0));
  });

  it('applies offsets (held as UTC)', () => {
    expect(parseRfc3339('2024-01-15T10:30:00+05:30')).toBe(Date.UTC(2024, 0, 15, 5, 0, 0));
    expect(parseRfc3339('2024-01-15T10:30:00-08:00')).toBe(Date.UTC(2024, 0, 15, 18, 30, 0));
    expect(parseRfc3339('2024-01-15T10:30:00+00:00')).toBe(parseRfc3339('2024-01-15T10:30:00Z'));
    expect(parseRfc3339('2024-01-01T01:00:00+02:00')).toBe(Date.UTC(2023, 11, 31, 23, 0, 0));
  });

  it('reads fractional seconds to the millisecond', () => {
    const base = Date.UTC(2024, 0, 15, 10, 30, 0);
    expect(parseRfc3339('2024-01-15T10:30:00.5Z')).toBe(base + 500);
    expect(parseRfc3339('2024-01-15T10:30:00.123Z')).toBe(base + 123);
    expect(parseRfc3339('2024-01-15T10:30:00.123456789Z')).toBe(base + 123);
    expect(parseRfc3339('2024-01-15T10:30:00.001Z')).toBe(base + 1);
    for (let i = 0; i < 1000; i += 37) {
      expect(parseRfc3339(`2024-01-15T10:30:00.${String(i).padStart(3, '0')}Z`)).toBe(base + i);
    }
  });

  it('accepts Feb 29 in leap years only', () => {
    expect(parseRfc3339('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(parseRfc3339('2000-02-29T00:00:00Z')).toBe(Date.UTC(2000, 1, 29));
    expect(parseRfc3339('2023-02-29T00:00:00Z')).toBeNaN();
    expect(parseRfc3339('1900-02-29T00:00:00Z')).toBeNaN();
  });

  it('rejects impossible dates and times', () => {
    for (const bad of [
      '2024-02-30T00:00:00Z',
      '2024-04-31T00:00:00Z',
      '2024-13-01T00:00:00Z',
      '2024-00-10T00:00:00Z',
      '2024-01-00T00:00:00Z',
      '2024-01-32T00:00:00Z',
      '2024-01-15T24:00:00Z',
      '2024-01-15T10:60:00Z',
      '2024-01-15T10:30:61Z',
      '2024-01-15T10:30:00+24:00',
      '2024-01-15T10:30:00+05:60',
    ]) {
      expect(parseRfc3339(bad), bad).toBeNaN();
    }
  });

  it('rejects text that is not an RFC 3339 date-time', () => {
    for (const bad of [
      '',
      'yesterday',
      '2024-01-15',
      '2024-01-15T10:30:00',
      '2024-1-15T10:30:00Z',
      '2024-01-15T10:30Z',
      '2024-01-15T10:30:00Z ',
      ' 2024-01-15T10:30:00Z',
      '2024-01-15T10:30:00+0530',
      '2024-01-15T10:30:00.Z',
    ]) {
      expect(parseRfc3339(bad), JSON.stringify(bad)).toBeNaN();
    }
  });

  it('handles four-digit years below 100 as written (RFC 3339 full-year)', () => {
    // Date.UTC maps years 0..99 to 1900..1999; RFC 3339 years are literal.
    expect(parseRfc3339('0050-01-01T00:00:00Z')).toBe(Date.parse('0050-01-01T00:00:00Z'));
    expect(parseRfc3339('0001-01-01T00:00:00Z')).toBe(Date.parse('0001-01-01T00:00:00Z'));
  });

  it('formatRfc3339 writes UTC, with milliseconds only when present', () => {
    expect(formatRfc3339(Date.UTC(2024, 0, 15, 10, 30, 0))).toBe('2024-01-15T10:30:00Z');
    expect(formatRfc3339(Date.UTC(2024, 0, 15, 10, 30, 0, 250))).toBe('2024-01-15T10:30:00.250Z');
    expect(parseRfc3339(formatRfc3339(123456789))).toBe(123456789);
  });
});

describe('valuesEqual', () => {
  it('compares numbers by value across integer and float', () => {
    expect(valuesEqual(5, new FloatValue(5))).toBe(true);
    expect(valuesEqual(new FloatValue(5), 5)).toBe(true);
    expect(valuesEqual(new FloatValue(5), new FloatValue(5))).toBe(true);
    expect(valuesEqual(5, 5)).toBe(true);
    expect(valuesEqual(5, 5.5)).toBe(false);
    expect(valuesEqual(new FloatValue(5), 6)).toBe(false);
    expect(valuesEqual(dec('{"Integer":5}'), dec('{"Float":5.0}'))).toBe(true);
  });

  it('does not equate values of different types', () => {
    expect(valuesEqual(5, '5')).toBe(false);
    expect(valuesEqual('5', 5)).toBe(false);
    expect(valuesEqual(1, true)).toBe(false);
    expect(valuesEqual(true, 1)).toBe(false);
    expect(valuesEqual(0, null)).toBe(false);
    expect(valuesEqual(null, 0)).toBe(false);
    expect(valuesEqual('', null)).toBe(false);
    expect(valuesEqual([], {})).toBe(false);
    expect(valuesEqual({}, [])).toBe(false);
    expect(valuesEqual(new FloatValue(1), true)).toBe(false);
    expect(valuesEqual(date('2024-01-01T00:00:00Z'), Date.UTC(2024, 0, 1))).toBe(false);
  });

  it('equates null with null', () => {
    expect(valuesEqual(null, null)).toBe(true);
  });

  it('compares dates as instants, whatever their offsets', () => {
    expect(valuesEqual(date('2024-01-15T10:30:00Z'), date('2024-01-15T12:30:00+02:00'))).toBe(true);
    expect(valuesEqual(date('2024-01-15T10:30:00Z'), date('2024-01-15T10:30:01Z'))).toBe(false);
  });

  it('compares a date against an RFC 3339 string as dates, both ways', () => {
    const d = date('2024-01-15T10:30:00Z');
    expect(valuesEqual(d, '2024-01-15T11:30:00+01:00')).toBe(true);
    expect(valuesEqual('2024-01-15T11:30:00+01:00', d)).toBe(true);
    expect(valuesEqual(d, '2024-01-15T10:30:01Z')).toBe(false);
    expect(valuesEqual(d, 'not a date')).toBe(false);
    expect(valuesEqual('not a date', d)).toBe(false);
  });

  it('compares two strings exactly, even when they read as the same instant', () => {
    expect(valuesEqual('abc', 'abc')).toBe(true);
    expect(valuesEqual('abc', 'ABC')).toBe(false);
    expect(valuesEqual('2024-01-15T10:30:00Z', '2024-01-15T11:30:00+01:00')).toBe(false);
  });

  it('compares arrays and objects deeply, with numbers across int and float', () => {
    expect(valuesEqual([1, 'x', [2]], [new FloatValue(1), 'x', [2]])).toBe(true);
    expect(valuesEqual([1, 2], [1, 2, 3])).toBe(false);
    expect(valuesEqual([1, 2], [2, 1])).toBe(false);
    expect(valuesEqual({ a: 1, b: { c: [1] } }, { b: { c: [new FloatValue(1)] }, a: 1 })).toBe(true);
    expect(valuesEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(valuesEqual({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(valuesEqual({ a: 1 }, { b: 1 })).toBe(false);
    expect(valuesEqual({ a: null }, {})).toBe(false);
    expect(valuesEqual([date('2024-01-15T10:30:00Z')], ['2024-01-15T10:30:00Z'])).toBe(true);
  });
});

describe('compareValues', () => {
  it('orders numbers by value across integer and float', () => {
    expect(compareValues(5, new FloatValue(5))).toBe(0);
    expect(compareValues(new FloatValue(5), 5)).toBe(0);
    expect(compareValues(3, 4.5)).toBeLessThan(0);
    expect(compareValues(new FloatValue(10), 9)).toBeGreaterThan(0);
    expect(compareValues(-1, 0)).toBeLessThan(0);
  });

  it('orders strings by UTF-16 code unit, not by locale', () => {
    expect(compareValues('B', 'a')).toBeLessThan(0);
    expect(compareValues('a', 'B')).toBeGreaterThan(0);
    expect(compareValues('abc', 'abc')).toBe(0);
    expect(compareValues('ab', 'abc')).toBeLessThan(0);
    // U+1F600 is the surrogate pair D83D DE00: below U+FFFF by code unit.
    expect(compareValues('\u{1F600}', '\uFFFF')).toBeLessThan(0);
    expect(compareValues('é', 'f')).toBeGreaterThan(0);
    expect(compareValues('Z', 'a')).toBeLessThan(0);
  });

  it('orders dates as instants, and a date against an RFC 3339 string as dates', () => {
    const early = date('2024-01-15T10:30:00Z');
    const late = date('2024-01-15T10:30:00-01:00');
    expect(compareValues(early, late)).toBeLessThan(0);
    expect(compareValues(late, early)).toBeGreaterThan(0);
    expect(compareValues(early, '2024-01-15T12:30:00+02:00')).toBe(0);
    expect(compareValues('2024-01-15T12:30:00+02:00', early)).toBe(0);
    expect(compareValues(early, '2024-01-16T00:00:00Z')).toBeLessThan(0);
    expect(compareValues('2024-01-16T00:00:00Z', early)).toBeGreaterThan(0);
  });

  it('orders two RFC 3339 strings as strings (neither is a date)', () => {
    // As instants the first is earlier; as text it sorts later.
    expect(compareValues('2024-01-15T10:00:00-05:00', '2024-01-15T12:00:00Z')).toBeLessThan(0);
    expect(compareValues('2024-01-15T23:00:00+05:00', '2024-01-15T20:00:00Z')).toBeGreaterThan(0);
  });

  it('orders booleans false before true', () => {
    expect(compareValues(false, true)).toBeLessThan(0);
    expect(compareValues(true, true)).toBe(0);
  });

  it('returns NaN for unrelated types', () => {
    const d = date('2024-01-15T10:30:00Z');
    const pairs: [Value, Value][] = [
      [5, 'x'],
      ['x', 5],
      [5, '5'],
      [true, 1],
      [1, true],
      [new FloatValue(2), 'a'],
      [d, 5],
      [5, d],
      [d, 'not a date'],
      ['not a date', d],
      [d, true],
      ['a', true],
      [[1], [1]],
      [{ a: 1 }, { a: 1 }],
      [1, null],
      [null, 1],
      ['a', null],
    ];
    for (const [a, b] of pairs) expect(compareValues(a, b), `${String(a)} vs ${String(b)}`).toBeNaN();
  });
});

describe('toTagged and the round trip through decodeValue', () => {
  it('writes the tagged form of each type', () => {
    expect(toTagged('abc')).toEqual({ String: 'abc' });
    expect(toTagged(42)).toEqual({ Integer: 42 });
    expect(toTagged(42.5)).toEqual({ Float: 42.5 });
    expect(toTagged(new FloatValue(42))).toEqual({ Float: 42 });
    expect(toTagged(true)).toEqual({ Boolean: true });
    expect(toTagged(null)).toBe('Null');
    expect(toTagged(undefined)).toBe('Null');
    expect(toTagged(date('2024-01-15T12:30:00+02:00'))).toEqual({ Date: '2024-01-15T10:30:00Z' });
    expect(toTagged([1, 'x'])).toEqual({ Array: [{ Integer: 1 }, { String: 'x' }] });
    expect(toTagged({ k: 1, n: null })).toEqual({ Object: { k: { Integer: 1 }, n: 'Null' } });
  });

  it('round-trips a nested value exactly (Float 42 stays a Float)', () => {
    const v: Value = {
      s: 'Null',
      i: 7,
      f: new FloatValue(3),
      g: 2.25,
      b: false,
      n: null,
      d: date('2024-03-01T00:00:00.5Z'),
      a: [1, new FloatValue(1), [], {}, ['x']],
      o: { String: 'looks tagged', nested: { Integer: 1 } },
    };
    const back = decodeValue(JSON.parse(JSON.stringify(toTagged(v))));
    expect(back).toEqual(v);
    const o = back as { f: Value; a: Value[] };
    expect(o.f).toBeInstanceOf(FloatValue);
    expect(o.a[1]).toBeInstanceOf(FloatValue);
    expect(o.a[0]).toBe(1);
  });

  it('round-trips arbitrary values (property)', () => {
    const leaf: fc.Arbitrary<Value> = fc.oneof(
      fc.string(),
      fc.integer(),
      // Integral numbers beyond ±(2^53−1) are refused on input (they cannot be held exactly).
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0) && Math.abs(x) <= Number.MAX_SAFE_INTEGER),
      fc.integer({ min: -1000, max: 1000 }).map((n) => new FloatValue(n)),
      fc.boolean(),
      fc.constant(null),
      fc.integer({ min: 0, max: 4102444800000 }).map((ms) => new DateValue(ms)),
    );
    const value = fc.letrec<{ v: Value }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(
          fc.string().filter((k) => k !== '__proto__'),
          tie('v'),
          { maxKeys: 4 },
        ),
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        const back = decodeValue(JSON.parse(JSON.stringify(toTagged(v))));
        expect(back).toEqual(v);
        expect(valuesEqual(back, v)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('hashKey', () => {
  it('keys numbers by value across integer and float', () => {
    expect(hashKey(5)).toBe(hashKey(new FloatValue(5)));
    expect(hashKey(5.5)).toBe(5.5);
  });

  it('keeps strings and numbers apart', () => {
    expect(hashKey('5')).not.toBe(hashKey(5));
    const m = new Map<unknown, string>([
      [hashKey(5), 'n'],
      [hashKey('5'), 's'],
    ]);
    expect(m.size).toBe(2);
  });

  it('keys primitives as themselves and null as null', () => {
    expect(hashKey('abc')).toBe('abc');
    expect(hashKey(true)).toBe(true);
    expect(hashKey(null)).toBeNull();
  });

  it('gives no key for dates, arrays, objects and missing values', () => {
    expect(hashKey(date('2024-01-15T10:30:00Z'))).toBeUndefined();
    expect(hashKey([1])).toBeUndefined();
    expect(hashKey({ a: 1 })).toBeUndefined();
    expect(hashKey(undefined)).toBeUndefined();
  });
});

describe('cloneValue', () => {
  it('copies arrays and objects deeply', () => {
    const v = { a: [1, { b: [2] }], c: { d: 'x' } };
    const c = cloneValue(v) as typeof v;
    expect(c).toEqual(v);
    expect(c).not.toBe(v);
    expect(c.a).not.toBe(v.a);
    expect(c.a[1]).not.toBe(v.a[1]);
    expect(c.c).not.toBe(v.c);
    (c.a as Value[]).push(3);
    expect(v.a).toHaveLength(2);
  });

  it('shares primitives and the immutable boxes', () => {
    const f = new FloatValue(1);
    const d = date('2024-01-15T10:30:00Z');
    const c = cloneValue([f, d, 'x', 1, null, true]) as Value[];
    expect(c[0]).toBe(f);
    expect(c[1]).toBe(d);
    expect(c.slice(2)).toEqual(['x', 1, null, true]);
    expect(cloneValue(5)).toBe(5);
    expect(cloneValue(null)).toBeNull();
  });

  it('keeps every own key of a parsed object, including "__proto__"', () => {
    const v = JSON.parse('{"__proto__":{"x":1},"y":2}') as Value;
    const c = cloneValue(v);
    expect(Object.keys(c as object).sort()).toEqual(['__proto__', 'y']);
    expect(valuesEqual(c, v)).toBe(true);
    expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
  });
});
