// Differential test: random small rule sets and fact lists run through the real engine
// (compileRules + evaluate: alpha network, hash dispatch, set tests, agenda, refraction,
// re-propagation) and through a deliberately naive evaluator written here from the
// documented semantics alone (docs/rules.md, docs/output.md): after each inserted fact,
// repeatedly fire the not-yet-fired (rule, fact) pair that matches now with the smallest
// (salience desc, rule id asc, fact order asc).
// The firing records (tagged, so int/float typing counts) and the final facts must agree,
// with chaining on and off.

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { compileRules, evaluate } from '../../src/engine.js';
import { LimitError } from '../../src/model/errors.js';
import { decodeFact } from '../../src/model/fact.js';
import { Session } from '../../src/rete/session.js';
import type { Network } from '../../src/rete/network.js';
import { firingLine } from '../../src/io/serialize.js';
import { OPERATORS, type ActionResult, type Firing } from '../../src/model/types.js';
import { DateValue, decodeValue, fieldsToTagged, FloatValue, type FieldMap, type Value } from '../../src/model/value.js';
import { NAIVE_FIRST_CREATED_ID, naiveCompare, naiveRead, naiveWrite } from './naive-operators.js';

// ---------------------------------------------------------------------------
// The naive evaluator.

type NCond = { kind: 'simple'; field: string; op: string; value: Value } | { kind: 'and' | 'or' | 'not'; conds: NCond[] };

type NAction =
  | { kind: 'Log'; message: string }
  | { kind: 'SetField'; field: string; value: Value }
  | { kind: 'IncrementField'; field: string; increment: Value }
  | { kind: 'AppendToArray'; field: string; value: Value }
  | { kind: 'CreateFact'; fields: FieldMap }
  | { kind: 'DeleteFact'; idField: string }
  | { kind: 'UpdateFact'; idField: string; updates: FieldMap };

interface NRule {
  id: number;
  name: string;
  salience: number;
  conds: NCond[];
  actions: NAction[];
}

interface NFact {
  id: number;
  fields: FieldMap;
  seq: number;
  alive: boolean;
  fired: Set<number>;
}

const decode = (wire: unknown): Value => decodeValue(structuredClone(wire));

function parseCond(c: Record<string, unknown>): NCond {
  if ('field' in c) return { kind: 'simple', field: c.field as string, op: c.operator as string, value: decode(c.value) };
  const op = (c.operator as string | undefined) ?? 'And';
  return { kind: op === 'Or' ? 'or' : op === 'Not' ? 'not' : 'and', conds: (c.conditions as Record<string, unknown>[]).map(parseCond) };
}

function parseAction(a: Record<string, unknown>): NAction {
  const [kind, body] = Object.entries(a.action_type as Record<string, Record<string, unknown>>)[0]!;
  switch (kind) {
    case 'Log':
      return { kind, message: body.message as string };
    case 'SetField':
    case 'AppendToArray':
      return { kind, field: body.field as string, value: decode(body.value) };
    case 'IncrementField':
      return { kind, field: body.field as string, increment: decode(body.increment) };
    case 'CreateFact':
      return { kind, fields: decode((body.data as { fields: unknown }).fields) as FieldMap };
    case 'DeleteFact':
      return { kind, idField: body.fact_id_field as string };
    case 'UpdateFact':
      return { kind, idField: body.fact_id_field as string, updates: decode(body.updates) as FieldMap };
  }
  throw new Error(`naive evaluator: no action ${kind}`);
}

function parseRule(r: Record<string, unknown>): NRule {
  return {
    id: r.id as number,
    name: r.name as string,
    salience: (r.salience as number | undefined) ?? 0,
    conds: (r.conditions as Record<string, unknown>[]).map(parseCond),
    actions: (r.actions as Record<string, unknown>[]).map(parseAction),
  };
}

const isBox = (v: unknown) => v instanceof FloatValue || v instanceof DateValue;
const isMap = (v: Value | undefined): v is FieldMap => v !== null && typeof v === 'object' && !Array.isArray(v) && !isBox(v);
const own = (o: FieldMap, k: string): Value | undefined => (Object.hasOwn(o, k) ? o[k] : undefined);

const read = naiveRead;
const write = naiveWrite;

function copy(v: Value): Value {
  if (Array.isArray(v)) return v.map(copy);
  if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)]));
  return v;
}

const num = (v: Value | undefined): number | undefined => (typeof v === 'number' ? v : v instanceof FloatValue ? v.value : undefined);
const floaty = (v: Value | undefined) => v instanceof FloatValue || (typeof v === 'number' && !Number.isInteger(v));

function kind(v: Value): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  if (v instanceof FloatValue) return 'number';
  if (v instanceof DateValue) return 'date';
  return Array.isArray(v) ? 'array' : 'object';
}

function describeV(v: Value): string {
  const s = JSON.stringify(v);
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

/** docs/rules.md (conditions), operator by operator. */
function holds(c: NCond, fields: FieldMap): boolean {
  if (c.kind !== 'simple') {
    if (c.kind === 'and') return c.conds.every((x) => holds(x, fields));
    if (c.kind === 'or') return c.conds.some((x) => holds(x, fields));
    return !c.conds.some((x) => holds(x, fields));
  }
  return naiveCompare(c.op, read(fields, c.field), c.value);
}

class NaiveLimit {}

interface NaiveRun {
  firings: Firing[];
  facts: NFact[];
  /** The run passed the firing limit (firings or created facts). */
  limited: boolean;
}

function naive(wireRules: Record<string, unknown>[], wireFacts: Record<string, unknown>[], chain: boolean, maxFirings: number): NaiveRun {
  const rules = wireRules.map(parseRule);
  const order = [...rules].sort((a, b) => b.salience - a.salience || a.id - b.id);
  const wm: NFact[] = [];
  const firings: Firing[] = [];
  let nextId = NAIVE_FIRST_CREATED_ID;
  let seq = 0;
  let created = 0;

  const add = (id: number, fields: FieldMap): NFact => {
    const f: NFact = { id, fields, seq: seq++, alive: true, fired: new Set() };
    wm.push(f);
    return f;
  };
  const matches = (r: NRule, f: NFact) => r.conds.every((c) => holds(c, f.fields));
  /** The newest fact with the id, if it is live. */
  const lookup = (id: number): NFact | undefined => {
    for (let i = wm.length - 1; i >= 0; i--) if (wm[i]!.id === id) return wm[i]!.alive ? wm[i] : undefined;
    return undefined;
  };
  const targetId = (f: NFact, field: string, what: string): number | string => {
    const v = read(f.fields, field);
    const n = num(v);
    if (n === undefined || !Number.isSafeInteger(n) || n < 0) {
      return v === undefined
        ? `${what}: field "${field}" of fact ${f.id} is missing; it should hold a fact id`
        : `${what}: field "${field}" of fact ${f.id} holds ${describeV(v)}, not a fact id`;
    }
    return n;
  };

  const runAction = (a: NAction, f: NFact): ActionResult => {
    switch (a.kind) {
      case 'Log':
        return { Logged: { message: a.message } };
      case 'SetField':
        if (!write(f.fields, a.field, copy(a.value))) {
          return { Logged: { message: `SetField: cannot set "${a.field}" on fact ${f.id}: a non-object value is in the way` } };
        }
        return { FieldSet: { fact_id: f.id, field: a.field, value: a.value } };
      case 'IncrementField': {
        const found = read(f.fields, a.field);
        const old = found === undefined ? 0 : found;
        const n = num(old);
        if (n === undefined) {
          return { Logged: { message: `IncrementField: field "${a.field}" of fact ${f.id} is ${kind(old)} ${describeV(old)}, not a number` } };
        }
        const sum = n + num(a.increment)!;
        const next: Value = (floaty(a.increment) || floaty(old)) && Number.isInteger(sum) ? new FloatValue(sum) : sum;
        if (!write(f.fields, a.field, next)) {
          return { Logged: { message: `IncrementField: cannot set "${a.field}" on fact ${f.id}: a non-object value is in the way` } };
        }
        return { FieldIncremented: { fact_id: f.id, field: a.field, old_value: old, new_value: next } };
      }
      case 'AppendToArray': {
        let arr = read(f.fields, a.field);
        if (arr === undefined) {
          arr = [];
          if (!write(f.fields, a.field, arr)) {
            return { Logged: { message: `AppendToArray: cannot create "${a.field}" on fact ${f.id}: a non-object value is in the way` } };
          }
        } else if (!Array.isArray(arr)) {
          return { Logged: { message: `AppendToArray: field "${a.field}" of fact ${f.id} is ${kind(arr)}, not an array` } };
        }
        arr.push(copy(a.value));
        return { ArrayAppended: { fact_id: f.id, field: a.field, appended_value: a.value, new_length: arr.length } };
      }
      case 'CreateFact': {
        if (++created > maxFirings) throw new NaiveLimit();
        // A created flat fact carries its id as a field too, so it reads back the same.
        const fields = copy(a.fields) as FieldMap;
        const id = nextId++;
        if (own(fields, 'id') === undefined) fields.id = id;
        add(id, fields);
        return { FactCreated: { fact_id: id, fact_data: { fields: a.fields } } };
      }
      case 'DeleteFact':
      case 'UpdateFact': {
        const id = targetId(f, a.idField, a.kind);
        if (typeof id === 'string') return { Logged: { message: id } };
        const other = lookup(id);
        if (other === undefined) return { Logged: { message: `${a.kind}: no fact with id ${id} in working memory` } };
        if (a.kind === 'DeleteFact') {
          other.alive = false;
          return { FactDeleted: { fact_id: id } };
        }
        for (const [path, value] of Object.entries(a.updates)) {
          if (!write(other.fields, path, copy(value))) {
            return { Logged: { message: `UpdateFact: cannot set "${path}" on fact ${id}: a non-object value is in the way` } };
          }
        }
        return { FactUpdated: { fact_id: id, updated_fields: a.updates } };
      }
    }
  };

  const fire = (r: NRule, f: NFact) => {
    if (firings.length + 1 > maxFirings) throw new NaiveLimit();
    f.fired.add(r.id);
    const results = r.actions.map((a) => runAction(a, f));
    firings.push({ rule_id: r.id, rule_name: r.name, fact_id: f.id, actions_executed: results });
  };

  const insert = (raw: Record<string, unknown>, ordinal: number) => {
    const fields = decode(raw) as FieldMap;
    const id = typeof fields.id === 'number' && Number.isSafeInteger(fields.id) && fields.id >= 0 ? fields.id : ordinal;
    const fact = add(id, fields);
    if (!chain) {
      // Matched once, on insertion; those activations fire unless the fact is deleted.
      const due = order.filter((r) => matches(r, fact));
      for (const r of due) if (fact.alive) fire(r, fact);
      return;
    }
    // The smallest (salience desc, rule id asc, fact order asc) among all live facts: rules
    // are in agenda order and working memory in insertion order, so the first match wins.
    for (;;) {
      let picked = false;
      for (const r of order) {
        const f = wm.find((x) => x.alive && !x.fired.has(r.id) && matches(r, x));
        if (f !== undefined) {
          fire(r, f);
          picked = true;
          break;
        }
      }
      if (!picked) break;
    }
  };
  try {
    wireFacts.forEach(insert);
  } catch (e) {
    if (!(e instanceof NaiveLimit)) throw e;
    return { firings, facts: [], limited: true };
  }
  return { firings, facts: wm.filter((f) => f.alive), limited: false };
}

// ---------------------------------------------------------------------------
// Comparison.

/** Firing lines in tagged form: int/float and date typing count. */
const taggedLines = (firings: Firing[]) => firings.map((f) => JSON.parse(firingLine(f, 'tagged')) as unknown);

const factLines = (facts: { id: number; fields: FieldMap }[]) => facts.map((f) => ({ id: f.id, fields: fieldsToTagged(f.fields) }));

const MAX_FIRINGS = 60;

/** The engine's firings up to a LimitError (evaluate keeps none when it throws). */
function engineUntilLimit(network: Network, facts: Record<string, unknown>[], chain: boolean): Firing[] {
  const firings: Firing[] = [];
  const session = new Session(network, { chain, maxFirings: MAX_FIRINGS, onFiring: (f) => firings.push(f) });
  expect(() => {
    facts.forEach((raw, ordinal) => {
      session.insert(decodeFact(structuredClone(raw), ordinal));
    });
    session.end();
  }).toThrow(LimitError);
  return firings;
}

function compare(rules: Record<string, unknown>[], facts: Record<string, unknown>[], chain: boolean): 'ok' | 'limit' {
  const model = naive(rules, facts, chain, MAX_FIRINGS);
  const { network } = compileRules(structuredClone(rules));
  let engine: ReturnType<typeof evaluate> | null = null;
  try {
    engine = evaluate(network, facts, { chain, maxFirings: MAX_FIRINGS });
  } catch (e) {
    if (!(e instanceof LimitError)) throw e;
  }
  expect(engine === null ? 'limit' : 'finished', `chain ${chain}: firing limit`).toBe(model.limited ? 'limit' : 'finished');
  if (engine === null) {
    // Both stopped at the limit: the firings up to it must still agree.
    const partial = engineUntilLimit(compileRules(structuredClone(rules)).network, facts, chain);
    expect(taggedLines(partial), `chain ${chain}: firings up to the limit`).toEqual(taggedLines(model.firings));
    return 'limit';
  }
  expect(taggedLines(engine.firings), `chain ${chain}: firings`).toEqual(taggedLines(model.firings));
  expect(factLines(engine.facts), `chain ${chain}: final facts`).toEqual(factLines(model.facts));
  return 'ok';
}

// ---------------------------------------------------------------------------
// Generators (wire JSON, as rule and fact files carry it).

const DATE_A = '2024-01-01T00:00:00Z';
const DATE_A2 = '2024-01-01T01:00:00+01:00'; // the same instant as DATE_A
const DATE_B = '2024-06-01T12:00:00+02:00';

const scalars: unknown[] = [
  -2,
  -1,
  0,
  1,
  2,
  3,
  0.5,
  1.5,
  -1.5,
  { Float: 1 },
  { Float: 2 },
  { Float: 0.5 },
  { Integer: 1 },
  'a',
  'b',
  'ab',
  'ba',
  'abc',
  'bc',
  '',
  'A',
  DATE_A,
  DATE_A2,
  DATE_B,
  { Date: DATE_A },
  { Date: DATE_B },
  true,
  false,
  null,
  'Null',
];
const scalar = fc.constantFrom(...scalars);
const constant: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom({ Array: [1, 'a'] }, { k: 1 }, { Object: { k: { Float: 1 } } }) },
);

const readFields = ['a', 'b', 'c', 'tags', 'n.x', 'ref', 'id'] as const;
const writeFields = ['a', 'b', 'c', 'tags', 'n.x', 'ref'] as const;

const simpleCond = fc.record({ field: fc.constantFrom(...readFields), operator: fc.constantFrom(...OPERATORS), value: constant });
/** An Or of Equals on one field: the engine turns it into a set test. */
const inSet = fc
  .tuple(fc.constantFrom(...readFields), fc.array(scalar, { minLength: 2, maxLength: 4 }))
  .map(([field, values]) => ({ operator: 'Or', conditions: values.map((value) => ({ field, operator: 'Equal', value })) }));

const condition: fc.Arbitrary<unknown> = fc.letrec<{ c: unknown }>((tie) => ({
  c: fc.oneof(
    { maxDepth: 3, depthSize: 'small' },
    { weight: 6, arbitrary: simpleCond },
    { weight: 1, arbitrary: inSet },
    { weight: 2, arbitrary: fc.record({ operator: fc.constantFrom('And', 'Or', 'Not'), conditions: fc.array(tie('c'), { maxLength: 3 }) }) },
    { weight: 1, arbitrary: fc.record({ conditions: fc.array(tie('c'), { maxLength: 2 }) }) },
  ),
})).c;

const flatFields = fc
  .record(
    {
      a: constant,
      b: constant,
      c: constant,
      tags: fc.oneof(fc.array(scalar, { maxLength: 3 }), scalar),
      n: fc.oneof(fc.record({ x: constant }, { requiredKeys: [] }), scalar),
      'n.x': scalar,
      ref: fc.oneof(fc.integer({ min: 0, max: 12 }), scalar),
    },
    { requiredKeys: [] },
  )
  .map((f) => {
    // A literal "n.x" key is rare: keep it in about one record in four.
    if ('n.x' in f && (JSON.stringify(f).length & 3) !== 0) delete (f as Record<string, unknown>)['n.x'];
    return f;
  });

const action: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ field: fc.constantFrom(...writeFields), value: constant }).map((b) => ({ action_type: { SetField: b } })) },
  {
    weight: 2,
    arbitrary: fc
      .record({ field: fc.constantFrom(...writeFields), increment: fc.constantFrom(1, -1, 2, 0.5, { Float: 1 }, { Integer: 2 }) })
      .map((b) => ({ action_type: { IncrementField: b } })),
  },
  { weight: 2, arbitrary: fc.record({ field: fc.constantFrom(...writeFields), value: constant }).map((b) => ({ action_type: { AppendToArray: b } })) },
  { weight: 1, arbitrary: fc.constantFrom('x', 'y').map((message) => ({ action_type: { Log: { message } } })) },
  { weight: 1, arbitrary: flatFields.map((fields) => ({ action_type: { CreateFact: { data: { fields } } } })) },
  { weight: 1, arbitrary: fc.constantFrom('ref', 'id', 'a').map((f) => ({ action_type: { DeleteFact: { fact_id_field: f } } })) },
  {
    weight: 1,
    arbitrary: fc
      .record({ fact_id_field: fc.constantFrom('ref', 'id'), updates: fc.dictionary(fc.constantFrom(...writeFields), constant, { minKeys: 1, maxKeys: 2 }) })
      .map((b) => ({ action_type: { UpdateFact: b } })),
  },
);

const ruleSet = fc.uniqueArray(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 8 }).chain((ids) =>
  fc.tuple(
    ...ids.map((id) =>
      fc
        .record({
          salience: fc.option(fc.integer({ min: -1, max: 2 }), { nil: undefined }),
          conditions: fc.array(condition, { maxLength: 3 }),
          actions: fc.array(action, { maxLength: 3 }),
        })
        .map((r) => JSON.parse(JSON.stringify({ id, name: `rule ${id}`, ...r })) as Record<string, unknown>),
    ),
  ),
);

const factList = fc
  .array(flatFields, { maxLength: 15 })
  .chain((records) =>
    fc
      .tuple(
        fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { minLength: records.length, maxLength: records.length }),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: records.length, maxLength: records.length }),
      )
      .map(([ids, keep]) => records.map((rec, i) => JSON.parse(JSON.stringify(keep[i] === 0 ? rec : { id: ids[i], ...rec })) as Record<string, unknown>)),
  );

// ---------------------------------------------------------------------------

describe('engine vs naive evaluator (docs/rules.md (conditions))', () => {
  it('agree on hand-picked cases', () => {
    const rules = [
      {
        id: 1,
        name: 'set',
        conditions: [{ field: 'a', operator: 'Equal', value: { Float: 1 } }],
        actions: [{ action_type: { SetField: { field: 'b', value: 'ab' } } }],
      },
      {
        id: 2,
        name: 'chain',
        salience: 1,
        conditions: [{ field: 'b', operator: 'StartsWith', value: 'a' }],
        actions: [{ action_type: { IncrementField: { field: 'n.x', increment: 0.5 } } }],
      },
      {
        id: 3,
        name: 'make',
        conditions: [{ field: 'n.x', operator: 'GreaterThan', value: 0 }],
        actions: [{ action_type: { CreateFact: { data: { fields: { a: 2, tags: [] } } } } }],
      },
      {
        id: 4,
        name: 'del',
        conditions: [
          {
            operator: 'Or',
            conditions: [
              { field: 'ref', operator: 'Equal', value: 7 },
              { field: 'ref', operator: 'Equal', value: 'x' },
            ],
          },
        ],
        actions: [{ action_type: { DeleteFact: { fact_id_field: 'ref' } } }],
      },
    ];
    const facts = [
      { id: 7, a: 1 },
      { id: 3, a: 2, ref: 7 },
      { a: { Float: 1 }, b: 'zz' },
    ];
    for (const chain of [true, false]) expect(compare(rules, facts, chain)).toBe('ok');
  });

  it('agree on random rule sets and facts, with chaining on and off (property)', () => {
    let finished = 0;
    fc.assert(
      fc.property(ruleSet, factList, (rules, facts) => {
        if (compare(rules, facts, true) === 'ok') finished++;
        compare(rules, facts, false);
      }),
      { numRuns: 800 },
    );
    // The generators must mostly produce runs that finish, or the comparison says little.
    expect(finished).toBeGreaterThan(500);
  });
});
