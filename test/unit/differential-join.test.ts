// Differential test for multi-fact rules (patterns): random small rule sets (multi-pattern
// rules with Refs, not and exists patterns, mixed with single-fact rules) and fact lists
// run through the real engine (alpha memories, hash joins, not/exists counts, retraction,
// re-insertion of changed facts, refraction by combination, the agenda) and through a
// naive evaluator written here from docs/rules.md (patterns, conditions) alone, which enumerates every
// combination of facts each time it looks for the next firing:
//
// - after each inserted fact, repeatedly fire the smallest not-yet-fired match, where the
//   matches are all combinations of live facts (one per positive pattern; a not pattern
//   holds when no live fact matches it, an exists pattern when some does, Refs bound);
// - order: salience desc, rule id asc, then the bound facts' insertion order, most recent
//   first, then pattern order;
// - rules with a not pattern only match at end of input (then everything fires again to empty);
// - with chaining, facts are matched with their current values and created facts take
//   part; without it (--no-chain), facts are matched as they were inserted and created
//   facts do not take part.
//
// Firing records (tagged, with fact_ids) and final facts must be identical, in order.
// DIFF_RUNS=<n> runs more random cases; DIFF_STATS=1 prints what fired.

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { compileRules, evaluate } from '../../src/engine.js';
import { LimitError } from '../../src/model/errors.js';
import { decodeFact } from '../../src/model/fact.js';
import { Session } from '../../src/rete/session.js';
import { firingLine } from '../../src/io/serialize.js';
import type { ActionResult, Firing } from '../../src/model/types.js';
import { decodeValue, fieldsToTagged, FloatValue, type FieldMap, type Value } from '../../src/model/value.js';
import { NAIVE_FIRST_CREATED_ID, naiveCompare } from './naive-operators.js';
import { factList, ruleSet } from './rule-arbitraries.js';

// ---------------------------------------------------------------------------
// The naive evaluator.

type NCond =
  | { kind: 'simple'; field: string; op: string; value: Value | undefined; ref: { alias: string; field: string } | null }
  | { kind: 'and' | 'or' | 'not'; conds: NCond[] };

type NAction = (
  | { kind: 'Log'; message: string }
  | { kind: 'SetField'; field: string; value: Value; ref: { alias: string; field: string } | null }
  | { kind: 'IncrementField'; field: string; increment: Value }
  | { kind: 'CreateFact'; fields: FieldMap }
  | { kind: 'DeleteFact'; idField: string }
  | { kind: 'UpdateFact'; idField: string; updates: FieldMap }
) & { target: string | null };

interface NPattern {
  alias: string;
  conds: NCond[];
  not: boolean;
  exists: boolean;
}

interface NRule {
  id: number;
  name: string;
  salience: number;
  /** A single-fact rule is one pattern here (its fact_ids are not written). */
  patterns: NPattern[];
  multi: boolean;
  hasNot: boolean;
  actions: NAction[];
}

interface NFact {
  id: number;
  fields: FieldMap;
  /** The values at insertion (what --no-chain matches on). */
  inserted: FieldMap;
  seq: number;
  alive: boolean;
  created: boolean;
}

const decode = (wire: unknown): Value => decodeValue(structuredClone(wire));

function parseCond(c: Record<string, unknown>): NCond {
  if ('field' in c) {
    const v = c.value as Record<string, unknown>;
    if (v !== null && typeof v === 'object' && 'Ref' in v) {
      const [alias, field] = (v.Ref as string).split('.') as [string, string];
      return { kind: 'simple', field: c.field as string, op: c.operator as string, value: undefined, ref: { alias, field } };
    }
    return { kind: 'simple', field: c.field as string, op: c.operator as string, value: decode(c.value), ref: null };
  }
  const op = (c.operator as string | undefined) ?? 'And';
  return { kind: op === 'Or' ? 'or' : op === 'Not' ? 'not' : 'and', conds: (c.conditions as Record<string, unknown>[]).map(parseCond) };
}

function parseAction(a: Record<string, unknown>): NAction {
  const target = (a.target as string | undefined) ?? null;
  const [kind, body] = Object.entries(a.action_type as Record<string, Record<string, unknown>>)[0]!;
  switch (kind) {
    case 'Log':
      return { kind, message: body.message as string, target };
    case 'SetField': {
      const v = body.value as Record<string, unknown> | null;
      if (v !== null && typeof v === 'object' && typeof v.Ref === 'string') {
        const [alias, field] = v.Ref.split('.') as [string, string];
        return { kind, field: body.field as string, value: null, ref: { alias, field }, target };
      }
      return { kind, field: body.field as string, value: decode(body.value), ref: null, target };
    }
    case 'IncrementField':
      return { kind, field: body.field as string, increment: decode(body.increment), target };
    case 'CreateFact':
      return { kind, fields: decode((body.data as { fields: unknown }).fields) as FieldMap, target };
    case 'DeleteFact':
      return { kind, idField: body.fact_id_field as string, target };
    case 'UpdateFact':
      return { kind, idField: body.fact_id_field as string, updates: decode(body.updates) as FieldMap, target };
  }
  throw new Error(`naive evaluator: no action ${kind}`);
}

function parseRule(r: Record<string, unknown>): NRule {
  const multi = Array.isArray(r.patterns);
  const patterns: NPattern[] = multi
    ? (r.patterns as Record<string, unknown>[]).map((p) => ({
        alias: p.alias as string,
        conds: ((p.conditions as Record<string, unknown>[] | undefined) ?? []).map(parseCond),
        not: p.not === true,
        exists: p.exists === true,
      }))
    : [{ alias: '$', conds: (r.conditions as Record<string, unknown>[]).map(parseCond), not: false, exists: false }];
  return {
    id: r.id as number,
    name: r.name as string,
    salience: (r.salience as number | undefined) ?? 0,
    patterns,
    multi,
    hasNot: patterns.some((p) => p.not),
    actions: (r.actions as Record<string, unknown>[]).map(parseAction),
  };
}

const own = (o: FieldMap, k: string): Value | undefined => (Object.hasOwn(o, k) ? o[k] : undefined);
const num = (v: Value | undefined): number | undefined => (typeof v === 'number' ? v : v instanceof FloatValue ? v.value : undefined);
const floaty = (v: Value | undefined) => v instanceof FloatValue || (typeof v === 'number' && !Number.isInteger(v));
const copy = (v: Value): Value =>
  Array.isArray(v)
    ? v.map(copy)
    : v !== null && typeof v === 'object' && !(v instanceof FloatValue) && !('ms' in v)
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)]))
      : v;

/** A condition on `fields`, Refs read from `bound` (alias → fields of the fact bound to it). */
function holds(c: NCond, fields: FieldMap, bound: Map<string, FieldMap>): boolean {
  if (c.kind !== 'simple') {
    if (c.kind === 'and') return c.conds.every((x) => holds(x, fields, bound));
    if (c.kind === 'or') return c.conds.some((x) => holds(x, fields, bound));
    return !c.conds.some((x) => holds(x, fields, bound));
  }
  const k = c.ref === null ? c.value : own(bound.get(c.ref.alias)!, c.ref.field);
  return naiveCompare(c.op, own(fields, c.field), k);
}

class NaiveLimit {}

interface Match {
  rule: NRule;
  rank: number;
  /** Per pattern, the fact (null for not/exists). */
  facts: (NFact | null)[];
  order: number[];
  key: string;
}

function naive(wireRules: Record<string, unknown>[], wireFacts: Record<string, unknown>[], chain: boolean, maxFirings: number) {
  const rules = wireRules.map(parseRule).sort((a, b) => b.salience - a.salience || a.id - b.id);
  const wm: NFact[] = [];
  const firings: Firing[] = [];
  const fired = new Set<string>();
  let nextId = NAIVE_FIRST_CREATED_ID;
  let seq = 0;
  let created = 0;
  let ended = false;

  const add = (id: number, fields: FieldMap, isCreated: boolean): NFact => {
    const f: NFact = { id, fields, inserted: copy(fields) as FieldMap, seq: seq++, alive: true, created: isCreated };
    wm.push(f);
    return f;
  };
  const visible = () => wm.filter((f) => f.alive && (chain || !f.created));
  const view = (f: NFact) => (chain ? f.fields : f.inserted);
  const lookup = (id: number): NFact | undefined => {
    for (let i = wm.length - 1; i >= 0; i--) if (wm[i]!.id === id) return wm[i]!.alive ? wm[i] : undefined;
    return undefined;
  };

  const matchesOf = (rule: NRule, rank: number): Match[] => {
    const out: Match[] = [];
    const facts = visible();
    const walk = (i: number, chosen: (NFact | null)[], bound: Map<string, FieldMap>) => {
      if (i === rule.patterns.length) {
        const b = chosen.filter((f): f is NFact => f !== null);
        out.push({ rule, rank, facts: [...chosen], order: b.map((f) => f.seq).sort((x, y) => y - x), key: `${rule.id}:${b.map((f) => f.seq).join(',')}` });
        return;
      }
      const p = rule.patterns[i]!;
      const ok = facts.filter((f) => p.conds.every((c) => holds(c, view(f), bound)));
      if (p.not || p.exists) {
        if (p.not === (ok.length === 0)) walk(i + 1, [...chosen, null], bound);
        return;
      }
      for (const f of ok) walk(i + 1, [...chosen, f], new Map(bound).set(p.alias, view(f)));
    };
    walk(0, [], new Map());
    return out.filter((m) => !fired.has(m.key));
  };

  const before = (a: Match, b: Match) => {
    for (let i = 0; i < a.order.length; i++) if (a.order[i] !== b.order[i]) return a.order[i]! - b.order[i]!;
    for (let i = 0; i < a.facts.length; i++) {
      const x = a.facts[i];
      const y = b.facts[i];
      if (x && y && x.seq !== y.seq) return x.seq - y.seq;
    }
    return 0;
  };

  const targetId = (f: NFact, field: string, what: string): number | string => {
    const v = own(f.fields, field);
    const n = num(v);
    if (n === undefined || !Number.isSafeInteger(n) || n < 0) {
      return v === undefined
        ? `${what}: field "${field}" of fact ${f.id} is missing; it should hold a fact id`
        : `${what}: field "${field}" of fact ${f.id} holds ${JSON.stringify(v)}, not a fact id`;
    }
    return n;
  };

  const runAction = (a: NAction, f: NFact, bound: Map<string, NFact>): ActionResult => {
    switch (a.kind) {
      case 'Log':
        return { Logged: { message: a.message } };
      case 'SetField': {
        if (a.ref === null) {
          f.fields[a.field] = copy(a.value);
          return { FieldSet: { fact_id: f.id, field: a.field, value: a.value } };
        }
        // A Ref reads the bound fact's field as it is now.
        const read = own(bound.get(a.ref.alias)!.fields, a.ref.field);
        if (read === undefined) {
          return { Logged: { message: `SetField: the Ref'd field "${a.ref.alias}.${a.ref.field}" is missing (the rule fired on fact ${f.id})` } };
        }
        f.fields[a.field] = copy(read);
        return { FieldSet: { fact_id: f.id, field: a.field, value: copy(read) } };
      }
      case 'IncrementField': {
        const found = own(f.fields, a.field);
        const old = found === undefined ? 0 : found;
        const n = num(old);
        if (n === undefined) throw new Error('generators only increment numbers');
        const sum = n + num(a.increment)!;
        const next: Value = (floaty(a.increment) || floaty(old)) && Number.isInteger(sum) ? new FloatValue(sum) : sum;
        f.fields[a.field] = next;
        return { FieldIncremented: { fact_id: f.id, field: a.field, old_value: old, new_value: next } };
      }
      case 'CreateFact': {
        if (++created > maxFirings) throw new NaiveLimit();
        const fields = copy(a.fields) as FieldMap;
        const id = nextId++;
        if (own(fields, 'id') === undefined) fields.id = id;
        add(id, fields, true);
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
        for (const [path, value] of Object.entries(a.updates)) other.fields[path] = copy(value);
        return { FactUpdated: { fact_id: id, updated_fields: a.updates } };
      }
    }
  };

  const fireToEmpty = () => {
    for (;;) {
      let next: Match | null = null;
      for (let r = 0; r < rules.length && next === null; r++) {
        const rule = rules[r]!;
        if (rule.hasNot && !ended) continue;
        for (const m of matchesOf(rule, r)) if (next === null || before(m, next) < 0) next = m;
      }
      if (next === null) return;
      if (firings.length + 1 > maxFirings) throw new NaiveLimit();
      fired.add(next.key);
      const rule = next.rule;
      const index = new Map(rule.patterns.map((p, i) => [p.alias, i]));
      const bound = new Map<string, NFact>();
      rule.patterns.forEach((p, i) => {
        if (next.facts[i]) bound.set(p.alias, next.facts[i]!);
      });
      const results = rule.actions.map((a) => runAction(a, next.facts[a.target === null ? 0 : index.get(a.target)!]!, bound));
      const first = next.facts[0]!;
      const firing: Firing = { rule_id: rule.id, rule_name: rule.name, fact_id: first.id, actions_executed: results };
      if (rule.multi) firing.fact_ids = next.facts.filter((f): f is NFact => f !== null).map((f) => f.id);
      firings.push(firing);
    }
  };

  try {
    wireFacts.forEach((raw, ordinal) => {
      const fields = decode(raw) as FieldMap;
      const id = typeof fields.id === 'number' && Number.isSafeInteger(fields.id) && fields.id >= 0 ? fields.id : ordinal;
      add(id, fields, false);
      fireToEmpty();
    });
    ended = true;
    fireToEmpty();
  } catch (e) {
    if (!(e instanceof NaiveLimit)) throw e;
    return { firings, facts: [] as NFact[], limited: true };
  }
  return { firings, facts: wm.filter((f) => f.alive), limited: false };
}

// ---------------------------------------------------------------------------
// Comparison.

const taggedLines = (firings: Firing[]) => firings.map((f) => JSON.parse(firingLine(f, 'tagged')) as unknown);
const factLines = (facts: { id: number; fields: FieldMap }[]) => facts.map((f) => ({ id: f.id, fields: fieldsToTagged(f.fields) }));

const MAX_FIRINGS = 50;

function check(rules: Record<string, unknown>[], facts: Record<string, unknown>[], chain: boolean): 'ok' | 'limit' {
  const model = naive(rules, facts, chain, MAX_FIRINGS);
  const { network } = compileRules(structuredClone(rules));
  const firings: Firing[] = [];
  const done: { id: number; fields: FieldMap }[] = [];
  const session = new Session(network, { chain, maxFirings: MAX_FIRINGS, onFiring: (f) => firings.push(f), onFactDone: (f) => done.push(f) });
  let limited = false;
  try {
    facts.forEach((raw, ordinal) => {
      session.insert(decodeFact(structuredClone(raw), ordinal));
    });
    session.end();
  } catch (e) {
    if (!(e instanceof LimitError)) throw e;
    limited = true;
  }
  expect(limited, `chain ${chain}: firing limit`).toBe(model.limited);
  expect(taggedLines(firings), `chain ${chain}: firings`).toEqual(taggedLines(model.firings));
  if (!limited) expect(factLines(done), `chain ${chain}: final facts`).toEqual(factLines(model.facts));
  return limited ? 'limit' : 'ok';
}

// ---------------------------------------------------------------------------

describe('multi-fact rules: engine vs naive evaluator (docs/rules.md)', () => {
  it('agree on hand-picked cases: a join, a late dept, not, exists, a delete and a change', () => {
    const rules = [
      {
        id: 1,
        name: 'join',
        patterns: [
          { alias: 'e', conditions: [{ field: 'type', operator: 'Equal', value: 'a' }] },
          {
            alias: 'd',
            conditions: [
              { field: 'type', operator: 'Equal', value: 'b' },
              { field: 'k', operator: 'Equal', value: { Ref: 'e.k' } },
            ],
          },
        ],
        actions: [{ target: 'd', action_type: { IncrementField: { field: 'n', increment: 1 } } }],
      },
      {
        id: 2,
        name: 'lonely b',
        patterns: [
          { alias: 'd', conditions: [{ field: 'type', operator: 'Equal', value: 'b' }] },
          {
            alias: 'e',
            not: true,
            conditions: [
              { field: 'type', operator: 'Equal', value: 'a' },
              { field: 'k', operator: 'Equal', value: { Ref: 'd.k' } },
            ],
          },
        ],
        actions: [{ action_type: { Log: { message: 'nobody' } } }],
      },
      {
        id: 3,
        name: 'some bigger',
        salience: 1,
        patterns: [
          { alias: 'e', conditions: [{ field: 'type', operator: 'Equal', value: 'a' }] },
          { alias: 'x', exists: true, conditions: [{ field: 'v', operator: 'GreaterThan', value: { Ref: 'e.v' } }] },
        ],
        actions: [{ action_type: { SetField: { field: 'k', value: 2 } } }],
      },
      {
        id: 4,
        name: 'delete',
        patterns: [
          { alias: 'e', conditions: [{ field: 'v', operator: 'Equal', value: 3 }] },
          { alias: 'o', conditions: [{ field: 'id', operator: 'Equal', value: { Ref: 'e.ref' } }] },
        ],
        actions: [{ action_type: { DeleteFact: { fact_id_field: 'ref' } } }],
      },
    ];
    const facts = [
      { id: 0, type: 'a', k: 1, v: 1 },
      { id: 1, type: 'b', k: 1 },
      { id: 2, type: 'b', k: { Float: 1 } },
      { id: 3, type: 'a', k: 0, v: 2 },
      { id: 4, type: 'b', k: 0 },
      { id: 5, type: 'c', v: 3, ref: 2 },
      { id: 6, type: 'b', k: 5 },
    ];
    for (const chain of [true, false]) expect(check(rules, facts, chain)).toBe('ok');
  });

  it('agree on random multi-pattern rule sets with inserts, changes and deletes, chaining on and off (property)', () => {
    const runs = Number(process.env.DIFF_RUNS ?? 600);
    let finished = 0;
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(ruleSet, factList, (rules, facts) => {
        if (check(rules, facts, true) === 'ok') finished++;
        check(rules, facts, false);
        // Runs in which each kind fired at least once (a count of runs, not of firings: a few
        // runs firing thousands of times would hide a generator that rarely makes a kind).
        for (const [k, n] of firingKinds(rules, facts)) if (n > 0) seen.set(k, (seen.get(k) ?? 0) + 1);
      }),
      { numRuns: runs },
    );
    if (process.env.DIFF_STATS) console.log(JSON.stringify(Object.fromEntries(seen)));
    expect(finished).toBeGreaterThan(runs * 0.7);
    // The generators must make every kind of rule fire, and facts change and go, or the comparison says little.
    for (const kind of ['joins', 'not', 'exists', 'FactDeleted', 'FactUpdated', 'FieldSet']) expect(seen.get(kind) ?? 0, kind).toBeGreaterThan(runs / 60);
  }, 120_000);
});

/** What fired in a run (chaining on): rule kinds and action results. */
function firingKinds(rules: Record<string, unknown>[], facts: Record<string, unknown>[]): Map<string, number> {
  const out = new Map<string, number>();
  const bump = (k: string) => out.set(k, (out.get(k) ?? 0) + 1);
  let firings: Firing[];
  try {
    firings = evaluate(compileRules(structuredClone(rules)).network, facts, { maxFirings: MAX_FIRINGS }).firings;
  } catch (e) {
    if (e instanceof LimitError) return out;
    throw e;
  }
  for (const f of firings) {
    const ps = rules.find((x) => x.id === f.rule_id)!.patterns as { not?: boolean; exists?: boolean }[] | undefined;
    if (ps && ps.length > 1) bump('joins');
    if (ps?.some((p) => p.not)) bump('not');
    if (ps?.some((p) => p.exists)) bump('exists');
    for (const a of f.actions_executed) bump(Object.keys(a)[0]!);
  }
  return out;
}
