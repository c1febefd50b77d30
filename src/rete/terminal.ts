// Terminal nodes: where a rule's chain of tests ends. A terminal knows its rule, its
// place in agenda order (salience, then rule id) and the rule's compiled actions.

import type { Rule } from '../model/types.js';
import type { CompiledAction } from '../actions/execute.js';

export class Terminal {
  readonly rule: Rule;
  /** Position in agenda order: lower fires first (salience high first, then rule id). */
  readonly rank: number;
  /** Index of the rule in the network's rule list (refraction records use it). */
  readonly index: number;
  readonly actions: readonly CompiledAction[];
  /** The rule name, already JSON-encoded for the result writer. */
  readonly nameJson: string;
  firings = 0;
  /** Scratch marks for set operations during re-propagation (no allocation). */
  mark = 0;
  pendingMark = 0;
  constructor(rule: Rule, rank: number, index: number, actions: readonly CompiledAction[]) {
    this.rule = rule;
    this.rank = rank;
    this.index = index;
    this.actions = actions;
    this.nameJson = JSON.stringify(rule.name);
  }
}
