// Tests for finding a JSON path in JSON text (src/io/json-locate.ts), which turns rule
// issues into FILE:LINE:COL: members, elements, odd keys, repeated keys and missing parts.

import { describe, expect, it } from 'vitest';
import { locateJsonPath, parseJsonPath } from '../../src/io/json-locate.js';

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
