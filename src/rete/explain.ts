// Describes a compiled network for `rete-eval explain`: the alpha tree with its hash
// indexes, each node's test and the rules that share it, and where each rule ends.

import type { AlphaNode } from './alpha.js';
import type { Network } from './network.js';

export interface ExplainNode {
  id: number;
  /** How the node is reached: a test, or a hash-index branch `field = value`. */
  via: string;
  kind: 'test' | 'hash-branch';
  rules: number[];
  terminals: { rule: number; name: string; salience: number }[];
  hashIndexes: { field: string; branches: number; children: ExplainNode[] }[];
  children: ExplainNode[];
}

export function explainNetwork(n: Network): ExplainNode {
  return describe(n.root, 'root', 'test');
}

function describe(node: AlphaNode, via: string, kind: ExplainNode['kind']): ExplainNode {
  return {
    id: node.id,
    via,
    kind,
    rules: [...node.rules],
    terminals: node.terminals.map((t) => ({ rule: t.rule.id, name: t.rule.name, salience: t.rule.salience })),
    hashIndexes: node.hashGroups.map((g) => ({
      field: g.path,
      branches: g.index.size,
      children: [...g.index.values()].map((c) => describe(c, c.test!.label, 'hash-branch')),
    })),
    children: node.children.map((c) => describe(c, c.test!.label, 'test')),
  };
}

/** The network as an indented tree of text lines. */
export function formatExplain(n: Network): string {
  const lines: string[] = [];
  const root = explainNetwork(n);
  const ruleList = (ids: number[]) => (ids.length === 1 ? `rule ${ids[0]}` : `rules ${compactIds(ids)}`);
  const walk = (e: ExplainNode, indent: string) => {
    for (const t of e.terminals) lines.push(`${indent}→ fires rule ${t.rule} ${JSON.stringify(t.name)}${t.salience !== 0 ? ` (salience ${t.salience})` : ''}`);
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
  lines.push(`network: ${n.terminals.length} rules, ${n.nodes.length - 1} alpha nodes, ${n.tests.length} distinct tests`);
  lines.push('[0] root (every fact)');
  walk(root, '  ');
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
