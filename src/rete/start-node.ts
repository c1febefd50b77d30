// Start nodes: a rule's first pattern. Every fact of the pattern's alpha memory that passes
// the node's filter (the pattern's tests a shared memory leaves out) is a match of the first
// pattern as it is (its Wme): the node makes no token, it passes the fact on to the nodes of
// the next pattern and to the terminals of one-pattern rules.

import type { FieldMap } from '../model/value.js';
import { BetaNode } from './beta-node.js';
import type { AlphaTest } from './predicates.js';
import type { Wme } from './wme.js';

export class StartNode extends BetaNode {
  leftAdd(): void {
    throw new Error('a first-pattern node has no left input');
  }
  leftRemove(): void {}
  rightAdd(w: Wme): void {
    if (!passesFilter(this.spec.filter, w.fields, this.run.m)) return;
    // The fact is the match: counted as this node's token while it is in the memory.
    if (++this.tokens > this.peakTokens) this.peakTokens = this.tokens;
    this.pass(w);
  }
  rightRemove(w: Wme): void {
    // The matches built on the fact were removed with it (through its child and token lists);
    // the fact's fields are as they were when it came (a change takes it out first).
    if (passesFilter(this.spec.filter, w.fields, this.run.recheck)) this.tokens--;
  }
}

/** Whether a fact passes a start node's filter (empty: every fact of the memory). */
export function passesFilter(filter: readonly AlphaTest[], fields: FieldMap, m: number[]): boolean {
  for (let i = 0; i < filter.length; i++) if (!filter[i]!.test(fields, m)) return false;
  return true;
}
