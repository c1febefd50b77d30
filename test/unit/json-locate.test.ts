// Tests for finding a JSON path in JSON text (src/io/json-locate.ts), which turns rule
// issues into FILE:LINE:COL: members, elements, odd keys, repeated keys and missing parts.

import { describe, expect, it } from 'vitest';
import { locateJsonPath, locateJsonPaths, parseJsonPath } from '../../src/io/json-locate.js';

const TEXT = `{
  "rules": [
    {"id": 1, "name": "a", "conditions": []},
    {
      "id": 2,
      "my key": {"x": [10, 20, {"deep": true}]},
      "name": "b \\" } [ tricky"
    }
  ]
}`;

describe('parseJsonPath', () => {
  it('reads members, indexes and quoted keys', () => {
    expect(parseJsonPath('$.rules[1]["my key"].x[2].deep')).toEqual(['rules', 1, 'my key', 'x', 2, 'deep']);
    expect(parseJsonPath('$')).toEqual([]);
    expect(parseJsonPath('$[0]["a\\"b"]')).toEqual([0, 'a"b']);
  });
});

describe('locateJsonPath', () => {
  it('points at a member key, or at an element', () => {
    expect(locateJsonPath(TEXT, '$.rules')).toEqual({ line: 2, column: 3 });
    expect(locateJsonPath(TEXT, '$.rules[0]')).toEqual({ line: 3, column: 5 });
    expect(locateJsonPath(TEXT, '$.rules[0].name')).toEqual({ line: 3, column: 15 });
    expect(locateJsonPath(TEXT, '$.rules[1].id')).toEqual({ line: 5, column: 7 });
    expect(locateJsonPath(TEXT, '$.rules[1]["my key"].x[2].deep')).toEqual({ line: 6, column: 33 });
  });

  it('skips strings holding brackets and quotes', () => {
    expect(locateJsonPath(TEXT, '$.rules[1].name')).toEqual({ line: 7, column: 7 });
  });

  it('falls back to the deepest part present for a missing member or element', () => {
    expect(locateJsonPath(TEXT, '$.rules[1].conditions')).toEqual({ line: 4, column: 5 });
    expect(locateJsonPath(TEXT, '$.rules[5]')).toEqual({ line: 2, column: 12 });
    expect(locateJsonPath(TEXT, '$')).toEqual({ line: 1, column: 1 });
  });

  it('takes the last of repeated keys, as JSON.parse does', () => {
    expect(locateJsonPath('{"a": 1,\n "a": 2}', '$.a')).toEqual({ line: 2, column: 2 });
  });

  it('handles a top-level array and leading whitespace', () => {
    expect(locateJsonPath('\n  [1, {"id": 3}]', '$[1].id')).toEqual({ line: 2, column: 8 });
  });
});

describe('locateJsonPaths', () => {
  const PATHS = [
    '$.rules[1]["my key"].x[2].deep',
    '$.rules',
    '$.rules[0].name',
    '$.rules[1].conditions',
    '$.rules[5].id',
    '$',
    '$.rules[1].id',
    '$.rules[0].name',
    '$.rules[1]["my key"].x[7]',
    '$.nothing.deeper',
    '$.rules[0].id.x',
  ];

  it('finds many paths in one walk exactly where each is found alone, in the order asked', () => {
    expect(locateJsonPaths(TEXT, PATHS)).toEqual(PATHS.map((p) => locateJsonPath(TEXT, p)));
    expect(locateJsonPaths(TEXT, [])).toEqual([]);
  });

  it('agrees with locating one at a time on every part of a generated rules file', () => {
    const rules = Array.from({ length: 40 }, (_, i) => ({
      id: i,
      ...(i % 3 === 0 ? { descripton: 'x' } : {}),
      conditions: [{ field: `f${i}`, operator: 'Equal', value: { Integer: i } }],
      actions: i % 2 === 0 ? [] : [{ action_type: { Log: { message: 'm' } } }],
    }));
    const text = JSON.stringify(rules, null, 2);
    const paths = rules.flatMap((_, i) => [`$[${i}].id`, `$[${i}].descripton`, `$[${i}].conditions[0].value.Integer`, `$[${i}].actions[0].action_type.Log`]);
    const reversed = [...paths].reverse();
    expect(locateJsonPaths(text, paths)).toEqual(paths.map((p) => locateJsonPath(text, p)));
    expect(locateJsonPaths(text, reversed)).toEqual(reversed.map((p) => locateJsonPath(text, p)));
    // Every rule's id sits on its own line: the positions are really distinct.
    expect(
      new Set(
        locateJsonPaths(
          text,
          rules.map((_, i) => `$[${i}].id`),
        ).map((p) => p.line),
      ).size,
    ).toBe(rules.length);
  });
});
