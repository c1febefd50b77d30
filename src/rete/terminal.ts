// Terminal nodes: where a rule's chain of tests ends. A terminal knows its rule, its
// place in agenda order (salience, then rule id), the rule's compiled actions, and the
// end-of-input conditions that must also hold before it fires. A multi-fact rule's
// terminal ends its chain of beta nodes instead, and knows which pattern each action targets.

import type { Rule } from '../model/types.js';
import type { CompiledAction } from '../actions/execute.js';

/** How a multi-fact rule's terminal reads a complete match (a token of its last pattern). */
export interface TerminalPatterns {
  /** Number of patterns. */
  readonly count: number;
  /** Positions of the patterns that bind a fact (not not/exists), in pattern order. */
  readonly bound: readonly number[];
  /** Per action, the position of the pattern whose fact it acts on. */
  readonly targets: readonly number[];
}

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
  /** Set for multi-fact rules: the terminal ends a chain of beta nodes, not of alpha tests. */
  patterns: TerminalPatterns | null = null;
  /** Scratch marks for set operations during re-propagation (no allocation). */
  mark = 0;
  pendingMark = 0;
  constructor(rule: Rule, rank: number, index: number, actions: readonly CompiledAction[], deferred: readonly number[] | null) {
    this.rule = rule;
    this.rank = rank;
    this.index = index;
    this.actions = actions;
    this.deferred = deferred;
  }
}
