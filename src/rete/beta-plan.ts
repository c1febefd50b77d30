// The beta network as compiled: multi-fact rules (patterns) turned into alpha memories and
// chains of start / join / not / exists node specs. Immutable once compiled; each session
// builds its own runtime from it (beta-network.ts).
//
// Each pattern's conditions split into constant conjuncts (alpha tests, run through a
// tree of alpha nodes like the single-fact rules', ending in an alpha memory) and conjuncts
// holding a Ref (join tests). The first Equal against a Ref becomes the node's hash join;
// the other join tests run on the candidates it returns. A rule is a chain: a start node
// for its first pattern, then one node per further pattern, then its terminal. Patterns
// with the same constant conditions share one alpha memory; rules whose first k patterns
// are the same (same memories, joins and tests, Refs counted by pattern position, aliases
// aside) share their first k nodes. A join right after a start node reads its left side
// straight from the start node's alpha memory, through an index on the Ref'd field.
//
// Patterns that share their hash-dispatched Equal tests (`type Equal "employee"`) but differ
// in the rest share one memory of that common part when more than one such pattern exists;
// each node then applies its pattern's other constant tests itself, as a filter: a start
// node before passing a fact on, a join or not/exists node on its right candidates, a join
// after a start node on the left candidates it reads from the shared memory. Measured on ten
// join rules over 1M facts (bench join10), one index entry per fact instead of one per rule
// costs less than testing each candidate per rule.

import { rootField } from '../model/path.js';
import type { Condition, Rule } from '../model/types.js';
import { AlphaNode, hashChild, plainChild } from './alpha-node.js';
import { compileJoinTest, constantJoinTest, hasRef, makeLeftRef, type JoinTest, type LeftRef } from './join-predicates.js';
import { shareKey } from './keys.js';
import { compileCondition, dedupeByKey, Rank, type AlphaTest, type Slots } from './predicates.js';
import type { Terminal } from './terminal.js';

export type BetaKind = 'start' | 'join' | 'not' | 'exists';

/** An alpha memory as compiled: where it hangs in the patterns' alpha tree and who reads it. */
export class MemorySpec {
  readonly id: number;
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
  /** Nodes for which it is the input (start nodes) or the right input, deepest first. */
  readonly successors: NodeSpec[] = [];
  constructor(id: number, tests: readonly AlphaTest[], path: readonly AlphaNode[], alphaNode: AlphaNode) {
    this.id = id;
    this.tests = tests;
    this.path = path;
    this.alphaNode = alphaNode;
  }
  get label(): string {
    return this.tests.length === 0 ? 'every fact' : this.tests.map((t) => t.label).join(', ');
  }
  /** The position of this memory's index on `path`, made when missing. */
  indexOn(path: string): number {
    const pos = this.indexPaths.indexOf(path);
    return pos >= 0 ? pos : this.indexPaths.push(path) - 1;
  }
}

/** The hash join of a node: the pattern's field `rightPath` Equal the Ref'd field. */
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
  /**
   * A join right after a start node: its left matches are the facts of the start node's
   * memory, read through that memory's index at this position (hashed) or its plain set
   * (-1, a cross product). Null: the node keeps its own left memory of tokens.
   */
  readonly sharedLeftIndex: number | null;
  /**
   * The pattern's constant tests its memory does not apply (the memory is shared with
   * patterns that differ in them): a start node passes on only the facts that pass them.
   * For the other kinds they are part of `tests`.
   */
  readonly filter: readonly AlphaTest[];
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
    sharedLeftIndex: number | null,
    filter: readonly AlphaTest[],
  ) {
    this.id = id;
    this.kind = kind;
    this.parent = parent;
    this.memory = memory;
    this.depth = depth;
    this.alias = alias;
    this.hash = hash;
    this.tests = tests;
    this.sharedLeftIndex = sharedLeftIndex;
    this.filter = filter;
  }
  /** The join in words, e.g. `hash join dept_id = e.dept_id` or a cross product. */
  get joinLabel(): string {
    if (this.kind === 'start') return this.filter.length > 0 ? `first pattern; filters ${this.filter.map((t) => t.label).join(', ')}` : 'first pattern';
    const parts: string[] = [];
    if (this.hash) parts.push(`hash join ${this.hash.rightPath} = ${this.hash.left.alias}.${this.hash.left.path}`);
    else parts.push('no Equal against a Ref: cross product, every left match is tested against every fact of the memory');
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
  /** Some not/exists node: its matches come and go, so tokens keep their links. */
  readonly hasNegation: boolean;
}

interface SplitPattern {
  readonly alpha: AlphaTest[];
  readonly hash: { rightPath: string; left: LeftRef } | null;
  readonly tests: JoinTest[];
}

/** Orders a chain of alpha tests: by cost class, then by how many rules share a test, then by key. */
export function chainOrder(frequency: ReadonlyMap<string, number>): (a: AlphaTest, b: AlphaTest) => number {
  return (a, b) => a.rank - b.rank || frequency.get(b.key)! - frequency.get(a.key)! || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * Compiles the multi-fact rules. `share` maps a test to the network's one test with its
 * key (tests with one key are one object, so mismatch counts are per distinct test).
 */
export function compileBeta(rules: readonly { rule: Rule; terminal: Terminal }[], share: (t: AlphaTest) => AlphaTest, slots: Slots): BetaPlan {
  const readFields = new Set<string>();
  const joinTests = new Map<string, JoinTest>();
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
    return patterns.map((p) => {
      const s = splitPattern(p.conditions, (alias, path) => makeLeftRef(alias, index.get(alias)!, path), slots);
      return { alpha: s.alpha.map(share), hash: s.hash, tests: s.tests.map(shareJoin) };
    });
  });
  const frequency = new Map<string, number>();
  for (const r of split) for (const p of r) for (const t of p.alpha) frequency.set(t.key, (frequency.get(t.key) ?? 0) + 1);
  const order = chainOrder(frequency);
  const memoryTests = shareCommonParts(split.flat().map((p) => p.alpha));

  const root = new AlphaNode(0, null);
  const alphaNodes: AlphaNode[] = [root];
  const memories: MemorySpec[] = [];
  const memoryByKey = new Map<string, MemorySpec>();
  const nodes: NodeSpec[] = [];
  const nodeByKey = new Map<string, NodeSpec>();

  const memoryFor = (alpha: AlphaTest[]): MemorySpec => {
    const chain = [...alpha].sort(order);
    const key = shareKey(chain.map((t) => t.key).sort());
    const known = memoryByKey.get(key);
    if (known) return known;
    let node = root;
    const path: AlphaNode[] = [];
    for (const t of chain) {
      for (const f of t.reads) readFields.add(f);
      node = t.rank === Rank.HashEqual ? hashChild(node, t, alphaNodes) : plainChild(node, t, alphaNodes);
      path.push(node);
    }
    const m = new MemorySpec(memories.length, chain, path, node);
    memories.push(m);
    memoryByKey.set(key, m);
    node.memories.push(m.id);
    return m;
  };

  let flat = 0;
  rules.forEach(({ rule, terminal }, r) => {
    const patterns = rule.patterns!;
    let parent: NodeSpec | null = null;
    patterns.forEach((p, i) => {
      const s = split[r]![i]!;
      const inMemory = memoryTests[flat++]!;
      const memory = memoryFor(inMemory);
      const kind: BetaKind = i === 0 ? 'start' : p.not ? 'not' : p.exists ? 'exists' : 'join';
      // The pattern's constant tests the shared memory leaves out: the node applies them.
      const filter = s.alpha.filter((t) => !inMemory.includes(t)).sort(order);
      for (const t of filter) for (const f of t.reads) readFields.add(f);
      const tests = kind === 'start' ? s.tests : [...filter.map((t) => shareJoin(constantJoinTest(t, slots))), ...s.tests];
      const hashPart = s.hash ? [s.hash.rightPath, s.hash.left.pattern, s.hash.left.path] : null;
      const key = shareKey(
        parent?.id ?? null,
        kind,
        memory.id,
        hashPart,
        tests.map((t) => t.key).sort(),
        kind === 'start' ? filter.map((t) => t.key).sort() : [],
      );
      let node = nodeByKey.get(key);
      if (!node) {
        let hash: HashSpec | null = null;
        if (s.hash) {
          hash = { rightPath: s.hash.rightPath, left: s.hash.left, indexPos: memory.indexOn(s.hash.rightPath) };
          readFields.add(rootField(s.hash.rightPath));
          readFields.add(rootField(s.hash.left.path));
        } else if (kind !== 'start') memory.scanned = true;
        let sharedLeft: number | null = null;
        if (kind === 'join' && parent!.kind === 'start') {
          const left = parent!.memory;
          if (hash) sharedLeft = left.indexOn(hash.left.path);
          else {
            left.scanned = true;
            sharedLeft = -1;
          }
        }
        for (const t of s.tests) for (const f of t.reads) readFields.add(f);
        node = new NodeSpec(nodes.length, kind, parent, memory, i, p.alias, hash, tests, sharedLeft, kind === 'start' ? filter : []);
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
    hasNegation: nodes.some((n) => n.kind === 'not' || n.kind === 'exists'),
  };
}

/**
 * The tests each pattern's memory applies (patterns given by their alpha tests, in order):
 * all of them, except where several patterns with different tests share their hash-
 * dispatched Equal tests; those patterns' memory is that common part alone.
 */
function shareCommonParts(patterns: readonly (readonly AlphaTest[])[]): AlphaTest[][] {
  const commonKey = (alpha: readonly AlphaTest[]) =>
    shareKey(
      alpha
        .filter((t) => t.rank === Rank.HashEqual)
        .map((t) => t.key)
        .sort(),
    );
  const variants = new Map<string, Set<string>>();
  for (const alpha of patterns) {
    if (!alpha.some((t) => t.rank === Rank.HashEqual)) continue;
    const k = commonKey(alpha);
    let set = variants.get(k);
    if (!set) variants.set(k, (set = new Set()));
    set.add(shareKey(alpha.map((t) => t.key).sort()));
  }
  return patterns.map((alpha) => {
    const shared = alpha.some((t) => t.rank === Rank.HashEqual) && variants.get(commonKey(alpha))!.size > 1;
    return shared ? alpha.filter((t) => t.rank === Rank.HashEqual) : [...alpha];
  });
}

/** Splits a pattern's conditions into alpha tests, the hash join and the other join tests. */
function splitPattern(conds: readonly Condition[], resolve: (alias: string, path: string) => LeftRef, slots: Slots): SplitPattern {
  const alpha: AlphaTest[] = [];
  const joins: Condition[] = [];
  const walk = (list: readonly Condition[]) => {
    for (const c of list) {
      if (c.kind === 'and') walk(c.conditions);
      else if (hasRef(c)) joins.push(c);
      else alpha.push(compileCondition(c, slots));
    }
  };
  walk(conds);
  let hash: SplitPattern['hash'] = null;
  const tests: JoinTest[] = [];
  for (const c of joins) {
    if (hash === null && c.kind === 'simple' && c.operator === 'Equal' && c.ref !== null) {
      hash = { rightPath: c.field, left: resolve(c.ref.alias, c.ref.field) };
    } else tests.push(compileJoinTest(c, resolve, slots));
  }
  return { alpha: dedupeByKey(alpha), hash, tests: dedupeByKey(tests) };
}
