// Tests for running rules over facts (src/rete/session.ts, src/actions/execute.ts) through
// the library API (compileRules + evaluate): agenda order, every action's effect and result
// record (docs/output.md), failed actions, forward chaining and --no-chain, refraction,
// cancelled activations, the firing limit, and constants never aliased into facts.

import { describe, it, expect } from 'vitest';
import { compileRules, evaluate } from '../../src/engine.js';
import { LimitError } from '../../src/model/errors.js';
import { firingLine } from '../../src/io/serialize.js';
import type { Firing } from '../../src/model/types.js';
import { FIRST_CREATED_ID } from '../../src/model/fact.js';

/** The id of the first fact rules create, then the next ones: a range input ids may not use. */
const C = FIRST_CREATED_ID;

type Json = Record<string, unknown>;

function r(id: number, conditions: unknown[], actions: unknown[], extra: Json = {}): Json {
  return { id, name: `R${id}`, conditions, actions, ...extra };
}
const eq = (field: string, value: unknown) => ({ field, operator: 'Equal', value });
const ne = (field: string, value: unknown) => ({ field, operator: 'NotEqual', value });
const lt = (field: string, value: unknown) => ({ field, operator: 'LessThan', value });
const act = (kind: string, body: Json) => ({ action_type: { [kind]: body } });
const log = (message: string) => act('Log', { message });
const set = (field: string, value: unknown) => act('SetField', { field, value });

interface Run {
  firings: Firing[];
  /** Firings as their plain JSON output lines, parsed. */
  lines: Json[];
  /** Firings as tagged JSON output lines, parsed. */
  tagged: Json[];
  /** (rule id, fact id) per firing. */
  order: [number, number][];
  /** Final facts' fields, as plain JSON. */
  facts: Json[];
  ids: number[];
}

function run(rules: Json[], facts: Json[], options: { chain?: boolean; maxFirings?: number } = {}): Run {
  const { network } = compileRules(rules);
  const out = evaluate(network, facts, options);
  return {
    firings: out.firings,
    lines: out.firings.map((f) => JSON.parse(firingLine(f, 'plain')) as Json),
    tagged: out.firings.map((f) => JSON.parse(firingLine(f, 'tagged')) as Json),
    order: out.firings.map((f) => [f.rule_id, f.fact_id]),
    facts: out.facts.map((f) => JSON.parse(JSON.stringify(f.fields)) as Json),
    ids: out.facts.map((f) => f.id),
  };
}

/** The single action result of each firing, as plain JSON. */
function results(x: Run): Json[] {
  return x.lines.map((l) => {
    const a = l.actions_executed as Json[];
    expect(a).toHaveLength(1);
    return a[0]!;
  });
}

describe('agenda order', () => {
  it('fires by salience (high first), then rule id, for one fact', () => {
    const rules = [r(3, [], [log('3')]), r(1, [], [log('1')]), r(2, [], [log('2')], { salience: 5 }), r(0, [], [log('0')], { salience: -1 })];
    expect(run(rules, [{ id: 7 }]).order).toEqual([
      [2, 7],
      [1, 7],
      [3, 7],
      [0, 7],
    ]);
  });

  it('settles each input fact before the next is inserted', () => {
    const rules = [r(1, [], [log('a')]), r(2, [], [log('b')], { salience: 9 })];
    expect(run(rules, [{ id: 5 }, { id: 3 }]).order).toEqual([
      [2, 5],
      [1, 5],
      [2, 3],
      [1, 3],
    ]);
  });

  it('breaks ties on one rule by fact order (insertion, not id)', () => {
    // R10 creates a child (id C) of fact 50; R20 matches both parent and child: parent first.
    // R15 matches only the child and outranks R20, so it goes between.
    const rules = [
      r(10, [eq('kind', 'parent')], [act('CreateFact', { data: { fields: { kind: 'child' } } })], { salience: 10 }),
      r(15, [eq('kind', 'child')], [log('child')], { salience: 5 }),
      r(20, [], [log('any')]),
    ];
    const x = run(rules, [{ id: 50, kind: 'parent' }]);
    expect(x.order).toEqual([
      [10, 50],
      [15, C],
      [20, 50],
      [20, C],
    ]);
  });

  it('fires a rule with no conditions on every fact; rules whose conditions fail do not fire', () => {
    const rules = [r(1, [], [log('all')]), r(2, [eq('x', 1)], [log('x')]), r(3, [{ operator: 'Or', conditions: [] }], [log('never')])];
    expect(run(rules, [{ id: 0, x: 1 }, { id: 1, x: 2 }, { id: 2 }]).order).toEqual([
      [1, 0],
      [2, 0],
      [1, 1],
      [1, 2],
    ]);
  });

  it('fires the rules the reference engine never fires (NotEqual, string comparisons, Contains...)', () => {
    const rules = [
      r(1, [ne('status', 'closed')], [log('ne')]),
      r(2, [{ field: 'name', operator: 'StartsWith', value: 'A' }], [log('sw')]),
      r(3, [{ field: 'name', operator: 'GreaterThan', value: 'Aa' }], [log('gt')]),
      r(4, [{ field: 'tags', operator: 'Contains', value: 'vip' }], [log('c')]),
      r(5, [{ conditions: [] }], [log('and')]),
    ];
    expect(run(rules, [{ id: 1, name: 'Ann', tags: ['vip'] }]).order.map((o) => o[0])).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('action effects and result records', () => {
  it('Log', () => {
    const x = run([r(1, [], [log('hello')])], [{ id: 1 }]);
    expect(x.lines).toEqual([{ rule_id: 1, rule_name: 'R1', fact_id: 1, actions_executed: [{ Logged: { message: 'hello' } }] }]);
  });

  it('SetField, on plain and dotted fields', () => {
    const x = run([r(1, [], [set('band', { String: 'high' }), set('meta.level', 3)])], [{ id: 1, meta: { src: 'x' } }]);
    expect(x.lines[0]!.actions_executed).toEqual([
      { FieldSet: { fact_id: 1, field: 'band', value: 'high' } },
      { FieldSet: { fact_id: 1, field: 'meta.level', value: 3 } },
    ]);
    expect(x.facts).toEqual([{ id: 1, meta: { src: 'x', level: 3 }, band: 'high' }]);
  });

  it('SetField keeps tagged typing in tagged output', () => {
    const x = run([r(1, [], [set('f', { Float: 2 }), set('d', { Date: '2024-01-15T11:30:00+01:00' })])], [{ id: 1 }]);
    expect(x.tagged[0]!.actions_executed).toEqual([
      { FieldSet: { fact_id: 1, field: 'f', value: { Float: 2 } } },
      { FieldSet: { fact_id: 1, field: 'd', value: { Date: '2024-01-15T10:30:00Z' } } },
    ]);
  });

  it('CreateFact: ids from the reserved range, in creation order, inserted after', () => {
    const rules = [
      r(
        1,
        [eq('kind', 'seed')],
        [act('CreateFact', { data: { fields: { kind: 'made', n: 1 } } }), act('CreateFact', { data: { fields: { kind: 'made', n: 2 } } })],
      ),
    ];
    const x = run(rules, [
      { id: 5, kind: 'seed' },
      { id: 2, kind: 'other' },
      { id: 3, kind: 'seed' },
    ]);
    expect(x.lines.map((l) => l.actions_executed)).toEqual([
      [
        { FactCreated: { fact_id: C, fact_data: { fields: { kind: 'made', n: 1 } } } },
        { FactCreated: { fact_id: C + 1, fact_data: { fields: { kind: 'made', n: 2 } } } },
      ],
      [
        { FactCreated: { fact_id: C + 2, fact_data: { fields: { kind: 'made', n: 1 } } } },
        { FactCreated: { fact_id: C + 3, fact_data: { fields: { kind: 'made', n: 2 } } } },
      ],
    ]);
    expect(x.ids).toEqual([5, C, C + 1, 2, 3, C + 2, C + 3]);
    // A created flat fact carries its id as a field too.
    expect(x.facts[1]).toEqual({ kind: 'made', n: 1, id: C });
    expect(x.facts[6]).toEqual({ kind: 'made', n: 2, id: C + 3 });
  });

  it('UpdateFact: updates the fact whose id is in the field', () => {
    const rules = [r(1, [eq('kind', 'cmd')], [act('UpdateFact', { fact_id_field: 'target', updates: { status: 'closed', 'meta.by': 'cmd' } })])];
    const x = run(rules, [
      { id: 1, kind: 'ticket', status: 'open' },
      { id: 2, kind: 'cmd', target: 1 },
    ]);
    expect(results(x)).toEqual([{ FactUpdated: { fact_id: 1, updated_fields: { status: 'closed', 'meta.by': 'cmd' } } }]);
    expect(x.facts).toEqual([
      { id: 1, kind: 'ticket', status: 'closed', meta: { by: 'cmd' } },
      { id: 2, kind: 'cmd', target: 1 },
    ]);
  });

  it('DeleteFact: retracts the fact whose id is in the field', () => {
    const rules = [r(1, [eq('kind', 'cmd')], [act('DeleteFact', { fact_id_field: 'target' })])];
    const x = run(rules, [
      { id: 1, kind: 'ticket' },
      { id: 2, kind: 'ticket' },
      { id: 3, kind: 'cmd', target: { Float: 1 } },
    ]);
    expect(results(x)).toEqual([{ FactDeleted: { fact_id: 1 } }]);
    expect(x.ids).toEqual([2, 3]);
  });

  it('IncrementField: missing counts as 0; integer stays integer, a float anywhere makes a float', () => {
    const rules = [
      r(
        1,
        [],
        [
          act('IncrementField', { field: 'a', increment: 1 }),
          act('IncrementField', { field: 'b', increment: 2 }),
          act('IncrementField', { field: 'c', increment: 0.5 }),
          act('IncrementField', { field: 'd', increment: { Float: 1 } }),
          act('IncrementField', { field: 'e', increment: 1 }),
          act('IncrementField', { field: 'p.q', increment: -3 }),
        ],
      ),
    ];
    const x = run(rules, [{ id: 1, b: 40, c: 1, d: 2, e: { Float: 1.5 } }]);
    expect(x.tagged[0]!.actions_executed).toEqual([
      { FieldIncremented: { fact_id: 1, field: 'a', old_value: { Integer: 0 }, new_value: { Integer: 1 } } },
      { FieldIncremented: { fact_id: 1, field: 'b', old_value: { Integer: 40 }, new_value: { Integer: 42 } } },
      { FieldIncremented: { fact_id: 1, field: 'c', old_value: { Integer: 1 }, new_value: { Float: 1.5 } } },
      { FieldIncremented: { fact_id: 1, field: 'd', old_value: { Integer: 2 }, new_value: { Float: 3 } } },
      { FieldIncremented: { fact_id: 1, field: 'e', old_value: { Float: 1.5 }, new_value: { Float: 2.5 } } },
      { FieldIncremented: { fact_id: 1, field: 'p.q', old_value: { Integer: 0 }, new_value: { Integer: -3 } } },
    ]);
    expect(x.facts).toEqual([{ id: 1, a: 1, b: 42, c: 1.5, d: 3, e: 2.5, p: { q: -3 } }]);
  });

  it('IncrementField on a field named like an Object.prototype member treats it as missing', () => {
    const x = run([r(1, [], [act('IncrementField', { field: 'constructor', increment: 1 })])], [{ id: 1 }]);
    expect(results(x)).toEqual([{ FieldIncremented: { fact_id: 1, field: 'constructor', old_value: 0, new_value: 1 } }]);
  });

  it('AppendToArray: missing starts an empty array', () => {
    const rules = [
      r(
        1,
        [],
        [
          act('AppendToArray', { field: 'tags', value: 'a' }),
          act('AppendToArray', { field: 'tags', value: { Integer: 2 } }),
          act('AppendToArray', { field: 'more', value: [1] }),
        ],
      ),
    ];
    const x = run(rules, [{ id: 1, more: [0] }]);
    expect(x.lines[0]!.actions_executed).toEqual([
      { ArrayAppended: { fact_id: 1, field: 'tags', appended_value: 'a', new_length: 1 } },
      { ArrayAppended: { fact_id: 1, field: 'tags', appended_value: 2, new_length: 2 } },
      { ArrayAppended: { fact_id: 1, field: 'more', appended_value: [1], new_length: 2 } },
    ]);
    expect(x.facts).toEqual([{ id: 1, more: [0, [1]], tags: ['a', 2] }]);
  });

  it('SendNotification and TriggerAlert produce records only', () => {
    const rules = [
      r(
        1,
        [],
        [
          act('SendNotification', { recipient: 'ops@x', subject: 'S', message: 'M', notification_type: 'Slack', metadata: { k: 1 } }),
          act('TriggerAlert', { alert_type: 'fraud', message: 'big', severity: 'Critical', metadata: {} }),
        ],
      ),
    ];
    const x = run(rules, [{ id: 1, a: 1 }]);
    expect(x.lines[0]!.actions_executed).toEqual([
      { NotificationSent: { recipient: 'ops@x', notification_type: 'Slack', subject: 'S' } },
      { AlertTriggered: { alert_type: 'fraud', severity: 'Critical', message: 'big' } },
    ]);
    expect(x.facts).toEqual([{ id: 1, a: 1 }]);
  });

  it('CallCalculator stores its result and reports it', () => {
    const rules = [r(1, [], [act('CallCalculator', { calculator_name: 'add', input_mapping: { a: 'x', b: 'y' }, output_field: 'sum' })])];
    const x = run(rules, [{ id: 1, x: 2, y: 3 }]);
    expect(results(x)).toEqual([{ CalculatorResult: { calculator: 'add', result: '5', output_field: 'sum', parsed_value: 5 } }]);
    expect(x.facts).toEqual([{ id: 1, x: 2, y: 3, sum: 5 }]);
    const t = run(rules, [{ id: 1, x: 2, y: { Float: 3 } }]);
    expect(t.tagged[0]!.actions_executed).toEqual([{ CalculatorResult: { calculator: 'add', result: '5', output_field: 'sum', parsed_value: { Float: 5 } } }]);
  });

  it('Formula stores its value and reports FieldSet', () => {
    const rules = [r(1, [], [act('Formula', { expression: 'price * qty', output_field: 'total' })])];
    const x = run(rules, [{ id: 1, price: 2.5, qty: 4 }]);
    expect(results(x)).toEqual([{ FieldSet: { fact_id: 1, field: 'total', value: 10 } }]);
    expect(x.facts).toEqual([{ id: 1, price: 2.5, qty: 4, total: 10 }]);
  });

  it("multi-action firings keep action order and see earlier actions' effects", () => {
    const rules = [r(1, [], [set('n', 1), act('IncrementField', { field: 'n', increment: 1 }), act('Formula', { expression: 'n * 10', output_field: 'm' })])];
    const x = run(rules, [{ id: 1 }]);
    expect(x.facts).toEqual([{ id: 1, n: 2, m: 20 }]);
  });
});

describe('failed actions', () => {
  it('become Logged results with the reason, and the run continues', () => {
    const rules = [
      r(
        1,
        [],
        [
          act('IncrementField', { field: 'name', increment: 1 }),
          act('AppendToArray', { field: 'name', value: 1 }),
          act('CallCalculator', { calculator_name: 'add', input_mapping: { a: 'x', b: 'missing' }, output_field: 'o' }),
          act('Formula', { expression: 'x / 0', output_field: 'o' }),
          act('UpdateFact', { fact_id_field: 'nope', updates: { a: 1 } }),
          act('UpdateFact', { fact_id_field: 'x', updates: { a: 1 } }),
          act('DeleteFact', { fact_id_field: 'name' }),
          act('SetField', { field: 'name.first', value: 'A' }),
          log('still here'),
        ],
      ),
    ];
    const x = run(rules, [
      { id: 1, name: 'Ann', x: 99 },
      { id: 2, name: 'Bob', x: 1 },
    ]);
    expect(x.order).toEqual([
      [1, 1],
      [1, 2],
    ]);
    const first = x.lines[0]!.actions_executed as Json[];
    expect(first).toHaveLength(9);
    for (const a of first.slice(0, 8)) {
      expect(Object.keys(a)).toEqual(['Logged']);
      expect(((a.Logged as Json).message as string).length).toBeGreaterThan(0);
    }
    const msg = (i: number) => (first[i]!.Logged as { message: string }).message;
    expect(msg(0)).toContain('"name"');
    expect(msg(0)).toContain('not a number');
    expect(msg(1)).toContain('not an array');
    expect(msg(2)).toContain('add');
    expect(msg(4)).toContain('missing');
    expect(msg(5)).toContain('no fact with id 99');
    expect(msg(6)).toContain('not a fact id');
    expect(msg(7)).toContain('name.first');
    expect(first[8]).toEqual({ Logged: { message: 'still here' } });
    // On fact 2, x = 1 is fact 1's id (kept: rules address facts by id): UpdateFact succeeds.
    const second = x.lines[1]!.actions_executed as Json[];
    expect(second[5]).toEqual({ FactUpdated: { fact_id: 1, updated_fields: { a: 1 } } });
    expect(x.facts[0]).toEqual({ id: 1, name: 'Ann', x: 99, a: 1 });
  });
});

describe('failed writes', () => {
  it('IncrementField that cannot write its field is a failed action, not a FieldIncremented', () => {
    // "n.x" is missing (counts as 0) but "n" is a number, so nothing can be written there.
    const x = run([r(1, [], [act('IncrementField', { field: 'n.x', increment: 1 })])], [{ id: 1, n: 5 }]);
    const a = results(x)[0]!;
    expect(Object.keys(a)).toEqual(['Logged']);
    expect((a.Logged as { message: string }).message).toContain('n.x');
    expect(x.facts).toEqual([{ id: 1, n: 5 }]);
  });

  it('SetField and AppendToArray that cannot write their field fail the same way', () => {
    const x = run([r(1, [], [set('n.x', 1), act('AppendToArray', { field: 'n.x', value: 1 })])], [{ id: 1, n: 5 }]);
    const a = x.lines[0]!.actions_executed as Json[];
    expect(a.map((e) => Object.keys(e)[0])).toEqual(['Logged', 'Logged']);
    expect(x.facts).toEqual([{ id: 1, n: 5 }]);
  });
});

describe('forward chaining', () => {
  const rules = [
    r(1, [eq('status', 'new')], [set('status', 'reviewed')]),
    // Outranks rule 1, but can match only once rule 1 has set the field.
    r(2, [eq('status', 'reviewed')], [set('approved', true)], { salience: 10 }),
    r(3, [eq('approved', true)], [log('approved')]),
  ];

  it('fires rules on fields that other rules set', () => {
    const x = run(rules, [{ id: 1, status: 'new' }]);
    expect(x.order).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    expect(x.facts).toEqual([{ id: 1, status: 'reviewed', approved: true }]);
  });

  it('matches created facts', () => {
    const x = run(
      [r(1, [eq('kind', 'a')], [act('CreateFact', { data: { fields: { kind: 'b' } } })]), r(2, [eq('kind', 'b')], [log('b')])],
      [{ id: 0, kind: 'a' }],
    );
    expect(x.order).toEqual([
      [1, 0],
      [2, C],
    ]);
  });

  it('re-matches facts changed by UpdateFact', () => {
    const x = run(
      [
        r(1, [eq('kind', 'cmd')], [act('UpdateFact', { fact_id_field: 'target', updates: { status: 'reviewed' } })]),
        r(2, [eq('status', 'reviewed')], [log('r')]),
      ],
      [
        { id: 1, status: 'new' },
        { id: 2, kind: 'cmd', target: 1 },
      ],
    );
    expect(x.order).toEqual([
      [1, 2],
      [2, 1],
    ]);
  });

  it('is off with chain: false (changed and created facts are not matched again)', () => {
    const x = run(rules, [{ id: 1, status: 'new' }], { chain: false });
    expect(x.order).toEqual([[1, 1]]);
    expect(x.facts).toEqual([{ id: 1, status: 'reviewed' }]);
    const c = run(
      [r(1, [eq('kind', 'a')], [act('CreateFact', { data: { fields: { kind: 'b' } } })]), r(2, [eq('kind', 'b')], [log('b')])],
      [{ id: 0, kind: 'a' }],
      { chain: false },
    );
    expect(c.order).toEqual([[1, 0]]);
    expect(c.ids).toEqual([0, C]);
  });

  it('with chain: false, activations made at insertion still fire after the fact changes', () => {
    const x = run([r(1, [eq('s', 'new')], [set('s', 'done')], { salience: 1 }), r(2, [eq('s', 'new')], [log('late')])], [{ id: 1, s: 'new' }], {
      chain: false,
    });
    expect(x.order).toEqual([
      [1, 1],
      [2, 1],
    ]);
  });
});

describe('refraction', () => {
  it('a rule fires at most once per fact, even when the fact changes back and forth', () => {
    const x = run([r(1, [eq('x', 0)], [set('x', 1)]), r(2, [eq('x', 1)], [set('x', 0)])], [{ id: 1, x: 0 }]);
    expect(x.order).toEqual([
      [1, 1],
      [2, 1],
    ]);
    expect(x.facts).toEqual([{ id: 1, x: 0 }]);
  });

  it('a self-retriggering rule fires once', () => {
    const x = run([r(1, [lt('n', 100)], [act('IncrementField', { field: 'n', increment: 1 })])], [{ id: 1, n: 0 }]);
    expect(x.order).toEqual([[1, 1]]);
    expect(x.facts).toEqual([{ id: 1, n: 1 }]);
  });

  it('a change that keeps a rule matching does not make it fire again', () => {
    const x = run(
      [
        r(1, [], [act('IncrementField', { field: 'n', increment: 1 })]),
        r(2, [{ field: 'n', operator: 'GreaterThan', value: 0 }], [act('IncrementField', { field: 'n', increment: 1 })]),
      ],
      [{ id: 1, n: 0 }],
    );
    expect(x.order).toEqual([
      [1, 1],
      [2, 1],
    ]);
    expect(x.facts).toEqual([{ id: 1, n: 2 }]);
  });
});

describe('cancelled activations', () => {
  it('a pending activation is cancelled when its fact no longer matches', () => {
    const x = run([r(1, [eq('s', 'new')], [set('s', 'done')], { salience: 1 }), r(2, [eq('s', 'new')], [log('late')])], [{ id: 1, s: 'new' }]);
    expect(x.order).toEqual([[1, 1]]);
  });

  it('an activation cancelled by a change fires again if the fact matches again', () => {
    // R1 makes the fact stop matching R3; R2 makes it match again: R3 fires (once).
    const x = run(
      [r(1, [eq('s', 'a')], [set('s', 'b')], { salience: 2 }), r(2, [eq('s', 'b')], [set('s', 'a')], { salience: 1 }), r(3, [eq('s', 'a')], [log('a')])],
      [{ id: 1, s: 'a' }],
    );
    expect(x.order).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
  });

  it('a pending activation is dropped when its fact is deleted by itself', () => {
    const x = run([r(1, [], [act('DeleteFact', { fact_id_field: 'id' })], { salience: 1 }), r(2, [], [log('late')])], [{ id: 4 }, { id: 5 }]);
    expect(x.order).toEqual([
      [1, 4],
      [1, 5],
    ]);
    expect(x.lines[0]!.actions_executed).toEqual([{ FactDeleted: { fact_id: 4 } }]);
    expect(x.ids).toEqual([]);
  });

  it('a pending activation on a created fact is dropped when another rule deletes it', () => {
    const x = run(
      [
        r(1, [eq('kind', 'parent')], [act('CreateFact', { data: { fields: { kind: 'child' } } })], { salience: 10 }),
        r(2, [eq('kind', 'parent')], [act('DeleteFact', { fact_id_field: 'child_id' })], { salience: 5 }),
        r(3, [eq('kind', 'child')], [log('child')]),
      ],
      [{ id: 0, kind: 'parent', child_id: C }],
    );
    expect(x.order).toEqual([
      [1, 0],
      [2, 0],
    ]);
    expect(x.lines[1]!.actions_executed).toEqual([{ FactDeleted: { fact_id: C } }]);
    expect(x.ids).toEqual([0]);
  });

  it('a deleted fact cannot be updated or deleted again', () => {
    const x = run(
      [
        r(
          1,
          [eq('kind', 'cmd')],
          [act('DeleteFact', { fact_id_field: 't' }), act('DeleteFact', { fact_id_field: 't' }), act('UpdateFact', { fact_id_field: 't', updates: { a: 1 } })],
        ),
      ],
      [{ id: 1 }, { id: 2, kind: 'cmd', t: 1 }],
    );
    const a = x.lines[0]!.actions_executed as Json[];
    expect(a[0]).toEqual({ FactDeleted: { fact_id: 1 } });
    expect((a[1]!.Logged as { message: string }).message).toContain('no fact with id 1');
    expect((a[2]!.Logged as { message: string }).message).toContain('no fact with id 1');
  });
});

describe('limits', () => {
  it('maxFirings stops a run that fires too often with a LimitError', () => {
    const { network } = compileRules([r(1, [], [log('x')])]);
    expect(() => evaluate(network, [{ id: 1 }, { id: 2 }, { id: 3 }], { maxFirings: 2 })).toThrow(LimitError);
    expect(() => evaluate(network, [{ id: 1 }, { id: 2 }], { maxFirings: 2 })).not.toThrow();
  });

  it('maxFirings stops a rule that keeps creating facts', () => {
    const { network } = compileRules([r(1, [], [act('CreateFact', { data: { fields: { n: 1 } } })])]);
    let err: unknown;
    try {
      evaluate(network, [{ id: 0 }], { maxFirings: 50 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LimitError);
    expect((err as LimitError).message).toContain('--max-firings');
    expect((err as LimitError).exitCode).toBe(6);
  });
});

describe('constants are never aliased', () => {
  it('an array set by SetField on two facts is two arrays', () => {
    const rules = [r(1, [], [set('list', [1])], { salience: 1 }), r(2, [], [act('AppendToArray', { field: 'list', value: 2 })])];
    const x = run(rules, [{ id: 1 }, { id: 2 }]);
    expect(x.facts).toEqual([
      { id: 1, list: [1, 2] },
      { id: 2, list: [1, 2] },
    ]);
    expect(x.lines[0]!.actions_executed).toEqual([{ FieldSet: { fact_id: 1, field: 'list', value: [1] } }]);
    expect(x.firings[0]!.actions_executed[0]).toEqual({ FieldSet: { fact_id: 1, field: 'list', value: [1] } });
  });

  it('facts created from one constant, appended to twice, stay apart', () => {
    const rules = [
      r(1, [eq('kind', 'seed')], [act('CreateFact', { data: { fields: { kind: 'made', list: [1], o: { k: [] } } } })], { salience: 1 }),
      r(2, [eq('kind', 'made')], [act('AppendToArray', { field: 'list', value: 2 }), act('AppendToArray', { field: 'o.k', value: 'x' })]),
    ];
    const x = run(rules, [
      { id: 0, kind: 'seed' },
      { id: 1, kind: 'seed' },
    ]);
    expect(x.facts.filter((f) => f.kind === 'made')).toEqual([
      { kind: 'made', list: [1, 2], o: { k: ['x'] }, id: C },
      { kind: 'made', list: [1, 2], o: { k: ['x'] }, id: C + 1 },
    ]);
    const created = x.firings.filter((f) => f.rule_id === 1).map((f) => f.actions_executed[0]);
    for (const c of created)
      expect(c).toEqual({ FactCreated: { fact_id: expect.any(Number), fact_data: { fields: { kind: 'made', list: [1], o: { k: [] } } } } });
  });

  it('an appended array value is copied, and UpdateFact values are copied', () => {
    const rules = [
      r(1, [eq('kind', 'a')], [act('AppendToArray', { field: 'l', value: [0] }), act('AppendToArray', { field: 'l', value: [0] })], { salience: 2 }),
      r(2, [eq('kind', 'a')], [act('UpdateFact', { fact_id_field: 'id', updates: { u: [] } }), act('AppendToArray', { field: 'u', value: 1 })], {
        salience: 1,
      }),
    ];
    const x = run(rules, [
      { id: 0, kind: 'a' },
      { id: 1, kind: 'a' },
    ]);
    expect(x.facts).toEqual([
      { id: 0, kind: 'a', l: [[0], [0]], u: [1] },
      { id: 1, kind: 'a', l: [[0], [0]], u: [1] },
    ]);
    expect(x.firings[1]!.actions_executed[0]).toEqual({ FactUpdated: { fact_id: 0, updated_fields: { u: [] } } });
  });

  it('input facts are not modified by evaluate', () => {
    const input = [{ id: 1, list: [1] }];
    run([r(1, [], [act('AppendToArray', { field: 'list', value: 2 })])], input);
    expect(input).toEqual([{ id: 1, list: [1] }]);
  });
});

describe('facts', () => {
  it('reads reference-shaped and flat facts, assigning missing ids by position', () => {
    const x = run(
      [r(1, [{ field: 'amount', operator: 'GreaterThan', value: 1000 }], [log('big')])],
      [
        { id: 7, external_id: 'e7', timestamp: '2025-01-01T00:00:00Z', data: { fields: { amount: { Float: 1500.0 } } } },
        { amount: 2000 },
        { id: -1, amount: 5000 },
      ],
    );
    expect(x.order).toEqual([
      [1, 7],
      [1, 1],
      [1, 2],
    ]);
  });
});
