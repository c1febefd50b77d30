// fast-check generators for the json-rules-engine differential test: rule files over every
// supported feature (all/any/not nesting, the ten operators, paths in the JSONPath subset,
// fact-valued values, shared conditions by reference, priorities, names, events) and records
// whose values meet them at every edge (missing facts and paths, numeric and non-numeric
// strings, mixed types, nested objects and arrays, strings indexed by a path, keys that
// JavaScript treats specially). Records avoid what rete-eval reads differently on purpose
// (its tagged values, the "Null" string, an "id" key, the empty key): the README lists those.

import fc from 'fast-check';

export const FACTS = ['age', 'name', 'tags', 'account', 'score', 'constructor', 'a.b', 'odd key'];
const DOT_KEYS = ['a', 'b', 'type', 'x', '0', 'length', 'items'];
const QUOTED_KEYS = ['odd key', 'a.b', 'x', '0', 'toString'];
const KEYS = ['a', 'b', 'type', 'x', '0', 'length', 'items', 'odd key', 'a.b', 'sku', 'toString'];

const STRINGS = ['', 'a', 'abc', '12', '12abc', ' 3', '1e2', 'Infinity', '0x10', 'premium', 'b', 'undefined', 'null', '1,2', '[object Object]', 'é€😀', 'vip'];

/** A JSON leaf: small and edgy numbers, strings that read as numbers or not, booleans, null. */
export const leaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -3, max: 30 }),
  fc.constantFrom(0.5, -0.5, 2.5, -0, 1e-7, 9007199254740991, 12, 3),
  fc.constantFrom(...STRINGS),
  fc.boolean(),
  fc.constant(null),
);

/** A JSON value up to a few levels deep, with keys from `keys`. */
function jsonOf(keys: readonly string[]): fc.Arbitrary<unknown> {
  return fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { arbitrary: leaf, weight: 4 },
      { arbitrary: fc.array(tie('value'), { maxLength: 3 }), weight: 1 },
      { arbitrary: fc.dictionary(fc.constantFrom(...keys), tie('value'), { maxKeys: 3, noNullPrototype: true }), weight: 1 },
    ),
  })).value;
}

/** Record values: also objects with an own "toString" key, on which JavaScript's < and String() throw. */
export const json = jsonOf(KEYS);

/**
 * Values in rules (constants, event params): no key named like an Object.prototype member.
 * json-rules-engine copies events and shared conditions with the clone package, which drops
 * such keys (a difference the README states; jre-translate.test.ts pins it).
 */
const ruleJson = jsonOf(KEYS.filter((k) => k !== 'toString'));

/** A record: some of the facts, each any JSON value. */
export const record = fc.dictionary(fc.constantFrom(...FACTS), json, { maxKeys: 5, noNullPrototype: true });

const segment = fc.oneof(
  fc.constantFrom(...DOT_KEYS).map((k) => `.${k}`),
  fc.integer({ min: 0, max: 2 }).map((n) => `[${n}]`),
  fc.constantFrom(...QUOTED_KEYS).map((k) => `['${k}']`),
  fc.constantFrom(...QUOTED_KEYS).map((k) => `["${k}"]`),
);

/** A JSONPath in the subset: `$` and segments, or (as jsonpath-plus also reads it) a bare first key. */
export const path: fc.Arbitrary<string> = fc.oneof(
  fc.array(segment, { minLength: 0, maxLength: 3 }).map((s) => `$${s.join('')}`),
  fc.tuple(fc.constantFrom('a', 'type', 'items'), fc.array(segment, { maxLength: 2 })).map(([k, s]) => `${k}${s.join('')}`),
);

const factRead = fc.record(
  { fact: fc.constantFrom(...FACTS), path: fc.option(path, { nil: undefined, freq: 2 }) },
  { requiredKeys: ['fact'], noNullPrototype: true },
);

const OPS = ['equal', 'notEqual', 'lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive', 'in', 'notIn', 'contains', 'doesNotContain'];

/** A fact condition: a constant (an array or a string for in/notIn, as json-rules-engine needs) or another fact's value. */
const factCondition = fc
  .tuple(factRead, fc.constantFrom(...OPS), fc.boolean(), ruleJson, fc.array(leaf, { maxLength: 3 }), factRead, fc.option(fc.integer({ min: 1, max: 3 })))
  .map(([read, operator, byRef, value, list, ref, priority]) => {
    const constant = operator === 'in' || operator === 'notIn' ? (typeof value === 'string' ? value : list) : value;
    const c: Record<string, unknown> = { ...read, operator, value: byRef ? ref : constant };
    if (priority !== null) c.priority = priority;
    return c;
  });

/** A condition tree; `names` are the shared conditions it may refer to. */
function condition(names: readonly string[]): fc.Arbitrary<unknown> {
  const ref = names.length > 0 ? [fc.constantFrom(...names).map((n) => ({ condition: n }))] : [];
  return fc.letrec<{ c: unknown }>((tie) => ({
    c: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { arbitrary: factCondition, weight: 5 },
      ...ref.map((arbitrary) => ({ arbitrary, weight: 1 })),
      { arbitrary: fc.array(tie('c'), { maxLength: 3 }).map((all) => ({ all })), weight: 1 },
      { arbitrary: fc.array(tie('c'), { maxLength: 3 }).map((any) => ({ any })), weight: 1 },
      { arbitrary: tie('c').map((not) => ({ not })), weight: 1 },
    ),
  })).c;
}

/** A root: all, any, not, or a reference. */
function root(names: readonly string[]): fc.Arbitrary<unknown> {
  const c = condition(names);
  const roots: fc.Arbitrary<unknown>[] = [
    fc.array(c, { maxLength: 4 }).map((all) => ({ all })),
    fc.array(c, { maxLength: 3 }).map((any) => ({ any })),
    c.map((not) => ({ not })),
  ];
  if (names.length > 0) roots.push(fc.constantFrom(...names).map((n) => ({ condition: n })));
  return fc.oneof(...roots);
}

const params = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant(0),
  ruleJson,
  fc.dictionary(fc.constantFrom(...KEYS.filter((k) => k !== 'toString')), ruleJson, { maxKeys: 3, noNullPrototype: true }),
);

function rule(names: readonly string[], i: number): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(root(names), fc.option(fc.integer({ min: 1, max: 3 })), fc.option(fc.constantFrom('r', 'n', 0)), params)
    .map(([conditions, priority, name, p]) => {
      const r: Record<string, unknown> = { conditions, event: p === undefined ? { type: `e${i}` } : { type: `e${i}`, params: p } };
      if (priority !== null) r.priority = priority;
      if (name !== null) r.name = name;
      return r;
    });
}

/** A rule file in one of the four shapes; shared conditions may refer to those defined before them. */
export const ruleFile: fc.Arbitrary<unknown> = fc.integer({ min: 0, max: 2 }).chain((nShared) => {
  const names = Array.from({ length: nShared }, (_, i) => `shared ${i}`);
  const defs = fc.tuple(...names.map((_, i) => root(names.slice(0, i))));
  return fc.tuple(defs, fc.integer({ min: 1, max: 5 }), fc.constantFrom('array', 'rules', 'single')).chain(([d, n, shape]) =>
    fc.tuple(...Array.from({ length: shape === 'single' && nShared === 0 ? 1 : n }, (_, i) => rule(names, i))).map((rules) => {
      if (nShared > 0) return { conditions: Object.fromEntries(names.map((name, i) => [name, d[i]])), rules };
      if (shape === 'single') return rules[0];
      return shape === 'rules' ? { rules } : rules;
    }),
  );
});
