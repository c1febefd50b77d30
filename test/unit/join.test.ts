// Tests for join nodes (src/rete/join-node.ts), their keys (keys.ts) and the
// buckets of their memories (bucket.ts): hash joins from either side, join tests after
// the hash lookup, equality across int/float and dates, cross products, self-joins and
// retraction. The nodes run in a BetaNetwork of compiled rules with a recording sink.

import { describe, it, expect } from 'vitest';
import { compileRules } from '../../src/engine.js';
import { Fact, FactShape } from '../../src/model/fact.js';
import { DateValue, decodeValue, FloatValue, type FieldMap } from '../../src/model/value.js';
import { BetaNetwork } from '../../src/rete/beta-network.js';
import type { BetaSink } from '../../src/rete/beta-node.js';
import { Bucket } from '../../src/rete/bucket.js';
import { explainNetwork } from '../../src/rete/explain.js';
import { JoinGroup } from '../../src/rete/join-group.js';
import { JoinNode } from '../../src/rete/join-node.js';
import { joinKey } from '../../src/rete/keys.js';
import type { Terminal } from '../../src/rete/terminal.js';
import type { Token } from '../../src/rete/wme.js';
import { Wme } from '../../src/rete/wme.js';

/** A network of the rules' patterns whose matches are recorded as `rule:id,id,...` (bound facts' ids in pattern order). */
function harness(rules: unknown[], keepFacts = true) {
  const { network } = compileRules(rules);
  const matches: { rule: number; token: Wme | Token; ids: string }[] = [];
  const sink: BetaSink = {
    activateMatch(t: Terminal, match: Wme | Token) {
      const facts = match instanceof Wme ? [match] : match.facts;
      const ids = facts.filter((w) => w !== null).map((w) => w!.fact.id);
      matches.push({ rule: t.rule.id, token: match, ids: `${t.rule.id}:${ids.join(',')}` });
    },
  };
  const beta = new BetaNetwork(network.beta!, sink, new Array<number>(network.slots).fill(0), keepFacts, true);
  let seq = 0;
  const facts = new Map<number, Wme>();
  const insert = (id: number, wire: Record<string, unknown>) => {
    const w = new Wme(new Fact(id, decodeValue(structuredClone(wire)) as FieldMap, null, null, FactShape.Flat), seq++);
    facts.set(id, w);
    beta.insert(w);
    return w;
  };
  const retract = (id: number) => beta.retract(facts.get(id)!);
  /** Matches whose token is still active, sorted. */
  const live = () =>
    matches
      .filter((m) => m.token.active)
      .map((m) => m.ids)
      .sort();
  const all = () => matches.map((m) => m.ids).sort();
  return { network, beta, matches, insert, retract, live, all, facts };
}

/**
 * Left matches a join holds: its own left memory, or, for a join after a start node, the
 * facts of the start node's memory that its index can find (a fact missing the Ref'd field is left out).
 */
function leftHeld(h: ReturnType<typeof harness>, node: JoinNode): number {
  const spec = node.spec;
  if (spec.sharedLeftIndex === null) return node.leftSize();
  const memory = h.beta.memories[spec.parent!.memory.id]!;
  if (spec.sharedLeftIndex < 0) return memory.all!.size;
  // An index not built yet (nothing looked it up) is built here, as a lookup would.
  const ix = memory.indexes[spec.sharedLeftIndex]!;
  const buckets = ix.buckets ?? (memory.size === 0 ? new Map() : memory.build(ix));
  let n = 0;
  for (const b of buckets.values()) n += b.size;
  return n;
}

const pattern = (alias: string, conditions: unknown[], extra: object = {}) => ({ alias, conditions, ...extra });
const eq = (field: string, value: unknown) => ({ field, operator: 'Equal', value });
const ref = (field: string, operator: string, r: string) => ({ field, operator, value: { Ref: r } });
const rule = (id: number, patterns: unknown[]) => ({ id, name: `r${id}`, patterns, actions: [] });

const EMP_DEPT = [
  rule(1, [pattern('e', [eq('type', 'emp')]), pattern('d', [eq('type', 'dept'), ref('dept_id', 'Equal', 'e.dept_id'), ref('cap', 'LessThan', 'e.salary')])]),
];

describe('joinKey', () => {
  it('gives numbers one key across int and float, and nothing for NaN or a missing value', () => {
    expect(joinKey(5)).toBe(joinKey(new FloatValue(5)));
    expect(joinKey(5.5)).toBe(5.5);
    expect(joinKey(NaN)).toBeUndefined();
    expect(joinKey(new FloatValue(NaN))).toBeUndefined();
    expect(joinKey(undefined)).toBeUndefined();
    expect(joinKey(5)).not.toBe(joinKey('5'));
  });

  it('keys dates and strings holding a date by their instant, other strings by themselves', () => {
    const ms = Date.UTC(2024, 0, 1);
    expect(joinKey(new DateValue(ms))).toBe(joinKey('2024-01-01T00:00:00Z'));
    expect(joinKey('2024-01-01T01:00:00+01:00')).toBe(joinKey('2024-01-01T00:00:00Z'));
    expect(joinKey('abc')).toBe('abc');
    expect(joinKey('2024-13-01T00:00:00Z')).toBe('2024-13-01T00:00:00Z');
  });

  it('keeps booleans and null, and puts arrays and objects in one bucket', () => {
    expect(joinKey(true)).toBe(true);
    expect(joinKey(null)).toBeNull();
    expect(joinKey([1, 2])).toBe(joinKey({ a: 1 }));
    expect(typeof joinKey([1])).toBe('string');
  });
});

describe('Bucket', () => {
  it('holds a few entries in an array and many in a Set, removing in O(1) either way', () => {
    const b = new Bucket(0, true);
    for (let i = 1; i < 16; i++) b.add(i);
    expect(b.set).toBeNull();
    expect(b.delete(3)).toBe(true);
    expect(b.delete(3)).toBe(false);
    expect(b.size).toBe(15);
    expect([...b.entries()].sort((x, y) => x - y)).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    for (let i = 16; i < 40; i++) b.add(i);
    expect(b.set).not.toBeNull();
    expect(b.size).toBe(39);
    expect(b.delete(20)).toBe(true);
    expect(b.delete(99)).toBe(false);
    expect(b.entries()).toHaveLength(38);
  });
});

describe('JoinNode: hash join', () => {
  it('joins a later right fact with earlier tokens, and a later token with earlier right facts', () => {
    const h = harness(EMP_DEPT);
    h.insert(1, { type: 'emp', dept_id: 10, salary: 100 });
    h.insert(2, { type: 'dept', dept_id: 10, cap: 50 }); // right arrives after the left token
    h.insert(3, { type: 'emp', dept_id: 10, salary: 90 }); // left arrives after the right fact
    h.insert(4, { type: 'emp', dept_id: 11, salary: 90 }); // other key: no candidate
    h.insert(5, { type: 'emp', dept_id: 10, salary: 40 }); // same key, join test fails
    expect(h.all()).toEqual(['1:1,2', '1:3,2']);
  });

  it('matches numbers across int and float, and never a missing or NaN key', () => {
    const h = harness(EMP_DEPT);
    h.insert(1, { type: 'dept', dept_id: { Float: 10 }, cap: 0 });
    h.insert(2, { type: 'emp', dept_id: 10, salary: 1 });
    h.insert(3, { type: 'emp', salary: 1 });
    h.insert(4, { type: 'dept', cap: 0 });
    expect(h.all()).toEqual(['1:2,1']);
    const join = h.beta.nodes.find((n): n is JoinNode => n instanceof JoinNode)!;
    // The employee without a dept_id is left out of the index the join reads: it can join nothing.
    expect(join.leftSize()).toBe(0);
    expect(leftHeld(h, join)).toBe(1);
  });

  it('joins a date with a string of the same instant, but two such strings only when they are the same text', () => {
    const h = harness([rule(1, [pattern('a', [eq('side', 'a')]), pattern('b', [eq('side', 'b'), ref('at', 'Equal', 'a.at')])])]);
    h.insert(1, { side: 'a', at: { Date: '2024-01-01T00:00:00Z' } });
    h.insert(2, { side: 'a', at: '2024-01-01T00:00:00Z' });
    h.insert(3, { side: 'b', at: '2024-01-01T01:00:00+01:00' });
    h.insert(4, { side: 'b', at: '2024-01-01T00:00:00Z' });
    h.insert(5, { side: 'b', at: [1, 2] });
    h.insert(6, { side: 'a', at: [1, { Float: 2 }] });
    expect(h.all()).toEqual(['1:1,3', '1:1,4', '1:2,4', '1:6,5']);
  });

  it('indexes the right memory once per joined field, shared by the nodes joining on it', () => {
    const { network } = compileRules([
      ...EMP_DEPT,
      rule(2, [pattern('x', [eq('type', 'emp'), eq('boss', true)]), pattern('y', [eq('type', 'dept'), ref('dept_id', 'Equal', 'x.dept_id')])]),
      rule(3, [pattern('x', [eq('type', 'emp')]), pattern('y', [eq('type', 'dept'), ref('head', 'Equal', 'x.id')])]),
    ]);
    const dept = network.beta!.memories.find((m) => m.label === 'type Equal "dept"')!;
    expect(dept.indexPaths).toEqual(['dept_id', 'head']);
    expect(dept.scanned).toBe(false);
  });

  it('builds an index where facts never leave at its first lookup of a non-empty memory: same matches in any order', () => {
    const depts = [0, 1, 2].map((i) => ({ id: 100 + i, wire: { type: 'dept', dept_id: i, cap: 10 * i } }));
    const emps = [0, 1, 2, 3, 4, 5].map((i) => ({ id: i, wire: { type: 'emp', dept_id: i % 4, salary: 5 * i } }));
    const orders = {
      'depts first': [...depts, ...emps],
      'employees first': [...emps, ...depts],
      interleaved: [emps[0]!, depts[1]!, emps[1]!, emps[2]!, depts[0]!, emps[3]!, emps[4]!, depts[2]!, emps[5]!],
    };
    const built = (h: ReturnType<typeof harness>, alias: string) => h.beta.memories.find((m) => m.spec.aliases.includes(alias))!.indexes[0]!.buckets !== null;
    for (const [name, facts] of Object.entries(orders)) {
      const eager = harness(EMP_DEPT, true);
      const lazy = harness(EMP_DEPT, false);
      for (const f of facts) {
        eager.insert(f.id, f.wire);
        lazy.insert(f.id, f.wire);
      }
      expect(lazy.all(), name).toEqual(eager.all());
      expect(lazy.all().length, name).toBeGreaterThan(0);
      expect(built(eager, 'e') && built(eager, 'd'), name).toBe(true);
      // Depts first: every employee looks its dept up, no dept ever looks for employees (and
      // the other way round); interleaved, both sides find facts on the other.
      expect(built(lazy, 'd'), name).toBe(name !== 'employees first');
      expect(built(lazy, 'e'), name).toBe(name !== 'depts first');
    }
  });
});

describe('JoinNode: without an Equal Ref', () => {
  const RULES = [rule(1, [pattern('a', [eq('t', 'a')]), pattern('b', [eq('t', 'b'), ref('v', 'GreaterThan', 'a.v')])])];

  it('tests every pair (a cross product), from either side', () => {
    const h = harness(RULES);
    h.insert(1, { t: 'a', v: 1 });
    h.insert(2, { t: 'b', v: 2 });
    h.insert(3, { t: 'b', v: 0 });
    h.insert(4, { t: 'a', v: -1 });
    expect(h.all()).toEqual(['1:1,2', '1:4,2', '1:4,3']);
    expect(h.network.beta!.memories.find((m) => m.label === 't Equal "b"')!.scanned).toBe(true);
    expect(h.network.beta!.nodes[1]!.joinLabel).toContain('cross product');
  });

  it('evaluates Refs inside Or and Not as join tests', () => {
    const h = harness([
      rule(1, [
        pattern('a', [eq('t', 'a')]),
        pattern('b', [eq('t', 'b'), { operator: 'Or', conditions: [ref('v', 'Equal', 'a.v'), { field: 'v', operator: 'Equal', value: 99 }] }]),
      ]),
    ]);
    h.insert(1, { t: 'a', v: 1 });
    h.insert(2, { t: 'b', v: 1 });
    h.insert(3, { t: 'b', v: 99 });
    h.insert(4, { t: 'b', v: 2 });
    expect(h.all()).toEqual(['1:1,2', '1:1,3']);
  });

  it("treats a missing Ref'd field as missing: false except NotEqual", () => {
    const h = harness([
      rule(1, [pattern('a', [eq('t', 'a')]), pattern('b', [eq('t', 'b'), ref('v', 'NotEqual', 'a.v')])]),
      rule(2, [pattern('a', [eq('t', 'a')]), pattern('b', [eq('t', 'b'), ref('v', 'LessThan', 'a.v')])]),
    ]);
    h.insert(1, { t: 'a' });
    h.insert(2, { t: 'b', v: 1 });
    expect(h.all()).toEqual(['1:1,2']);
  });
});

describe('JoinNode: self-joins and retraction', () => {
  it('makes each combination once when one fact feeds both patterns', () => {
    const h = harness([rule(1, [pattern('a', [eq('t', 'x')]), pattern('b', [eq('t', 'x'), ref('k', 'Equal', 'a.k')])])]);
    h.insert(1, { t: 'x', k: 1 });
    h.insert(2, { t: 'x', k: 1 });
    h.insert(3, { t: 'x', k: 2 });
    expect(h.all()).toEqual(['1:1,1', '1:1,2', '1:2,1', '1:2,2', '1:3,3']);
  });

  it('retracting a fact removes the tokens built on it from either side, and only those', () => {
    const h = harness(EMP_DEPT);
    h.insert(1, { type: 'emp', dept_id: 10, salary: 100 });
    h.insert(2, { type: 'emp', dept_id: 10, salary: 100 });
    h.insert(3, { type: 'dept', dept_id: 10, cap: 0 });
    h.insert(4, { type: 'dept', dept_id: 10, cap: 0 });
    expect(h.live()).toEqual(['1:1,3', '1:1,4', '1:2,3', '1:2,4']);
    h.retract(3);
    expect(h.live()).toEqual(['1:1,4', '1:2,4']);
    h.retract(1);
    expect(h.live()).toEqual(['1:2,4']);
    const join = h.beta.nodes[1] as JoinNode;
    expect(leftHeld(h, join)).toBe(1);
    expect(join.tokens).toBe(1);
    expect(join.peakTokens).toBe(4);
    // A dept arriving now joins the remaining employee only.
    h.insert(5, { type: 'dept', dept_id: 10, cap: 0 });
    expect(h.live()).toEqual(['1:2,4', '1:2,5']);
    const stats = h.beta.memoryStats();
    expect(stats.map((s) => [s.node, s.kind, s.held, s.tokens])).toEqual([
      ['M0', 'alpha-memory', 1, 0],
      ['M1', 'alpha-memory', 2, 0],
      ['B0', 'start', 0, 1],
      ['B1', 'join', 0, 2],
    ]);
    expect(stats[3]!.rules).toEqual([1]);
    expect(stats[3]!.label).toContain('hash join dept_id = e.dept_id');
    // Its left side is the start node's memory itself: nothing held twice.
    expect(stats[3]!.label).toContain('left: the facts of M0');
  });

  it('joins and retracts the same once a key is shared by many facts (buckets past their array size)', () => {
    const h = harness(EMP_DEPT);
    for (let i = 0; i < 40; i++) h.insert(i, { type: 'emp', dept_id: 10, salary: 100 });
    h.insert(100, { type: 'dept', dept_id: 10, cap: 0 });
    for (let i = 40; i < 80; i++) h.insert(i, { type: 'emp', dept_id: 10, salary: 100 });
    h.insert(101, { type: 'dept', dept_id: 10, cap: 0 });
    expect(h.live()).toHaveLength(80 + 80);
    for (let i = 0; i < 80; i += 2) h.retract(i);
    h.retract(100);
    expect(h.live()).toEqual(Array.from({ length: 40 }, (_, k) => `1:${2 * k + 1},101`).sort());
    expect(leftHeld(h, h.beta.nodes[1] as JoinNode)).toBe(40);
  });

  it('patterns that differ past their Equal tests share one memory; each start node passes on and counts only its own', () => {
    const emp = (id: number, extra: unknown[]) =>
      rule(id, [pattern('e', [eq('type', 'emp'), ...extra]), pattern('d', [eq('type', 'dept'), ref('dept_id', 'Equal', 'e.dept_id')])]);
    const h = harness([emp(1, [{ field: 'salary', operator: 'GreaterThan', value: 50 }]), emp(2, [{ field: 'salary', operator: 'LessThan', value: 50 }])]);
    expect(h.beta.memories.map((m) => m.spec.label)).toEqual(['type Equal "emp"', 'type Equal "dept"']);
    h.insert(1, { type: 'emp', dept_id: 10, salary: 100 });
    h.insert(2, { type: 'emp', dept_id: 10, salary: 10 });
    h.insert(3, { type: 'emp', dept_id: 10, salary: 70 });
    h.insert(4, { type: 'dept', dept_id: 10 });
    expect(h.all()).toEqual(['1:1,4', '1:3,4', '2:2,4']);
    const starts = () =>
      h.beta
        .memoryStats()
        .filter((s) => s.kind === 'start')
        .map((s) => [s.label, s.tokens, s.peakTokens]);
    expect(starts()).toEqual([
      ['start e ← M0; filters salary GreaterThan 50', 2, 2],
      ['start e ← M0; filters salary LessThan 50', 1, 1],
    ]);
    h.retract(3);
    expect(h.live()).toEqual(['1:1,4', '2:2,4']);
    expect(starts().map((s) => s[1])).toEqual([1, 1]);
  });

  it('joins over the same memories and fields walk each bucket once, together, firing as each would alone', () => {
    // Three rules per variant, as in bench join10: same memories, same hashed fields; their
    // start filters and join tests differ. Rule 4 is a self-join (one memory on both sides).
    const rules = [
      rule(1, [pattern('e', [eq('type', 'emp')]), pattern('d', [eq('type', 'dept'), ref('dept_id', 'Equal', 'e.dept_id')])]),
      rule(2, [
        pattern('e', [eq('type', 'emp'), { field: 'salary', operator: 'GreaterThan', value: 50 }]),
        pattern('d', [eq('type', 'dept'), ref('dept_id', 'Equal', 'e.dept_id'), ref('cap', 'LessThan', 'e.salary')]),
      ]),
      rule(3, [
        pattern('e', [eq('type', 'emp')]),
        pattern('d', [eq('type', 'dept'), ref('dept_id', 'Equal', 'e.dept_id'), ref('cap', 'GreaterThan', 'e.salary')]),
      ]),
      rule(4, [pattern('a', [eq('type', 'emp')]), pattern('b', [eq('type', 'emp'), ref('dept_id', 'Equal', 'a.dept_id')])]),
      rule(5, [
        pattern('a', [eq('type', 'emp')]),
        pattern('b', [eq('type', 'emp'), ref('dept_id', 'Equal', 'a.dept_id'), ref('salary', 'LessThan', 'a.salary')]),
      ]),
    ];
    const facts: [number, Record<string, unknown>][] = [
      [1, { type: 'emp', dept_id: 10, salary: 100 }],
      [2, { type: 'dept', dept_id: 10, cap: 60 }],
      [3, { type: 'emp', dept_id: { Float: 10 }, salary: 40 }],
      [4, { type: 'emp', dept_id: '2024-01-01T00:00:00Z', salary: 70 }],
      [5, { type: 'dept', dept_id: { Date: '2024-01-01T00:00:00Z' }, cap: 80 }],
      [6, { type: 'dept', dept_id: '2024-01-01T01:00:00+01:00', cap: 10 }],
      [7, { type: 'emp', dept_id: '2024-01-01T01:00:00+01:00', salary: 20 }],
      [8, { type: 'dept', dept_id: 10, cap: 200 }],
      [9, { type: 'emp', dept_id: 10, salary: 60 }],
    ];
    const together = harness(rules);
    const groups = together.beta.memories.flatMap((m) => m.successors.filter((s) => s instanceof JoinGroup) as JoinGroup[]);
    expect(groups.map((g) => g.joins.map((j) => j.spec.rules)).sort()).toEqual([
      [[1], [2], [3]],
      [[4], [5]],
    ]);
    // explain names the same groups: each join lists the others it walks buckets with.
    const explained = explainNetwork(compileRules(rules).network).patterns!.nodes;
    const walks = new Map(explained.map((x) => [x.id, x.walksWith]));
    for (const g of groups) {
      const ids = g.joins.map((j) => j.spec.id);
      for (const id of ids) expect(walks.get(id)).toEqual(ids.filter((other) => other !== id));
    }
    expect(explained.filter((x) => x.walksWith.length > 0)).toHaveLength(5);
    for (const [id, wire] of facts) together.insert(id, wire);
    const alone = rules.flatMap((r) => {
      const h = harness([r]);
      for (const [id, wire] of facts) h.insert(id, wire);
      return h.all();
    });
    expect(together.all()).toEqual(alone.sort());
    expect(together.all()).toContain('2:1,2');
    expect(together.all()).toContain('1:4,5');
    expect(together.all()).not.toContain('1:4,6');
    for (const id of [2, 4, 9]) together.retract(id);
    expect(together.live().filter((m) => /[:,](2|4|9)(,|$)/.test(m))).toEqual([]);
  });

  it('a retracted fact can be inserted again and joins afresh', () => {
    const h = harness(EMP_DEPT);
    const e = h.insert(1, { type: 'emp', dept_id: 10, salary: 100 });
    h.insert(2, { type: 'dept', dept_id: 10, cap: 0 });
    h.retract(1);
    expect(h.live()).toEqual([]);
    e.fields.dept_id = 11;
    h.beta.insert(e);
    h.insert(3, { type: 'dept', dept_id: 11, cap: 0 });
    expect(h.live()).toEqual(['1:1,3']);
    expect(h.beta.held).toBe(3);
  });
});
