// Tests for rule-file validation (src/model/rules.ts) with the engine's checks
// (RULE_CHECKS from src/engine.ts): every kind of error with its exact JSON path, warnings for
// unknown keys, both file shapes, and the typed rules that valid input produces.

import { describe, it, expect } from 'vitest';
import { RULE_CHECKS, loadRules } from '../../src/engine.js';
import { validateRules } from '../../src/model/rules.js';
import { RuleFileError } from '../../src/model/errors.js';
import { DateValue, FloatValue } from '../../src/model/value.js';
import type { Rule } from '../../src/model/types.js';

type Json = Record<string, unknown>;

/** A minimal valid rule, with overrides. */
function rule(over: Json = {}): Json {
  return { id: 1, name: 'r', conditions: [], actions: [], ...over };
}

function validate(doc: unknown) {
  return validateRules(doc, RULE_CHECKS);
}

/** The errors of a document as `path: message` pairs. */
function errors(doc: unknown): { path: string; message: string }[] {
  return validate(doc).errors.map((e) => ({ path: e.path, message: e.message }));
}

/** Asserts exactly one error, at `path`, whose message contains `fragment`; returns it. */
function oneError(doc: unknown, path: string, fragment: string | RegExp) {
  const es = errors(doc);
  expect(es, JSON.stringify(es)).toHaveLength(1);
  expect(es[0]!.path).toBe(path);
  if (typeof fragment === 'string') expect(es[0]!.message).toContain(fragment);
  else expect(es[0]!.message).toMatch(fragment);
  return es[0]!;
}

/** One rule with one action of the given kind and body. */
function withAction(kind: string, body: unknown): Json[] {
  return [rule({ actions: [{ action_type: { [kind]: body } }] })];
}

function withCondition(c: unknown): Json[] {
  return [rule({ conditions: [c] })];
}

const A = '$[0].actions[0].action_type';

describe('file shape', () => {
  it('accepts a JSON array of rules', () => {
    const v = validate([rule(), rule({ id: 2, name: 's' })]);
    expect(v.errors).toEqual([]);
    expect(v.rules.map((r) => r.id)).toEqual([1, 2]);
  });

  it('accepts {"rules":[...]} and paths errors under $.rules', () => {
    const v = validate({ rules: [rule()] });
    expect(v.errors).toEqual([]);
    expect(v.rules).toHaveLength(1);
    expect(v.rules[0]!.path).toBe('$.rules[0]');
    oneError({ rules: [rule({ id: 'x' })] }, '$.rules[0].id', 'non-negative integer rule id');
  });

  it('accepts an empty rule list', () => {
    expect(validate([]).errors).toEqual([]);
    expect(validate({ rules: [] }).rules).toEqual([]);
  });

  it('rejects other documents at $', () => {
    for (const doc of [{}, { rules: {} }, 5, 'rules', null, { rule: [] }]) {
      oneError(doc, '$', 'expected a JSON array of rules or {"rules":[...]}');
    }
  });

  it('rejects a rule that is not an object', () => {
    oneError([rule(), 5], '$[1]', 'expected a rule object');
    oneError([[]], '$[0]', 'expected a rule object, got an array');
    oneError([null], '$[0]', 'got null');
  });
});

describe('rule fields', () => {
  it('rejects bad ids with the path of the id', () => {
    for (const id of [-1, 1.5, '1', null, true, 2 ** 53]) {
      oneError([rule({ id })], '$[0].id', 'expected a non-negative integer rule id');
    }
  });

  it('accepts id 0', () => {
    expect(validate([rule({ id: 0 })]).errors).toEqual([]);
  });

  it('rejects a duplicate id at the later rule, naming the first', () => {
    const e = oneError([rule({ id: 7 }), rule({ id: 8 }), rule({ id: 7 })], '$[2].id', 'duplicate rule id 7');
    expect(e.message).toContain('$[0]');
  });

  it('rejects a non-string name', () => {
    oneError([rule({ name: 5 })], '$[0].name', 'expected a string rule name');
    oneError([rule({ name: null })], '$[0].name', 'expected a string rule name');
  });

  it('reads salience, defaulting to 0, and rejects non-integers', () => {
    const v = validate([rule(), rule({ id: 2, salience: 10 }), rule({ id: 3, salience: -5 }), rule({ id: 4, salience: null })]);
    expect(v.errors).toEqual([]);
    expect(v.rules.map((r) => r.salience)).toEqual([0, 10, -5, 0]);
    oneError([rule({ salience: 1.5 })], '$[0].salience', 'expected an integer salience');
    oneError([rule({ salience: '10' })], '$[0].salience', 'expected an integer salience');
  });

  it('requires conditions (or patterns)', () => {
    const { conditions: _, ...noConditions } = rule();
    oneError([noConditions], '$[0].conditions', 'expected "conditions"');
    oneError([rule({ conditions: {} })], '$[0].conditions', 'expected an array of conditions');
  });

  it('requires an actions array', () => {
    oneError([rule({ actions: {} })], '$[0].actions', 'expected an array of actions');
  });

  it('warns about unknown rule keys, with bracketed paths for odd names', () => {
    const v = validate([rule({ colour: 'red', 'my-key': 1, description: 'known', enabled: true, tags: [], priority: 1 })]);
    expect(v.errors).toEqual([]);
    expect(v.rules).toHaveLength(1);
    expect(v.warnings.map((w) => w.path)).toEqual(['$[0].colour', '$[0]["my-key"]']);
    expect(v.warnings[0]!.message).toContain('unknown rule key "colour"');
    expect(v.warnings[0]!.ruleId).toBe(1);
  });

  it('reports missing members (absent keys) with their paths instead of throwing', () => {
    // validateRules: "Never throws for bad input: problems are returned."
    const { id: _i, ...noId } = rule();
    const { name: _n, ...noName } = rule();
    const { actions: _a, ...noActions } = rule();
    const cases: [unknown, string][] = [
      [[noId], '$[0].id'],
      [[noName], '$[0].name'],
      [[noActions], '$[0].actions'],
      [[rule({ actions: [{ Log: { message: 'x' } }] })], '$[0].actions[0]'],
      [withAction('CreateFact', {}), `${A}.CreateFact.data`],
      [withAction('CreateFact', { data: {} }), `${A}.CreateFact.data.fields`],
      [withAction('UpdateFact', { fact_id_field: 'o' }), `${A}.UpdateFact.updates`],
      [withAction('CallCalculator', { calculator_name: 'add', output_field: 'o' }), `${A}.CallCalculator.input_mapping`],
      [withAction('TriggerAlert', { alert_type: 't', message: 'm' }), `${A}.TriggerAlert.severity`],
      [withAction('SendNotification', { recipient: 'r', subject: 's', message: 'm' }), `${A}.SendNotification.notification_type`],
    ];
    for (const [doc, path] of cases) {
      let es: { path: string; message: string }[] = [];
      expect(() => (es = errors(doc)), path).not.toThrow();
      expect(
        es.map((e) => e.path),
        path,
      ).toContain(path);
    }
  });

  it('collects errors from every rule, with the rule id and name', () => {
    const v = validate([rule({ id: 1, name: 'a', salience: 'x' }), rule({ id: 2, name: 'b' }), rule({ id: 3, name: 'c', actions: 5 })]);
    expect(v.errors.map((e) => [e.path, e.ruleId, e.ruleName])).toEqual([
      ['$[0].salience', 1, 'a'],
      ['$[2].actions', 3, 'c'],
    ]);
    expect(v.rules.map((r) => r.id)).toEqual([2]);
  });

  it('loadRules throws a RuleFileError listing every problem', () => {
    try {
      loadRules([rule({ id: -1 }), rule({ id: 2, name: 3 })], 'rules.json');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RuleFileError);
      const err = e as RuleFileError;
      expect(err.issues.map((i) => i.path)).toEqual(['$[0].id', '$[1].name']);
      expect(err.message).toMatch(/^rules\.json: \$\[0\]\.id: /);
      expect(err.message).toContain('and 1 more');
    }
  });
});

describe('conditions', () => {
  it('reads a simple condition with tagged and plain values', () => {
    const v = validate([
      rule({
        conditions: [
          { field: 'salary', operator: 'GreaterThan', value: { Float: 100000 } },
          { field: 'status', operator: 'Equal', value: 'active' },
          { field: 'when', operator: 'LessThan', value: { Date: '2024-01-01T00:00:00Z' } },
        ],
      }),
    ]);
    expect(v.errors).toEqual([]);
    const cs = v.rules[0]!.conditions;
    expect(cs[0]).toEqual({ kind: 'simple', field: 'salary', operator: 'GreaterThan', value: new FloatValue(100000), ref: null });
    expect(cs[1]).toMatchObject({ kind: 'simple', field: 'status', operator: 'Equal', value: 'active', ref: null });
    expect((cs[2] as { value: unknown }).value).toBeInstanceOf(DateValue);
  });

  it('leaves the document as it was, whichever values decoding rewrites', () => {
    // Tagged scalars are read where they are; arrays, nested objects and "Null" members are
    // rewritten by decoding, so those are decoded from a copy.
    const values: unknown[] = [
      { Integer: 5 },
      { Float: 2 },
      { String: 'Null' },
      'Null',
      { Array: [1, 'Null', { Float: 1.5 }] },
      { Object: { a: 'Null', b: { Integer: 1 } } },
      { a: 'Null' },
      { a: { Date: '2024-01-01T00:00:00Z' } },
      [{ Integer: 1 }, 'Null'],
      { String: 5 },
    ];
    const doc = values.map((value, i) =>
      rule({
        id: i,
        conditions: [{ field: 'a', operator: 'Equal', value }],
        actions: [{ action_type: { SetField: { field: 'b', value } } }],
      }),
    );
    const before = structuredClone(doc);
    const { rules, errors: es } = validate(doc);
    expect(es).toEqual([]);
    expect(doc).toEqual(before);
    const decoded = rules.map((r) => (r.conditions[0] as { value: unknown }).value);
    expect(decoded.slice(0, 4)).toEqual([5, new FloatValue(2), 'Null', null]);
    expect(decoded[4]).toEqual([1, null, 1.5]);
    expect(decoded[5]).toEqual({ a: null, b: 1 });
    expect(decoded[6]).toEqual({ a: null });
    expect(decoded[7]).toEqual({ a: new DateValue(Date.parse('2024-01-01T00:00:00Z')) });
    expect(decoded[8]).toEqual([1, null]);
    expect(decoded[9]).toEqual({ String: 5 });
  });

  it('reads complex conditions; a bare {"conditions"} is And', () => {
    const v = validate([
      rule({
        conditions: [
          { operator: 'Or', conditions: [{ field: 'a', operator: 'Equal', value: 1 }] },
          { operator: 'Not', conditions: [] },
          { conditions: [{ field: 'b', operator: 'NotEqual', value: 2 }] },
          { operator: 'And', conditions: [] },
        ],
      }),
    ]);
    expect(v.errors).toEqual([]);
    expect(v.rules[0]!.conditions.map((c) => c.kind)).toEqual(['or', 'not', 'and', 'and']);
  });

  it('rejects an unknown operator with the operator path', () => {
    oneError(withCondition({ field: 'a', operator: 'Like', value: 1 }), '$[0].conditions[0].operator', 'expected one of Equal, NotEqual');
    oneError(withCondition({ field: 'a', operator: 'equal', value: 1 }), '$[0].conditions[0].operator', 'expected one of');
    oneError(withCondition({ field: 'a', operator: 5, value: 1 }), '$[0].conditions[0].operator', 'expected one of');
  });

  it('rejects a bad complex operator, nested paths included', () => {
    oneError(withCondition({ operator: 'Xor', conditions: [] }), '$[0].conditions[0].operator', 'expected "And", "Or" or "Not"');
    oneError(
      withCondition({
        operator: 'And',
        conditions: [
          { field: 'a', operator: 'Equal', value: 1 },
          { operator: 'Not', conditions: [{ field: 'b', operator: 'Bigger', value: 1 }] },
        ],
      }),
      '$[0].conditions[0].conditions[1].conditions[0].operator',
      'expected one of',
    );
    oneError(withCondition({ operator: 'Or', conditions: 5 }), '$[0].conditions[0].conditions', 'expected an array of conditions');
  });

  it('rejects an empty or non-string field', () => {
    oneError(withCondition({ field: '', operator: 'Equal', value: 1 }), '$[0].conditions[0].field', 'expected a non-empty field name');
    oneError(withCondition({ field: 3, operator: 'Equal', value: 1 }), '$[0].conditions[0].field', 'expected a non-empty field name');
  });

  it('rejects a condition object of no known shape, naming what is missing', () => {
    const e = oneError(withCondition({ field: 'a', operator: 'Equal' }), '$[0].conditions[0]', 'expected a Simple condition');
    expect(e.message).toContain('missing value');
    oneError(withCondition('a == 1'), '$[0].conditions[0]', 'expected a condition object');
  });

  it('rejects a bad date in a value with the path into the value', () => {
    oneError(withCondition({ field: 'a', operator: 'Equal', value: { Date: '2024-02-30T00:00:00Z' } }), '$[0].conditions[0].value.Date', 'RFC 3339');
    oneError(withCondition({ field: 'a', operator: 'Contains', value: { Array: [1, { Date: 'x' }] } }), '$[0].conditions[0].value.Array[1].Date', 'RFC 3339');
  });

  it('rejects a Ref outside patterns', () => {
    oneError(
      withCondition({ field: 'dept', operator: 'Equal', value: { Ref: 'd.id' } }),
      '$[0].conditions[0].value.Ref',
      'a Ref is only allowed inside a pattern',
    );
  });

  it('reads multi-fact rules (patterns)', () => {
    const doc = [
      {
        id: 1,
        name: 'join',
        patterns: [
          { alias: 'e', conditions: [] },
          { alias: 'd', conditions: [{ field: 'id', operator: 'Equal', value: { Ref: 'e.dept_id' } }] },
        ],
        actions: [],
      },
    ];
    const v = validate(doc);
    expect(v.errors).toEqual([]);
    expect(v.rules[0]!.patterns!.map((p) => p.alias)).toEqual(['e', 'd']);
  });

  it('keeps aggregation conditions', () => {
    const doc = withCondition({
      aggregation_type: 'Sum',
      source_field: 'amount',
      group_by: ['dept'],
      having: { field: 'total', operator: 'GreaterThan', value: 100 },
      alias: 'total',
      window: null,
    });
    const v = validate(doc);
    expect(v.errors).toEqual([]);
    // An aggregation must be kept as a condition, not dropped.
    expect(v.rules[0]!.conditions).toHaveLength(1);
    expect(v.rules[0]!.conditions[0]!.kind).toBe('aggregation');
  });

  it('keeps stream conditions', () => {
    const doc = withCondition({
      window_spec: { Tumbling: { duration_ms: 60000 } },
      aggregation: 'Count',
      filter: null,
      having: { field: 'n', operator: 'GreaterThan', value: 3 },
      alias: 'n',
    });
    const v = validate(doc);
    expect(v.errors).toEqual([]);
    expect(v.rules[0]!.conditions).toHaveLength(1);
    expect(v.rules[0]!.conditions[0]!.kind).toBe('stream');
  });
});

describe('actions', () => {
  it('reads every action kind into its typed form', () => {
    const v = validate([
      rule({
        actions: [
          { action_type: { Log: { message: 'hi' } } },
          { action_type: { SetField: { field: 'band', value: { String: 'high' } } } },
          { action_type: { CreateFact: { data: { fields: { kind: 'audit', n: { Float: 1 } } } } } },
          { action_type: { CallCalculator: { calculator_name: 'add', input_mapping: { a: 'x', b: 'y' }, output_field: 'sum' } } },
          { action_type: { Formula: { expression: 'x * 2', output_field: 'double' } } },
          { action_type: { TriggerAlert: { alert_type: 'fraud', message: 'm', severity: 'High', metadata: { k: 1 } } } },
          { action_type: { SendNotification: { recipient: 'a@b', subject: 's', message: 'm', notification_type: 'Email', metadata: null } } },
          { action_type: { UpdateFact: { fact_id_field: 'other', updates: { status: 'done' } } } },
          { action_type: { DeleteFact: { fact_id_field: 'other' } } },
          { action_type: { IncrementField: { field: 'count', increment: { Integer: 1 } } } },
          { action_type: { AppendToArray: { field: 'tags', value: 'x' } } },
        ],
      }),
    ]);
    expect(v.errors).toEqual([]);
    const acts = v.rules[0]!.actions;
    expect(acts.map((a) => a.kind)).toEqual([
      'Log',
      'SetField',
      'CreateFact',
      'CallCalculator',
      'Formula',
      'TriggerAlert',
      'SendNotification',
      'UpdateFact',
      'DeleteFact',
      'IncrementField',
      'AppendToArray',
    ]);
    expect(acts[1]).toEqual({ kind: 'SetField', field: 'band', value: { ref: null, value: 'high' }, target: null });
    expect(acts[2]).toMatchObject({ kind: 'CreateFact', fields: { kind: { ref: null, value: 'audit' } } });
    expect((acts[2] as Extract<(typeof acts)[number], { kind: 'CreateFact' }>).fields.n!.value).toBeInstanceOf(FloatValue);
    expect(acts[3]).toEqual({ kind: 'CallCalculator', calculator: 'add', inputMapping: { a: 'x', b: 'y' }, outputField: 'sum', target: null });
    expect(acts[5]).toMatchObject({ severity: 'High', metadata: { k: 1 } });
    expect(acts[6]).toMatchObject({ notificationType: 'Email', metadata: {} });
    expect(acts[9]).toEqual({ kind: 'IncrementField', field: 'count', increment: { ref: null, value: 1 }, target: null });
  });

  it('rejects an action without action_type', () => {
    oneError([rule({ actions: ['Log'] })], '$[0].actions[0]', 'expected {"action_type"');
    oneError([rule({ actions: [{ action_type: 'Log' }] })], '$[0].actions[0]', 'expected {"action_type"');
  });

  it('rejects zero or several kinds in one action_type', () => {
    oneError(
      withAction('Log', { message: 'x' }).map((r) => ({ ...r, actions: [{ action_type: {} }] })),
      A,
      'got none',
    );
    oneError(
      [rule({ actions: [{ action_type: { Log: { message: 'x' }, SetField: { field: 'a', value: 1 } } }] })],
      A,
      'expected exactly one action kind, got Log, SetField',
    );
  });

  it('rejects an unknown action kind', () => {
    oneError(withAction('Explode', {}), A, 'unknown action kind "Explode"');
  });

  it('rejects a body that is not an object', () => {
    oneError(withAction('Log', 'hello'), `${A}.Log`, 'expected an object');
    oneError(withAction('DeleteFact', null), `${A}.DeleteFact`, 'expected an object');
  });

  it('rejects a target in a single-fact rule', () => {
    oneError(
      [rule({ actions: [{ action_type: { Log: { message: 'x' } }, target: 'e' }] })],
      '$[0].actions[0].target',
      '"target" is only allowed in a multi-fact rule',
    );
  });

  it('checks Log and SetField fields', () => {
    oneError(withAction('Log', {}), `${A}.Log.message`, 'expected a string, got nothing');
    oneError(withAction('Log', { message: 5 }), `${A}.Log.message`, 'expected a string');
    oneError(withAction('SetField', { field: '', value: 1 }), `${A}.SetField.field`, 'expected a non-empty string');
    oneError(withAction('SetField', { field: 'a' }), `${A}.SetField.value`, 'expected a value');
    oneError(withAction('SetField', { field: 'a', value: { Date: 'soon' } }), `${A}.SetField.value.Date`, 'RFC 3339');
  });

  it('checks CreateFact data', () => {
    oneError(withAction('CreateFact', { data: 5 }), `${A}.CreateFact.data`, 'expected {"fields":{...}}');
    oneError(withAction('CreateFact', { data: { fields: 5 } }), `${A}.CreateFact.data.fields`, 'expected an object of field values');
    oneError(withAction('CreateFact', { data: { fields: { when: { Date: 'x' } } } }), `${A}.CreateFact.data.fields.when.Date`, 'RFC 3339');
    oneError(withAction('CreateFact', { data: { fields: { 'a b': { Date: 'x' } } } }), `${A}.CreateFact.data.fields["a b"].Date`, 'RFC 3339');
  });

  it('checks CallCalculator names and arguments', () => {
    oneError(
      withAction('CallCalculator', { calculator_name: 'divide', input_mapping: {}, output_field: 'o' }),
      `${A}.CallCalculator.calculator_name`,
      'unknown calculator "divide"',
    );
    oneError(
      withAction('CallCalculator', { calculator_name: 'add', input_mapping: { a: 'x' }, output_field: 'o' }),
      `${A}.CallCalculator.calculator_name`,
      'needs input_mapping for "b"',
    );
    oneError(
      withAction('CallCalculator', { calculator_name: 'add', input_mapping: { a: 'x', b: 'y', c: 'z' }, output_field: 'o' }),
      `${A}.CallCalculator.calculator_name`,
      'has no argument "c"',
    );
    oneError(
      withAction('CallCalculator', { calculator_name: 'add', input_mapping: 5, output_field: 'o' }),
      `${A}.CallCalculator.input_mapping`,
      'expected an object {argument: field}',
    );
    const bad = errors(withAction('CallCalculator', { calculator_name: 'add', input_mapping: { a: 'x', b: 7 }, output_field: 'o' }));
    expect(bad[0]).toEqual({ path: `${A}.CallCalculator.input_mapping.b`, message: 'expected a field name, got number 7' });
    oneError(
      withAction('CallCalculator', { calculator_name: 'add', input_mapping: { a: 'x', b: 'y' } }),
      `${A}.CallCalculator.output_field`,
      'expected a non-empty string',
    );
  });

  it('checks Formula syntax', () => {
    const e = oneError(withAction('Formula', { expression: 'x +', output_field: 'o' }), `${A}.Formula.expression`, /./);
    expect(e.message.length).toBeGreaterThan(0);
    oneError(withAction('Formula', { expression: 'x', output_field: '' }), `${A}.Formula.output_field`, 'expected a non-empty string');
  });

  it('checks the severity and notification_type enums', () => {
    for (const severity of ['Severe', 'high', 5, null]) {
      oneError(
        withAction('TriggerAlert', { alert_type: 't', message: 'm', severity }),
        `${A}.TriggerAlert.severity`,
        'expected one of Low, Medium, High, Critical',
      );
    }
    for (const severity of ['Low', 'Medium', 'High', 'Critical']) {
      expect(errors(withAction('TriggerAlert', { alert_type: 't', message: 'm', severity }))).toEqual([]);
    }
    for (const notification_type of ['Fax', 'email', null]) {
      oneError(
        withAction('SendNotification', { recipient: 'r', subject: 's', message: 'm', notification_type }),
        `${A}.SendNotification.notification_type`,
        'expected one of Email, Sms, Push, Webhook, Slack, Teams, InApp',
      );
    }
    for (const notification_type of ['Email', 'Sms', 'Push', 'Webhook', 'Slack', 'Teams', 'InApp']) {
      expect(errors(withAction('SendNotification', { recipient: 'r', subject: 's', message: 'm', notification_type }))).toEqual([]);
    }
    oneError(
      withAction('TriggerAlert', { alert_type: 't', message: 'm', severity: 'Low', metadata: 5 }),
      `${A}.TriggerAlert.metadata`,
      'expected an object of field values',
    );
  });

  it('checks UpdateFact, DeleteFact, IncrementField and AppendToArray', () => {
    oneError(withAction('UpdateFact', { fact_id_field: 'o', updates: [] }), `${A}.UpdateFact.updates`, 'expected an object of field values');
    oneError(withAction('UpdateFact', { updates: {} }), `${A}.UpdateFact.fact_id_field`, 'expected a non-empty string');
    oneError(withAction('DeleteFact', {}), `${A}.DeleteFact.fact_id_field`, 'expected a non-empty string');
    oneError(withAction('IncrementField', { field: 'n', increment: 'one' }), `${A}.IncrementField.increment`, 'expected a number');
    oneError(withAction('IncrementField', { field: 'n', increment: { String: '1' } }), `${A}.IncrementField.increment`, 'expected a number');
    oneError(withAction('IncrementField', { field: 'n' }), `${A}.IncrementField.increment`, 'expected a value');
    oneError(withAction('IncrementField', { increment: 1 }), `${A}.IncrementField.field`, 'expected a non-empty string');
    oneError(withAction('AppendToArray', { field: 'tags' }), `${A}.AppendToArray.value`, 'expected a value');
    expect(errors(withAction('IncrementField', { field: 'n', increment: { Float: 0.5 } }))).toEqual([]);
  });

  it('reports every bad action of a rule and drops the rule', () => {
    const v = validate([rule({ actions: [{ action_type: { Log: {} } }, { action_type: { Log: { message: 'ok' } } }, { action_type: { Nope: {} } }] })]);
    expect(v.errors.map((e) => e.path)).toEqual([`${A}.Log.message`, '$[0].actions[2].action_type']);
    expect(v.rules).toEqual([]);
  });

  it('gives typed rules the fields a session needs', () => {
    const r: Rule = validate([rule({ id: 9, name: 'n', salience: 3, actions: [{ action_type: { Log: { message: 'm' } } }] })]).rules[0]!;
    expect(r).toEqual({ id: 9, name: 'n', salience: 3, conditions: [], patterns: null, actions: [{ kind: 'Log', message: 'm', target: null }], path: '$[0]' });
  });
});
