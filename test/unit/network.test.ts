// Tests for network compilation (src/rete/network.ts, alpha-node.ts, explain.ts): sharing of
// identical tests, hash dispatch of Equal tests on constants, test order by rank, the
// chaining analysis flags, terminal ranks, and what explain says about it all.

import { describe, it, expect } from 'vitest';
import { compileRules, evaluate } from '../../src/engine.js';
import { type AlphaNode, collect } from '../../src/rete/alpha-node.js';
import { explainNetwork, formatExplain, compactIds } from '../../src/rete/explain.js';
import type { Network } from '../../src/rete/network.js';
import { Rank } from '../../src/rete/predicates.js';
import { Session } from '../../src/rete/session.js';
import { decodeFact } from '../../src/model/fact.js';
import type { Terminal } from '../../src/rete/terminal.js';

type Json = Record<string, unknown>;

function r(id: number, conditions: unknown[], actions: unknown[] = [], extra: Json = {}): Json {
  return { id, name: `rule ${id}`, conditions, actions, ...extra };
}

const eq = (field: string, value: unknown) => ({ field, operator: 'Equal', value });
const gt = (field: string, value: unknown) => ({ field, operator: 'GreaterThan', value });
const has = (field: string, value: unknown) => ({ field, operator: 'Contains', value });
const setField = (field: string, value: unknown) => ({ action_type: { SetField: { field, value } } });

function net(rules: Json[]): Network {
  return compileRules(rules).network;
}

/** Rule ids whose terminals a fact's fields reach. */
function reached(n: Network, fields: Json): number[] {
  const out: Terminal[] = [];
  const count = collect(n.root, structuredClone(fields) as never, out, [], new Array<number>(n.slots).fill(0));
  return out
    .slice(0, count)
    .map((t) => t.rule.id)
    .sort((a, b) => a - b);
}

/** The node where a rule's terminal sits, and the chain of nodes leading to it. */
function chainOf(n: Network, ruleId: number): AlphaNode[] {
  const path: AlphaNode[] = [];
  const walk = (node: AlphaNode): boolean => {
    path.push(node);
    if (node.terminals.some((t) => t.rule.id === ruleId)) return true;
    for (const g of node.hashGroups) for (const c of g.index.values()) if (walk(c)) return true;
    for (const c of node.children) if (walk(c)) return true;
    path.pop();
    return false;
  };
  walk(n.root);
  return path;
}

describe('sharing', () => {
  it('shares an identical test between rules, listing them on the node', () => {
    const n = net([r(1, [gt('salary', 100)]), r(2, [gt('salary', 100)]), r(3, [gt('salary', 200)])]);
    expect(n.root.children).toHaveLength(2);
    const shared = n.root.children.find((c) => c.test!.label === 'salary GreaterThan 100')!;
    expect(shared.rules).toEqual([1, 2]);
    expect(shared.terminals.map((t) => t.rule.id)).toEqual([1, 2]);
    expect(n.root.rules).toEqual([1, 2, 3]);
    expect(n.tests).toHaveLength(2);
  });

  it('shares tests that differ only in int vs float constants', () => {
    const n = net([r(1, [gt('x', 5)]), r(2, [gt('x', { Float: 5 })]), r(3, [gt('x', 5.0)])]);
    expect(n.root.children).toHaveLength(1);
    expect(n.root.children[0]!.rules).toEqual([1, 2, 3]);
  });

  it('shares a common prefix and branches after it', () => {
    const n = net([r(1, [gt('a', 1), has('tags', 'x')]), r(2, [gt('a', 1), has('tags', 'y')])]);
    expect(n.root.children).toHaveLength(1);
    const first = n.root.children[0]!;
    expect(first.rules).toEqual([1, 2]);
    expect(first.children.map((c) => c.rules)).toEqual([[1], [2]]);
  });

  it('keeps one test object per distinct test, so mismatch counts are per test', () => {
    const n = net([r(1, [gt('a', 1)]), r(2, [gt('a', 1), gt('b', 1)])]);
    expect(n.tests.map((t) => t.label).sort()).toEqual(['a GreaterThan 1', 'b GreaterThan 1']);
    const session = new Session(n);
    session.insert(decodeFact({ id: 1, a: 'x' }, 0));
    session.end();
    expect(n.tests.find((t) => t.label === 'a GreaterThan 1')!.mismatchTotal(session.stats.mismatches)).toBe(1);
  });

  it('builds each distinct test once, however many rules state it (one mismatch slot each)', () => {
    const rules = Array.from({ length: 50 }, (_, i) => r(i + 1, [gt('a', 1), { conditions: [gt('b', 2)] }, { operator: 'Not', conditions: [gt('a', 1)] }]));
    const n = net(rules);
    expect(n.tests.map((t) => t.label)).toEqual(['a GreaterThan 1', 'b GreaterThan 2', 'Not(a GreaterThan 1)']);
    // The Not holds the very test the rules chain on; a Not is built per rule but shared.
    expect(n.slots).toBe(2 + 50);
    const session = new Session(n);
    session.insert(decodeFact({ id: 1, a: 'x', b: 3 }, 0));
    session.end();
    expect(n.tests[0]!.mismatchTotal(session.stats.mismatches)).toBe(1);
  });

  it('puts a rule without conditions on the root', () => {
    const n = net([r(1, []), r(2, [{ conditions: [] }])]);
    expect(n.root.terminals.map((t) => t.rule.id)).toEqual([1, 2]);
    expect(n.nodes).toHaveLength(1);
    expect(reached(n, {})).toEqual([1, 2]);
  });
});

describe('hash dispatch', () => {
  it('groups Equal tests on constants by field under one hash index', () => {
    const n = net([r(1, [eq('status', 'a')]), r(2, [eq('status', 'b')]), r(3, [eq('status', 'c')]), r(4, [eq('kind', 'a')])]);
    expect(n.root.children).toHaveLength(0);
    expect(n.root.hashGroups.map((g) => [g.path, g.index.size])).toEqual([
      ['status', 3],
      ['kind', 1],
    ]);
    expect(reached(n, { status: 'b' })).toEqual([2]);
    expect(reached(n, { status: 'b', kind: 'a' })).toEqual([2, 4]);
    expect(reached(n, { status: 'd' })).toEqual([]);
    expect(reached(n, {})).toEqual([]);
  });

  it('puts 200 rules on one field under one hash index with 200 branches', () => {
    const rules = Array.from({ length: 200 }, (_, i) => r(i, [eq('code', `C${i}`)], [setField('hit', i)]));
    const n = net(rules);
    expect(n.root.hashGroups).toHaveLength(1);
    expect(n.root.hashGroups[0]!.index.size).toBe(200);
    expect(n.root.children).toHaveLength(0);
    expect(reached(n, { code: 'C137' })).toEqual([137]);
    const { firings } = evaluate(n, [
      { id: 1, code: 'C42' },
      { id: 2, code: 'C199' },
      { id: 3, code: 'none' },
    ]);
    expect(firings.map((f) => [f.rule_id, f.fact_id])).toEqual([
      [42, 1],
      [199, 2],
    ]);
  });

  it('dispatches integer and float values to the same branch', () => {
    const n = net([r(1, [eq('n', 5)]), r(2, [eq('n', { Float: 5 })]), r(3, [eq('n', 6)])]);
    expect(n.root.hashGroups[0]!.index.size).toBe(2);
    expect(reached(n, { n: 5 })).toEqual([1, 2]);
    expect(reached(n, { n: { Float: 5 } })).toEqual([]);
    // (A raw {"Float":5} is not decoded by collect; through evaluate it is.)
    const { firings } = evaluate(n, [{ id: 0, n: { Float: 5 } }]);
    expect(firings.map((f) => f.rule_id)).toEqual([1, 2]);
  });

  it('keeps strings and numbers apart, and null as its own key', () => {
    const n = net([r(1, [eq('v', '1')]), r(2, [eq('v', 1)]), r(3, [eq('v', null)]), r(4, [eq('v', true)])]);
    expect(reached(n, { v: '1' })).toEqual([1]);
    expect(reached(n, { v: 1 })).toEqual([2]);
    expect(reached(n, { v: null })).toEqual([3]);
    expect(reached(n, { v: true })).toEqual([4]);
  });

  it('tests dates and date-like strings by comparison, not by hash', () => {
    const n = net([r(1, [eq('w', { Date: '2024-01-15T10:30:00Z' })]), r(2, [eq('w', '2024-01-15T10:30:00Z')]), r(3, [eq('w', [1])])]);
    expect(n.root.hashGroups).toHaveLength(0);
    expect(n.root.children).toHaveLength(3);
    const { firings } = evaluate(n, [
      { id: 0, w: { Date: '2024-01-15T11:30:00+01:00' } },
      { id: 1, w: '2024-01-15T10:30:00Z' },
    ]);
    expect(firings.map((f) => [f.rule_id, f.fact_id])).toEqual([
      [1, 0],
      [2, 0],
      [1, 1],
      [2, 1],
    ]);
  });

  it('hashes at deeper nodes too, and on dotted paths', () => {
    const n = net([r(1, [gt('a', 0), eq('c.d', 'x')]), r(2, [gt('a', 0), eq('c.d', 'y')])]);
    // Equal (hash) ranks before GreaterThan, so the hash index is at the root.
    expect(n.root.hashGroups.map((g) => g.path)).toEqual(['c.d']);
    expect(reached(n, { a: 1, c: { d: 'y' } })).toEqual([2]);
    expect(reached(n, { a: 0, c: { d: 'y' } })).toEqual([]);
  });
});

describe('test order', () => {
  it('orders a rule chain by rank: hash Equal, Equal, set, order, affix, contains, NotEqual, logical', () => {
    const n = net([
      r(1, [
        { operator: 'Not', conditions: [eq('z', 1)] },
        { field: 'a', operator: 'NotEqual', value: 1 },
        has('b', 'x'),
        { field: 'c', operator: 'EndsWith', value: 'x' },
        gt('d', 1),
        { operator: 'Or', conditions: [eq('e', 1), eq('e', 2)] },
        eq('f', { Date: '2024-01-01T00:00:00Z' }),
        eq('g', 'x'),
      ]),
    ]);
    const chain = chainOf(n, 1).slice(1);
    expect(chain.map((c) => c.test!.rank)).toEqual([
      Rank.HashEqual,
      Rank.Equal,
      Rank.InSet,
      Rank.Order,
      Rank.Affix,
      Rank.Contains,
      Rank.NotEqual,
      Rank.Logical,
    ]);
    expect(reached(n, { a: 2, b: ['x'], c: 'ax', d: 2, e: 2, f: '2024-01-01T00:00:00Z', g: 'x' })).toEqual([1]);
  });

  it('within a rank, puts tests shared by more rules first', () => {
    const n = net([r(1, [gt('a', 1), gt('b', 1)]), r(2, [gt('b', 1)]), r(3, [gt('b', 1), gt('c', 1)])]);
    // b > 1 is used by three rules: it is the first test of every chain.
    expect(n.root.children).toHaveLength(1);
    expect(n.root.children[0]!.test!.label).toBe('b GreaterThan 1');
    expect(n.root.children[0]!.rules).toEqual([1, 2, 3]);
  });
});

describe('analysis flags', () => {
  it('collects the root fields read by conditions, dotted paths included', () => {
    const n = net([r(1, [eq('customer.address.country', 'NL'), { operator: 'Not', conditions: [gt('score', 1)] }]), r(2, [has('tags', 'x')])]);
    expect([...n.readFields].sort()).toEqual(['customer', 'score', 'tags']);
  });

  it('writesReadFields: some action writes a field some condition reads', () => {
    expect(net([r(1, [gt('a', 1)], [setField('b', 1)])]).writesReadFields).toBe(false);
    expect(net([r(1, [gt('a', 1)], [setField('b', 1)]), r(2, [eq('b', 1)])]).writesReadFields).toBe(true);
    expect(net([r(1, [eq('x.y', 1)], [setField('x.z', 1)])]).writesReadFields).toBe(true);
    expect(net([r(1, [gt('n', 1)], [{ action_type: { IncrementField: { field: 'n', increment: 1 } } }])]).writesReadFields).toBe(true);
    expect(net([r(1, [has('t', 1)], [{ action_type: { AppendToArray: { field: 't', value: 1 } } }])]).writesReadFields).toBe(true);
    expect(net([r(1, [gt('o', 1)], [{ action_type: { Formula: { expression: '1 + 1', output_field: 'o' } } }])]).writesReadFields).toBe(true);
    expect(
      net([r(1, [gt('o', 1)], [{ action_type: { CallCalculator: { calculator_name: 'add', input_mapping: { a: 'x', b: 'y' }, output_field: 'o' } } }])])
        .writesReadFields,
    ).toBe(true);
    expect(net([r(1, [gt('s', 1)], [{ action_type: { UpdateFact: { fact_id_field: 'other', updates: { s: 1 } } } }])]).writesReadFields).toBe(true);
    expect(net([r(1, [gt('s', 1)], [{ action_type: { Log: { message: 's' } } }])]).writesReadFields).toBe(false);
    expect(net([r(1, [gt('s', 1)], [{ action_type: { CreateFact: { data: { fields: { s: 5 } } } } }])]).writesReadFields).toBe(false);
  });

  it('addressesFactsById: UpdateFact or DeleteFact present', () => {
    const plain = net([r(1, [], [setField('a', 1), { action_type: { CreateFact: { data: { fields: {} } } } }])]);
    expect(plain.addressesFactsById).toBe(false);
    expect(plain.hasUpdate).toBe(false);
    expect(plain.hasDelete).toBe(false);
    const upd = net([r(1, [], [{ action_type: { UpdateFact: { fact_id_field: 'o', updates: { a: 1 } } } }])]);
    expect(upd.addressesFactsById).toBe(true);
    expect(upd.hasUpdate).toBe(true);
    expect(upd.hasDelete).toBe(false);
    const del = net([r(1, []), r(2, [], [{ action_type: { DeleteFact: { fact_id_field: 'o' } } }])]);
    expect(del.addressesFactsById).toBe(true);
    expect(del.hasDelete).toBe(true);
  });

  it('ranks terminals by salience (high first), then rule id', () => {
    const n = net([r(5, []), r(2, [], [], { salience: 1 }), r(9, [], [], { salience: 10 }), r(1, []), r(3, [], [], { salience: -1 })]);
    expect(n.terminals.map((t) => t.rule.id)).toEqual([5, 2, 9, 1, 3]);
    const byRank = [...n.terminals].sort((a, b) => a.rank - b.rank).map((t) => t.rule.id);
    expect(byRank).toEqual([9, 2, 1, 5, 3]);
    expect(n.terminals.map((t) => t.index)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('explain', () => {
  it('describes hash indexes, shared nodes and terminals', () => {
    const n = net([
      r(1, [eq('status', 'a'), gt('amount', 10)]),
      r(2, [eq('status', 'a'), gt('amount', 10)], [], { salience: 5 }),
      r(3, [eq('status', 'b')]),
      r(4, [gt('amount', 10)]),
    ]);
    const text = formatExplain(n);
    expect(text).toContain('network: 4 rules');
    expect(text).toContain('# hash index on status: 2 branches');
    expect(text).toMatch(/status Equal "a"\s+— rules 1-2 \(shared\)/);
    expect(text).toMatch(/amount GreaterThan 10\s+— rules 1-2 \(shared\)/);
    expect(text).toMatch(/amount GreaterThan 10\s+— rule 4(?! )/);
    expect(text).toContain('→ fires rule 2 "rule 2" (salience 5)');
    expect(text).toContain('→ fires rule 3 "rule 3"');
    const tree = explainNetwork(n);
    expect(tree.hashIndexes).toHaveLength(1);
    expect(tree.hashIndexes[0]!.field).toBe('status');
    expect(tree.hashIndexes[0]!.branches).toBe(2);
    expect(tree.hashIndexes[0]!.children.map((c) => c.kind)).toEqual(['hash-branch', 'hash-branch']);
    expect(tree.rules).toEqual([1, 2, 3, 4]);
  });

  it('says "1 branch" for a single branch', () => {
    expect(formatExplain(net([r(1, [eq('k', 1)])]))).toContain('# hash index on k: 1 branch\n');
  });

  it('compactIds folds runs', () => {
    expect(compactIds([5, 1, 2, 3, 9, 12, 13, 14])).toBe('1-3, 5, 9, 12-14');
    expect(compactIds([7])).toBe('7');
    expect(compactIds([])).toBe('');
  });
});
