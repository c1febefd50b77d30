// Fact reads of json-rules-engine conditions: the JSONPath subset (what parses, what is refused
// and why) and how a path resolves, against jsonpath-plus itself called the way
// json-rules-engine's almanac calls it (wrap: false, and only on a fact that is an object).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JSONPath } from 'jsonpath-plus';
import { JreRead, parseJrePath } from '../../src/jre/path.js';
import type { FieldMap } from '../../src/model/value.js';
import { json, path as pathArb } from './jre-arbitraries.js';

/** json-rules-engine's almanac: the path applies to an object fact; any other fact comes back whole. */
function almanac(factValue: unknown, path: string): unknown {
  if (factValue != null && typeof factValue === 'object') return JSONPath({ path, json: factValue as object, wrap: false });
  return factValue;
}

function rete(factValue: unknown, path: string): unknown {
  const parsed = parseJrePath(path);
  if ('error' in parsed) throw new Error(parsed.error);
  const fields = { f: factValue } as FieldMap;
  return new JreRead({ fact: 'f', path: parsed.keys, pathText: path }).read(fields);
}

describe('the JSONPath subset', () => {
  it.each([
    ['$', []],
    ['$.a.b', ['a', 'b']],
    ['$.items[0].sku', ['items', '0', 'sku']],
    ["$['odd key']", ['odd key']],
    ['$["a.b"].c', ['a.b', 'c']],
    ["$['x'][12]", ['x', '12']],
    ['$.0.length', ['0', 'length']],
    ['$.größe', ['größe']],
    ['$.first-name', ['first-name']],
    ['a.b', ['a', 'b']],
    ['items[1]', ['items', '1']],
  ])('reads %s as %j', (text, keys) => {
    expect(parseJrePath(text)).toEqual({ keys });
  });

  it.each([
    ['$..a', 'recursive descent'],
    ['$.items[*].sku', 'wildcards'],
    ['$.items[?(@.price > 10)]', 'filter expressions'],
    ['$.items[0:2]', 'array slices'],
    ['$.items[0,1]', 'unions'],
    ['$.a^', '^ and ~'],
    ['$.a.', 'expected a key after "."'],
    ['$.a b', 'unexpected " "'],
    ["$['']", 'expected a non-empty key'],
    ["$['a]", "closed by ']"],
    ['$[-1]', 'expected an array index'],
    ['.a', 'expected "$" or a key'],
    ['$a', 'unexpected "a"'],
  ])('refuses %s (%s)', (text, why) => {
    const r = parseJrePath(text);
    expect('error' in r ? r.error : '').toContain(why);
    if ('error' in r) expect(r.error).toContain("$['odd key']");
  });
});

describe('path resolution, as json-rules-engine has it', () => {
  it.each<[unknown, string]>([
    [{ a: { b: 1 } }, '$.a.b'],
    [{ a: { b: 1 } }, '$.a.c'],
    [{ items: [{ sku: 'x' }] }, '$.items[0].sku'],
    [{ items: [{ sku: 'x' }] }, '$.items[1].sku'],
    [{ 'odd key': 2 }, "$['odd key']"],
    [{ 'a.b': 3, a: { b: 4 } }, "$['a.b']"],
    [{ a: { b: 4 } }, "$['a.b']"],
    [{ s: 'hey' }, '$.s[0]'],
    [{ s: 'hey' }, '$.s.length'],
    [{ s: [1, 2] }, '$.s.length'],
    [{ a: 0 }, '$.a.b'],
    [{ a: '' }, '$.a.length'],
    [{ a: false }, '$.a'],
    [{ a: null }, '$.a.b'],
    [{ a: 5 }, '$.a.toFixed'],
    [{ a: {} }, '$.a.constructor'],
    [{ a: {} }, '$.a.toString'],
    [JSON.parse('{"__proto__": 7}'), '$.__proto__'],
    [[{ a: 1 }], '$[0].a'],
    [{ '0': 'zero' }, '$[0]'],
    [{ '0': 'zero' }, '$.0'],
    [[5], '$[00]'],
    [5, '$.a'],
    ['text', '$[0]'],
    [null, '$.a'],
    [undefined, '$.a'],
    [{ a: [1, [2, 3]] }, '$.a[1]'],
    [{ a: { b: 1 } }, '$'],
    [{ a: { b: 1 } }, 'a.b'],
  ])('%j at %s', (value, path) => {
    expect(rete(value, path)).toEqual(almanac(value, path));
  });

  it('resolves every generated path on every generated value as jsonpath-plus does', () => {
    fc.assert(
      fc.property(json, pathArb, (value, path) => {
        const want = almanac(structuredClone(value), path);
        expect(rete(structuredClone(value), path)).toEqual(want);
      }),
      { numRuns: 2000 },
    );
  });

  it('returns the same object for the same path twice (=== compares by identity)', () => {
    const fields = { f: { a: { b: [1] } } } as unknown as FieldMap;
    const read = new JreRead({ fact: 'f', path: ['a', 'b'], pathText: '$.a.b' });
    expect(read.read(fields)).toBe(read.read(fields));
  });

  it('reads only a record key the record has as its own', () => {
    const read = new JreRead({ fact: 'constructor', path: null, pathText: null });
    expect(read.read({} as FieldMap)).toBeUndefined();
    expect(read.read(JSON.parse('{"constructor": 1}'))).toBe(1);
  });
});
