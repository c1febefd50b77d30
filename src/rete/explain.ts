// Describes a compiled network for `rete-eval explain`: the alpha tree with its hash
// indexes, each node's test and the rules that share it, and where each rule ends (with
// the end-of-input conditions it waits for); for multi-fact rules, the patterns' alpha tree
// ending in alpha memories, and the beta nodes (start, join, not, exists) with their hash
// joins, indexes, tests and sharing.

import type { AlphaNode } from './alpha-node.js';
import type { BetaPlan, NodeSpec } from './beta-plan.js';
import type { Network } from './network.js';
import type { Terminal } from './terminal.js';
import { groupKey } from './join-group.js';

export interface ExplainNode {
  id: number;
  /** How the node is reached: a test, or a hash-index branch `field = value`. */
  via: string;
  kind: 'test' | 'hash-branch';
  rules: number[];
  terminals: ExplainTerminal[];
  hashIndexes: { field: string; branches: number; children: ExplainNode[] }[];
  children: ExplainNode[];
  /** In the patterns' alpha tree: the alpha memories that end here (by id). */
  memories?: number[];
  /**
   * The node's rules fire as one block (their only actions write constants to fields no rule
   * reads): a fact reaching the node fires them all at once, in rank order.
   */
  block?: true;
  /** On the root of the network only, when it has multi-fact rules. */
  patterns?: ExplainPatterns;
}

export interface ExplainTerminal {
  rule: number;
  name: string;
  salience: number;
  /**
   * End-of-input conditions (aggregations, stream windows) the rule also needs: the rule is
   * decided at end of input, for each fact that reached this terminal, when all of them hold.
   */
  endOfInput?: { kind: 'aggregation' | 'stream'; condition: string }[];
}

export interface ExplainPatterns {
  /** The patterns' own alpha tree (constant conditions), ending in alpha memories. */
  alpha: ExplainNode;
  memories: {
    id: number;
    tests: string[];
    aliases: string[];
    rules: number[];
    /** Fields the memory's facts are hash-indexed on (one index each, shared by the nodes joining on it). */
    indexes: string[];
    /** Some node tests every fact of the memory (no hash). */
    scanned: boolean;
  }[];
  nodes: ExplainBetaNode[];
}

export interface ExplainBetaNode {
  id: number;
  kind: 'start' | 'join' | 'not' | 'exists';
  /** The pattern's alias in the first rule that made the node. */
  alias: string;
  /** Right input (start: the only input). */
  memory: number;
  parent: number | null;
  /** The hash join: the pattern's field against the Ref'd field; null for a start node or a cross product. */
  hashJoin: { field: string; ref: string; leftIndex: string; rightIndex: string } | null;
  /** True for a join / not / exists without an Equal Ref: every left token is tested against every fact of the memory. */
  crossProduct: boolean;
  /** A join right after a start node reads its left matches straight from that node's memory (no copy): its id. */
  leftMemory: number | null;
  /** Joins of one group (JoinGroup): the other joins that walk each bucket of the right memory together with this one. */
  walksWith: number[];
  /** A start node on a memory shared by patterns that differ: the tests it applies before passing a fact on. */
  filter: string[];
  tests: string[];
  rules: number[];
  shared: boolean;
  terminals: ExplainTerminal[];
}

export function explainNetwork(n: Network): ExplainNode {
  const terminal = (t: Terminal): ExplainTerminal => {
    const e: ExplainTerminal = { rule: t.rule.id, name: t.rule.name, salience: t.rule.salience };
    if (t.deferred !== null) e.endOfInput = t.deferred.map((i) => ({ kind: n.deferred[i]!.kind, condition: n.deferred[i]!.label }));
    return e;
  };
  const root = describe(n.root, 'root', 'test', terminal);
  if (n.beta !== null) root.patterns = explainPatterns(n.beta, terminal);
  return root;
}

type TerminalView = (t: Terminal) => ExplainTerminal;

function explainPatterns(plan: BetaPlan, terminal: TerminalView): ExplainPatterns {
  return {
    alpha: describe(plan.root, 'root', 'test', terminal),
    memories: plan.memories.map((m) => ({
      id: m.id,
      tests: m.tests.map((t) => t.label),
      aliases: [...m.aliases],
      rules: [...m.rules],
      indexes: [...m.indexPaths],
      scanned: m.scanned,
    })),
    nodes: explainBetaNodes(plan, terminal),
  };
}

/** The beta nodes, each join told which others walk its buckets with it (the session's groups). */
function explainBetaNodes(plan: BetaPlan, terminal: TerminalView): ExplainBetaNode[] {
  const groups = new Map<string, number[]>();
  for (const s of plan.nodes) {
    const key = groupKey(s);
    if (key === null) continue;
    const ids = groups.get(key);
    if (ids === undefined) groups.set(key, [s.id]);
    else ids.push(s.id);
  }
  return plan.nodes.map((s) => {
    const key = groupKey(s);
    const group = key === null ? [] : groups.get(key)!;
    return explainBetaNode(
      s,
      terminal,
      group.filter((id) => id !== s.id),
    );
  });
}

function explainBetaNode(s: NodeSpec, terminal: TerminalView, walksWith: number[]): ExplainBetaNode {
  const h = s.hash;
  const left = s.sharedLeftIndex === null ? null : s.parent!.memory.id;
  return {
    id: s.id,
    kind: s.kind,
    alias: s.alias,
    memory: s.memory.id,
    parent: s.parent?.id ?? null,
    hashJoin: h
      ? {
          field: h.rightPath,
          ref: `${h.left.alias}.${h.left.path}`,
          leftIndex: left === null ? `tokens by ${h.left.alias}.${h.left.path}` : `M${left} by ${h.left.path}`,
          rightIndex: `M${s.memory.id} by ${h.rightPath}`,
        }
      : null,
    crossProduct: s.kind !== 'start' && h === null,
    leftMemory: left,
    walksWith,
    filter: s.filter.map((t) => t.label),
    tests: s.tests.map((t) => t.label),
    rules: [...s.rules],
    shared: s.rules.length > 1,
    terminals: s.terminals.map(terminal),
  };
}

function describe(node: AlphaNode, via: string, kind: ExplainNode['kind'], terminal: TerminalView): ExplainNode {
  const e: ExplainNode = {
    id: node.id,
    via,
    kind,
    rules: [...node.rules],
    terminals: node.terminals.map(terminal),
    hashIndexes: node.hashGroups.map((g) => ({
      field: g.path,
      branches: g.index.size,
      children: [...g.index.values()].map((c) => describe(c, c.test!.label, 'hash-branch', terminal)),
    })),
    children: node.children.map((c) => describe(c, c.test!.label, 'test', terminal)),
  };
  if (node.memories.length > 0) e.memories = [...node.memories];
  if (node.block !== null) e.block = true;
  return e;
}

/** The network as an indented tree of text lines. */
export function formatExplain(n: Network): string {
  const lines: string[] = [];
  const root = explainNetwork(n);
  const ruleList = (ids: number[]) => (ids.length === 1 ? `rule ${ids[0]}` : `rules ${compactIds(ids)}`);
  const fires = (t: ExplainTerminal, indent: string) => {
    const salience = t.salience !== 0 ? ` (salience ${t.salience})` : '';
    if (t.endOfInput === undefined) {
      lines.push(`${indent}→ fires rule ${t.rule} ${JSON.stringify(t.name)}${salience}`);
      return;
    }
    lines.push(`${indent}→ rule ${t.rule} ${JSON.stringify(t.name)}${salience}: decided at end of input, for each fact that got here, when also`);
    for (const d of t.endOfInput) lines.push(`${indent}    ${d.kind === 'aggregation' ? 'aggregation' : 'stream window'} ${d.condition}`);
  };
  const walk = (e: ExplainNode, indent: string) => {
    for (const m of e.memories ?? []) lines.push(`${indent}▸ alpha memory M${m}`);
    if (e.block && e.terminals.length > 1)
      lines.push(`${indent}⇉ these ${e.terminals.length} rules fire as one block (each only writes constants to fields no rule reads)`);
    for (const t of e.terminals) fires(t, indent);
    for (const h of e.hashIndexes) {
      lines.push(`${indent}# hash index on ${h.field}: ${h.branches} branch${h.branches === 1 ? '' : 'es'}`);
      for (const c of h.children) {
        lines.push(`${indent}  [${c.id}] ${c.via}  — ${ruleList(c.rules)}${c.rules.length > 1 ? ' (shared)' : ''}`);
        walk(c, indent + '    ');
      }
    }
    for (const c of e.children) {
      lines.push(`${indent}[${c.id}] ${c.via}  — ${ruleList(c.rules)}${c.rules.length > 1 ? ' (shared)' : ''}`);
      walk(c, indent + '  ');
    }
  };
  const deferred = n.deferred.length;
  lines.push(
    `network: ${n.terminals.length} rules, ${n.nodes.length - 1} alpha nodes, ${n.tests.length} distinct tests` +
      (deferred > 0 ? `, ${deferred} end-of-input condition${deferred === 1 ? '' : 's'}` : ''),
  );
  const held = n.heldWriters.length;
  if (held > 0) {
    lines.push(
      `held writes: ${held} SetField action${held === 1 ? ' writes a field' : 's write fields'} no rule reads; ` +
        'a run notes such writes and applies them to a fact when its fields are read (written out, handed to a caller)',
    );
  }
  const empty = root.terminals.length === 0 && root.hashIndexes.length === 0 && root.children.length === 0;
  lines.push(`[0] root (every fact)${empty && root.patterns ? ' — no single-fact rules' : ''}`);
  walk(root, '  ');
  const p = root.patterns;
  if (p !== undefined) {
    const count = (f: (x: ExplainBetaNode) => boolean) => p.nodes.filter(f).length;
    lines.push('');
    lines.push(
      `multi-fact rules: ${p.memories.length} alpha memor${p.memories.length === 1 ? 'y' : 'ies'}, ${p.nodes.length} beta nodes ` +
        `(${count((x) => x.kind === 'start')} start, ${count((x) => x.kind === 'join')} join, ${count((x) => x.kind === 'not')} not, ` +
        `${count((x) => x.kind === 'exists')} exists; ${count((x) => x.hashJoin !== null)} hash joins, ${count((x) => x.crossProduct)} cross products; ` +
        `${count((x) => x.shared)} shared)`,
    );
    lines.push('patterns alpha tree:');
    lines.push('[0] root (every fact)');
    walk(p.alpha, '  ');
    lines.push(
      'alpha memories (patterns that share their hash-dispatched Equal tests but differ in others share one memory of that part; their nodes apply the rest. ' +
        'Where no rule deletes facts or changes a field a pattern reads, an index is built at the first lookup that finds facts in its memory):',
    );
    for (const m of p.memories) {
      const idx = m.indexes.length > 0 ? `; hash-indexed on ${m.indexes.join(', ')}` : '';
      lines.push(
        `  M${m.id} ${m.tests.length === 0 ? 'every fact' : m.tests.join(', ')}  — patterns ${m.aliases.join(', ')} of ${ruleList(m.rules)}${idx}${m.scanned ? '; scanned whole' : ''}`,
      );
    }
    lines.push('beta network:');
    const byParent = new Map<number | null, ExplainBetaNode[]>();
    for (const x of p.nodes) {
      const list = byParent.get(x.parent) ?? [];
      list.push(x);
      byParent.set(x.parent, list);
    }
    const beta = (x: ExplainBetaNode, indent: string) => {
      let how: string;
      if (x.kind === 'start') how = `start ${x.alias} ← M${x.memory}${x.filter.length > 0 ? `; filters ${x.filter.join(', ')}` : ''}`;
      else {
        let left = x.leftMemory === null ? '' : `; left side: the facts of M${x.leftMemory} themselves, no copy`;
        if (x.walksWith.length > 0) left += `; walks each bucket of M${x.memory} once, together with ${x.walksWith.map((id) => `B${id}`).join(', ')}`;
        const join = x.hashJoin
          ? `hash join ${x.hashJoin.field} = ${x.hashJoin.ref} (left index: ${x.hashJoin.leftIndex}; right index: ${x.hashJoin.rightIndex})${left}`
          : `cross product: no Equal against a Ref, every left match is tested against every fact of the memory${left}`;
        how = `${x.kind} ${x.alias} ← M${x.memory}: ${join}`;
      }
      const tests = x.tests.length > 0 ? `; tests ${x.tests.join(', ')}` : '';
      lines.push(`${indent}[B${x.id}] ${how}${tests}  — ${ruleList(x.rules)}${x.shared ? ' (shared)' : ''}`);
      for (const t of x.terminals) fires(t, `${indent}  `);
      for (const c of byParent.get(x.id) ?? []) beta(c, indent + '  ');
    };
    for (const x of byParent.get(null) ?? []) beta(x, '  ');
  }
  return lines.join('\n') + '\n';
}

/** `1-5, 9, 12-14` for a sorted list of ids. */
export function compactIds(ids: readonly number[]): string {
  const sorted = [...ids].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : `${sorted[i]}`);
    i = j;
  }
  return parts.join(', ');
}
