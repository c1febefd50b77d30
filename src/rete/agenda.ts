// The agenda: activations waiting to fire, as a binary heap ordered by rule rank
// (salience high first, then rule id) and then fact order. Cancelled activations are
// dropped lazily when they reach the top.
//
// Fact order of a multi-fact match: the insertion order of its most recent fact, then of
// the next most recent, and so on (the bound facts' seqs sorted descending, compared in
// turn); two matches of one rule over the same facts in other pattern positions are then
// ordered by the facts' seqs in pattern order. Activations of different rules never tie
// (their ranks differ), so the order is total.

import type { Terminal } from './terminal.js';
import type { Token } from './wme.js';
import type { Wme } from './wme.js';

export class Activation {
  readonly terminal: Terminal;
  /** The fact the rule matched (a multi-fact rule: its first pattern's fact). */
  readonly wme: Wme;
  /** Facts matched by each pattern of a multi-fact rule, null for not/exists (null for single-fact rules). */
  readonly facts: readonly (Wme | null)[] | null;
  /** Tie-break after rank: the order of the fact (a combination: its most recent fact). */
  readonly seq: number;
  /** Multi-fact rules: the complete match; the activation is stale once it is withdrawn. */
  readonly match: Wme | Token | null;
  /** The match's generation when the activation was made. */
  readonly gen: number;
  /** Multi-fact rules: the bound facts' seqs, most recent first (order[0] === seq). */
  readonly order: readonly number[] | null;
  cancelled = false;
  constructor(terminal: Terminal, wme: Wme, facts: readonly (Wme | null)[] | null, seq: number, match: Wme | Token | null, order: readonly number[] | null) {
    this.terminal = terminal;
    this.wme = wme;
    this.facts = facts;
    this.seq = seq;
    this.match = match;
    this.gen = match === null ? 0 : match.gen;
    this.order = order;
  }

  /** Whether it may still fire: its match (multi-fact) or fact (single-fact) is still there. */
  get live(): boolean {
    const t = this.match;
    return t === null ? !this.wme.retracted : t.active && t.gen === this.gen;
  }
}

function before(a: Activation, b: Activation): boolean {
  const ra = a.terminal.rank;
  const rb = b.terminal.rank;
  if (ra !== rb) return ra < rb;
  if (a.seq !== b.seq) return a.seq < b.seq;
  return a.order !== null && b.order !== null && tieBreak(a, b) < 0;
}

/** Two matches of one rule with the same most recent fact. */
function tieBreak(a: Activation, b: Activation): number {
  const oa = a.order!;
  const ob = b.order!;
  for (let i = 1; i < oa.length; i++) if (oa[i] !== ob[i]) return oa[i]! - ob[i]!;
  const fa = a.facts!;
  const fb = b.facts!;
  for (let i = 0; i < fa.length; i++) {
    const x = fa[i];
    const y = fb[i];
    if (x != null && y != null && x.seq !== y.seq) return x.seq - y.seq;
  }
  return 0;
}

export class Agenda {
  private heap: Activation[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(a: Activation): void {
    const h = this.heap;
    let i = h.length;
    h.push(a);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent]!;
      if (!before(a, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = a;
  }

  /** The next activation to fire, skipping cancelled ones; undefined when empty. */
  pop(): Activation | undefined {
    const h = this.heap;
    while (h.length > 0) {
      const top = h[0]!;
      const last = h.pop()!;
      if (h.length > 0) this.siftDown(last);
      if (!top.cancelled) return top;
    }
    return undefined;
  }

  private siftDown(a: Activation): void {
    const h = this.heap;
    const n = h.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(h[r]!, h[l]!) ? r : l;
      if (!before(h[c]!, a)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = a;
  }
}
