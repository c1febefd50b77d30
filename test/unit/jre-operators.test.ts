// json-rules-engine's ten operators at their edges: each case states the outcome, and both
// rete-eval's definition (src/jre/operators.ts) and json-rules-engine's own operator (its
// check, then its callback; a TypeError is "throws") must give it. rete-eval turns "throws"
// and a present value the check refuses into a mismatch: false, and counted.

import { describe, expect, it } from 'vitest';
import { Engine } from 'json-rules-engine';
import { applyJre, jreOpCode } from '../../src/jre/operators.js';
import { Outcome } from '../../src/rete/operators.js';
import { JRE_OPERATORS, type JreOperator } from '../../src/model/types.js';
import { DateValue, FloatValue, parseRfc3339, type FieldMap } from '../../src/model/value.js';
import { JrePredicate } from '../../src/jre/predicate.js';

type Want = true | false | 'refused' | 'throws';

const engine = new Engine();
function jre(op: JreOperator, a: unknown, b: unknown): boolean | 'throws' {
  try {
    return (engine as any).operators.get(op).evaluate(a, b);
  } catch (e) {
    if (e instanceof TypeError) return 'throws';
    throw e;
  }
}

const obj = (o: object) => JSON.parse(JSON.stringify(o));
const withToString = JSON.parse('{"toString": 1}');
const shared = { x: 1 };

// [operator, fact value, compared value, outcome]; 'refused': json-rules-engine's check says no.
const CASES: [JreOperator, unknown, unknown, Want][] = [
  // equal / notEqual: ===, no coercion, objects by identity.
  ['equal', 1, 1, true],
  ['equal', 1, '1', false],
  ['equal', 1, 1.0, true],
  ['equal', 0, -0, true],
  ['equal', null, null, true],
  ['equal', undefined, null, false],
  ['equal', undefined, undefined, true],
  ['equal', true, 1, false],
  ['equal', obj({ a: 1 }), obj({ a: 1 }), false],
  ['equal', shared, shared, true],
  ['equal', [1], [1], false],
  ['equal', 'é', 'e\u0301', false],
  ['notEqual', 1, '1', true],
  ['notEqual', undefined, null, true],
  ['notEqual', undefined, undefined, false],
  ['notEqual', [1], [1], true],
  // Orderings: the fact must pass Number.parseFloat, then JavaScript's < decides.
  ['lessThan', 1, 2, true],
  ['lessThan', 2, 2, false],
  ['lessThanInclusive', 2, 2, true],
  ['greaterThan', 3, 2, true],
  ['greaterThanInclusive', 2, 2, true],
  ['greaterThanInclusive', 1.5, 2, false],
  ['lessThan', '10', 9, false], // "10" → 10
  ['lessThan', '10', '9', true], // two strings: by code unit
  ['greaterThan', '12abc', 5, false], // passes the check (parseFloat 12), but Number("12abc") is NaN
  ['greaterThan', '12abc', '1', true], // string order
  ['lessThan', 'abc', 5, 'refused'],
  ['lessThan', '', 5, 'refused'],
  ['lessThan', ' 3', 5, true],
  ['lessThan', '0x10', 17, true], // parseFloat 0, Number("0x10") is 16
  ['greaterThan', 'Infinity', 1e300, true],
  ['lessThan', null, 1, 'refused'],
  ['lessThan', true, 2, 'refused'],
  ['lessThan', undefined, 1, false],
  ['lessThan', 1, undefined, false], // a missing compared value: NaN
  ['lessThan', 1, null, false], // null → 0
  ['greaterThan', 1, true, false], // true → 1
  ['greaterThanInclusive', 1, true, true],
  ['lessThan', [3], 5, true], // [3] → "3"
  ['lessThan', [3, 4], 5, false], // "3,4" passes the check (3) but is NaN
  ['lessThan', [], 5, 'refused'],
  ['lessThan', '5', [6], true], // "5" < "6" as strings
  ['lessThan', '5', obj({}), true], // "5" < "[object Object]"
  ['lessThan', 5, obj({}), false],
  ['lessThan', obj({}), 5, 'refused'],
  ['lessThan', withToString, 5, 'throws'],
  ['lessThan', 5, withToString, 'throws'],
  ['lessThan', [withToString], 5, 'throws'],
  ['greaterThan', 2, '1', true],
  ['greaterThan', 'b', 'a', 'refused'], // "b" is not numeric: no string ordering for it
  ['greaterThanInclusive', '5b', '5a', true],
  // in / notIn: value.indexOf(fact), on arrays by ===, on strings as substrings of String(fact).
  ['in', 1, [1, 2], true],
  ['in', '1', [1, 2], false],
  ['in', undefined, [1, null], false],
  ['in', null, [1, null], true],
  ['in', obj({ a: 1 }), [obj({ a: 1 })], false],
  ['in', 'b', 'abc', true],
  ['in', 1, 'a1b', true],
  ['in', undefined, 'xundefinedx', true],
  ['in', null, 'null', true],
  ['in', [1, 2], 'x1,2x', true],
  ['in', obj({}), '[object Object]', true],
  ['in', '', 'abc', true],
  ['in', withToString, 'abc', 'throws'],
  ['in', 1, 5, 'throws'],
  ['in', 1, null, 'throws'],
  ['in', 1, undefined, 'throws'],
  ['in', 1, obj({ indexOf: 1 }), 'throws'],
  ['notIn', 3, [1, 2], true],
  ['notIn', 1, [1, 2], false],
  ['notIn', undefined, [1], true],
  ['notIn', 'z', 'abc', true],
  ['notIn', 1, 5, 'throws'],
  // contains / doesNotContain: the fact must be an array; elements by ===.
  ['contains', [1, 2], 2, true],
  ['contains', [1, 2], '2', false],
  ['contains', [[1]], [1], false],
  ['contains', [null], null, true],
  ['contains', [1], undefined, false],
  ['contains', 'abc', 'b', 'refused'],
  ['contains', obj({ a: 1 }), 1, 'refused'],
  ['contains', undefined, 1, false],
  ['contains', null, 1, 'refused'],
  ['doesNotContain', [1, 2], 3, true],
  ['doesNotContain', [1, 2], 2, false],
  ['doesNotContain', [1], undefined, true],
  ['doesNotContain', 'abc', 'z', 'refused'],
  ['doesNotContain', undefined, 1, false],
  ['doesNotContain', 5, 1, 'refused'],
];

function rete(op: JreOperator, a: unknown, b: unknown): Outcome {
  return applyJre(jreOpCode(op), a, b);
}

describe('json-rules-engine operators', () => {
  it.each(CASES.map(([op, a, b, want]) => [op, String(JSON.stringify(a)), String(JSON.stringify(b)), want, a, b] as const))(
    '%s %s %s: %s',
    (op, _a, _b, want, a, b) => {
      const j = jre(op, a, b);
      if (want === 'throws') expect(j).toBe('throws');
      else expect(j).toBe(want === true);
      const r = rete(op, a, b);
      // Refused by the check and throwing are both a mismatch here (false, counted); a missing fact is plainly false.
      expect(r).toBe(want === true ? Outcome.True : want === false ? Outcome.False : Outcome.Mismatch);
    },
  );

  it('has a case for every operator', () => {
    for (const op of JRE_OPERATORS) expect(CASES.some(([o]) => o === op)).toBe(true);
  });

  it('reads values rete-eval decoded from its tagged form as their plain JSON values', () => {
    // {"Float": 2} is the number 2; {"Date": …} its RFC 3339 text (json-rules-engine would see the objects as written).
    const date = new DateValue(parseRfc3339('2024-01-15T10:30:00Z'));
    const fields = { f: new FloatValue(2), d: date, list: [new FloatValue(2)], nested: { f: new FloatValue(3), d: date } } as unknown as FieldMap;
    const holds = (fact: string, operator: JreOperator, value: unknown, path: string[] | null = null) =>
      new JrePredicate({ kind: 'jre', fact, path, pathText: path && '$', operator, value, ref: null }).evaluate(fields);
    expect(holds('f', 'equal', 2)).toBe(Outcome.True);
    expect(holds('f', 'lessThan', 3)).toBe(Outcome.True);
    expect(holds('d', 'equal', '2024-01-15T10:30:00Z')).toBe(Outcome.True);
    expect(holds('list', 'contains', 2)).toBe(Outcome.True);
    expect(holds('list', 'lessThan', 5)).toBe(Outcome.True); // [2] → "2"
    expect(holds('nested', 'equal', 3, ['f'])).toBe(Outcome.True);
    expect(holds('d', 'equal', '2024-01-15T10:30:00Z', ['0'])).toBe(Outcome.True); // a fact that is not an object: the path is not applied
    expect(holds('nested', 'equal', '2', ['d', '0'])).toBe(Outcome.True); // inside an object, a path indexes the date's text
    expect(holds('f', 'equal', 2, ['x'])).toBe(Outcome.True); // a path on a number gives the number
  });
});
