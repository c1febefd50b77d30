// Terminal nodes: where a rule's chain of tests ends. A terminal knows its rule, its
// place in agenda order (salience, then rule id), the rule's compiled actions, and the
// end-of-input conditions that must also hold before it fires. A multi-fact rule's
// terminal ends its chain of beta nodes instead, and knows which pattern each action targets.

import type { CompiledAction } from '../actions/execute.js';
import type { Rule } from '../model/types.js';

/** How a multi-fact rule's terminal reads a complete match. */
export interface TerminalPatterns {
  /** Number of patterns. */
  readonly count: number;
  /** Positions of the patterns that bind a fact (not not/exists), in pattern order. */
  readonly bound: readonly number[];
  /** Per action, the position of the pattern whose fact it acts on. */
  readonly targets: readonly number[];
}

/** The pattern layout of a multi-fact rule (null for a single-fact rule). */
export function terminalPatterns(rule: Rule): TerminalPatterns | null {
  const patterns = rule.patterns;
  if (patterns === null) return null;
  const aliasIndex = new Map(patterns.map((p, i) => [p.alias, i]));
  return {
    count: patterns.length,
    bound: patterns.flatMap((p, i) => (p.not || p.exists ? [] : [i])),
    targets: rule.actions.map((a) => (a.target === null ? 0 : aliasIndex.get(a.target)!)),
  };
}

export class Terminal {
  readonly rule: Rule;
  /** Position in agenda order: lower fires first (salience high first, then rule id). */
  readonly rank: number;
  /** Index of the rule in the network's rule list (per-rule run state is kept by it). */
  readonly index: number;
  readonly actions: readonly CompiledAction[];
  /**
   * The rule's end-of-input conditions (aggregations, stream windows), as indexes into the
   * network's list of them; null when the rule has none.
   */
  readonly deferred: readonly number[] | null;
  /** Set for multi-fact rules: the terminal ends a chain of beta nodes, not of alpha tests. */
  readonly patterns: TerminalPatterns | null;
  constructor(
    rule: Rule,
    rank: number,
    index: number,
    actions: readonly CompiledAction[],
    deferred: readonly number[] | null,
    patterns: TerminalPatterns | null,
  ) {
    this.rule = rule;
    this.rank = rank;
    this.index = index;
    this.actions = actions;
    this.deferred = deferred;
    this.patterns = patterns;
  }
}
