// Tests for ruleReads (src/model/reads.ts): the top-level keys each kind of condition and
// action makes the rules read, dotted paths with every prefix, aliases in multi-fact rules,
// and the run-level check that a projected run fires exactly as a whole-record one.

import { describe, it, expect } from 'vitest';
import { loadRules } from '../../src/engine.js';
import { ruleReads, type RuleReads } from '../../src/model/reads.js';
import type { Action, Rule } from '../../src/model/types.js';

type Json = Record<string, unknown>;

const eq = (field: string, value: unknown) => ({ field, operator: 'Equal', value });
const act = (kind: string, body: Json) => ({ action_type: { [kind]: body } });
const log = () => act('Log', { message: 'x' });

/** The keys read by a rule file's rules (sorted), or why whole records are needed. */
function reads(rules: Json[]): string[] | string {
  const r: RuleReads = ruleReads(loadRules(rules).rules);
  return r.whole ? r.reason : [...r.fields].sort();
}

const rule = (conditions: unknown[], actions: unknown[] = [log()], extra: Json = {}) => [{ id: 1, name: 'r', conditions, actions, ...extra }];

describe('ruleReads: conditions', () => {
  it('reads the fields of simple conditions, nested in And, Or and Not', () => {
    expect(reads(rule([eq('status', 'a'), { operator: 'Or', conditions: [eq('x', 1), { operator: 'Not', conditions: [eq('y', 2)] }] }]))).toEqual([
      'status',
      'x',
      'y',
    ]);
    expect(reads(rule([{ operator: 'And', conditions: [eq('z', 1)] }]))).toEqual(['z']);
  });

  it('keeps every dotted prefix of a path: at each level the longest dotted key present is read', () => {
    expect(reads(rule([eq('a.b.c', 1)]))).toEqual(['a', 'a.b', 'a.b.c']);
    expect(reads(rule([eq('customer.address', 'x'), eq('customer', 'y')]))).toEqual(['customer', 'customer.address']);
  });

  it('reads nothing for a rule without conditions and with constant actions', () => {
    expect(reads(rule([], [log(), act('TriggerAlert', { alert_type: 'a', message: 'm', severity: 'Low', metadata: {} })]))).toEqual([]);
  });

  it('reads an aggregation’s source and group_by fields (not its having, which tests the aggregate)', () => {
    const agg = { aggregation_type: 'Sum', source_field: 'amount', group_by: ['employee_id', 'week.no'], having: eq('total', 5), alias: 'total', window: null };
    expect(reads(rule([eq('type', 'shift'), agg]))).toEqual(['amount', 'employee_id', 'type', 'week', 'week.no']);
  });

  it('reads a stream window’s aggregated field and its filter', () => {
    const stream = {
      window_spec: { Tumbling: { duration_ms: 60000 } },
      aggregation: { Sum: { field: 'amount' } },
      filter: eq('kind', 'sale'),
      having: eq('n', 1),
      alias: 'n',
    };
    expect(reads(rule([stream]))).toEqual(['amount', 'kind']);
    expect(reads(rule([{ ...stream, aggregation: 'Count', filter: null }]))).toEqual([]);
  });

  it('reads each pattern’s fields and the fields its Refs name on earlier patterns', () => {
    const rules = [
      {
        id: 1,
        name: 'join',
        patterns: [
          { alias: 'e', conditions: [eq('type', 'emp')] },
          { alias: 'd', conditions: [eq('type', 'dept'), { field: 'dept_id', operator: 'Equal', value: { Ref: 'e.dept.id' } }] },
        ],
        actions: [log()],
      },
    ];
    expect(reads(rules)).toEqual(['dept', 'dept.id', 'dept_id', 'type']);
  });
});

describe('ruleReads: actions', () => {
  it('SetField reads nothing for a plain name, and the prefixes of a dotted one (it fails on a non-object in the way)', () => {
    expect(reads(rule([], [act('SetField', { field: 'done', value: true })]))).toEqual([]);
    expect(reads(rule([], [act('SetField', { field: 'meta.done', value: true })]))).toEqual(['meta', 'meta.done']);
  });

  it('IncrementField and AppendToArray read their own field', () => {
    expect(reads(rule([], [act('IncrementField', { field: 'count', increment: 1 })]))).toEqual(['count']);
    expect(reads(rule([], [act('AppendToArray', { field: 'log.items', value: 'x' })]))).toEqual(['log', 'log.items']);
  });

  it('UpdateFact and DeleteFact read the fact id field; UpdateFact the prefixes of dotted updates', () => {
    expect(reads(rule([], [act('UpdateFact', { fact_id_field: 'parent', updates: { seen: true, 'a.b': 1 } })]))).toEqual(['a', 'a.b', 'parent']);
    expect(reads(rule([], [act('DeleteFact', { fact_id_field: 'dup_of' })]))).toEqual(['dup_of']);
  });

  it('Formula reads the fields of its expression; a calculator the fields of its input mapping', () => {
    expect(reads(rule([], [act('Formula', { expression: 'round(salary / 2080 * hours.overtime, 2)', output_field: 'pay' })]))).toEqual([
      'hours',
      'hours.overtime',
      'salary',
    ]);
    expect(
      reads(
        rule([], [act('CallCalculator', { calculator_name: 'percentage_add', input_mapping: { amount: 'salary', percentage: 'rate' }, output_field: 'cost' })]),
      ),
    ).toEqual(['rate', 'salary']);
  });

  it('CreateFact and constant actions read nothing', () => {
    expect(reads(rule([], [act('CreateFact', { data: { fields: { kind: 'alert', n: 1 } } })]))).toEqual([]);
  });

  it('in a multi-fact rule, reads the field after an alias prefix (and the name as a path, whichever it means)', () => {
    const rules = [
      {
        id: 1,
        name: 'join',
        patterns: [
          { alias: 'e', conditions: [eq('type', 'emp')] },
          { alias: 'd', conditions: [eq('type', 'dept')] },
        ],
        actions: [
          act('Formula', { expression: 'e.salary * 2 + d.budget.total', output_field: 'x' }),
          act('CallCalculator', { calculator_name: 'add', input_mapping: { a: 'd.bonus', b: 'e.base' }, output_field: 'y' }),
        ],
      },
    ];
    const r = reads(rules) as string[];
    for (const f of ['salary', 'budget', 'budget.total', 'bonus', 'base', 'type']) expect(r).toContain(f);
    // A single-fact rule's dotted names are paths only.
    expect(reads(rule([], [act('Formula', { expression: 'e.salary * 2', output_field: 'x' })]))).toEqual(['e', 'e.salary']);
  });

  it('reads the field a {"Ref": "alias.field"} value names, and resolved references, anywhere in an action', () => {
    const fake = (a: Record<string, unknown>): Rule => ({
      id: 9,
      name: 'x',
      salience: 0,
      conditions: [],
      patterns: [{ alias: 'd', conditions: [], not: false, exists: false }],
      actions: [{ ...a, target: null } as unknown as Action],
      path: '$[0]',
    });
    const r1 = ruleReads([fake({ kind: 'SetField', field: 'x', value: { Ref: 'd.budget' } })]);
    expect(r1.whole ? [] : r1.fields).toContain('budget');
    const r2 = ruleReads([fake({ kind: 'SetField', field: 'x', value: null, ref: { alias: 'd', field: 'cost.net' } })]);
    expect(r2.whole ? [] : r2.fields).toEqual(expect.arrayContaining(['cost', 'cost.net']));
  });

  it('asks for whole records when an action of an unknown kind may read anything', () => {
    const r = ruleReads([
      { id: 3, name: 'x', salience: 0, conditions: [], patterns: null, actions: [{ kind: 'CopyFact', target: null } as unknown as Action], path: '$[0]' },
    ]);
    expect(r.whole).toBe(true);
    expect(r.whole && r.reason).toContain('rule 3');
  });
});
