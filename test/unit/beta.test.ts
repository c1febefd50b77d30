// Tests for the beta network as a whole (src/rete/beta.ts and the session around it):
// compiling patterns (shared alpha memories, shared join prefixes, Refs by position),
// validation of patterns, and multi-fact rules in a session: firing records with
// fact_ids and targets, agenda order of combinations, retraction, changes and refraction,
// --no-chain, --max-firings, determinism, the memory report and explain.

import { describe, it, expect } from 'vitest';
import { compileRules, evaluate, RULE_CHECKS } from '../../src/engine.js';
import { LimitError, RuleFileError } from '../../src/model/errors.js';
import { decodeFact } from '../../src/model/fact.js';
import { validateRules } from '../../src/model/rules.js';
import type { Firing } from '../../src/model/types.js';
import { explainNetwork, formatExplain } from '../../src/rete/explain.js';
import { Session } from '../../src/rete/session.js';
import { summarizeNetwork } from '../../src/report/report.js';

const eq = (field: string, value: unknown) => ({ field, operator: 'Equal', value });
const ref = (field: string, operator: string, r: string) => ({ field, operator, value: { Ref: r } });
const log = (message = 'm', target?: string) => (target ? { target, action_type: { Log: { message } } } : { action_type: { Log: { message } } });

const EMP_DEPT = (id = 1, extra: object = {}) => ({
  id,
  name: `rule ${id}`,
  patterns: [
    { alias: 'e', conditions: [eq('type', 'emp')] },
    { alias: 'd', conditions: [eq('type', 'dept'), ref('dept_id', 'Equal', 'e.dept_id')] },
  ],
  actions: [log()],
  ...extra,
});

function run(rules: unknown[], facts: unknown[], options: { chain?: boolean; maxFirings?: number } = {}) {
  const { network } = compileRules(rules);
  return evaluate(network, facts, options);
}

/** Firings as `rule:fact_ids`. */
const brief = (fs: Firing[]) => fs.map((f) => `${f.rule_id}:${(f.fact_ids ?? [f.fact_id]).join(',')}`);

describe('compiling patterns', () => {
  it('shares alpha memories between patterns with the same constant conditions, and join prefixes between rules', () => {
    const { network } = compileRules([
      EMP_DEPT(1),
      // Same two patterns under other aliases: the same start and join node.
      {
        id: 2,
        name: 'two',
        patterns: [
          { alias: 'x', conditions: [eq('type', 'emp')] },
          { alias: 'y', conditions: [eq('type', 'dept'), ref('dept_id', 'Equal', 'x.dept_id')] },
          { alias: 'z', not: true, conditions: [eq('type', 'leave'), ref('emp', 'Equal', 'x.id')] },
        ],
        actions: [],
      },
      // Same first pattern, another join: shares only the start node.
      {
        id: 3,
        name: 'three',
        patterns: [
          { alias: 'e', conditions: [eq('type', 'emp')] },
          { alias: 'd', conditions: [eq('type', 'dept'), ref('head', 'Equal', 'e.id')] },
        ],
        actions: [],
      },
    ]);
    const plan = network.beta!;
    expect(plan.memories.map((m) => m.label)).toEqual(['type Equal "emp"', 'type Equal "dept"', 'type Equal "leave"']);
    expect(plan.memories[0]!.rules).toEqual([1, 2, 3]);
    expect(plan.nodes.map((n) => `${n.kind}:${n.rules.join('+')}`)).toEqual(['start:1+2+3', 'join:1+2', 'not:2', 'join:3']);
    expect(plan.nodes[1]!.terminals.map((t) => t.rule.id)).toEqual([1]);
    expect(plan.memories[1]!.indexPaths).toEqual(['dept_id', 'head']);
    // Single-fact rules do not see pattern rules.
    expect(network.root.terminals).toEqual([]);
    expect(network.terminals.map((t) => t.rule.id)).toEqual([1, 2, 3]);
    const s = summarizeNetwork(network);
    expect(s).toMatchObject({ alphaMemories: 3, betaNodes: 4, hashJoins: 3, crossProducts: 0, negationNodes: 1, sharedBetaNodes: 2 });
  });

  it('does not share a join test between patterns at different positions', () => {
    // `v NotEqual p0.missing` reads one link up from pattern 1, two links up from pattern 2.
    const rules = [
      {
        id: 1,
        name: 'a',
        patterns: [
          { alias: 'p0', conditions: [] },
          { alias: 'p1', conditions: [ref('v', 'NotEqual', 'p0.missing')] },
        ],
        actions: [],
      },
      {
        id: 2,
        name: 'b',
        patterns: [
          { alias: 'p0', conditions: [] },
          { alias: 'p1', not: true, conditions: [] },
          { alias: 'p2', conditions: [ref('v', 'NotEqual', 'p0.missing')] },
        ],
        actions: [],
      },
    ];
    const { firings } = run(rules, [{ id: 0 }]);
    expect(brief(firings)).toEqual(['1:0,0']);
  });

  it('records which pattern each action targets and which patterns bind facts', () => {
    const { network } = compileRules([
      {
        id: 1,
        name: 'r',
        patterns: [
          { alias: 'a', conditions: [] },
          { alias: 'n', exists: true, conditions: [] },
          { alias: 'b', conditions: [] },
        ],
        actions: [log('x'), log('y', 'b'), log('z', 'a')],
      },
    ]);
    expect(network.terminals[0]!.patterns).toEqual({ count: 3, bound: [0, 2], targets: [0, 2, 0] });
  });
});

describe('validating patterns', () => {
  const errors = (patterns: unknown[], actions: unknown[] = []) =>
    validateRules([{ id: 1, name: 'r', patterns, actions }], RULE_CHECKS).errors.map((e) => `${e.path}: ${e.message}`);

  it('rejects a Ref to a not/exists pattern, which binds no fact', () => {
    expect(
      errors([
        { alias: 'a', conditions: [] },
        { alias: 'n', not: true, conditions: [] },
        { alias: 'b', conditions: [ref('k', 'Equal', 'n.k')] },
      ]),
    ).toEqual(['$[0].patterns[2].conditions[0].value.Ref: Ref "n.k" names alias "n" of a not/exists pattern, which binds no fact']);
  });

  it('rejects Refs to later or unknown aliases, duplicate aliases, not with exists, with JSON paths', () => {
    expect(
      errors([
        { alias: 'a', conditions: [ref('k', 'Equal', 'b.k')] },
        { alias: 'b', not: true, exists: true, conditions: [{ operator: 'Or', conditions: [ref('k', 'Equal', 'zz.k')] }] },
        { alias: 'b', conditions: [] },
      ]),
    ).toEqual([
      '$[0].patterns[0].conditions[0].value.Ref: Ref "b.k" names unknown or later alias "b"; a Ref must name an earlier pattern',
      '$[0].patterns[1]: a pattern cannot be both "not" and "exists"',
      '$[0].patterns[1].conditions[0].conditions[0].value.Ref: Ref "zz.k" names unknown or later alias "zz"; a Ref must name an earlier pattern',
      '$[0].patterns[2].alias: duplicate alias "b"',
    ]);
  });

  it('loads a rules file whose patterns are fine', () => {
    expect(() => compileRules([EMP_DEPT()])).not.toThrow();
    expect(() => compileRules([{ id: 1, name: 'r', patterns: [{ alias: 'a', not: true, conditions: [] }], actions: [] }])).toThrow(RuleFileError);
  });
});

describe('multi-fact rules in a session', () => {
  it('fires as combinations complete: a dept arriving after its employees joins them', () => {
    const { firings } = run(
      [EMP_DEPT()],
      [
        { id: 1, type: 'emp', dept_id: 7 },
        { id: 2, type: 'emp', dept_id: 7 },
        { id: 3, type: 'dept', dept_id: 7 },
        { id: 4, type: 'emp', dept_id: 7 },
      ],
    );
    expect(firings.map((f) => [f.fact_id, f.fact_ids])).toEqual([
      [1, [1, 3]],
      [2, [2, 3]],
      [4, [4, 3]],
    ]);
  });

  it('orders combinations by their most recent fact, then the earlier ones, then pattern order', () => {
    // A self-join: every pair of facts with the same k, in both pattern positions.
    const rules = [
      {
        id: 1,
        name: 'pairs',
        patterns: [
          { alias: 'a', conditions: [] },
          { alias: 'b', conditions: [ref('k', 'Equal', 'a.k')] },
        ],
        actions: [],
      },
    ];
    const facts = [
      { id: 10, k: 1 },
      { id: 11, k: 2 },
      { id: 12, k: 1 },
    ];
    // Fired after each insertion: 10 → (10,10); 11 → (11,11); 12 → (10,12) (12,10) (12,12):
    // most recent 12 for all three, then 10 before 12, then pattern order.
    expect(brief(run(rules, facts).firings)).toEqual(['1:10,10', '1:11,11', '1:10,12', '1:12,10', '1:12,12']);
  });

  it('orders by salience and rule id before fact order', () => {
    const rules = [EMP_DEPT(2), EMP_DEPT(1), EMP_DEPT(3, { salience: 1 })];
    const facts = [
      { id: 1, type: 'dept', dept_id: 7 },
      { id: 2, type: 'emp', dept_id: 7 },
    ];
    expect(brief(run(rules, facts).firings)).toEqual(['3:2,1', '1:2,1', '2:2,1']);
  });

  it("leaves not/exists patterns out of fact_ids, and acts on the target pattern's fact", () => {
    const rules = [
      {
        id: 1,
        name: 'r',
        patterns: [
          { alias: 'e', conditions: [eq('type', 'emp')] },
          { alias: 'x', exists: true, conditions: [eq('type', 'badge'), ref('emp', 'Equal', 'e.id')] },
          { alias: 'd', conditions: [eq('type', 'dept'), ref('dept_id', 'Equal', 'e.dept_id')] },
        ],
        actions: [
          { action_type: { SetField: { field: 'seen', value: true } } },
          { target: 'd', action_type: { IncrementField: { field: 'staff', increment: 1 } } },
        ],
      },
    ];
    const facts = [
      { id: 1, type: 'dept', dept_id: 7 },
      { id: 2, type: 'emp', dept_id: 7 },
      { id: 3, type: 'badge', emp: 2 },
      { id: 4, type: 'badge', emp: 2 },
    ];
    const { firings, facts: out } = run(rules, facts);
    expect(firings).toEqual([
      {
        rule_id: 1,
        rule_name: 'r',
        fact_id: 2,
        fact_ids: [2, 1],
        actions_executed: [
          { FieldSet: { fact_id: 2, field: 'seen', value: true } },
          { FieldIncremented: { fact_id: 1, field: 'staff', old_value: 0, new_value: 1 } },
        ],
      },
    ]);
    expect(out.find((f) => f.id === 1)!.fields.staff).toBe(1);
  });

  it('decides not-patterns at end of input, on all of it', () => {
    const rules = [
      {
        id: 1,
        name: 'lonely',
        patterns: [
          { alias: 'd', conditions: [eq('type', 'dept')] },
          { alias: 'e', not: true, conditions: [eq('type', 'emp'), ref('dept_id', 'Equal', 'd.dept_id')] },
        ],
        actions: [log()],
      },
      { id: 2, name: 'single', conditions: [eq('type', 'emp')], actions: [log()] },
    ];
    const facts = [
      { id: 1, type: 'dept', dept_id: 7 },
      { id: 2, type: 'dept', dept_id: 8 },
      { id: 3, type: 'emp', dept_id: 7 },
    ];
    // The employee of dept 7 arrives after it: dept 7 is not lonely. Rule 2 fires as facts arrive, rule 1 at the end.
    expect(brief(run(rules, facts).firings)).toEqual(['2:3', '1:2']);
  });

  it('does not fire a pending combination whose fact another firing deleted first', () => {
    const rules = [
      {
        id: 1,
        name: 'withdraw',
        salience: 5,
        patterns: [
          { alias: 'o', conditions: [eq('type', 'offer')] },
          { alias: 'c', conditions: [eq('type', 'cand'), ref('id', 'Equal', 'o.cand')] },
        ],
        actions: [{ action_type: { DeleteFact: { fact_id_field: 'cand' } } }],
      },
      {
        id: 2,
        name: 'interview',
        patterns: [
          { alias: 'c', conditions: [eq('type', 'cand')] },
          { alias: 's', conditions: [eq('type', 'slot'), ref('cand', 'Equal', 'c.id')] },
        ],
        actions: [log()],
      },
    ];
    const facts = [
      { id: 1, type: 'offer', cand: 9 },
      { id: 2, type: 'slot', cand: 9 },
      { id: 9, type: 'cand' },
    ];
    const { firings, facts: out } = run(rules, facts);
    expect(brief(firings)).toEqual(['1:1,9']);
    expect(out.map((f) => f.id)).toEqual([1, 2]);
  });

  it('re-matches a fact whose joined field changes, firing each combination at most once', () => {
    const rules = [
      EMP_DEPT(1),
      {
        id: 2,
        name: 'move',
        salience: 1,
        patterns: [{ alias: 'e', conditions: [eq('type', 'emp'), eq('dept_id', 7)] }],
        actions: [{ action_type: { SetField: { field: 'dept_id', value: 8 } } }],
      },
      // Touches a field the join reads without changing it: no second firing of rule 1.
      {
        id: 3,
        name: 'touch',
        patterns: [{ alias: 'd', conditions: [eq('type', 'dept')] }],
        actions: [{ action_type: { SetField: { field: 'dept_id', value: 8 } } }],
      },
    ];
    const facts = [
      { id: 1, type: 'dept', dept_id: 7 },
      { id: 2, type: 'dept', dept_id: 8 },
      { id: 3, type: 'emp', dept_id: 7 },
    ];
    // Dept 1 arrives (rule 3 moves it to 8); dept 2 (rule 3 sets 8 again); the employee
    // arrives in dept 7, rule 2 moves it to 8: it joins both depts, once each.
    expect(brief(run(rules, facts).firings)).toEqual(['3:1', '3:2', '2:3', '1:3,1', '1:3,2']);
  });

  it('sees a not-pattern become false and true again through changes, judged at the end', () => {
    const rules = [
      {
        id: 1,
        name: 'unstaffed',
        patterns: [
          { alias: 'd', conditions: [eq('type', 'dept')] },
          { alias: 'e', not: true, conditions: [eq('type', 'emp'), ref('dept_id', 'Equal', 'd.dept_id')] },
        ],
        actions: [log()],
      },
      // Each employee moves to dept 2 as it arrives.
      { id: 2, name: 'move', conditions: [eq('type', 'emp'), eq('dept_id', 1)], actions: [{ action_type: { SetField: { field: 'dept_id', value: 2 } } }] },
    ];
    const facts = [
      { id: 1, type: 'dept', dept_id: 1 },
      { id: 2, type: 'dept', dept_id: 2 },
      { id: 3, type: 'emp', dept_id: 1 },
    ];
    expect(brief(run(rules, facts).firings)).toEqual(['2:3', '1:1']);
  });

  it('under --no-chain sees each fact as it was inserted, and created facts not at all', () => {
    const rules = [
      EMP_DEPT(1),
      {
        id: 2,
        name: 'move',
        salience: 1,
        patterns: [{ alias: 'e', conditions: [eq('type', 'emp')] }],
        actions: [
          { action_type: { SetField: { field: 'dept_id', value: 8 } } },
          { action_type: { CreateFact: { data: { fields: { type: 'dept', dept_id: 7 } } } } },
        ],
      },
    ];
    const facts = [
      { id: 1, type: 'emp', dept_id: 7 },
      { id: 2, type: 'dept', dept_id: 7 },
      { id: 3, type: 'dept', dept_id: 8 },
    ];
    expect(brief(run(rules, facts, { chain: false }).firings)).toEqual(['2:1', '1:1,2']);
    // With chaining: the employee is in dept 8 when the depts arrive, and the created dept 7 does not match it.
    expect(brief(run(rules, facts).firings)).toEqual(['2:1', '1:1,3']);
  });

  it('stops at --max-firings like single-fact rules', () => {
    // Each firing creates a dept the employee joins: it never ends on its own.
    const rules = [
      {
        ...EMP_DEPT(1),
        actions: [{ action_type: { CreateFact: { data: { fields: { type: 'dept', dept_id: 7 } } } } }],
      },
    ];
    const facts = [
      { id: 1, type: 'emp', dept_id: 7 },
      { id: 2, type: 'dept', dept_id: 7 },
    ];
    expect(() => run(rules, facts, { maxFirings: 50 })).toThrow(LimitError);
  });

  it('gives the same firings for the same input, run after run', () => {
    const rules = [EMP_DEPT(1), EMP_DEPT(2, { salience: 1 })];
    const facts = Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? { id: i, type: 'dept', dept_id: i % 12 } : { id: i, type: 'emp', dept_id: i % 12 }));
    const a = JSON.stringify(run(rules, facts).firings);
    expect(JSON.stringify(run(rules, facts).firings)).toBe(a);
  });

  it('reports what each node held at the end and at most', () => {
    const { network } = compileRules([EMP_DEPT()]);
    const session = new Session(network);
    const facts = [
      { id: 1, type: 'emp', dept_id: 7 },
      { id: 2, type: 'dept', dept_id: 7 },
      { id: 3, type: 'emp', dept_id: 9 },
      { id: 4, type: 'other' },
    ];
    facts.forEach((f, i) => {
      session.insert(decodeFact(f, i));
    });
    expect(session.stats.memoryNodes).toEqual([]);
    session.end();
    expect(session.stats.memoryNodes.map((n) => [n.node, n.kind, n.held, n.tokens, n.rules])).toEqual([
      ['M0', 'alpha-memory', 2, 0, [1]],
      ['M1', 'alpha-memory', 1, 0, [1]],
      ['B0', 'start', 0, 2, [1]],
      // The join's left side is M0 itself: it holds no copy.
      ['B1', 'join', 0, 1, [1]],
    ]);
    // The facts that reached a memory are working memory; the one that did not is not kept.
    expect(session.stats.peakWorkingMemory).toBe(3);
  });

  it('keeps networks without patterns on the single-fact path', () => {
    const { network } = compileRules([{ id: 1, name: 'r', conditions: [eq('a', 1)], actions: [log()] }]);
    expect(network.beta).toBeNull();
    expect(explainNetwork(network).patterns).toBeUndefined();
  });
});

describe('explain', () => {
  it("shows the patterns' alpha memories, join nodes with their indexes, cross products and sharing", () => {
    const { network } = compileRules([
      EMP_DEPT(1),
      EMP_DEPT(2),
      {
        id: 3,
        name: 'cross',
        patterns: [
          { alias: 'a', conditions: [eq('type', 'emp')] },
          { alias: 'b', exists: true, conditions: [eq('type', 'emp'), ref('salary', 'GreaterThan', 'a.salary')] },
        ],
        actions: [],
      },
    ]);
    const text = formatExplain(network);
    expect(text).toContain('[0] root (every fact) — no single-fact rules');
    expect(text).toContain('multi-fact rules: 2 alpha memories, 3 beta nodes (1 start, 1 join, 0 not, 1 exists; 1 hash joins, 1 cross products; 2 shared)');
    expect(text).toMatch(/M1 type Equal "dept" {2}— patterns d of rules 1-2; hash-indexed on dept_id/);
    // The join after B0 reads M0 through an index of M0's own: M0 is indexed on the Ref'd field.
    expect(text).toMatch(/M0 type Equal "emp" {2}— patterns e, a, b of rules 1-3; hash-indexed on dept_id; scanned whole/);
    expect(text).toMatch(/\[B0\] start e ← M0 {2}— rules 1-3 \(shared\)/);
    expect(text).toMatch(
      /\[B1\] join d ← M1: hash join dept_id = e\.dept_id \(left index: M0 by dept_id; right index: M1 by dept_id\); left side: the facts of M0 themselves, no copy {2}— rules 1-2 \(shared\)/,
    );
    expect(text).toMatch(
      /\[B2\] exists b ← M0: cross product: no Equal against a Ref, every left match is tested against every fact of the memory; tests salary GreaterThan a\.salary {2}— rule 3/,
    );
    expect(text).toContain('→ fires rule 1 "rule 1"');
    const json = explainNetwork(network).patterns!;
    expect(json.nodes[1]).toMatchObject({
      kind: 'join',
      hashJoin: { field: 'dept_id', ref: 'e.dept_id' },
      crossProduct: false,
      leftMemory: 0,
      shared: true,
      rules: [1, 2],
    });
    expect(json.nodes[2]).toMatchObject({ kind: 'exists', hashJoin: null, crossProduct: true, tests: ['salary GreaterThan a.salary'] });
    expect(json.memories[1]).toMatchObject({ indexes: ['dept_id'], scanned: false });
  });
});
