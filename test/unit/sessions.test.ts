// One compiled network, many sessions: the network is immutable once compiled (it is deep-
// frozen here), every piece of run state belongs to the session, and sessions interleaved on
// one event loop give exactly what each gives alone on a fresh network. Also the engine
// defects a review found, one regression test each: stale marks, mismatch counters adding
// up, writes ignoring the longest-dotted-key rule, actions of multi-fact rules reading bound
// facts, created ids colliding with input ids, explain leaving out end-of-input conditions,
// and sharing keys built by joining text.

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { compileRules, evaluate, loadRules } from '../../src/engine.js';
import { firingLine } from '../../src/io/serialize.js';
import { LimitError } from '../../src/model/errors.js';
import { decodeFact, FIRST_CREATED_ID, FactDecodeError } from '../../src/model/fact.js';
import type { Firing } from '../../src/model/types.js';
import { fieldsToTagged, type FieldMap } from '../../src/model/value.js';
import { explainNetwork, formatExplain } from '../../src/rete/explain.js';
import type { Network } from '../../src/rete/network.js';
import { Session } from '../../src/rete/session.js';
import { factList, ruleSet } from './rule-arbitraries.js';

type Json = Record<string, unknown>;

const eq = (field: string, value: unknown) => ({ field, operator: 'Equal', value });
const act = (kind: string, body: Json) => ({ action_type: { [kind]: body } });
const log = (message: string) => act('Log', { message });
const set = (field: string, value: unknown) => act('SetField', { field, value });
const brief = (fs: Firing[]) => fs.map((f) => `${f.rule_id}:${(f.fact_ids ?? [f.fact_id]).join(',')}`);

/**
 * Freezes a compiled network and everything it reaches: objects, arrays, and Maps and Sets
 * (whose mutators then throw). A session that writes to any of it fails loudly.
 */
function deepFreeze(root: unknown): void {
  const seen = new Set<unknown>();
  const refuse = () => {
    throw new TypeError('the compiled network was changed');
  };
  const visit = (v: unknown) => {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function') || seen.has(v)) return;
    seen.add(v);
    if (v instanceof Map) {
      for (const [k, x] of v) {
        visit(k);
        visit(x);
      }
      for (const m of ['set', 'delete', 'clear']) Object.defineProperty(v, m, { value: refuse });
    } else if (v instanceof Set) {
      for (const x of v) visit(x);
      for (const m of ['add', 'delete', 'clear']) Object.defineProperty(v, m, { value: refuse });
    }
    for (const k of Reflect.ownKeys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, k);
      if (d && 'value' in d) visit(d.value);
    }
    Object.freeze(v);
  };
  visit(root);
}

/** What a session produced, in comparable form: tagged firing lines, final facts, counts, mismatches. */
interface Outcome {
  firings: unknown[];
  facts: unknown[];
  limited: boolean;
  stats: unknown;
}

function collecting(network: Network) {
  const firings: Firing[] = [];
  const facts: { id: number; fields: FieldMap }[] = [];
  const session = new Session(network, {
    maxFirings: 40,
    runStartMs: 0,
    onFiring: (f) => firings.push(f),
    onFactDone: (f) => facts.push({ id: f.id, fields: structuredClone(f.fields) }),
  });
  const outcome = (limited: boolean): Outcome => {
    const { memoryNodes, ...counts } = session.stats;
    return {
      firings: firings.map((f) => JSON.parse(firingLine(f, 'tagged')) as unknown),
      facts: limited ? [] : facts.map((f) => ({ id: f.id, fields: fieldsToTagged(f.fields) })),
      limited,
      stats: { ...counts, memoryNodes: memoryNodes.map((n) => ({ ...n })) },
    };
  };
  return { session, outcome };
}

/** Inserts the facts and ends the session; true when a limit stopped it. */
function feed(session: Session, facts: Json[]): boolean {
  try {
    facts.forEach((raw, i) => {
      session.insert(decodeFact(structuredClone(raw), i));
    });
    session.end();
  } catch (e) {
    if (e instanceof LimitError) return true;
    throw e;
  }
  return false;
}

/** A session alone on a network compiled for it. */
function alone(rules: Json[], facts: Json[]): Outcome {
  const { session, outcome } = collecting(compileRules(structuredClone(rules)).network);
  return outcome(feed(session, facts));
}

/** End-of-input rules and a mismatching test, added to every generated rule set (ids above theirs). */
const EXTRAS: Json[] = [
  {
    id: 90,
    name: 'sum by type',
    conditions: [
      { aggregation_type: 'Sum', source_field: 'v', group_by: ['type'], having: { field: 't', operator: 'GreaterThan', value: 2 }, alias: 't', window: null },
    ],
    actions: [log('sum')],
  },
  {
    id: 91,
    name: 'count window',
    conditions: [{ window_spec: { CountTumbling: { count: 2 } }, aggregation: 'Count', filter: null, having: null, alias: 'n' }],
    actions: [log('window')],
  },
  { id: 92, name: 'mismatch', conditions: [{ field: 'k', operator: 'GreaterThan', value: 'm' }], actions: [log('k')] },
];

describe('one network, many sessions', () => {
  it('sessions interleaved on one frozen network give what each gives alone on a fresh one (property)', async () => {
    await fc.assert(
      fc.asyncProperty(ruleSet, fc.array(factList, { minLength: 2, maxLength: 4 }), fc.array(fc.nat(3), { maxLength: 40 }), async (rules, lists, schedule) => {
        const all = [...rules, ...EXTRAS];
        const network = compileRules(structuredClone(all)).network;
        deepFreeze(network);
        const runs = lists.map((facts) => ({ facts, next: 0, limited: false, ...collecting(network) }));
        const step = (r: (typeof runs)[number]) => {
          if (r.limited || r.next >= r.facts.length) return;
          try {
            r.session.insert(decodeFact(structuredClone(r.facts[r.next]!), r.next));
          } catch (e) {
            if (!(e instanceof LimitError)) throw e;
            r.limited = true;
          }
          r.next++;
        };
        // First the schedule's order, one insert at a time; then the rest, concurrently.
        for (const k of schedule) step(runs[k % runs.length]!);
        await Promise.all(
          runs.map(async (r) => {
            while (!r.limited && r.next < r.facts.length) {
              await Promise.resolve();
              step(r);
            }
            if (r.limited) return;
            try {
              r.session.end();
            } catch (e) {
              if (!(e instanceof LimitError)) throw e;
              r.limited = true;
            }
          }),
        );
        for (const r of runs) expect(r.outcome(r.limited)).toEqual(alone(all, r.facts));
      }),
      { numRuns: Number(process.env.DIFF_RUNS ?? 60) },
    );
  });

  it('runs evaluate twice on one network with the same answers as fresh networks (defect 1)', () => {
    const rules = [
      { id: 1, name: 'one', salience: 10, conditions: [eq('x', 1)], actions: [set('y', 'no')] },
      { id: 2, name: 'two', conditions: [eq('y', 'yes')], actions: [log('y')] },
      { id: 3, name: 'three', salience: 20, conditions: [eq('x', 5)], actions: [set('w', 1)] },
      { id: 4, name: 'four', conditions: [eq('w', 1)], actions: [log('w')] },
    ];
    const shared = compileRules(rules).network;
    deepFreeze(shared);
    const first = evaluate(shared, [{ id: 7, x: 5, y: 'yes' }]);
    const second = evaluate(shared, [{ id: 8, x: 1, y: 'yes' }]);
    expect(brief(first.firings)).toEqual(brief(evaluate(compileRules(rules).network, [{ id: 7, x: 5, y: 'yes' }]).firings));
    // Rule 1 sets y to "no" before rule 2 can fire: only rule 1 fires on fact 8.
    expect(brief(second.firings)).toEqual(['1:8']);
  });

  it('counts type mismatches per session (defect 2)', () => {
    const network = compileRules([{ id: 1, name: 'r', conditions: [{ field: 'a', operator: 'GreaterThan', value: 1 }], actions: [] }]).network;
    const run = (facts: Json[]) => {
      const s = new Session(network);
      facts.forEach((f, i) => {
        s.insert(decodeFact(f, i));
      });
      s.end();
      return network.tests[0]!.mismatchTotal(s.stats.mismatches);
    };
    expect(run([{ a: 'x' }, { a: 'y' }])).toBe(2);
    expect(run([{ a: 'z' }])).toBe(1);
    expect(run([{ a: 3 }])).toBe(0);
  });
});

describe('the run plan', () => {
  const agg = {
    id: 1,
    name: 'big groups',
    conditions: [
      { aggregation_type: 'Count', source_field: 'g', group_by: ['g'], having: { field: 'n', operator: 'GreaterThan', value: 1 }, alias: 'n', window: null },
    ],
    actions: [log('big')],
  };

  it('reuses one record for input facts where nothing keeps it; end-of-input candidates then keep the fact', () => {
    const simple = compileRules([{ id: 1, name: 's', conditions: [eq('a', 1)], actions: [set('b', 2)] }]).network;
    expect(new Session(simple).plan).toMatchObject({ direct: true, retainFacts: false, reuseRecord: true });
    expect(new Session(simple, { onFactDone: () => {} }).plan.reuseRecord).toBe(true);
    const deferred = compileRules([agg]).network;
    expect(new Session(deferred).plan).toMatchObject({ direct: true, retainFacts: false, hasDeferred: true, reuseRecord: true });
    expect(new Session(deferred, { onFactDone: () => {} }).plan).toMatchObject({ direct: true, retainFacts: true, reuseRecord: false });
  });

  it('hands a record nothing took on to the next input fact: the same firings as keeping every record (property)', () => {
    const join = compileRules([
      {
        id: 1,
        name: 'j',
        patterns: [
          { alias: 'e', conditions: [eq('t', 'e')] },
          { alias: 'd', conditions: [eq('t', 'd')] },
        ],
        actions: [log('j')],
      },
    ]).network;
    expect(new Session(join).plan).toMatchObject({ direct: false, retainFacts: false, reuseRecord: false, recycleRecords: true });
    // Final facts asked for: a join's facts are kept to the end, so no record is handed on.
    expect(new Session(join, { onFactDone: () => {} }).plan.recycleRecords).toBe(false);
    const runs = Number(process.env.DIFF_RUNS ?? 200);
    let recycled = 0;
    fc.assert(
      fc.property(ruleSet, factList, (rules, facts) => {
        const network = compileRules(structuredClone(rules)).network;
        const run = (keep: boolean) => {
          const firings: Firing[] = [];
          const session = new Session(network, { maxFirings: 40, onFiring: (f) => firings.push(f), onFactDone: keep ? () => {} : undefined });
          feed(session, facts);
          return { recycles: session.plan.recycleRecords, firings: firings.map((f) => firingLine(f, 'tagged')) };
        };
        const handedOn = run(false);
        const kept = run(true);
        expect(handedOn.firings).toEqual(kept.firings);
        if (handedOn.recycles && !kept.recycles) recycled++;
      }),
      { numRuns: runs },
    );
    // Most generated rule sets have a multi-fact rule and no end-of-input one: records are handed on.
    expect(recycled).toBeGreaterThan(runs / 4);
  });

  it('end-of-input firings match a naive evaluation, with candidates kept as facts, as records, or through the agenda', () => {
    // Without final facts asked for, candidates keep their facts and fire in rank order
    // without the agenda; with them, they keep records; a (never firing) delete rule makes
    // the run go through the agenda. All three must give the naive evaluation's firings.
    type Spec = { salience: number; kind: 'Sum' | 'Count' | 'Max'; over: number; stream: boolean; onlyA: boolean };
    type In = { g: string; v: number | null | string; t: number };
    const value = fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constant(null), fc.constant('x'));
    const factArb = fc.record({ g: fc.constantFrom('a', 'b', 'c'), v: value, t: fc.integer({ min: 0, max: 200_000 }) });
    const ruleArb = fc.record({
      salience: fc.integer({ min: -2, max: 2 }),
      kind: fc.constantFrom('Sum' as const, 'Count' as const, 'Max' as const),
      over: fc.integer({ min: 0, max: 12 }),
      stream: fc.boolean(),
      onlyA: fc.boolean(),
    });
    const T0 = Date.UTC(2026, 0, 1);
    const SIZE = 60_000;
    const ADVANCE = 30_000;
    const aggregate = (kind: Spec['kind'], vs: In['v'][], stream: boolean): number | null => {
      if (kind === 'Count') return stream ? vs.length : vs.filter((v) => v !== null).length;
      const nums = vs.filter((v): v is number => typeof v === 'number');
      if (kind === 'Sum') return nums.reduce((a, b) => a + b, 0);
      return nums.length === 0 ? null : Math.max(...nums);
    };
    const naive = (specs: Spec[], facts: In[]): string[] => {
      const order = specs.map((r, i) => ({ ...r, id: i + 1 })).sort((a, b) => b.salience - a.salience || a.id - b.id);
      const out: string[] = [];
      for (const r of order) {
        facts.forEach((f, i) => {
          if (r.onlyA && f.g !== 'a') return;
          let values: In['v'][][];
          if (r.stream) {
            const ts = T0 + f.t * 1000;
            values = [];
            for (let k = Math.floor((ts - SIZE) / ADVANCE) + 1; k <= Math.floor(ts / ADVANCE); k++) {
              values.push(facts.filter((o) => T0 + o.t * 1000 >= k * ADVANCE && T0 + o.t * 1000 < k * ADVANCE + SIZE).map((o) => o.v));
            }
          } else values = [facts.filter((o) => o.g === f.g).map((o) => o.v)];
          if (values.some((vs) => (aggregate(r.kind, vs, r.stream) ?? -Infinity) > r.over)) out.push(`${r.id}:${i}`);
        });
      }
      return out;
    };
    fc.assert(
      fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 4 }), fc.array(factArb, { maxLength: 40 }), (specs, facts) => {
        const rules: Json[] = specs.map((r, i) => ({
          id: i + 1,
          name: `r${i + 1}`,
          salience: r.salience,
          conditions: [
            ...(r.onlyA ? [eq('g', 'a')] : []),
            r.stream
              ? {
                  window_spec: { Sliding: { size_ms: SIZE, advance_ms: ADVANCE } },
                  aggregation: r.kind === 'Count' ? 'Count' : { [r.kind]: { field: 'v' } },
                  filter: null,
                  having: { field: 'x', operator: 'GreaterThan', value: r.over },
                  alias: 'x',
                }
              : {
                  aggregation_type: r.kind,
                  source_field: 'v',
                  group_by: ['g'],
                  having: { field: 'x', operator: 'GreaterThan', value: r.over },
                  alias: 'x',
                  window: null,
                },
          ],
          actions: [set(`seen${i + 1}`, true)],
        }));
        const never = { id: 99, name: 'never', salience: -9, conditions: [eq('g', 'none')], actions: [act('DeleteFact', { fact_id_field: 'g' })] };
        const run = (rs: Json[], withFacts: boolean) => {
          const { network } = compileRules(rs);
          const firings: Firing[] = [];
          const s = new Session(network, { onFiring: (f) => firings.push(f), ...(withFacts ? { onFactDone: () => {} } : {}) });
          expect(s.plan.direct).toBe(rs.length === rules.length);
          facts.forEach((f, i) => {
            s.insert(decodeFact({ id: i, g: f.g, v: f.v, timestamp: new Date(T0 + f.t * 1000).toISOString() }, i));
          });
          s.end();
          return brief(firings);
        };
        const expected = naive(specs, facts);
        expect(run(rules, false)).toEqual(expected);
        expect(run(rules, true)).toEqual(expected);
        expect(run([...rules, never], false)).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('an end-of-input rule fires on the facts it was decided for, without final facts asked for', () => {
    const network = compileRules([agg]).network;
    const firings: Firing[] = [];
    const s = new Session(network, { onFiring: (f) => firings.push(f) });
    [
      { id: 1, g: 'a' },
      { id: 2, g: 'b' },
      { id: 3, g: 'a' },
    ].forEach((f, i) => {
      s.insert(decodeFact(f, i));
    });
    s.end();
    expect(brief(firings)).toEqual(['1:1', '1:3']);
  });
});

describe('writes address the field reads find (defect 3)', () => {
  it('SetField on a.b.c writes the "b.c" key inside a, and a rule reading a.b.c sees it', () => {
    const rules = [
      { id: 1, name: 'set', salience: 1, conditions: [eq('kind', 'x')], actions: [set('a.b.c', 2)] },
      { id: 2, name: 'see', conditions: [eq('a.b.c', 2)], actions: [log('seen')] },
    ];
    const out = evaluate(compileRules(rules).network, [{ id: 1, kind: 'x', a: { 'b.c': 1 } }]);
    expect(brief(out.firings)).toEqual(['1:1', '2:1']);
    expect(out.facts[0]!.fields).toEqual({ id: 1, kind: 'x', a: { 'b.c': 2 } });
  });

  it('IncrementField and AppendToArray follow the same rule; a missing path is created one key a segment', () => {
    const rules = [
      {
        id: 1,
        name: 'all',
        conditions: [],
        actions: [act('IncrementField', { field: 'a.b.c', increment: 1 }), act('AppendToArray', { field: 'a.b.list', value: 'x' }), set('new.path', true)],
      },
    ];
    const out = evaluate(compileRules(rules).network, [{ id: 1, a: { 'b.c': 1, 'b.list': [] } }]);
    expect(out.facts[0]!.fields).toEqual({ id: 1, a: { 'b.c': 2, 'b.list': ['x'] }, new: { path: true } });
  });
});

describe('actions of multi-fact rules read the bound facts (defect 4)', () => {
  const patterns = [
    { alias: 'e', conditions: [eq('type', 'emp')] },
    { alias: 'd', conditions: [eq('type', 'dept'), { field: 'id', operator: 'Equal', value: { Ref: 'e.dept' } }] },
  ];
  const facts = [
    { id: 1, type: 'emp', dept: 10, salary: 50 },
    { id: 10, type: 'dept', budget: 200, name: 'ops' },
  ];

  it('SetField with a Ref, a Formula over two aliases, a calculator mapping an alias, on the first fact or a target', () => {
    const rules = [
      {
        id: 1,
        name: 'join',
        patterns,
        actions: [
          set('dept_budget', { Ref: 'd.budget' }),
          act('Formula', { expression: 'e.salary / d.budget', output_field: 'share' }),
          act('Formula', { expression: 'salary * 2', output_field: 'double' }),
          act('CallCalculator', { calculator_name: 'add', input_mapping: { a: 'e.salary', b: 'd.budget' }, output_field: 'sum' }),
          { action_type: { SetField: { field: 'staff', value: { Ref: 'e.id' } } }, target: 'd' },
        ],
      },
    ];
    const out = evaluate(compileRules(rules).network, facts);
    expect(out.firings[0]!.actions_executed).toEqual([
      { FieldSet: { fact_id: 1, field: 'dept_budget', value: 200 } },
      { FieldSet: { fact_id: 1, field: 'share', value: 0.25 } },
      { FieldSet: { fact_id: 1, field: 'double', value: 100 } },
      { CalculatorResult: { calculator: 'add', result: '250', output_field: 'sum', parsed_value: 250 } },
      { FieldSet: { fact_id: 10, field: 'staff', value: 1 } },
    ]);
    expect(out.facts.map((f) => f.fields)).toEqual([
      { id: 1, type: 'emp', dept: 10, salary: 50, dept_budget: 200, share: 0.25, double: 100, sum: 250 },
      { id: 10, type: 'dept', budget: 200, name: 'ops', staff: 1 },
    ]);
  });

  it('a Ref to a missing field is a Logged result, not a write', () => {
    const rules = [{ id: 1, name: 'join', patterns, actions: [set('x', { Ref: 'd.missing' })] }];
    const out = evaluate(compileRules(rules).network, facts);
    expect(out.firings[0]!.actions_executed).toEqual([{ Logged: { message: 'SetField: the Ref\'d field "d.missing" is missing (the rule fired on fact 1)' } }]);
    expect(out.facts[0]!.fields).not.toHaveProperty('x');
  });

  it('validate names an unknown alias or a not/exists alias in a Ref, a Formula or a calculator mapping', () => {
    const rules = [
      {
        id: 1,
        name: 'bad',
        patterns: [...patterns, { alias: 'n', not: true, conditions: [eq('type', 'none')] }],
        actions: [
          set('a', { Ref: 'q.budget' }),
          set('b', { Ref: 'n.x' }),
          act('Formula', { expression: 'n.x + 1', output_field: 'c' }),
          act('CallCalculator', { calculator_name: 'add', input_mapping: { a: 'n.x', b: 'e.salary' }, output_field: 's' }),
        ],
      },
    ];
    expect(() => loadRules(rules)).toThrow();
    try {
      loadRules(rules);
    } catch (e) {
      const issues = (e as { issues: { path: string; message: string }[] }).issues.map((i) => `${i.path}: ${i.message}`);
      expect(issues).toEqual([
        '$[0].actions[0].action_type.SetField.value.Ref: Ref "q.budget" names unknown alias "q"; expected one of e, d, n',
        '$[0].actions[1].action_type.SetField.value.Ref: Ref "n.x" names alias "n" of a not/exists pattern, which binds no fact',
        '$[0].actions[2].action_type.Formula.expression: "n.x" reads alias "n" of a not/exists pattern, which binds no fact',
        '$[0].actions[3].action_type.CallCalculator.input_mapping.a: "n.x" reads alias "n" of a not/exists pattern, which binds no fact',
      ]);
    }
  });

  it('in a single-fact rule, {"Ref": …} stays the literal object it always was, with a warning', () => {
    const loaded = loadRules([{ id: 1, name: 'one', conditions: [], actions: [set('x', { Ref: 'a.b' })] }]);
    expect(loaded.warnings.map((w) => w.path)).toEqual(['$[0].actions[0].action_type.SetField.value']);
    const out = evaluate(compileRules([{ id: 1, name: 'one', conditions: [], actions: [set('x', { Ref: 'a.b' })] }]).network, [{ id: 1 }]);
    expect(out.facts[0]!.fields.x).toEqual({ Ref: 'a.b' });
  });
});

describe('created ids never collide with input ids (defect 5)', () => {
  const rules = [{ id: 1, name: 'make', conditions: [eq('kind', 'seed')], actions: [act('CreateFact', { data: { fields: { kind: 'made' } } })] }];

  it('a created fact takes an id from the reserved range, whatever ids the input carries before or after', () => {
    const out = evaluate(compileRules(rules).network, [
      { id: 1, kind: 'seed' },
      { id: 2, kind: 'other' },
      { id: 3, kind: 'seed' },
    ]);
    const ids = out.facts.map((f) => f.id);
    expect(ids).toEqual([1, FIRST_CREATED_ID, 2, 3, FIRST_CREATED_ID + 1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('an input fact may not use the reserved range: the decoder refuses it with its JSON path', () => {
    expect(() => decodeFact({ id: FIRST_CREATED_ID, kind: 'x' }, 0)).toThrow(FactDecodeError);
    expect(() => decodeFact({ id: FIRST_CREATED_ID + 5, data: { fields: {} } }, 0)).toThrow(/reserved for facts created by rules/);
    expect(decodeFact({ id: FIRST_CREATED_ID - 1, kind: 'x' }, 0).id).toBe(FIRST_CREATED_ID - 1);
  });

  it('shards can number created facts apart: first and step', () => {
    const network = compileRules(rules).network;
    const ids = (first: number) => {
      const made: number[] = [];
      const s = new Session(network, {
        createdIds: { first, step: 3 },
        onFiring: (f) => made.push((f.actions_executed[0] as { FactCreated: { fact_id: number } }).FactCreated.fact_id),
      });
      for (let i = 0; i < 3; i++) s.insert(decodeFact({ id: i, kind: 'seed' }, i));
      s.end();
      return made;
    };
    expect(ids(FIRST_CREATED_ID)).toEqual([FIRST_CREATED_ID, FIRST_CREATED_ID + 3, FIRST_CREATED_ID + 6]);
    expect(ids(FIRST_CREATED_ID + 1)).toEqual([FIRST_CREATED_ID + 1, FIRST_CREATED_ID + 4, FIRST_CREATED_ID + 7]);
  });
});

describe('explain shows end-of-input conditions (defect 6)', () => {
  it('names the window, the grouping and that the rule is decided at end of input, in text and JSON', () => {
    const network = compileRules([
      {
        id: 6,
        name: 'bursts',
        conditions: [
          {
            window_spec: { CountTumbling: { count: 3 } },
            aggregation: 'Count',
            filter: null,
            having: { field: 'n', operator: 'GreaterThan', value: 2 },
            alias: 'n',
          },
        ],
        actions: [log('burst')],
      },
      {
        id: 7,
        name: 'heavy',
        conditions: [
          eq('kind', 'hours'),
          {
            aggregation_type: 'Sum',
            source_field: 'h',
            group_by: ['emp'],
            having: { field: 't', operator: 'GreaterThan', value: 40 },
            alias: 't',
            window: { Tumbling: { size: 5 } },
          },
        ],
        actions: [log('heavy')],
      },
    ]).network;
    const text = formatExplain(network);
    expect(text).toContain('2 end-of-input conditions');
    expect(text).toContain('→ rule 6 "bursts": decided at end of input, for each fact that got here, when also');
    expect(text).toContain('stream window Count over CountTumbling(3) as n, having n GreaterThan 2');
    expect(text).toContain('aggregation Sum(h) by [emp] over Tumbling(5 facts) as t, having t GreaterThan 40');
    expect(text).not.toContain('fires rule 6');
    const json = explainNetwork(network);
    expect(json.terminals).toEqual([
      { rule: 6, name: 'bursts', salience: 0, endOfInput: [{ kind: 'stream', condition: 'Count over CountTumbling(3) as n, having n GreaterThan 2' }] },
    ]);
  });
});

describe('sharing keys are injective (defect 7)', () => {
  it('a field name holding the old separators does not make two tests one', () => {
    const rules = [
      {
        id: 1,
        name: 'A',
        conditions: [
          {
            operator: 'Not',
            conditions: [
              { field: 'y', operator: 'LessThan', value: 10 },
              { field: 'k', operator: 'GreaterThan', value: 10 },
            ],
          },
        ],
        actions: [log('A')],
      },
      {
        id: 2,
        name: 'B',
        conditions: [{ operator: 'Not', conditions: [{ field: 'y|LessThan|n10;k', operator: 'GreaterThan', value: 10 }] }],
        actions: [log('B')],
      },
    ];
    const { network } = compileRules(rules);
    expect(network.root.children).toHaveLength(2);
    // y is 2: A's Not fails; B's field is missing, so its Not holds.
    expect(brief(evaluate(network, [{ id: 97, y: 2 }]).firings)).toEqual(['2:97']);
  });

  it('patterns and Or conditions with look-alike text keep their own memories and tests', () => {
    const rules = [
      {
        id: 1,
        name: 'two tests',
        patterns: [
          { alias: 'a', conditions: [eq('p', 'x'), eq('q', 'y')] },
          { alias: 'b', conditions: [eq('kind', 'b')] },
        ],
        actions: [log('1')],
      },
      {
        id: 2,
        name: 'one look-alike test',
        patterns: [
          { alias: 'a', conditions: [eq('p', 'x";["field","q"')] },
          { alias: 'b', conditions: [eq('kind', 'b')] },
        ],
        actions: [log('2')],
      },
      { id: 3, name: 'or', conditions: [{ operator: 'Or', conditions: [eq('m', 'a,b'), eq('m', 'c')] }], actions: [log('3')] },
      { id: 4, name: 'or2', conditions: [{ operator: 'Or', conditions: [eq('m', 'a'), eq('m', 'b,c')] }], actions: [log('4')] },
    ];
    const { network } = compileRules(rules);
    expect(network.beta!.memories.length).toBe(3);
    const out = evaluate(network, [
      { id: 1, p: 'x', q: 'y' },
      { id: 2, kind: 'b' },
      { id: 3, m: 'a,b' },
    ]);
    expect(brief(out.firings)).toEqual(['1:1,2', '3:3']);
  });
});
