// The agenda: activations waiting to fire, as a binary heap ordered by rule rank
// (salience high first, then rule id) and then fact order. Cancelled activations are
// dropped lazily when they reach the top.

import type { Fact } from '../model/fact.js';
import type { Terminal } from './terminal.js';

export class Activation {
  readonly terminal: Terminal;
  readonly fact: Fact;
  /** Facts matched by each pattern of a multi-fact rule (null for single-fact rules). */
  readonly facts: readonly (Fact | null)[] | null;
  /** Tie-break after rank: the order of the facts (the latest fact of a combination). */
  readonly seq: number;
  cancelled = false;
  constructor(terminal: Terminal, fact: Fact, facts: readonly (Fact | null)[] | null, seq: number) {
    this.terminal = terminal;
    this.fact = fact;
    this.facts = facts;
    this.seq = seq;
  }
}

function before(a: Activation, b: Activation): boolean {
  const ra = a.terminal.rank;
  const rb = b.terminal.rank;
  return ra < rb || (ra === rb && a.seq < b.seq);
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
