// The beta network's node base, and taking matches back.
//
// A node owns the tokens it makes. Making (emitting) a match passes it to the node's
// children (their left input) and to the terminals of the rules that end here. Every node
// of a pattern after the first also has a right input: the alpha memory of its pattern's
// constant conditions, which tells it about facts arriving (rightAdd) and, for not/exists
// nodes, leaving (rightRemove).

import type { NodeSpec } from './beta-plan.js';
import type { Mismatches } from './predicates.js';
import type { Terminal } from './terminal.js';
import type { PartialMatch, Token } from './wme.js';
import type { Wme } from './wme.js';

/** Where complete matches go: the session turns them into activations. */
export interface BetaSink {
  activateMatch(terminal: Terminal, match: Wme | Token): void;
}

/** What every node of one session's beta network shares. */
export interface BetaRun {
  readonly sink: BetaSink;
  /** The session's type-mismatch counters. */
  readonly m: Mismatches;
  /** Counters nobody reads: for tests done again only to learn their outcome (not counted twice). */
  readonly recheck: Mismatches;
  /** Tokens keep their links (matches can be taken back: retraction, changes, not/exists). */
  readonly link: boolean;
}

export abstract class BetaNode {
  readonly spec: NodeSpec;
  readonly run: BetaRun;
  /** Nodes whose left input this node's matches are. */
  readonly children: BetaNode[] = [];
  readonly terminals: readonly Terminal[];
  /** Active tokens this node made and holds now, and the most it held at once. */
  tokens = 0;
  peakTokens = 0;
  constructor(spec: NodeSpec, run: BetaRun) {
    this.spec = spec;
    this.run = run;
    this.terminals = spec.terminals;
  }

  /** Passes a match on to the children and terminals. */
  protected pass(t: Wme | Token): void {
    const cs = this.children;
    for (let i = 0; i < cs.length; i++) cs[i]!.leftAdd(t);
    const ts = this.terminals;
    const sink = this.run.sink;
    for (let i = 0; i < ts.length; i++) sink.activateMatch(ts[i]!, t);
  }

  /** Activates a token this node made and passes it on. */
  protected emit(t: Token): void {
    t.active = true;
    if (++this.tokens > this.peakTokens) this.peakTokens = this.tokens;
    this.pass(t);
  }

  /** A match of the parent node arrives. */
  abstract leftAdd(t: PartialMatch): void;
  /** A match of the parent node is withdrawn (its own descendants are already gone). */
  abstract leftRemove(t: PartialMatch): void;
  /** A fact arrives in the right memory (already added to it and its indexes). */
  abstract rightAdd(w: Wme): void;
  /** A fact left the right memory (and every memory; its tokens are already gone). */
  abstract rightRemove(w: Wme): void;
  /** A token this node made is being removed for good. */
  ownedRemoved(_t: Token): void {}
  /** Matches in the node's own left memory now, and at most. */
  leftSize(): number {
    return 0;
  }
  peakLeftSize(): number {
    return 0;
  }
}

/** Removes every token extending a match (its children and their descendants). */
export function removeChildren(parent: PartialMatch): void {
  let c = parent.firstChild;
  while (c !== null) {
    const next = c.nextSibling;
    removeToken(c);
    c = next;
  }
}

/**
 * Withdraws an active token: removes its descendants, takes it out of the children's left
 * memories and makes pending activations on it stale. The token itself stays (a not/exists
 * token stays in its node's left memory, waiting for its count to change again).
 */
export function withdraw(t: Token): void {
  removeChildren(t);
  const node = t.node;
  const cs = node.children;
  for (let i = 0; i < cs.length; i++) cs[i]!.leftRemove(t);
  t.active = false;
  t.gen++;
  node.tokens--;
}

/** Removes a token and everything built on it. O(tokens removed). */
export function removeToken(t: Token): void {
  if (t.active) withdraw(t);
  t.node.ownedRemoved(t);
  t.unlink();
}
