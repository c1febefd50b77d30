// Tests for not and exists nodes (src/rete/negation-node.ts): per-token match counts kept as
// facts arrive and leave, exists passing a token on once however many facts match, not
// nodes closed until the end of input and then following working memory, unhashed
// negations and missing Ref'd values. The nodes run in a BetaNetwork of compiled rules
// with a recording sink.

import { describe, it, expect } from 'vitest';
import { compileRules } from '../../src/engine.js';
import { Fact, FactShape } from '../../src/model/fact.js';
import { decodeValue, type FieldMap } from '../../src/model/value.js';
import { BetaNetwork } from '../../src/rete/beta-network.js';
import type { BetaSink } from '../../src/rete/beta-node.js';
import { NegationNode } from '../../src/rete/negation-node.js';
import type { Terminal } from '../../src/rete/terminal.js';
import type { Token } from '../../src/rete/wme.js';
import { Wme } from '../../src/rete/wme.js';

function harness(rules: unknown[]) {
  const { network } = compileRules(rules);
  const matches: { token: Wme | Token; gen: number; ids: string }[] = [];
  const sink: BetaSink = {
    activateMatch(t: Terminal, match: Wme | Token) {
      const facts = match instanceof Wme ? [match] : match.facts;
      const ids = facts.filter((w) => w !== null).map((w) => w!.fact.id);
      matches.push({ token: match, gen: match.gen, ids: `${t.rule.id}:${ids.join(',')}` });
    },
  };
  const beta = new BetaNetwork(network.beta!, sink, new Array<number>(network.slots).fill(0), true, true);
  let seq = 0;
  const facts = new Map<number, Wme>();
  const insert = (id: number, wire: Record<string, unknown>) => {
    const w = new Wme(new Fact(id, decodeValue(structuredClone(wire)) as FieldMap, null, null, FactShape.Flat), seq++);
    facts.set(id, w);
    beta.insert(w);
    return w;
  };
  const retract = (id: number) => beta.retract(facts.get(id)!);
  /** Activations still valid (token active, same generation), sorted. */
  const live = () =>
    matches
      .filter((m) => m.token.active && m.token.gen === m.gen)
      .map((m) => m.ids)
      .sort();
  const negation = () => beta.nodes.find((n): n is NegationNode => n instanceof NegationNode)!;
  return { beta, matches, insert, retract, live, negation };
}

const eq = (field: string, value: unknown) => ({ field, operator: 'Equal', value });
const ref = (field: string, operator: string, r: string) => ({ field, operator, value: { Ref: r } });

const deptWith = (flag: 'not' | 'exists', extra: unknown[] = []) => [
  {
    id: 1,
    name: 'r',
    patterns: [
      { alias: 'd', conditions: [eq('type', 'dept')] },
      { alias: 'e', [flag]: true, conditions: [eq('type', 'emp'), ref('dept', 'Equal', 'd.id'), ...extra] },
    ],
    actions: [],
  },
];

describe('ExistsNode', () => {
  it('passes a token on once however many facts match, whichever arrives first', () => {
    const h = harness(deptWith('exists'));
    h.insert(1, { type: 'emp', dept: 10 });
    h.insert(10, { type: 'dept', id: 10 });
    h.insert(2, { type: 'emp', dept: 10 });
    h.insert(11, { type: 'dept', id: 11 });
    expect(h.matches.map((m) => m.ids)).toEqual(['1:10']);
    h.insert(3, { type: 'emp', dept: 11 });
    expect(h.live()).toEqual(['1:10', '1:11']);
    const node = h.negation();
    expect(node.leftSize()).toBe(2);
    expect(node.tokens).toBe(2);
  });

  it('withdraws the token when the last matching fact leaves, and passes it on again when another arrives', () => {
    const h = harness(deptWith('exists'));
    h.insert(10, { type: 'dept', id: 10 });
    h.insert(1, { type: 'emp', dept: 10 });
    h.insert(2, { type: 'emp', dept: 10 });
    h.retract(1);
    expect(h.live()).toEqual(['1:10']);
    h.retract(2);
    expect(h.live()).toEqual([]);
    h.insert(3, { type: 'emp', dept: 10 });
    // A fresh activation; the first one stays stale (the token's generation moved on).
    expect(h.matches).toHaveLength(2);
    expect(h.live()).toEqual(['1:10']);
  });

  it('retracting the left fact drops its token from the node', () => {
    const h = harness(deptWith('exists'));
    h.insert(10, { type: 'dept', id: 10 });
    h.insert(1, { type: 'emp', dept: 10 });
    h.retract(10);
    expect(h.live()).toEqual([]);
    expect(h.negation().leftSize()).toBe(0);
    h.retract(1);
    expect(h.negation().tokens).toBe(0);
  });
});

describe('NotNode', () => {
  it('passes nothing on until it is opened (end of input), then the tokens no fact matches', () => {
    const h = harness(deptWith('not'));
    h.insert(10, { type: 'dept', id: 10 });
    h.insert(11, { type: 'dept', id: 11 });
    h.insert(1, { type: 'emp', dept: 10 });
    expect(h.matches).toEqual([]);
    expect(h.negation().open).toBe(false);
    h.beta.open();
    expect(h.live()).toEqual(['1:11']);
  });

  it('once open, follows working memory: false when a match arrives, true again when it leaves', () => {
    const h = harness(deptWith('not'));
    h.insert(10, { type: 'dept', id: 10 });
    h.beta.open();
    expect(h.live()).toEqual(['1:10']);
    h.insert(1, { type: 'emp', dept: 10 });
    expect(h.live()).toEqual([]);
    h.insert(2, { type: 'emp', dept: 10 });
    h.retract(1);
    expect(h.live()).toEqual([]);
    h.retract(2);
    expect(h.live()).toEqual(['1:10']);
    expect(h.matches).toHaveLength(2);
  });

  it('counts only facts passing the join tests after the hash lookup', () => {
    const h = harness(deptWith('not', [ref('salary', 'GreaterThan', 'd.cap')]));
    h.insert(10, { type: 'dept', id: 10, cap: 100 });
    h.insert(1, { type: 'emp', dept: 10, salary: 50 });
    h.beta.open();
    expect(h.live()).toEqual(['1:10']);
    h.insert(2, { type: 'emp', dept: 10, salary: 150 });
    expect(h.live()).toEqual([]);
  });

  it("holds for a token whose Ref'd value is missing (nothing can equal it)", () => {
    const h = harness(deptWith('not'));
    h.insert(10, { type: 'dept' });
    h.insert(1, { type: 'emp' });
    h.beta.open();
    expect(h.live()).toEqual(['1:10']);
  });

  it('without an Equal Ref, tests every fact of its memory', () => {
    const h = harness([
      {
        id: 1,
        name: 'r',
        patterns: [
          { alias: 'a', conditions: [eq('t', 'a')] },
          { alias: 'b', not: true, conditions: [eq('t', 'b'), ref('v', 'GreaterThanOrEqual', 'a.v')] },
        ],
        actions: [],
      },
    ]);
    h.insert(1, { t: 'a', v: 5 });
    h.insert(2, { t: 'a', v: 1 });
    h.insert(3, { t: 'b', v: 3 });
    h.beta.open();
    expect(h.live()).toEqual(['1:1']);
    h.retract(3);
    expect(h.live()).toEqual(['1:1', '1:2']);
  });

  it('a not followed by a join: the join runs once the not node opens', () => {
    const h = harness([
      {
        id: 1,
        name: 'r',
        patterns: [
          { alias: 'd', conditions: [eq('type', 'dept')] },
          { alias: 'm', not: true, conditions: [eq('type', 'mgr'), ref('dept', 'Equal', 'd.id')] },
          { alias: 'e', conditions: [eq('type', 'emp'), ref('dept', 'Equal', 'd.id')] },
        ],
        actions: [],
      },
    ]);
    h.insert(10, { type: 'dept', id: 10 });
    h.insert(11, { type: 'dept', id: 11 });
    h.insert(1, { type: 'emp', dept: 10 });
    h.insert(2, { type: 'mgr', dept: 11 });
    h.insert(3, { type: 'emp', dept: 11 });
    expect(h.matches).toEqual([]);
    h.beta.open();
    expect(h.live()).toEqual(['1:10,1']);
    h.insert(4, { type: 'emp', dept: 10 });
    expect(h.live()).toEqual(['1:10,1', '1:10,4']);
    h.insert(5, { type: 'mgr', dept: 10 });
    expect(h.live()).toEqual([]);
  });
});
