// The beta network's node base, the first-pattern node, and token retraction.
//
// A node owns the tokens it makes. Making (emitting) a token passes it to the node's
// children (their left input) and to the terminals of the rules that end here. Every
// node of a pattern after the first also has a right input: the alpha memory of its
// pattern's constant conditions, which tells it about facts arriving (rightAdd) and, for
// not/exists nodes, leaving (rightRemove).

import type { NodeSpec } from './beta.js';
import type { Terminal } from './terminal.js';
import { Token, type Wme } from './token.js';

/** Where complete matches go: the session turns them into activations. */
export interface BetaSink {
  activateToken(terminal: Terminal, token: Token): void;
}

export abstract class BetaNode {
  readonly spec: NodeSpec;
  readonly sink: BetaSink;
  /** Nodes whose left input this node's tokens are. */
  readonly children: BetaNode[] = [];
  readonly terminals: readonly Terminal[];
  /** Active tokens this node made and holds now, and the most it held at once. */
  tokens = 0;
  peakTokens = 0;
  constructor(spec: NodeSpec, sink: BetaSink) {
    this.spec = spec;
    this.sink = sink;
    this.terminals = spec.terminals;
  }

  /** Passes a token on to the children and terminals. */
  protected emit(t: Token): void {
    t.active = true;
    if (++this.tokens > this.peakTokens) this.peakTokens = this.tokens;
    const cs = this.children;
    for (let i = 0; i < cs.length; i++) cs[i]!.leftAdd(t);
    const ts = this.terminals;
    for (let i = 0; i < ts.length; i++) this.sink.activateToken(ts[i]!, t);
  }

  /** A token of the parent node arrives. */
  abstract leftAdd(t: Token): void;
  /** A token of the parent node is withdrawn (its own descendants are already gone). */
  abstract leftRemove(t: Token): void;
  /** A fact arrives in the right memory (already added to it and its indexes). */
  abstract rightAdd(w: Wme): void;
  /** A fact left the right memory (and every memory; its tokens are already gone). */
  abstract rightRemove(w: Wme): void;
  /** A token this node made is being removed for good. */
  ownedRemoved(_t: Token): void {}
  /** Tokens in the left memory now, and at most. */
  leftSize(): number {
    return 0;
  }
  peakLeftSize(): number {
    return 0;
  }
}

/** The first pattern of a rule: one token per fact of its alpha memory. */
export class StartNode extends BetaNode {
  leftAdd(): void {
    throw new Error('a first-pattern node has no left input');
  }
  leftRemove(): void {}
  rightAdd(w: Wme): void {
    this.emit(new Token(null, w, this));
  }
  rightRemove(): void {}
}

/**
 * Withdraws an active token: removes its descendants, takes it out of the children's left
 * memories and makes pending activations on it stale. The token itself stays (a not/exists
 * token stays in its node's left memory, waiting for its count to change again).
 */
export function withdraw(t: Token): void {
  let c = t.firstChild;
  while (c !== null) {
    const next = c.nextSibling;
    removeToken(c);
    c = next;
  }
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
