// Alpha nodes: the single-fact part of the network. Each node holds one test; its
// successors are grouped so that Equal tests against constants on one field are one
// hash lookup (a fact visits only the branches whose equality it passes).

import { compilePath, type FieldReader } from '../model/path.js';
import { hashKey, type FieldMap } from '../model/value.js';
import type { AlphaTest, HashKey } from './tests.js';
import type { Terminal } from './terminal.js';

/** Successors of an alpha node that test the same field for equality, indexed by constant. */
export class HashGroup {
  readonly path: string;
  readonly read: FieldReader;
  readonly index = new Map<HashKey, AlphaNode>();
  constructor(path: string) {
    this.path = path;
    this.read = compilePath(path);
  }
}

export class AlphaNode {
  readonly id: number;
  /** Null for the root and for nodes reached through a hash group (the lookup is the test). */
  readonly test: AlphaTest | null;
  readonly hashGroups: HashGroup[] = [];
  readonly children: AlphaNode[] = [];
  readonly terminals: Terminal[] = [];
  /** Rules whose chain passes through this node (sharing, for explain). */
  readonly rules: number[] = [];
  /** Facts that reached this node (filled only when statistics are on). */
  hits = 0;
  constructor(id: number, test: AlphaTest | null) {
    this.id = id;
    this.test = test;
  }
}

/**
 * Sends a fact's fields through the alpha tree from `node`, calling `sink` for every
 * terminal reached. Recursion depth is the length of the longest rule chain.
 */
export function propagate(node: AlphaNode, fields: FieldMap, sink: (t: Terminal) => void): void {
  const ts = node.terminals;
  for (let i = 0; i < ts.length; i++) sink(ts[i]!);
  const groups = node.hashGroups;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    const key = hashKey(g.read(fields));
    if (key === undefined) continue;
    const next = g.index.get(key);
    if (next !== undefined) propagate(next, fields, sink);
  }
  const cs = node.children;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (c.test!.test(fields)) propagate(c, fields, sink);
  }
}
