// Terminal nodes: where a rule's chain of tests ends. A terminal knows its rule, its
// place in agenda order (salience, then rule id), the rule's compiled actions, and the
// end-of-input conditions that must also hold before it fires.

import type { Rule } from '../model/types.js';
import type { CompiledAction } from '../actions/execute.js';

export class Terminal {
  readonly rule: Rule;
  /** Position in agenda order: lower fires first (salience high first, then rule id). */
  readonly rank: number;
  /** Index of the rule in the network's rule list (refraction records use it). */
  readonly index: number;
  readonly actions: readonly CompiledAction[];
  /**
   * The rule's end-of-input conditions (aggregations, stream windows), as indexes into the
   * network's list of them; null when the rule has none.
   */
  readonly deferred: readonly number[] | null;
  /** Scratch marks for set operations during re-propagation (no allocation). */
  mark = 0;
  pendingMark = 0;
  constructor(
    rule: Rule,
    rank: number,
    index: number,
    actions: readonly CompiledAction[],
    deferred: readonly number[] | null,
  ) {
    this.rule = rule;
    this.rank = rank;
    this.index = index;
    this.actions = actions;
    this.deferred = deferred;
  }
}
