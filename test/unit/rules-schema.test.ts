// docs/rules.schema.json, kept true: every rule file this repository ships or generates
// (fixtures, the bench workloads of src/bench/workloads.ts at several sizes) passes it under
// a real JSON Schema validator (ajv), and invalid files, each wrong in one place, fail it,
// as rete-eval's own validation fails (or, for unknown keys, warns about) them.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { RULE_CHECKS } from '../../src/engine.js';
import { WORKLOADS } from '../../src/bench/workloads.js';
import { validateRules } from '../../src/model/rules.js';

const root = join(import.meta.dirname, '..', '..');
const schema = JSON.parse(readFileSync(join(root, 'docs', 'rules.schema.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
const check = ajv.compile(schema);
const problems = (doc: unknown) => (check(doc) ? [] : (check.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));

const fixture = (name: string) => JSON.parse(readFileSync(join(root, 'fixtures', name), 'utf8'));

describe('docs/rules.schema.json', () => {
  it('is a valid draft-07 schema that ajv compiles in strict mode', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(typeof check).toBe('function');
  });

  it('accepts every fixture rule file', () => {
    for (const name of ['rules.json', 'join-rules.json']) {
      const doc = fixture(name);
      expect(problems(doc), name).toEqual([]);
      expect(validateRules(doc, RULE_CHECKS).errors, name).toEqual([]);
    }
  });

  it('accepts the rules of every bench workload, at every size it is generated for', () => {
    for (const [name, w] of Object.entries(WORKLOADS)) {
      for (const size of [1000, 100_000, 1_000_000]) {
        const doc = w.rules(size);
        expect(problems(doc), `${name} ${size}`).toEqual([]);
        expect(problems({ rules: doc }), `${name} ${size} wrapped`).toEqual([]);
      }
    }
  });

  it('accepts every condition kind, window, aggregation and action kind (the documented examples)', () => {
    const doc = JSON.parse(readFileSync(join(root, 'docs', 'examples', 'every-kind.rules.json'), 'utf8'));
    expect(problems(doc)).toEqual([]);
    const v = validateRules(doc, RULE_CHECKS);
    expect(v.errors).toEqual([]);
    expect(v.warnings).toEqual([]);
  });

  // One valid rule, then the same rule wrong in one place.
  const ok = { id: 1, name: 'r', conditions: [{ field: 'a', operator: 'Equal', value: 1 }], actions: [{ action_type: { Log: { message: 'm' } } }] };
  const wrong: [string, unknown, 'error' | 'warning'][] = [
    ['not a list', { id: 1 }, 'error'],
    ['a negative id', [{ ...ok, id: -1 }], 'error'],
    ['no name', [{ id: 1, conditions: [], actions: [] }], 'error'],
    ['neither conditions nor patterns', [{ id: 1, name: 'r', actions: [] }], 'error'],
    ['an unknown operator', [{ ...ok, conditions: [{ field: 'a', operator: 'Like', value: 1 }] }], 'error'],
    ['a typo for value', [{ ...ok, conditions: [{ field: 'a', operator: 'Equal', vaule: 1 }] }], 'error'],
    ['an extra key in a condition', [{ ...ok, conditions: [{ field: 'a', operator: 'Equal', value: 1, note: 'x' }] }], 'warning'],
    ['an unknown rule key', [{ ...ok, colour: 'red' }], 'warning'],
    ['an unknown action kind', [{ ...ok, actions: [{ action_type: { Explode: {} } }] }], 'error'],
    ['two action kinds', [{ ...ok, actions: [{ action_type: { Log: { message: 'm' }, DeleteFact: { fact_id_field: 'x' } } }] }], 'error'],
    ['a bad severity', [{ ...ok, actions: [{ action_type: { TriggerAlert: { alert_type: 't', message: 'm', severity: 'Urgent' } } }] }], 'error'],
    [
      'an unknown calculator',
      [{ ...ok, actions: [{ action_type: { CallCalculator: { calculator_name: 'divide', input_mapping: {}, output_field: 'o' } } }] }],
      'error',
    ],
    ['a typo in a SetField', [{ ...ok, actions: [{ action_type: { SetField: { field: 'f', value: 1, feild: 'g' } } }] }], 'warning'],
    ['a non-numeric increment', [{ ...ok, actions: [{ action_type: { IncrementField: { field: 'f', increment: 'one' } } }] }], 'error'],
    ['a bad alias', [{ id: 1, name: 'r', patterns: [{ alias: '1x', conditions: [] }], actions: [] }], 'error'],
    ['an empty pattern list', [{ id: 1, name: 'r', patterns: [], actions: [] }], 'error'],
    ['a window size of 0', [{ ...ok, conditions: [{ aggregation_type: 'Sum', source_field: 'x', alias: 't', window: { Sliding: { size: 0 } } }] }], 'error'],
    ['an unknown aggregation function', [{ ...ok, conditions: [{ aggregation_type: 'Median', source_field: 'x', alias: 't' }] }], 'error'],
    ['a stream without aggregation', [{ ...ok, conditions: [{ window_spec: { CountTumbling: { count: 5 } }, alias: 'n' }] }], 'error'],
  ];

  it.each(wrong)('rejects a file with %s (rete-eval reports it too)', (_what, doc, kind) => {
    expect(problems(doc).length).toBeGreaterThan(0);
    const v = validateRules(doc, RULE_CHECKS);
    expect(kind === 'error' ? v.errors.length : v.warnings.length).toBeGreaterThan(0);
  });
});
