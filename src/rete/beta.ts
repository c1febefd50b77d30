// The beta network: multi-fact rules (formats.md §5, "patterns") compiled into alpha
// memories and chains of join / not / exists nodes, and the per-session runtime that
// holds their memories.
//
// Compilation. Each pattern's conditions are split into constant conjuncts (alpha tests,
// run through a tree of alpha nodes like the single-fact rules', ending in an alpha
// memory) and conjuncts holding a Ref (join tests). The first Equal against a Ref becomes
// the node's hash join; the other join tests run on the candidates it returns. A rule is
// a chain: a start node for its first pattern, then one node per further pattern, then
// its terminal. Patterns with the same constant conditions share one alpha memory; rules
// whose first k patterns are the same (same memories, joins and tests, Refs counted by
// pattern position, aliases aside) share their first k nodes.
//
// Runtime (BetaNetwork, one per session). Inserting a fact sends it down the patterns'
// alpha tree; in each memory it reaches it is added, then the memory's nodes are told,
// deepest first (so a fact that feeds two patterns of one rule makes each combination
// once). Retracting a fact takes it out of its memories, removes every token built on it
// (through its Wme's token list: no scans), then lets not/exists nodes recount. A change
// to a field some pattern reads is a retraction before the write and an insertion after
// the firing (Session.willChange), so the network never holds a value that differs from
// the one it indexed.
//
// Semantics (the README should repeat them):
// - A combination binds one fact per positive pattern; the same fact may fill several
//   patterns unless a condition rules it out (e.g. `id NotEqual {"Ref":"a.id"}`).
// - A Ref'd field that is missing counts as missing: every operator is false but NotEqual.
// - Rules whose patterns are all positive or exists fire as combinations complete (a fact
//   arriving on either side joins the other). A not-pattern is decided at end of input:
//   its node keeps counts all along but passes nothing on until then; from then on it
//   follows working memory (facts that end-of-input firings delete or create count).
// - Refraction: a rule fires at most once per combination, i.e. per tuple of bound facts
//   in pattern order (not/exists bind none). fact_ids lists those facts' ids.
// - Agenda order among one rule's combinations: most recent fact first compared (lower
//   insertion order fires first), then the next most recent, ..., then pattern order.
// - A change to a field that no pattern reads does not touch the beta network.
// - --no-chain: the network keeps seeing each fact as it was inserted (a copy of its
//   fields is taken before its first change), and created facts do not enter it.

import type { Fact } from '../model/fact.js';
import { compilePath, rootField } from '../model/path.js';
import type { Condition, Rule } from '../model/types.js';
import { cloneValue, type FieldMap } from '../model/value.js';
import { AlphaNode, collectMemories, hashChild, plainChild } from './alpha.js';
import { removeToken, StartNode, type BetaNode, type BetaSink } from './beta-node.js';
import { HashJoin, JoinNode } from './join.js';
import { compileJoinTest, hasRef, type JoinTest, type LeftRef } from './join-tests.js';
import { AlphaMemory } from './memory.js';
import { NegationNode } from './negation.js';
import { compileCondition, Rank, type AlphaTest } from './tests.js';
import type { Terminal } from './terminal.js';
import { Wme } from './token.js';

export type BetaKind = 'start' | 'join' | 'not' | 'exists';

/** An alpha memory as compiled: where it hangs in the patterns' alpha tree and who reads it. */
export class MemorySpec {
  readonly id: number;
  /** Sorted keys of its alpha tests (identity for sharing). */
  readonly key: string;
  /** Its alpha tests, in chain order (empty: every fact). */
  readonly tests: readonly AlphaTest[];
  readonly alphaNode: AlphaNode;
  /** The alpha nodes from the root's child to alphaNode. */
  readonly path: readonly AlphaNode[];
  readonly rules: number[] = [];
  /** Aliases of the patterns using it, as their rules name them. */
  readonly aliases: string[] = [];
  /** Fields hashed by the nodes reading it: one index each. */
  readonly indexPaths: string[] = [];
  /** Some node reads it without a hash (cross product or unhashed not/exists): keep the plain set. */
  scanned = false;
  /** Nodes whose right input it is, deepest first. */
  readonly successors: NodeSpec[] = [];
  constructor(id: number, key: string, tests: readonly AlphaTest[], path: readonly AlphaNode[], alphaNode: AlphaNode) {
    this.id = id;
    this.key = key;
    this.tests = tests;
    this.path = path;
    this.alphaNode = alphaNode;
  }
  get label(): string {
    return this.tests.length === 0 ? 'every fact' : this.tests.map((t) => t.label).join(', ');
  }
}

/** The hash join of a node: the pattern's field `rightPath` Equal the Ref'd `leftPath`. */
export interface HashSpec {
  readonly rightPath: string;
  readonly left: LeftRef;
  /** Position of the right memory's index on rightPath. */
  readonly indexPos: number;
}

export class NodeSpec {
  readonly id: number;
  readonly kind: BetaKind;
  readonly parent: NodeSpec | null;
  readonly memory: MemorySpec;
  /** Position of the node's pattern in its rules (0 for a start node). */
  readonly depth: number;
  /** Alias of the pattern in the first rule that made the node. */
  readonly alias: string;
  readonly hash: HashSpec | null;
  readonly tests: readonly JoinTest[];
  readonly key: string;
  readonly rules: number[] = [];
  readonly children: NodeSpec[] = [];
  readonly terminals: Terminal[] = [];
  constructor(
    id: number,
    kind: BetaKind,
    parent: NodeSpec | null,
    memory: MemorySpec,
    depth: number,
    alias: string,
    hash: HashSpec | null,
    tests: readonly JoinTest[],
    key: string,
  ) {
    this.id = id;
    this.kind = kind;
    this.parent = parent;
    this.memory = memory;
    this.depth = depth;
    this.alias = alias;
    this.hash = hash;
    this.tests = tests;
    this.key = key;
  }
  /** The join in words, e.g. `dept_id Equal e.dept_id` (hash) or a cross product. */
  get joinLabel(): string {
    if (this.kind === 'start') return 'first pattern';
    const parts: string[] = [];
    if (this.hash) parts.push(`hash join ${this.hash.rightPath} = ${this.hash.left.alias}.${this.hash.left.path}`);
    else parts.push('no Equal against a Ref: cross product, every left token is tested against every fact of the memory');
    if (this.tests.length > 0) parts.push(`tests ${this.tests.map((t) => t.label).join(', ')}`);
    return parts.join('; ');
  }
}

export interface BetaPlan {
  /** Root of the patterns' alpha tree. */
  readonly root: AlphaNode;
  readonly alphaNodes: readonly AlphaNode[];
  readonly memories: readonly MemorySpec[];
  /** Parents before children. */
  readonly nodes: readonly NodeSpec[];
  /** Distinct join tests (for the report's mismatch counts). */
  readonly joinTests: readonly JoinTest[];
  /** Root fields any pattern reads (its own fields and Ref'd ones). */
  readonly readFields: ReadonlySet<string>;
  /** Terminals of the multi-fact rules. */
  readonly terminals: readonly Terminal[];
}

interface SplitPattern {
  readonly alpha: AlphaTest[];
  readonly hash: { rightPath: string; left: LeftRef } | null;
  readonly tests: JoinTest[];
}

/**
 * Compiles the multi-fact rules. `byKey` is the network's table of alpha tests (tests
 * with one key are one object, so mismatch counts are per distinct test).
 */
export function compileBeta(rules: readonly { rule: Rule; terminal: Terminal }[], byKey: Map<string, AlphaTest>): BetaPlan {
  const readFields = new Set<string>();
  const joinTests = new Map<string, JoinTest>();
  const shareAlpha = (t: AlphaTest) => {
    const known = byKey.get(t.key);
    if (known) return known;
    byKey.set(t.key, t);
    return t;
  };
  const shareJoin = (t: JoinTest) => {
    const known = joinTests.get(t.key);
    if (known) return known;
    joinTests.set(t.key, t);
    return t;
  };

  // Split every pattern first: alpha-test frequencies order the chains, as for single-fact rules.
  const split = rules.map(({ rule }) => {
    const patterns = rule.patterns!;
    const index = new Map(patterns.map((p, i) => [p.alias, i]));
    return patterns.map((p, i) => {
      const s = splitPattern(p.conditions, (alias, path) => {
        const j = index.get(alias)!;
        return { alias, pattern: j, path, steps: i - 1 - j, read: compilePath(path) };
      });
      return { alpha: s.alpha.map(shareAlpha), hash: s.hash, tests: s.tests.map(shareJoin) };
    });
  });
  const frequency = new Map<string, number>();
  for (const r of split) for (const p of r) for (const t of p.alpha) frequency.set(t.key, (frequency.get(t.key) ?? 0) + 1);

  const root = new AlphaNode(0, null);
  const alphaNodes: AlphaNode[] = [root];
  const memories: MemorySpec[] = [];
  const memoryByKey = new Map<string, MemorySpec>();
  const nodes: NodeSpec[] = [];
  const nodeByKey = new Map<string, NodeSpec>();

  const memoryFor = (alpha: AlphaTest[]): MemorySpec => {
    const chain = [...alpha].sort((a, b) => a.rank - b.rank || frequency.get(b.key)! - frequency.get(a.key)! || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const key = chain
      .map((t) => t.key)
      .sort()
      .join(';');
    const known = memoryByKey.get(key);
    if (known) return known;
    let node = root;
    const path: AlphaNode[] = [];
    for (const t of chain) {
      for (const f of t.reads) readFields.add(f);
      node = t.rank === Rank.HashEqual ? hashChild(node, t, alphaNodes) : plainChild(node, t, alphaNodes);
      path.push(node);
    }
    const m = new MemorySpec(memories.length, key, chain, path, node);
    memories.push(m);
    memoryByKey.set(key, m);
    node.memories.push(m);
    return m;
  };

  rules.forEach(({ rule, terminal }, r) => {
    const patterns = rule.patterns!;
    let parent: NodeSpec | null = null;
    patterns.forEach((p, i) => {
      const s = split[r]![i]!;
      const memory = memoryFor(s.alpha);
      const kind: BetaKind = i === 0 ? 'start' : p.not ? 'not' : p.exists ? 'exists' : 'join';
      const hashKey = s.hash ? `${s.hash.rightPath}=@${s.hash.left.pattern}.${s.hash.left.path}` : '';
      const key = `${parent?.id ?? '-'}|${kind}|${memory.id}|${hashKey}|${s.tests
        .map((t) => t.key)
        .sort()
        .join(';')}`;
      let node = nodeByKey.get(key);
      if (!node) {
        let hash: HashSpec | null = null;
        if (s.hash) {
          let pos = memory.indexPaths.indexOf(s.hash.rightPath);
          if (pos < 0) pos = memory.indexPaths.push(s.hash.rightPath) - 1;
          hash = { rightPath: s.hash.rightPath, left: s.hash.left, indexPos: pos };
          readFields.add(rootField(s.hash.rightPath));
          readFields.add(rootField(s.hash.left.path));
        } else if (kind !== 'start') memory.scanned = true;
        for (const t of s.tests) for (const f of t.reads) readFields.add(f);
        node = new NodeSpec(nodes.length, kind, parent, memory, i, p.alias, hash, s.tests, key);
        nodes.push(node);
        nodeByKey.set(key, node);
        parent?.children.push(node);
        memory.successors.push(node);
      }
      node.rules.push(rule.id);
      if (!memory.rules.includes(rule.id)) {
        memory.rules.push(rule.id);
        if (!root.rules.includes(rule.id)) root.rules.push(rule.id);
        for (const a of memory.path) if (!a.rules.includes(rule.id)) a.rules.push(rule.id);
      }
      if (!memory.aliases.includes(p.alias)) memory.aliases.push(p.alias);
      parent = node;
    });
    parent!.terminals.push(terminal);
    const aliasIndex = new Map(patterns.map((p, i) => [p.alias, i]));
    terminal.patterns = {
      count: patterns.length,
      bound: patterns.flatMap((p, i) => (p.not || p.exists ? [] : [i])),
      targets: rule.actions.map((a) => (a.target === null ? 0 : aliasIndex.get(a.target)!)),
    };
  });

  for (const n of nodes) n.terminals.sort((a, b) => a.rank - b.rank);
  // Deepest first: see BetaNetwork.insert. The sort is stable, so ties keep compile order.
  for (const m of memories) m.successors.sort((a, b) => b.depth - a.depth);
  return {
    root,
    alphaNodes,
    memories,
    nodes,
    joinTests: [...joinTests.values()],
    readFields,
    terminals: rules.map((r) => r.terminal),
  };
}

/** Splits a pattern's conditions into alpha tests, the hash join and the other join tests. */
function splitPattern(conds: readonly Condition[], resolve: (alias: string, path: string) => LeftRef): SplitPattern {
  const alpha: AlphaTest[] = [];
  const joins: Condition[] = [];
  const walk = (list: readonly Condition[]) => {
    for (const c of list) {
      if (c.kind === 'and') walk(c.conditions);
      else if (hasRef(c)) joins.push(c);
      else alpha.push(compileCondition(c));
    }
  };
  walk(conds);
  let hash: SplitPattern['hash'] = null;
  const tests: JoinTest[] = [];
  for (const c of joins) {
    if (hash === null && c.kind === 'simple' && c.operator === 'Equal' && c.ref !== null) {
      hash = { rightPath: c.field, left: resolve(c.ref.alias, c.ref.field) };
    } else tests.push(compileJoinTest(c, resolve));
  }
  const dedupe = <T extends { key: string }>(list: T[]) => {
    const seen = new Set<string>();
    return list.filter((t) => {
      if (seen.has(t.key)) return false;
      seen.add(t.key);
      return true;
    });
  };
  return { alpha: dedupe(alpha), hash, tests: dedupe(tests) };
}

/** What one node of the network holds, for the run report. */
export interface NodeMemoryStats {
  /** `M<n>` for an alpha memory, `B<n>` for a beta node (as explain numbers them). */
  node: string;
  kind: 'alpha-memory' | BetaKind;
  /** The memory's tests, or the node's pattern and join. */
  label: string;
  rules: number[];
  /** Facts (alpha memory) or left-memory tokens (join, not, exists) held at the end, and at most. */
  held: number;
  peakHeld: number;
  /** Tokens the node made that were live at the end, and at most (not for alpha memories). */
  tokens: number;
  peakTokens: number;
}

/** A session's beta network: the memories and nodes of a BetaPlan, with their contents. */
export class BetaNetwork {
  readonly plan: BetaPlan;
  readonly memories: readonly AlphaMemory[];
  readonly nodes: readonly BetaNode[];
  private readonly notNodes: NegationNode[] = [];
  /** The Wme of each fact in the network; kept only when facts can be retracted or change. */
  private readonly wmes: Map<Fact, Wme> | null;
  private readonly scratch: MemorySpec[] = [];
  /** Facts in the network now, and at most. */
  held = 0;
  peakHeld = 0;

  /** `keepFacts`: facts can be retracted or changed later (DeleteFact, or writes to fields patterns read). */
  constructor(plan: BetaPlan, sink: BetaSink, keepFacts: boolean) {
    this.plan = plan;
    this.wmes = keepFacts ? new Map() : null;
    const memories = plan.memories.map((m) => new AlphaMemory(m));
    const nodes: BetaNode[] = [];
    for (const spec of plan.nodes) {
      const memory = memories[spec.memory.id]!;
      const hash = spec.hash ? new HashJoin(spec.hash.left.steps, spec.hash.left.read, memory.indexes[spec.hash.indexPos]!) : null;
      let node: BetaNode;
      if (spec.kind === 'start') node = new StartNode(spec, sink);
      else if (spec.kind === 'join') node = new JoinNode(spec, sink, memory, hash);
      else {
        const neg = new NegationNode(spec, sink, memory, hash);
        if (spec.kind === 'not') this.notNodes.push(neg);
        node = neg;
      }
      nodes.push(node);
      if (spec.parent) nodes[spec.parent.id]!.children.push(node);
    }
    for (const m of memories) {
      for (const s of m.spec.successors) {
        const node = nodes[s.id]!;
        m.successors.push(node);
        if (s.kind === 'not' || s.kind === 'exists') m.negations.push(node);
      }
    }
    this.memories = memories;
    this.nodes = nodes;
  }

  /**
   * Sends a fact into the network: into each alpha memory it passes, one memory at a
   * time, telling the memory's nodes deepest first. A node thus meets the fact on its
   * right before any token holding the fact reaches its left, so each combination is made
   * once. Returns whether the fact reached some memory.
   */
  insert(fact: Fact): boolean {
    const scratch = this.scratch;
    const n = collectMemories(this.plan.root, fact.fields, scratch, 0);
    if (n === 0) return false;
    const w = new Wme(fact, fact.fields);
    if (this.wmes !== null) this.wmes.set(fact, w);
    if (++this.held > this.peakHeld) this.peakHeld = this.held;
    // (Nodes never insert facts while they are told of one, so the scratch list stays ours.)
    for (let i = 0; i < n; i++) {
      const m = this.memories[scratch[i]!.id]!;
      m.add(w);
      const ss = m.successors;
      for (let j = 0; j < ss.length; j++) ss[j]!.rightAdd(w);
    }
    return true;
  }

  /** Whether the fact is in the network (only known when facts are kept). */
  holds(fact: Fact): boolean {
    return this.wmes?.has(fact) === true;
  }

  /**
   * Takes a fact out: out of its memories, then every token built on it (and their
   * pending activations) goes, then not/exists nodes recount without it.
   */
  retract(fact: Fact): void {
    const w = this.wmes?.get(fact);
    if (w === undefined) return;
    this.wmes!.delete(fact);
    const ms = w.more === null ? [w.memory!] : [w.memory!, ...w.more];
    for (let i = 0; i < ms.length; i++) ms[i]!.remove(w);
    while (w.firstToken !== null) removeToken(w.firstToken);
    for (let i = 0; i < ms.length; i++) {
      const negs = ms[i]!.negations;
      for (let j = 0; j < negs.length; j++) negs[j]!.rightRemove(w);
    }
    w.dead = true;
    this.held--;
  }

  /** --no-chain: the fact is about to change; the network keeps seeing it as it was inserted. */
  freeze(fact: Fact): void {
    const w = this.wmes?.get(fact);
    if (w !== undefined && w.fields === fact.fields) w.fields = cloneValue(fact.fields) as FieldMap;
  }

  /** End of input: not-patterns are decided from now on. */
  open(): void {
    for (const n of this.notNodes) n.openNow();
  }

  memoryStats(): NodeMemoryStats[] {
    const out: NodeMemoryStats[] = [];
    for (const m of this.memories) {
      const s = m.spec;
      out.push({
        node: `M${s.id}`,
        kind: 'alpha-memory',
        label: `${s.aliases.join('/')}: ${s.label}`,
        rules: [...s.rules],
        held: m.size,
        peakHeld: m.peak,
        tokens: 0,
        peakTokens: 0,
      });
    }
    for (const n of this.nodes) {
      const s = n.spec;
      out.push({
        node: `B${s.id}`,
        kind: s.kind,
        label: `${s.kind} ${s.alias} ← M${s.memory.id}${s.kind === 'start' ? '' : ` (${s.joinLabel})`}`,
        rules: [...s.rules],
        held: n.leftSize(),
        peakHeld: n.peakLeftSize(),
        tokens: n.tokens,
        peakTokens: n.peakTokens,
      });
    }
    return out;
  }
}
