// Compiles validated rules into a RETE network: each rule's tests are ordered by cost
// class and by how many rules share them, identical prefixes are shared, Equal tests on
// constants become hash-indexed branches, and each rule ends in a terminal. Multi-fact
// rules (patterns) compile into the beta plan beside this alpha tree, end-of-input
// conditions into deferred plans. The network is immutable once compiled: any number of
// sessions, one after another or interleaved, may run on it.

import { compileActions } from '../actions/execute.js';
import type { HeldWriter } from '../model/field-writes.js';
import { ruleReads, type RuleReads } from '../model/reads.js';
import type { Rule } from '../model/types.js';
import { AlphaNode, hashChild, plainChild } from './alpha-node.js';
import { chainOrder, compileBeta, type BetaPlan } from './beta-plan.js';
import { compileDeferred, type DeferredPlan } from './deferred/index.js';
import { conjuncts, Rank, Slots, type AlphaTest, type TestCache } from './predicates.js';
import { Terminal, terminalPatterns } from './terminal.js';
import { terminalBlock, type TerminalBlock } from './terminal-block.js';

export interface Network {
  readonly root: AlphaNode;
  readonly nodes: readonly AlphaNode[];
  /** Terminals in rule-file order. */
  readonly terminals: readonly Terminal[];
  /** Distinct alpha tests (single-fact chains and patterns), for the report's mismatch counts. */
  readonly tests: readonly AlphaTest[];
  /** How many mismatch counters a session keeps (one per test slot). */
  readonly slots: number;
  /** Root fields read by any condition. */
  readonly readFields: ReadonlySet<string>;
  /** The top-level keys of a record that anything in the rules can read (for projected readers). */
  readonly reads: RuleReads;
  /** SetField actions of fields nothing in the rules reads: a session may hold their writes back. */
  readonly heldWriters: readonly HeldWriter[];
  /** Alpha nodes' rules that fire as one (AlphaNode.block), by id. */
  readonly blocks: readonly TerminalBlock[];
  /** Some action writes a field that some condition reads (chaining can re-match). */
  readonly writesReadFields: boolean;
  /** Some rule updates or deletes other facts by id: working memory must keep facts. */
  readonly addressesFactsById: boolean;
  readonly hasDelete: boolean;
  readonly hasUpdate: boolean;
  readonly hasCreate: boolean;
  /** Every end-of-input condition, in rule order; each session makes its own instance of each. */
  readonly deferred: readonly DeferredPlan[];
  /** Terminals of rules with end-of-input conditions. */
  readonly deferredTerminals: readonly Terminal[];
  /** The multi-fact rules' alpha memories and join / not / exists nodes; null when there are none. */
  readonly beta: BetaPlan | null;
  /** Some action writes a field that a pattern of a multi-fact rule reads. */
  readonly patternWrites: boolean;
  readonly compileMs: number;
}

export function compileNetwork(rules: readonly Rule[]): Network {
  const start = performance.now();
  const slots = new Slots();
  const deferred: DeferredPlan[] = [];
  const deferredTerminals: Terminal[] = [];
  // Agenda order: salience high first, then rule id.
  const order = rules.map((_r, i) => i).sort((a, b) => rules[b]!.salience - rules[a]!.salience || rules[a]!.id - rules[b]!.id);
  const rankOf = new Array<number>(rules.length);
  order.forEach((ruleIndex, rank) => {
    rankOf[ruleIndex] = rank;
  });

  // Each distinct test is built once (`built`); byKey keeps them in the order rules use them.
  const built: TestCache = new Map();
  const chains = rules.map((r) => (r.patterns === null ? conjuncts(r.conditions, slots, built) : []));
  const frequency = new Map<string, number>();
  for (const chain of chains) for (const t of chain) frequency.set(t.key, (frequency.get(t.key) ?? 0) + 1);
  // One test object per key, so mismatch counts are per distinct test.
  const byKey = new Map<string, AlphaTest>();
  const share = (t: AlphaTest): AlphaTest => {
    const known = byKey.get(t.key);
    if (known) return known;
    byKey.set(t.key, t);
    return t;
  };

  const nodes: AlphaNode[] = [];
  const root = new AlphaNode(0, null);
  nodes.push(root);
  const terminals: Terminal[] = [];
  const readFields = new Set<string>();
  const writes = new Set<string>();
  let hasUpdate = false;
  let hasDelete = false;
  let hasCreate = false;
  const patternRules: { rule: Rule; terminal: Terminal }[] = [];

  // Indexed loops here and below: this runs once per rule in the interpreter, where for-of
  // makes an iterator and a result object a step (bench enterprise: ~300 KB a compile).
  for (let ruleIndex = 0; ruleIndex < rules.length; ruleIndex++) {
    const rule = rules[ruleIndex]!;
    const chain = chains[ruleIndex]!.map(share).sort(chainOrder(frequency));
    let node = root;
    if (rule.patterns === null) {
      node.rules.push(rule.id);
      for (let i = 0; i < chain.length; i++) {
        const t = chain[i]!;
        for (let j = 0; j < t.reads.length; j++) readFields.add(t.reads[j]!);
        node = t.rank === Rank.HashEqual ? hashChild(node, t, nodes) : plainChild(node, t, nodes);
        node.rules.push(rule.id);
      }
    }
    const patterns = terminalPatterns(rule);
    const actions = compileActions(rule, patterns === null ? null : patterns.targets);
    for (let i = 0; i < actions.length; i++) {
      const w = actions[i]!.writes();
      for (let j = 0; j < w.length; j++) writes.add(w[j]!);
    }
    for (let i = 0; i < rule.actions.length; i++) {
      const kind = rule.actions[i]!.kind;
      if (kind === 'UpdateFact') hasUpdate = true;
      if (kind === 'DeleteFact') hasDelete = true;
      if (kind === 'CreateFact') hasCreate = true;
    }
    let indexes: number[] | null = null;
    for (let i = 0; i < rule.conditions.length; i++) {
      const c = rule.conditions[i]!;
      if (c.kind === 'aggregation' || c.kind === 'stream') (indexes ??= []).push(deferred.push(compileDeferred(c, slots)) - 1);
    }
    const terminal = new Terminal(rule, rankOf[ruleIndex]!, ruleIndex, actions, indexes, patterns);
    if (rule.patterns === null) node.terminals.push(terminal);
    else patternRules.push({ rule, terminal });
    terminals.push(terminal);
    if (indexes) deferredTerminals.push(terminal);
  }

  for (const node of nodes) node.terminals.sort((a, b) => a.rank - b.rank);
  const beta = patternRules.length > 0 ? compileBeta(patternRules, share, slots) : null;
  const patternReads: ReadonlySet<string> = beta ? beta.readFields : new Set();
  for (const f of patternReads) readFields.add(f);
  // Fields rules write and nothing in the rules reads: their writes may be held back.
  const reads = ruleReads(rules);
  const unread = new Set<string>();
  let writesReadFields = false;
  let patternWrites = false;
  const read = reads.whole ? null : new Set(reads.fields);
  writes.forEach((w) => {
    if (read !== null && !read.has(w)) unread.add(w);
    if (readFields.has(w)) writesReadFields = true;
    if (patternReads.has(w)) patternWrites = true;
  });
  const heldWriters: HeldWriter[] = [];
  const binding = { reads: readFields, patternReads, unread, writers: heldWriters };
  for (let i = 0; i < terminals.length; i++) {
    const actions = terminals[i]!.actions;
    for (let j = 0; j < actions.length; j++) actions[j]!.bind(binding);
  }
  const blocks: TerminalBlock[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    node.block = terminalBlock(blocks.length, node.terminals);
    if (node.block !== null) blocks.push(node.block);
  }
  return {
    root,
    nodes,
    terminals,
    tests: [...byKey.values()],
    slots: slots.count,
    readFields,
    reads,
    heldWriters,
    blocks,
    writesReadFields,
    addressesFactsById: hasUpdate || hasDelete,
    hasDelete,
    hasUpdate,
    hasCreate,
    deferred,
    deferredTerminals,
    beta,
    patternWrites,
    compileMs: performance.now() - start,
  };
}
