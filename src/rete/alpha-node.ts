// Alpha nodes: the single-fact part of the network. Each node holds one test; its
// successors are grouped so that Equal tests against constants on one field are one
// hash lookup (a fact visits only the branches whose equality it passes). The patterns of
// multi-fact rules have their own tree of the same nodes, whose chains end in alpha
// memories (beta-plan.ts) instead of terminals.

import type { FieldReader } from '../model/path.js';
import { hashKey, type FieldMap } from '../model/value.js';
import type { HashKey } from './keys.js';
import type { AlphaTest, HashDispatch, Mismatches } from './predicates.js';
import type { Terminal } from './terminal.js';
import type { TerminalBlock } from './terminal-block.js';

/** Successors of an alpha node that test the same read for equality, indexed by constant. */
export class HashGroup {
  /** What the group reads, for explain (a field path). */
  readonly path: string;
  /** Identity: tests with this group read the same value the same way (HashDispatch.group). */
  readonly group: string;
  readonly read: FieldReader;
  readonly index = new Map<HashKey, AlphaNode>();
  /**
   * While the group has one branch, its key and node (else null): a comparison instead of a
   * map lookup. Bench enterprise dispatches every fact through four one-branch groups.
   */
  private onlyKey: HashKey = null;
  private onlyNode: AlphaNode | null = null;
  constructor(d: HashDispatch) {
    this.path = d.label;
    this.group = d.group;
    this.read = d.read;
  }

  /** The branch for a key. (Keys are rule constants, never NaN, so === agrees with the map's SameValueZero.) */
  next(key: HashKey): AlphaNode | undefined {
    const only = this.onlyNode;
    if (only !== null) return key === this.onlyKey ? only : undefined;
    return this.index.get(key);
  }

  /** Adds a branch (while the network compiles). */
  add(key: HashKey, node: AlphaNode): void {
    this.index.set(key, node);
    const single = this.index.size === 1;
    this.onlyKey = single ? key : null;
    this.onlyNode = single ? node : null;
  }
}

export class AlphaNode {
  readonly id: number;
  /** Null for the root and for nodes reached through a hash group (the lookup is the test). */
  readonly test: AlphaTest | null;
  readonly hashGroups: HashGroup[] = [];
  readonly children: AlphaNode[] = [];
  readonly terminals: Terminal[] = [];
  /** In the patterns' tree: the ids of the alpha memories whose constant conditions end here. */
  readonly memories: number[] = [];
  /** Rules whose chain passes through this node (sharing, for explain). */
  readonly rules: number[] = [];
  /** Set once the network is compiled: the terminals' rules as one block, when they can fire as one. */
  block: TerminalBlock | null = null;
  constructor(id: number, test: AlphaTest | null) {
    this.id = id;
    this.test = test;
  }
}

/**
 * Sends a fact's fields through the alpha tree from `node`, storing every node reached that
 * has terminals in `out` from index `n` on; returns the new count. Recursion depth is the
 * length of the longest rule chain.
 */
export function reach(node: AlphaNode, fields: FieldMap, out: AlphaNode[], n: number, m: Mismatches): number {
  if (node.terminals.length > 0) out[n++] = node;
  const groups = node.hashGroups;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    const key = hashKey(g.read(fields));
    if (key === undefined) continue;
    const next = g.next(key);
    if (next !== undefined) n = reach(next, fields, out, n, m);
  }
  const cs = node.children;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (c.test!.test(fields, m)) n = reach(c, fields, out, n, m);
  }
  return n;
}

/**
 * The terminals a fact's fields reach from `root`, stored in `out` (reached nodes go to
 * `nodes` on the way); returns their count. (An explicit count rather than push/length=0:
 * resetting an array's length is a slow runtime call.)
 */
export function collect(root: AlphaNode, fields: FieldMap, out: Terminal[], nodes: AlphaNode[], m: Mismatches): number {
  return terminalsOf(nodes, reach(root, fields, nodes, 0, m), out);
}

/** Stores the terminals of the first k nodes in `out`, node after node; returns their count. */
export function terminalsOf(nodes: readonly AlphaNode[], k: number, out: Terminal[]): number {
  let n = 0;
  for (let i = 0; i < k; i++) {
    const ts = nodes[i]!.terminals;
    for (let j = 0; j < ts.length; j++) out[n++] = ts[j]!;
  }
  return n;
}

/** As reach(), for the patterns' tree: stores the id of every alpha memory reached. */
export function collectMemories(node: AlphaNode, fields: FieldMap, out: number[], n: number, m: Mismatches): number {
  const ms = node.memories;
  for (let i = 0; i < ms.length; i++) out[n++] = ms[i]!;
  const groups = node.hashGroups;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    const key = hashKey(g.read(fields));
    if (key === undefined) continue;
    const next = g.next(key);
    if (next !== undefined) n = collectMemories(next, fields, out, n, m);
  }
  const cs = node.children;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (c.test!.test(fields, m)) n = collectMemories(c, fields, out, n, m);
  }
  return n;
}

/** The child of `node` reached through the hash branch of an Equal test (made when missing). */
export function hashChild(node: AlphaNode, t: AlphaTest, nodes: AlphaNode[]): AlphaNode {
  const d = t.dispatch()!;
  let group = node.hashGroups.find((g) => g.group === d.group);
  if (!group) {
    group = new HashGroup(d);
    node.hashGroups.push(group);
  }
  const key = d.key;
  let child = group.index.get(key);
  if (!child) {
    child = new AlphaNode(nodes.length, t);
    nodes.push(child);
    group.add(key, child);
  }
  return child;
}

/** The child of `node` that tests `t` (made when missing). */
export function plainChild(node: AlphaNode, t: AlphaTest, nodes: AlphaNode[]): AlphaNode {
  let child = node.children.find((c) => c.test!.key === t.key);
  if (!child) {
    child = new AlphaNode(nodes.length, t);
    nodes.push(child);
    node.children.push(child);
  }
  return child;
}
