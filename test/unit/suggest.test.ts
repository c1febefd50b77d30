// Tests for the did-you-mean helper (src/model/suggest.ts): the edit distance, when a name
// is close enough to be offered, and the unknown-key warnings built on it.

import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance, jsonPathKey, warnUnknownKeys } from '../../src/model/suggest.js';
import { OPERATORS } from '../../src/model/types.js';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps as one edit each', () => {
    expect(editDistance('value', 'value')).toBe(0);
    expect(editDistance('vaule', 'value')).toBe(1); // swap
    expect(editDistance('valu', 'value')).toBe(1); // insertion
    expect(editDistance('valuee', 'value')).toBe(1); // deletion
    expect(editDistance('valve', 'value')).toBe(1); // substitution
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('ignores case', () => {
    expect(editDistance('greaterthan', 'GreaterThan')).toBe(0);
  });

  it('is symmetric', () => {
    for (const [a, b] of [
      ['GreaterThen', 'GreaterThan'],
      ['abc', 'cab'],
      ['percentage_ad', 'percentage_add'],
    ] as const) {
      expect(editDistance(a, b)).toBe(editDistance(b, a));
    }
  });
});

describe('closest and didYouMean', () => {
  it('offers the nearest known name when it is near enough to be a typo', () => {
    expect(closest('GreaterThen', OPERATORS)).toBe('GreaterThan');
    expect(closest('equal', OPERATORS)).toBe('Equal');
    expect(closest('Equals', OPERATORS)).toBe('Equal');
    expect(closest('StartWith', OPERATORS)).toBe('StartsWith');
    expect(didYouMean('vaule', ['field', 'operator', 'value'])).toBe(' (did you mean "value"?)');
  });

  it('offers nothing for a name far from every known one', () => {
    expect(closest('Like', OPERATORS)).toBeNull();
    expect(closest('Explode', ['Log', 'SetField', 'Formula'])).toBeNull();
    expect(didYouMean('colour', ['id', 'name', 'conditions', 'actions'])).toBe('');
    expect(closest('x', [])).toBeNull();
  });

  it('short names need to be closer than long ones', () => {
    expect(closest('ab', ['id'])).toBeNull(); // 2 edits in a 2-letter word is no typo
    expect(closest('nme', ['name'])).toBe('name');
    expect(closest('calculator_nam', ['calculator_name'])).toBe('calculator_name');
  });

  it('picks the first listed among equally near names', () => {
    expect(closest('ac', ['ab', 'ad'])).toBe('ab');
  });
});

describe('warnUnknownKeys', () => {
  it('warns once per unknown key, with its JSON path and a suggestion where there is one', () => {
    const out: [string, string][] = [];
    warnUnknownKeys({ field: 'a', vaule: 1, 'odd key': 2, operator: 'Equal' }, ['field', 'operator', 'value'], '$[0].conditions[0]', 'condition', (p, m) =>
      out.push([p, m]),
    );
    expect(out).toEqual([
      ['$[0].conditions[0].vaule', 'unknown condition key "vaule" is ignored (did you mean "value"?)'],
      ['$[0].conditions[0]["odd key"]', 'unknown condition key "odd key" is ignored'],
    ]);
  });

  it('builds bracketed paths for keys that are not identifiers', () => {
    expect(jsonPathKey('$', 'a')).toBe('$.a');
    expect(jsonPathKey('$', 'my-key')).toBe('$["my-key"]');
    expect(jsonPathKey('$[0]', '1x')).toBe('$[0]["1x"]');
  });
});
