// Tests for compiled conditions (src/rete/predicates.ts): the nine operators with the semantics
// of docs/rules.md (conditions) (missing fields, int/float, dates, type mismatches counted), Contains on
// strings and arrays, affixes on strings only, And/Or/Not (empty ones included) and the
// Or-of-Equals set test.

import { describe, it, expect } from 'vitest';
import { RULE_CHECKS } from '../../src/engine.js';
import { validateRules } from '../../src/model/rules.js';
import type { Condition } from '../../src/model/types.js';
import { compileCondition, conjuncts, InSetTest, LogicalTest, Rank, Slots, type AlphaTest } from '../../src/rete/predicates.js';
import { DateValue, decodeValue, FloatValue, parseRfc3339, type FieldMap } from '../../src/model/value.js';

/** Validates a condition written as wire JSON, as a rule file would carry it. */
function cond(json: unknown): Condition {
  const v = validateRules([{ id: 1, name: 'c', conditions: [json], actions: [] }], RULE_CHECKS);
  expect(v.errors).toEqual([]);
  return v.rules[0]!.conditions[0]!;
}

/** A compiled test with mismatch counters of its own, as a session holds them. */
class Probe {
  readonly compiled: AlphaTest;
  private readonly m: number[];
  constructor(compiled: AlphaTest, slots: number) {
    this.compiled = compiled;
    this.m = new Array<number>(slots).fill(0);
  }
  test(fields: FieldMap): boolean {
    return this.compiled.test(fields, this.m);
  }
  /** Mismatches the test itself counted. */
  get mismatches(): number {
    return this.m[this.compiled.slot]!;
  }
  /** Its own and those of the tests inside it. */
  mismatchTotal(): number {
    return this.compiled.mismatchTotal(this.m);
  }
  get rank(): Rank {
    return this.compiled.rank;
  }
  get label(): string {
    return this.compiled.label;
  }
  get key(): string {
    return this.compiled.key;
  }
  get reads(): readonly string[] {
    return this.compiled.reads;
  }
}

function compile(json: unknown): Probe {
  const slots = new Slots();
  const t = compileCondition(cond(json), slots);
  return new Probe(t, slots.count);
}

function simple(field: string, operator: string, value: unknown): Probe {
  return compile({ field, operator, value });
}

/** Fields from wire JSON (tagged values decoded). */
function facts(json: Record<string, unknown>): FieldMap {
  return decodeValue(structuredClone(json)) as FieldMap;
}

const date = (s: string) => new DateValue(parseRfc3339(s));

describe('Equal', () => {
  it('compares numbers by value across integer and float', () => {
    const t = simple('n', 'Equal', { Float: 5 });
    expect(t.test({ n: 5 })).toBe(true);
    expect(t.test({ n: new FloatValue(5) })).toBe(true);
    expect(t.test({ n: 5.5 })).toBe(false);
    const i = simple('n', 'Equal', 5);
    expect(i.test({ n: new FloatValue(5) })).toBe(true);
    expect(i.test(facts({ n: { Float: 5.0 } }))).toBe(true);
    expect(i.test({ n: '5' })).toBe(false);
  });

  it('is false on a missing field, also against null', () => {
    expect(simple('n', 'Equal', 5).test({})).toBe(false);
    expect(simple('n', 'Equal', null).test({})).toBe(false);
    expect(simple('n', 'Equal', 'Null').test({})).toBe(false);
    expect(simple('n', 'Equal', null).test({ n: null })).toBe(true);
  });

  it('does not equate values of different types', () => {
    expect(simple('n', 'Equal', true).test({ n: 1 })).toBe(false);
    expect(simple('n', 'Equal', 'true').test({ n: true })).toBe(false);
    expect(simple('n', 'Equal', 0).test({ n: null })).toBe(false);
  });

  it('compares dates as instants, and a date constant against RFC 3339 string fields', () => {
    const t = simple('when', 'Equal', { Date: '2024-01-15T10:30:00Z' });
    expect(t.test({ when: date('2024-01-15T11:30:00+01:00') })).toBe(true);
    expect(t.test({ when: '2024-01-15T12:30:00+02:00' })).toBe(true);
    expect(t.test({ when: '2024-01-15T10:30:01Z' })).toBe(false);
    expect(t.test({ when: 'soon' })).toBe(false);
  });

  it('compares an RFC 3339 string constant against a date field as dates', () => {
    const t = simple('when', 'Equal', '2024-01-15T12:30:00+02:00');
    expect(t.test({ when: date('2024-01-15T10:30:00Z') })).toBe(true);
    expect(t.test({ when: '2024-01-15T12:30:00+02:00' })).toBe(true);
    // Two strings compare as strings.
    expect(t.test({ when: '2024-01-15T10:30:00Z' })).toBe(false);
  });

  it('compares arrays and objects deeply', () => {
    expect(simple('a', 'Equal', [1, 'x']).test({ a: [new FloatValue(1), 'x'] })).toBe(true);
    expect(simple('a', 'Equal', [1, 'x']).test({ a: ['x', 1] })).toBe(false);
    expect(simple('o', 'Equal', { k: 1 }).test({ o: { k: 1 } })).toBe(true);
    expect(simple('o', 'Equal', { k: 1 }).test({ o: { k: 1, j: 2 } })).toBe(false);
  });

  it('reads dotted paths', () => {
    const t = simple('customer.address.country', 'Equal', 'NL');
    expect(t.test(facts({ customer: { address: { country: 'NL' } } }))).toBe(true);
    expect(t.test(facts({ customer: { address: { country: 'BE' } } }))).toBe(false);
    expect(t.test(facts({ customer: 'NL' }))).toBe(false);
    expect(t.test(facts({ 'customer.address.country': 'NL' }))).toBe(true);
  });
});

describe('NotEqual', () => {
  it('is true on a missing field', () => {
    expect(simple('n', 'NotEqual', 5).test({})).toBe(true);
    expect(simple('n', 'NotEqual', null).test({})).toBe(true);
  });

  it('is the negation of Equal on present fields', () => {
    const t = simple('n', 'NotEqual', 5);
    expect(t.test({ n: new FloatValue(5) })).toBe(false);
    expect(t.test({ n: 5 })).toBe(false);
    expect(t.test({ n: 6 })).toBe(true);
    expect(t.test({ n: '5' })).toBe(true);
    expect(t.test({ n: null })).toBe(true);
    expect(simple('n', 'NotEqual', null).test({ n: null })).toBe(false);
    expect(simple('w', 'NotEqual', { Date: '2024-01-15T10:30:00Z' }).test({ w: '2024-01-15T10:30:00Z' })).toBe(false);
  });
});

describe('ordering operators', () => {
  const cases: [string, number, boolean, boolean, boolean][] = [
    // [_, field value, GT 10, GTE 10, LT 10]; LTE 10 is !GT
    ['GreaterThan', 11, true, true, false],
    ['GreaterThan', 10, false, true, false],
    ['GreaterThan', 9, false, false, true],
  ];
  it('compare numbers across integer and float, with the boundaries right', () => {
    for (const [, v, gt, gte, lt] of cases) {
      for (const k of [10, { Float: 10 }, { Float: 10.0 }]) {
        expect(simple('n', 'GreaterThan', k).test({ n: v })).toBe(gt);
        expect(simple('n', 'GreaterThanOrEqual', k).test({ n: v })).toBe(gte);
        expect(simple('n', 'LessThan', k).test({ n: v })).toBe(lt);
        expect(simple('n', 'LessThanOrEqual', k).test({ n: v })).toBe(!gt);
        expect(simple('n', 'GreaterThan', k).test({ n: new FloatValue(v) })).toBe(gt);
        expect(simple('n', 'LessThanOrEqual', k).test({ n: new FloatValue(v) })).toBe(!gt);
      }
    }
    expect(simple('n', 'GreaterThan', 10).test({ n: 10.5 })).toBe(true);
    expect(simple('n', 'LessThan', 10.5).test({ n: 10 })).toBe(true);
  });

  it('order strings by code unit', () => {
    expect(simple('s', 'LessThan', 'a').test({ s: 'B' })).toBe(true);
    expect(simple('s', 'GreaterThan', 'Z').test({ s: 'a' })).toBe(true);
    expect(simple('s', 'GreaterThanOrEqual', 'abc').test({ s: 'abc' })).toBe(true);
    expect(simple('s', 'LessThan', 'abc').test({ s: 'ab' })).toBe(true);
    expect(simple('s', 'LessThan', '\uFFFF').test({ s: '\u{1F600}' })).toBe(true);
  });

  it('order dates as instants, and date constants against RFC 3339 string fields', () => {
    const t = simple('when', 'GreaterThan', { Date: '2024-01-15T10:30:00Z' });
    expect(t.test({ when: date('2024-01-15T10:30:01Z') })).toBe(true);
    expect(t.test({ when: date('2024-01-15T11:30:00+01:00') })).toBe(false);
    expect(t.test({ when: '2024-01-15T10:30:00-01:00' })).toBe(true);
    expect(t.test({ when: '2024-01-15T11:00:00+01:00' })).toBe(false);
    expect(simple('when', 'LessThanOrEqual', { Date: '2024-01-15T10:30:00Z' }).test({ when: '2024-01-15T11:30:00+01:00' })).toBe(true);
    expect(simple('when', 'LessThan', '2024-01-15T10:30:00Z').test({ when: date('2024-01-15T10:29:00Z') })).toBe(true);
  });

  it('are false on a missing field, without counting a mismatch', () => {
    for (const op of ['GreaterThan', 'GreaterThanOrEqual', 'LessThan', 'LessThanOrEqual']) {
      const t = simple('n', op, 1);
      expect(t.test({})).toBe(false);
      expect(t.mismatches).toBe(0);
    }
  });

  it('are false on unrelated types, and count each such mismatch', () => {
    for (const op of ['GreaterThan', 'GreaterThanOrEqual', 'LessThan', 'LessThanOrEqual']) {
      const t = simple('n', op, 10);
      expect(t.test({ n: 'abc' })).toBe(false);
      expect(t.test({ n: '20' })).toBe(false);
      expect(t.test({ n: true })).toBe(false);
      expect(t.test({ n: [20] })).toBe(false);
      expect(t.test({ n: null })).toBe(false);
      expect(t.test({ n: date('2024-01-01T00:00:00Z') })).toBe(false);
      expect(t.mismatches, op).toBe(6);
      expect(t.test({ n: 5 })).toBe(op.startsWith('Less'));
      expect(t.mismatches).toBe(6);
      expect(t.mismatchTotal()).toBe(6);
    }
    const d = simple('w', 'GreaterThan', { Date: '2024-01-01T00:00:00Z' });
    expect(d.test({ w: 'not a date' })).toBe(false);
    expect(d.test({ w: 5 })).toBe(false);
    expect(d.mismatches).toBe(2);
    const s = simple('s', 'LessThan', 'm');
    expect(s.test({ s: 5 })).toBe(false);
    expect(s.mismatches).toBe(1);
  });
});

describe('Contains', () => {
  it('is a substring test on two strings', () => {
    const t = simple('s', 'Contains', 'lo w');
    expect(t.test({ s: 'hello world' })).toBe(true);
    expect(t.test({ s: 'hello' })).toBe(false);
    expect(simple('s', 'Contains', '').test({ s: 'x' })).toBe(true);
    expect(simple('s', 'Contains', 'A').test({ s: 'abc' })).toBe(false);
  });

  it('is membership, by the equality of §6, on an array field', () => {
    expect(simple('a', 'Contains', 5).test({ a: [1, new FloatValue(5)] })).toBe(true);
    expect(simple('a', 'Contains', { Float: 5 }).test({ a: [5] })).toBe(true);
    expect(simple('a', 'Contains', 'x').test({ a: ['xy', 'y'] })).toBe(false);
    expect(simple('a', 'Contains', 'x').test({ a: [] })).toBe(false);
    expect(simple('a', 'Contains', { Date: '2024-01-15T10:30:00Z' }).test({ a: ['2024-01-15T11:30:00+01:00'] })).toBe(true);
    expect(simple('a', 'Contains', [1]).test({ a: [[1], 2] })).toBe(true);
    expect(simple('a', 'Contains', null).test({ a: [null] })).toBe(true);
    expect(simple('a', 'Contains', '5').test({ a: [5] })).toBe(false);
  });

  it('is false on a missing field', () => {
    const t = simple('s', 'Contains', 'x');
    expect(t.test({})).toBe(false);
    expect(t.mismatches).toBe(0);
  });

  it('is false, counting a mismatch, on anything else', () => {
    const t = simple('s', 'Contains', 'x');
    expect(t.test({ s: 5 })).toBe(false);
    expect(t.test({ s: { x: 1 } })).toBe(false);
    expect(t.test({ s: null })).toBe(false);
    expect(t.mismatches).toBe(3);
    const n = simple('s', 'Contains', 5);
    expect(n.test({ s: '5' })).toBe(false);
    expect(n.mismatches).toBe(1);
  });
});

describe('StartsWith and EndsWith', () => {
  it('test string affixes', () => {
    expect(simple('s', 'StartsWith', 'he').test({ s: 'hello' })).toBe(true);
    expect(simple('s', 'StartsWith', 'lo').test({ s: 'hello' })).toBe(false);
    expect(simple('s', 'EndsWith', 'lo').test({ s: 'hello' })).toBe(true);
    expect(simple('s', 'EndsWith', 'he').test({ s: 'hello' })).toBe(false);
    expect(simple('s', 'StartsWith', '').test({ s: 'x' })).toBe(true);
    expect(simple('s', 'EndsWith', 'hello!').test({ s: 'hello' })).toBe(false);
  });

  it('are false on a missing field', () => {
    expect(simple('s', 'StartsWith', 'a').test({})).toBe(false);
    expect(simple('s', 'EndsWith', 'a').test({})).toBe(false);
  });

  it('are false, counting a mismatch, on non-strings', () => {
    for (const op of ['StartsWith', 'EndsWith']) {
      const t = simple('s', op, '1');
      expect(t.test({ s: 1 })).toBe(false);
      expect(t.test({ s: ['1'] })).toBe(false);
      expect(t.test({ s: null })).toBe(false);
      expect(t.mismatches).toBe(3);
      const k = simple('s', op, 1);
      expect(k.test({ s: '1' })).toBe(false);
      expect(k.mismatches).toBe(1);
    }
  });
});

describe('And, Or, Not', () => {
  const a = { field: 'a', operator: 'Equal', value: 1 };
  const b = { field: 'b', operator: 'Equal', value: 2 };

  it('And holds when all children hold', () => {
    const t = compile({ operator: 'And', conditions: [a, b] });
    expect(t.test({ a: 1, b: 2 })).toBe(true);
    expect(t.test({ a: 1, b: 3 })).toBe(false);
    expect(t.test({ a: 0, b: 2 })).toBe(false);
    const bare = compile({ conditions: [a, b] });
    expect(bare.test({ a: 1, b: 2 })).toBe(true);
    expect(bare.test({ b: 2 })).toBe(false);
  });

  it('Or holds when some child holds', () => {
    const t = compile({ operator: 'Or', conditions: [a, b] });
    expect(t.test({ a: 1 })).toBe(true);
    expect(t.test({ b: 2 })).toBe(true);
    expect(t.test({ a: 2, b: 1 })).toBe(false);
    expect(t.test({})).toBe(false);
  });

  it('Not holds when none of its children holds', () => {
    const t = compile({ operator: 'Not', conditions: [a, b] });
    expect(t.test({})).toBe(true);
    expect(t.test({ a: 1 })).toBe(false);
    expect(t.test({ b: 2 })).toBe(false);
    expect(t.test({ a: 2, b: 3 })).toBe(true);
    const one = compile({ operator: 'Not', conditions: [a] });
    expect(one.test({ a: 1 })).toBe(false);
    expect(one.test({ a: 2 })).toBe(true);
    expect(one.test({})).toBe(true);
  });

  it('an empty And holds, an empty Or does not, an empty Not holds', () => {
    expect(compile({ operator: 'And', conditions: [] }).test({})).toBe(true);
    expect(compile({ conditions: [] }).test({ x: 1 })).toBe(true);
    expect(compile({ operator: 'Or', conditions: [] }).test({})).toBe(false);
    expect(compile({ operator: 'Or', conditions: [] }).test({ a: 1 })).toBe(false);
    expect(compile({ operator: 'Not', conditions: [] }).test({})).toBe(true);
    expect(compile({ operator: 'Not', conditions: [] }).test({ a: 1 })).toBe(true);
  });

  it('nests', () => {
    // a = 1 and not (b = 2 or c > 5)
    const t = compile({
      operator: 'And',
      conditions: [a, { operator: 'Not', conditions: [{ operator: 'Or', conditions: [b, { field: 'c', operator: 'GreaterThan', value: 5 }] }] }],
    });
    expect(t.test({ a: 1 })).toBe(true);
    expect(t.test({ a: 1, b: 2 })).toBe(false);
    expect(t.test({ a: 1, c: 6 })).toBe(false);
    expect(t.test({ a: 1, c: 5 })).toBe(true);
    expect(t.test({ a: 1, c: 'x' })).toBe(true);
    expect(t.mismatchTotal()).toBe(1);
    const empties = compile({
      operator: 'Or',
      conditions: [
        { operator: 'Or', conditions: [] },
        { operator: 'Not', conditions: [{ operator: 'And', conditions: [] }] },
      ],
    });
    expect(empties.test({})).toBe(false);
    const notEmptyOr = compile({ operator: 'Not', conditions: [{ operator: 'Or', conditions: [] }] });
    expect(notEmptyOr.test({})).toBe(true);
  });

  it('NotEqual inside Not on a missing field', () => {
    const t = compile({ operator: 'Not', conditions: [{ field: 'x', operator: 'NotEqual', value: 1 }] });
    expect(t.test({})).toBe(false);
    expect(t.test({ x: 1 })).toBe(true);
  });

  it('counts mismatches of the tests inside a logical test', () => {
    const t = compile({
      operator: 'Or',
      conditions: [
        { field: 'n', operator: 'GreaterThan', value: 1 },
        { field: 's', operator: 'StartsWith', value: 'a' },
      ],
    });
    expect(t.compiled).toBeInstanceOf(LogicalTest);
    expect(t.test({ n: 'x', s: 5 })).toBe(false);
    expect(t.mismatchTotal()).toBe(2);
  });
});

describe('Or of Equals on one field: the set test', () => {
  it('becomes one set test over hashable constants', () => {
    const t = compile({
      operator: 'Or',
      conditions: [
        { field: 'status', operator: 'Equal', value: 'a' },
        { field: 'status', operator: 'Equal', value: { String: 'b' } },
        { field: 'status', operator: 'Equal', value: 5 },
        { field: 'status', operator: 'Equal', value: null },
        { field: 'status', operator: 'Equal', value: true },
      ],
    });
    expect(t.compiled).toBeInstanceOf(InSetTest);
    expect(t.rank).toBe(Rank.InSet);
    expect(t.reads).toEqual(['status']);
    expect(t.test({ status: 'a' })).toBe(true);
    expect(t.test({ status: 'b' })).toBe(true);
    expect(t.test({ status: 5 })).toBe(true);
    expect(t.test({ status: new FloatValue(5) })).toBe(true);
    expect(t.test({ status: null })).toBe(true);
    expect(t.test({ status: true })).toBe(true);
    expect(t.test({ status: '5' })).toBe(false);
    expect(t.test({ status: 'c' })).toBe(false);
    expect(t.test({ status: false })).toBe(false);
    expect(t.test({ status: ['a'] })).toBe(false);
    expect(t.test({ status: date('2024-01-01T00:00:00Z') })).toBe(false);
    expect(t.test({})).toBe(false);
  });

  it('matches a Float constant against an integer field', () => {
    const t = compile({
      operator: 'Or',
      conditions: [
        { field: 'n', operator: 'Equal', value: { Float: 2 } },
        { field: 'n', operator: 'Equal', value: 3.5 },
      ],
    });
    expect(t.compiled).toBeInstanceOf(InSetTest);
    expect(t.test({ n: 2 })).toBe(true);
    expect(t.test({ n: 3.5 })).toBe(true);
    expect(t.test({ n: 3 })).toBe(false);
  });

  it('has the same key whatever the order of the constants', () => {
    const x = compile({
      operator: 'Or',
      conditions: [
        { field: 's', operator: 'Equal', value: 'a' },
        { field: 's', operator: 'Equal', value: 'b' },
      ],
    });
    const y = compile({
      operator: 'Or',
      conditions: [
        { field: 's', operator: 'Equal', value: 'b' },
        { field: 's', operator: 'Equal', value: 'a' },
      ],
    });
    expect(x.key).toBe(y.key);
  });

  it('is not used when dates or date-like strings are involved, and stays correct', () => {
    const t = compile({
      operator: 'Or',
      conditions: [
        { field: 'w', operator: 'Equal', value: '2024-01-15T10:30:00Z' },
        { field: 'w', operator: 'Equal', value: 'never' },
      ],
    });
    expect(t.compiled).not.toBeInstanceOf(InSetTest);
    expect(t.test({ w: date('2024-01-15T11:30:00+01:00') })).toBe(true);
    expect(t.test({ w: 'never' })).toBe(true);
    expect(t.test({ w: 'later' })).toBe(false);
    const d = compile({
      operator: 'Or',
      conditions: [
        { field: 'w', operator: 'Equal', value: { Date: '2024-01-15T10:30:00Z' } },
        { field: 'w', operator: 'Equal', value: 1 },
      ],
    });
    expect(d.compiled).not.toBeInstanceOf(InSetTest);
    expect(d.test({ w: '2024-01-15T10:30:00Z' })).toBe(true);
  });

  it('is not used across different fields or with other operators', () => {
    const fields = compile({
      operator: 'Or',
      conditions: [
        { field: 'a', operator: 'Equal', value: 1 },
        { field: 'b', operator: 'Equal', value: 1 },
      ],
    });
    expect(fields.compiled).not.toBeInstanceOf(InSetTest);
    expect(fields.test({ b: 1 })).toBe(true);
    const ops = compile({
      operator: 'Or',
      conditions: [
        { field: 'a', operator: 'Equal', value: 1 },
        { field: 'a', operator: 'GreaterThan', value: 5 },
      ],
    });
    expect(ops.compiled).not.toBeInstanceOf(InSetTest);
    expect(ops.test({ a: 6 })).toBe(true);
    expect(ops.test({ a: 1 })).toBe(true);
    expect(ops.test({ a: 3 })).toBe(false);
  });
});

describe('conjuncts', () => {
  it('splices nested Ands, drops empty Ands and shares a repeated test', () => {
    const v = validateRules(
      [
        {
          id: 1,
          name: 'c',
          conditions: [
            { field: 'a', operator: 'Equal', value: 1 },
            { operator: 'And', conditions: [{ field: 'b', operator: 'GreaterThan', value: 2 }, { conditions: [] }] },
            { field: 'a', operator: 'Equal', value: { Float: 1 } },
          ],
          actions: [],
        },
      ],
      RULE_CHECKS,
    );
    const ts = conjuncts(v.rules[0]!.conditions, new Slots());
    expect(ts.map((t) => t.label)).toEqual(['a Equal 1', 'b GreaterThan 2']);
  });

  it('ranks cheap and selective tests first', () => {
    const rank = (json: unknown) => compile(json).rank;
    expect(rank({ field: 'a', operator: 'Equal', value: 1 })).toBe(Rank.HashEqual);
    expect(rank({ field: 'a', operator: 'Equal', value: { Date: '2024-01-01T00:00:00Z' } })).toBe(Rank.Equal);
    expect(rank({ field: 'a', operator: 'Equal', value: [1] })).toBe(Rank.Equal);
    expect(rank({ field: 'a', operator: 'GreaterThan', value: 1 })).toBe(Rank.Order);
    expect(rank({ field: 'a', operator: 'StartsWith', value: 'x' })).toBe(Rank.Affix);
    expect(rank({ field: 'a', operator: 'Contains', value: 'x' })).toBe(Rank.Contains);
    expect(rank({ field: 'a', operator: 'NotEqual', value: 1 })).toBe(Rank.NotEqual);
    expect(rank({ operator: 'Not', conditions: [] })).toBe(Rank.Logical);
  });
});
