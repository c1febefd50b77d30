// Unit tests for the wire validation of Aggregation and Stream conditions: every accepted
// shape (plain and tagged numbers, optional parts), and every error with its JSON path
// and what it says was expected. Nested conditions go through a small stand-in parser.

import { describe, it, expect } from 'vitest';
import { validateAggregation, validateStream, type ConditionParser } from '../../src/model/deferred-rules.js';
import type { Condition, Operator } from '../../src/model/types.js';

interface Issue {
  path: string;
  message: string;
}

/** A stand-in for the rule validator's condition parser: Simple, Complex, and the two shapes here. */
function parser(issues: Issue[]): ConditionParser {
  const error = (path: string, message: string) => issues.push({ path, message });
  const parse: ConditionParser = (raw, path) => {
    const r = raw as Record<string, unknown>;
    if (r === null || typeof r !== 'object') {
      error(path, 'expected a condition object');
      return null;
    }
    if ('field' in r && 'operator' in r && 'value' in r) {
      return { kind: 'simple', field: r.field as string, operator: r.operator as Operator, value: r.value as number, ref: null };
    }
    if ('conditions' in r) {
      const kids = (r.conditions as unknown[]).map((c, i) => parse(c, `${path}.conditions[${i}]`));
      if (kids.some((k) => k === null)) return null;
      const op = r.operator ?? 'And';
      return { kind: op === 'Or' ? 'or' : op === 'Not' ? 'not' : 'and', conditions: kids as Condition[] };
    }
    if ('aggregation_type' in r) return validateAggregation(r, path, error, parse);
    if ('window_spec' in r) return validateStream(r, path, error, parse);
    error(path, 'expected a condition');
    return null;
  };
  return parse;
}

function aggregation(raw: Record<string, unknown>) {
  const issues: Issue[] = [];
  const c = validateAggregation(raw, '$[0].conditions[0]', (path, message) => issues.push({ path, message }), parser(issues));
  return { c, issues };
}

function stream(raw: Record<string, unknown>) {
  const issues: Issue[] = [];
  const c = validateStream(raw, '$[0].conditions[0]', (path, message) => issues.push({ path, message }), parser(issues));
  return { c, issues };
}

const P = '$[0].conditions[0]';
const having = { field: 'total', operator: 'GreaterThan', value: 100 };
const base = { aggregation_type: 'Sum', source_field: 'amount', group_by: ['employee_id'], having, alias: 'total', window: null };
const baseStream = { window_spec: { Tumbling: { duration_ms: 60000 } }, aggregation: 'Count', filter: null, having: null, alias: 'n' };

/** The single issue reported, as [path, message]. */
function onlyIssue(r: { c: unknown; issues: Issue[] }): [string, string] {
  expect(r.c).toBeNull();
  expect(r.issues).toHaveLength(1);
  return [r.issues[0]!.path, r.issues[0]!.message];
}

describe('Aggregation: accepted shapes', () => {
  it('the reference shape', () => {
    const { c, issues } = aggregation(base);
    expect(issues).toEqual([]);
    expect(c).toEqual({
      kind: 'aggregation',
      fn: 'Sum',
      percentile: null,
      sourceField: 'amount',
      groupBy: ['employee_id'],
      having: { kind: 'simple', field: 'total', operator: 'GreaterThan', value: 100, ref: null },
      alias: 'total',
      window: null,
    });
  });

  it('every function name', () => {
    for (const fn of ['Sum', 'Count', 'Average', 'Min', 'Max', 'StandardDeviation'] as const) {
      expect(aggregation({ ...base, aggregation_type: fn }).c?.fn).toBe(fn);
    }
  });

  it('Percentile with p plain or tagged, 0 and 100 included', () => {
    expect(aggregation({ ...base, aggregation_type: { Percentile: 95.0 } }).c).toMatchObject({ fn: 'Percentile', percentile: 95 });
    expect(aggregation({ ...base, aggregation_type: { Percentile: { Float: 99.5 } } }).c?.percentile).toBe(99.5);
    expect(aggregation({ ...base, aggregation_type: { Percentile: { Integer: 0 } } }).c?.percentile).toBe(0);
    expect(aggregation({ ...base, aggregation_type: { Percentile: 100 } }).c?.percentile).toBe(100);
  });

  it('group_by, having and window may be missing or null', () => {
    const { c, issues } = aggregation({ aggregation_type: 'Count', source_field: 'id', alias: 'n' });
    expect(issues).toEqual([]);
    expect(c).toMatchObject({ groupBy: [], having: null, window: null });
    expect(aggregation({ ...base, group_by: null }).c?.groupBy).toEqual([]);
    expect(aggregation({ ...base, group_by: [] }).c?.groupBy).toEqual([]);
    expect(aggregation({ ...base, having: null }).c?.having).toBeNull();
  });

  it('the four windows, numbers plain or tagged', () => {
    const w = (window: unknown) => aggregation({ ...base, window }).c?.window;
    expect(w({ Sliding: { size: 5 } })).toEqual({ kind: 'Sliding', size: 5 });
    expect(w({ Tumbling: { size: { Integer: 10 } } })).toEqual({ kind: 'Tumbling', size: 10 });
    expect(w({ Session: { timeout_ms: { Float: 30000 } } })).toEqual({ kind: 'Session', timeoutMs: 30000 });
    expect(w({ Time: { duration_ms: 3600000 } })).toEqual({ kind: 'Time', durationMs: 3600000 });
  });

  it('having may combine tests of the alias', () => {
    const h = { operator: 'And', conditions: [having, { field: 'total', operator: 'LessThan', value: 500 }] };
    expect(aggregation({ ...base, having: h }).issues).toEqual([]);
  });
});

describe('Aggregation: errors and their paths', () => {
  it('unknown function, listing the known ones', () => {
    const [path, message] = onlyIssue(aggregation({ ...base, aggregation_type: 'Median' }));
    expect(path).toBe(`${P}.aggregation_type`);
    expect(message).toContain('"Sum", "Count", "Average", "Min", "Max", "StandardDeviation" or {"Percentile": p}');
    expect(message).toContain('"Median"');
  });

  it('Percentile without p, p out of range or not a number', () => {
    expect(onlyIssue(aggregation({ ...base, aggregation_type: 'Percentile' }))[0]).toBe(`${P}.aggregation_type`);
    for (const p of [101, -1, 'high', { Integer: 2.5 }, null]) {
      const [path, message] = onlyIssue(aggregation({ ...base, aggregation_type: { Percentile: p } }));
      expect(path).toBe(`${P}.aggregation_type.Percentile`);
      expect(message).toContain('a number in 0..100');
    }
  });

  it('source_field and alias must be non-empty strings', () => {
    expect(onlyIssue(aggregation({ ...base, source_field: undefined }))).toEqual([
      `${P}.source_field`,
      'expected a non-empty source field string, got nothing',
    ]);
    expect(onlyIssue(aggregation({ ...base, source_field: '' }))[0]).toBe(`${P}.source_field`);
    expect(onlyIssue(aggregation({ ...base, alias: 7, having: null }))).toEqual([`${P}.alias`, 'expected a non-empty alias string, got 7']);
  });

  it('group_by must be an array of field names', () => {
    expect(onlyIssue(aggregation({ ...base, group_by: 'employee_id' }))[0]).toBe(`${P}.group_by`);
    const [path, message] = onlyIssue(aggregation({ ...base, group_by: ['a', 3] }));
    expect(path).toBe(`${P}.group_by[1]`);
    expect(message).toBe('expected a non-empty field name, got 3');
  });

  it('window kinds and their parameters', () => {
    const w = (window: unknown) => onlyIssue(aggregation({ ...base, window }));
    expect(w({ Sliding: { size: 0 } })).toEqual([`${P}.window.Sliding.size`, 'expected the window size in facts as a positive integer, got 0']);
    expect(w({ Tumbling: { size: 2.5 } })[0]).toBe(`${P}.window.Tumbling.size`);
    expect(w({ Tumbling: {} })[1]).toContain('got nothing');
    expect(w({ Session: { timeout_ms: '30s' } })[0]).toBe(`${P}.window.Session.timeout_ms`);
    expect(w({ Time: { duration_ms: -5 } })[0]).toBe(`${P}.window.Time.duration_ms`);
    expect(w({ Time: 5 })).toEqual([`${P}.window.Time`, 'expected an object {"duration_ms": N}, got 5']);
    const [path, message] = w({ Hopping: { size: 3 } });
    expect(path).toBe(`${P}.window`);
    expect(message).toContain('unknown window kind "Hopping"');
    expect(message).toContain('{"Sliding":{"size":N}}');
    expect(w('Sliding')[0]).toBe(`${P}.window`);
  });

  it('having can only read the alias', () => {
    const [path, message] = onlyIssue(aggregation({ ...base, having: { field: 'amount', operator: 'GreaterThan', value: 1 } }));
    expect(path).toBe(`${P}.having.field`);
    expect(message).toBe('having is tested against {"total": aggregate}, so it can only read "total"; got "amount"');
    const nested = { operator: 'Or', conditions: [having, { field: 'total.x', operator: 'Equal', value: 1 }] };
    expect(onlyIssue(aggregation({ ...base, having: nested }))[0]).toBe(`${P}.having.conditions[1].field`);
  });

  it('having that fails to parse fails the condition (errors from the parser)', () => {
    const { c, issues } = aggregation({ ...base, having: 'total > 1' });
    expect(c).toBeNull();
    expect(issues).toEqual([{ path: `${P}.having`, message: 'expected a condition object' }]);
  });

  it('having cannot nest another aggregation', () => {
    const inner = { ...base, having: null, alias: 'total' };
    const [path, message] = onlyIssue(aggregation({ ...base, having: { conditions: [inner] } }));
    expect(path).toBe(`${P}.having.conditions[0]`);
    expect(message).toContain('cannot be nested');
  });

  it('reports every problem at once', () => {
    const { c, issues } = aggregation({ aggregation_type: 'Mode', group_by: [''], window: { Sliding: { size: 0 } } });
    expect(c).toBeNull();
    expect(issues.map((i) => i.path)).toEqual([`${P}.aggregation_type`, `${P}.source_field`, `${P}.group_by[0]`, `${P}.alias`, `${P}.window.Sliding.size`]);
  });
});

describe('Stream: accepted shapes', () => {
  it('the reference shape', () => {
    const { c, issues } = stream(baseStream);
    expect(issues).toEqual([]);
    expect(c).toEqual({
      kind: 'stream',
      window: { kind: 'Tumbling', durationMs: 60000 },
      aggregation: { kind: 'Count' },
      filter: null,
      having: null,
      alias: 'n',
    });
  });

  it('the five windows, numbers plain or tagged', () => {
    const w = (window_spec: unknown) => stream({ ...baseStream, window_spec }).c?.window;
    expect(w({ Sliding: { size_ms: 60000, advance_ms: { Integer: 10000 } } })).toEqual({ kind: 'Sliding', sizeMs: 60000, advanceMs: 10000 });
    expect(w({ Sliding: { size_ms: 100, advance_ms: 100 } })).toEqual({ kind: 'Sliding', sizeMs: 100, advanceMs: 100 });
    expect(w({ Session: { gap_timeout_ms: 30000 } })).toEqual({ kind: 'Session', gapTimeoutMs: 30000 });
    expect(w({ CountTumbling: { count: { Float: 100 } } })).toEqual({ kind: 'CountTumbling', count: 100 });
    expect(w({ CountSliding: { size: 10, advance: 10 } })).toEqual({ kind: 'CountSliding', size: 10, advance: 10 });
  });

  it('every aggregation', () => {
    const a = (aggregation: unknown) => stream({ ...baseStream, aggregation }).c?.aggregation;
    expect(a('Count')).toEqual({ kind: 'Count' });
    expect(a({ Count: null })).toEqual({ kind: 'Count' });
    for (const kind of ['Sum', 'Average', 'Min', 'Max', 'Distinct', 'First', 'Last']) {
      expect(a({ [kind]: { field: 'amount' } })).toEqual({ kind, field: 'amount' });
    }
    expect(a({ Rate: { time_unit_ms: 1000 } })).toEqual({ kind: 'Rate', timeUnitMs: 1000 });
  });

  it('filter reads any field; having reads the alias', () => {
    const { c, issues } = stream({
      ...baseStream,
      filter: { field: 'status', operator: 'Equal', value: 'error' },
      having: { field: 'n', operator: 'GreaterThan', value: 5 },
    });
    expect(issues).toEqual([]);
    expect(c?.filter).toMatchObject({ field: 'status' });
    expect(c?.having).toMatchObject({ field: 'n' });
  });
});

describe('Stream: errors and their paths', () => {
  it('window_spec missing or unknown', () => {
    expect(onlyIssue(stream({ ...baseStream, window_spec: undefined }))[0]).toBe(`${P}.window_spec`);
    const [path, message] = onlyIssue(stream({ ...baseStream, window_spec: { Hopping: {} } }));
    expect(path).toBe(`${P}.window_spec`);
    expect(message).toContain('{"CountSliding":{"size":N,"advance":N}}');
  });

  it('positive integers for sizes', () => {
    const w = (window_spec: unknown) => onlyIssue(stream({ ...baseStream, window_spec }));
    expect(w({ Tumbling: { duration_ms: 0 } })[0]).toBe(`${P}.window_spec.Tumbling.duration_ms`);
    expect(w({ Session: { gap_timeout_ms: 1.5 } })[0]).toBe(`${P}.window_spec.Session.gap_timeout_ms`);
    expect(w({ CountTumbling: { count: '10' } })).toEqual([
      `${P}.window_spec.CountTumbling.count`,
      'expected the window size in facts as a positive integer, got "10"',
    ]);
    expect(w({ Sliding: { size_ms: 1000 } })[0]).toBe(`${P}.window_spec.Sliding.advance_ms`);
  });

  it('advance must not exceed size', () => {
    expect(onlyIssue(stream({ ...baseStream, window_spec: { CountSliding: { size: 5, advance: 6 } } }))).toEqual([
      `${P}.window_spec.CountSliding.advance`,
      'expected advance ≤ size (5), so that every fact is in a window; got 6',
    ]);
    expect(onlyIssue(stream({ ...baseStream, window_spec: { Sliding: { size_ms: 1000, advance_ms: 2000 } } }))[0]).toBe(`${P}.window_spec.Sliding.advance_ms`);
  });

  it('sliding time windows are limited to 1000 per fact', () => {
    const [path, message] = onlyIssue(stream({ ...baseStream, window_spec: { Sliding: { size_ms: 3600000, advance_ms: 1000 } } }));
    expect(path).toBe(`${P}.window_spec.Sliding.advance_ms`);
    expect(message).toContain('advance_ms ≥ size_ms / 1000 (3600)');
    expect(stream({ ...baseStream, window_spec: { Sliding: { size_ms: 3600000, advance_ms: 3600 } } }).issues).toEqual([]);
  });

  it('aggregations: parameters required, kinds listed', () => {
    const a = (aggregation: unknown) => onlyIssue(stream({ ...baseStream, aggregation }));
    expect(a('Sum')).toEqual([`${P}.aggregation`, '"Sum" needs its parameter: expected {"Sum": {"field": "amount"}}; got "Sum"']);
    expect(a('Rate')[1]).toContain('{"Rate": {"time_unit_ms": 1000}}');
    expect(a({ Sum: {} })).toEqual([`${P}.aggregation.Sum.field`, 'expected a non-empty field name string, got nothing']);
    expect(a({ Distinct: 'user' })).toEqual([`${P}.aggregation.Distinct`, 'expected an object {"field": F}, got "user"']);
    expect(a({ Rate: { time_unit_ms: -1 } })[0]).toBe(`${P}.aggregation.Rate.time_unit_ms`);
    expect(a({ Count: { field: 'x' } })[0]).toBe(`${P}.aggregation.Count`);
    const [path, message] = a({ Median: { field: 'x' } });
    expect(path).toBe(`${P}.aggregation`);
    expect(message).toContain('unknown aggregation "Median"');
    expect(message).toContain('{"Rate": {"time_unit_ms": N}}');
    expect(a(42)[0]).toBe(`${P}.aggregation`);
  });

  it('alias required; having reads only it; filter cannot nest a stream', () => {
    expect(onlyIssue(stream({ ...baseStream, alias: '' }))[0]).toBe(`${P}.alias`);
    expect(onlyIssue(stream({ ...baseStream, having: { field: 'count', operator: 'GreaterThan', value: 1 } }))[0]).toBe(`${P}.having.field`);
    const [path, message] = onlyIssue(stream({ ...baseStream, filter: { operator: 'Not', conditions: [baseStream] } }));
    expect(path).toBe(`${P}.filter.conditions[0]`);
    expect(message).toBe('a Stream condition cannot be nested in having or filter');
  });
});
