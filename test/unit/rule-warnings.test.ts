// Tests for what rule validation says beyond errors: unknown keys anywhere in a rule
// (warnings with the JSON path and a did-you-mean), suggestions in errors for unknown
// names, and the lint hints of `validate` (dates written as strings, cross products).

import { describe, expect, it } from 'vitest';
import { RULE_CHECKS } from '../../src/engine.js';
import { validateRules } from '../../src/model/rules.js';

type Json = Record<string, unknown>;
const rule = (over: Json = {}): Json => ({ id: 1, name: 'r', conditions: [], actions: [], ...over });
const warnings = (doc: unknown, lint = false) => validateRules(doc, RULE_CHECKS, { lint }).warnings.map((w) => [w.path, w.message]);
const errors = (doc: unknown) => validateRules(doc, RULE_CHECKS).errors.map((e) => [e.path, e.message]);

describe('unknown keys are warnings with a JSON path and a suggestion', () => {
  it('in a Simple condition', () => {
    const v = validateRules([rule({ conditions: [{ field: 'a', operator: 'Equal', value: 1, vaule: 2 }] })], RULE_CHECKS);
    expect(v.errors).toEqual([]);
    expect(v.rules).toHaveLength(1);
    expect(v.warnings.map((w) => [w.path, w.message])).toEqual([
      ['$[0].conditions[0].vaule', 'unknown condition key "vaule" is ignored (did you mean "value"?)'],
    ]);
  });

  it('in a Complex condition, a pattern, an action and every action body', () => {
    const doc = [
      rule({ conditions: [{ operator: 'Or', conditions: [], condtions: [] }] }),
      {
        id: 2,
        name: 'j',
        patterns: [
          { alias: 'a', conditions: [], negate: true },
          { alias: 'b', conditions: [{ field: 'k', operator: 'Equal', value: { Ref: 'a.k' } }] },
        ],
        actions: [{ action_type: { Log: { message: 'm', mesage: 'x' } }, targt: 'a' }],
      },
      rule({
        id: 3,
        actions: [
          { action_type: { SetField: { field: 'f', value: 1, feild: 'g' } } },
          { action_type: { CreateFact: { data: { fields: {}, feilds: {} } } } },
          { action_type: { CallCalculator: { calculator_name: 'add', input_mapping: { a: 'x', b: 'y' }, output_field: 'o', ouput_field: 'p' } } },
          { action_type: { TriggerAlert: { alert_type: 't', message: 'm', severity: 'Low', metdata: {} } } },
        ],
      }),
    ];
    expect(errors(doc)).toEqual([]);
    expect(warnings(doc)).toEqual([
      ['$[0].conditions[0].condtions', 'unknown complex condition key "condtions" is ignored (did you mean "conditions"?)'],
      ['$[1].patterns[0].negate', 'unknown pattern key "negate" is ignored'],
      ['$[1].actions[0].targt', 'unknown action key "targt" is ignored (did you mean "target"?)'],
      ['$[1].actions[0].action_type.Log.mesage', 'unknown Log action key "mesage" is ignored (did you mean "message"?)'],
      ['$[2].actions[0].action_type.SetField.feild', 'unknown SetField action key "feild" is ignored (did you mean "field"?)'],
      ['$[2].actions[1].action_type.CreateFact.data.feilds', 'unknown CreateFact data key "feilds" is ignored (did you mean "fields"?)'],
      ['$[2].actions[2].action_type.CallCalculator.ouput_field', 'unknown CallCalculator action key "ouput_field" is ignored (did you mean "output_field"?)'],
      ['$[2].actions[3].action_type.TriggerAlert.metdata', 'unknown TriggerAlert action key "metdata" is ignored (did you mean "metadata"?)'],
    ]);
  });

  it('in Aggregation and Stream conditions and their windows', () => {
    const doc = [
      rule({
        conditions: [{ aggregation_type: 'Sum', source_field: 'x', group_by: [], alias: 't', window: { Sliding: { size: 3, sise: 4 } }, grup_by: [] }],
      }),
      rule({
        id: 2,
        conditions: [
          { window_spec: { Tumbling: { duration_ms: 1000, duraton_ms: 5 } }, aggregation: { Sum: { field: 'x', feild: 'y' } }, alias: 'n', filtr: null },
        ],
      }),
    ];
    expect(errors(doc)).toEqual([]);
    expect(warnings(doc).map(([p]) => p)).toEqual([
      '$[0].conditions[0].grup_by',
      '$[0].conditions[0].window.Sliding.sise',
      '$[1].conditions[0].filtr',
      '$[1].conditions[0].window_spec.Tumbling.duraton_ms',
      '$[1].conditions[0].aggregation.Sum.feild',
    ]);
    expect(warnings(doc)[0]![1]).toBe('unknown Aggregation condition key "grup_by" is ignored (did you mean "group_by"?)');
  });

  it('a value object whose one key looks like a misspelt tag', () => {
    const doc = [rule({ conditions: [{ field: 'a', operator: 'Equal', value: { Strng: 'x' } }] })];
    expect(warnings(doc)).toEqual([
      ['$[0].conditions[0].value', '"Strng" is not a value tag, so this value is an object with one key; did you mean "String"?'],
    ]);
  });

  it('"enabled": false, which does not turn a rule off', () => {
    expect(warnings([rule({ enabled: false })])).toEqual([['$[0].enabled', expect.stringContaining('is not honoured')]]);
    expect(warnings([rule({ enabled: true })])).toEqual([]);
  });
});

describe('errors for unknown names offer the nearest known one', () => {
  const one = (doc: unknown) => {
    const es = errors(doc);
    expect(es).toHaveLength(1);
    return es[0]!;
  };
  it('operators, complex operators and action kinds', () => {
    expect(one([rule({ conditions: [{ field: 'a', operator: 'GreaterThen', value: 1 }] })])[1]).toMatch(
      /got string "GreaterThen" \(did you mean "GreaterThan"\?\)$/,
    );
    expect(one([rule({ conditions: [{ operator: 'or', conditions: [] }] })])[1]).toContain('(did you mean "Or"?)');
    expect(one([rule({ actions: [{ action_type: { SetFeild: {} } }] })])[1]).toContain('unknown action kind "SetFeild" (did you mean "SetField"?)');
    expect(one([rule({ actions: [{ action_typ: { Log: { message: 'm' } } }] })])[1]).toContain('found "action_typ" (did you mean "action_type"?)');
    expect(one([rule({ actions: [{ Log: { message: 'm' } }] })])[1]).toContain('found the kind "Log" unwrapped');
  });

  it('calculators and their arguments, severities, notification types', () => {
    const calc = (name: string, mapping: Json) => [
      rule({ actions: [{ action_type: { CallCalculator: { calculator_name: name, input_mapping: mapping, output_field: 'o' } } }] }),
    ];
    expect(one(calc('multiplly', { a: 'x', b: 'y' }))[1]).toContain('unknown calculator "multiplly" (did you mean "multiply"?)');
    expect(one(calc('percentage_add', { amount: 'x', percentage: 'y', percentag: 'z' }))[1]).toContain('"percentag" (did you mean "percentage"?)');
    const alert = [rule({ actions: [{ action_type: { TriggerAlert: { alert_type: 't', message: 'm', severity: 'high' } } }] })];
    expect(one(alert)[1]).toContain('(did you mean "High"?)');
  });

  it('a condition missing a key it misspelt says which', () => {
    const [path, message] = one([rule({ conditions: [{ feild: 'a', operator: 'Equal', value: 1 }] })]);
    expect(path).toBe('$[0].conditions[0]');
    expect(message).toContain('(missing field)');
    expect(message).toContain('found "feild" (did you mean "field"?)');
  });

  it('aggregation functions and window kinds', () => {
    const agg = (over: Json) => [rule({ conditions: [{ aggregation_type: 'Sum', source_field: 'x', group_by: [], alias: 't', ...over }] })];
    expect(one(agg({ aggregation_type: 'Summ' }))[1]).toContain('(did you mean "Sum"?)');
    expect(one(agg({ window: { Tumblng: { size: 2 } } }))[1]).toContain('unknown window kind "Tumblng" (did you mean "Tumbling"?)');
  });
});

describe('lint hints (validate)', () => {
  it('a plain string holding an RFC 3339 date compares as text: suggest {"Date": …}', () => {
    const doc = [
      rule({
        conditions: [
          { field: 'at', operator: 'GreaterThan', value: '2024-01-15T10:30:00+01:00' },
          { field: 'at', operator: 'LessThan', value: { Date: '2024-02-01T00:00:00Z' } },
          { field: 'at', operator: 'StartsWith', value: '2024-01-15T10:30:00Z' },
          { field: 'name', operator: 'Equal', value: 'not a date' },
        ],
      }),
    ];
    const w = warnings(doc, true);
    expect(w).toHaveLength(1);
    expect(w[0]![0]).toBe('$[0].conditions[0].value');
    expect(w[0]![1]).toContain('compares it as text');
    expect(w[0]![1]).toContain('{"Date": "2024-01-15T10:30:00+01:00"}');
    // Only when linting: run does not print these.
    expect(warnings(doc, false)).toEqual([]);
  });

  it('a join pattern without an Equal against a Ref is a cross product', () => {
    const join = (second: Json) => [
      {
        id: 1,
        name: 'j',
        patterns: [
          { alias: 'a', conditions: [] },
          { alias: 'b', ...second },
        ],
        actions: [],
      },
    ];
    const eq = { field: 'k', operator: 'Equal', value: { Ref: 'a.k' } };
    const gt = { field: 'k', operator: 'GreaterThan', value: { Ref: 'a.k' } };
    expect(warnings(join({ conditions: [eq] }), true)).toEqual([]);
    expect(warnings(join({ conditions: [gt, eq] }), true)).toEqual([]);
    const w = warnings(join({ conditions: [gt] }), true);
    expect(w).toHaveLength(1);
    expect(w[0]![0]).toBe('$[0].patterns[1].conditions');
    expect(w[0]![1]).toContain('cross product');
    expect(warnings(join({ conditions: [{ field: 's', operator: 'Equal', value: 1 }] }), true)).toHaveLength(1);
    // A not/exists pattern with no Ref is an existence test, not a join.
    expect(warnings(join({ not: true, conditions: [{ field: 's', operator: 'Equal', value: 1 }] }), true)).toEqual([]);
    expect(warnings(join({ exists: true, conditions: [gt] }), true)).toHaveLength(1);
  });
});
