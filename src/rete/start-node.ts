// Start nodes: a rule's first pattern. Every fact of the pattern's alpha memory is a match
// of the first pattern as it is (its Wme): the node makes no token, it passes the fact on
// to the nodes of the next pattern and to the terminals of one-pattern rules.

import { BetaNode } from './beta-node.js';
import type { Wme } from './wme.js';

export class StartNode extends BetaNode {
  leftAdd(): void {
    throw new Error('a first-pattern node has no left input');
  }
  leftRemove(): void {}
  rightAdd(w: Wme): void {
    this.pass(w);
  }
  rightRemove(): void {
    // The matches built on the fact were removed with it (through its child and token lists).
  }
}
