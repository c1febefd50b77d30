// The order the session fires a fact's matches in without the agenda (rules by rank), and
// the identity refraction remembers a multi-fact combination by, so that it fires once.
// Plain functions with no state of their own; the agenda's order is agenda.ts.

import type { Bound } from '../actions/execute.js';
import type { AlphaNode } from './alpha-node.js';
import type { Terminal } from './terminal.js';
import type { Wme } from './wme.js';

/**
 * Sorts reached nodes by their first terminal's rank (insertion sort: a handful of nodes);
 * true when no node's ranks reach into the next one's, so firing node after node is rank order.
 */
export function sortApart(nodes: AlphaNode[], n: number): boolean {
  for (let i = 1; i < n; i++) {
    const node = nodes[i]!;
    const r = node.terminals[0]!.rank;
    let j = i - 1;
    while (j >= 0 && nodes[j]!.terminals[0]!.rank > r) {
      nodes[j + 1] = nodes[j]!;
      j--;
    }
    nodes[j + 1] = node;
  }
  for (let i = 1; i < n; i++) {
    const prev = nodes[i - 1]!.terminals;
    if (prev[prev.length - 1]!.rank > nodes[i]!.terminals[0]!.rank) return false;
  }
  return true;
}

/** Insertion sort by rank: matches arrive in nearly sorted runs, usually one or two. */
export function sortByRank(ts: Terminal[], n: number): void {
  for (let i = 1; i < n; i++) {
    const t = ts[i]!;
    let j = i - 1;
    while (j >= 0 && ts[j]!.rank > t.rank) {
      ts[j + 1] = ts[j]!;
      j--;
    }
    ts[j + 1] = t;
  }
}

/** A combination's identity for refraction: its bound facts' seqs in pattern order. */
export function comboKey(facts: Bound<Wme>, bound: readonly number[]): string {
  let key = String(facts[bound[0]!]!.seq);
  for (let i = 1; i < bound.length; i++) key += ',' + facts[bound[i]!]!.seq;
  return key;
}
