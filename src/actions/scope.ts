// What an action reads: in a single-fact rule, the fields of the fact it acts on; in a
// multi-fact rule, also the fields of every fact the rule's patterns bound, named
// `alias.field` (a name whose first segment is one of the rule's aliases). Unqualified
// names mean the fields of the fact the action acts on. Facts are read as they are when
// the action runs.

import { compilePath, rootField } from '../model/path.js';
import type { FieldRef, Rule } from '../model/types.js';
import type { Fact } from '../model/fact.js';
import type { Value } from '../model/value.js';

/** What an action needs of a fact working memory holds: the fact (the session's record stands behind it). */
export interface FactHandle {
  readonly fact: Fact;
}

/** The facts a multi-fact rule bound, by pattern position (null for not/exists patterns). */
export type Bound<H extends FactHandle = FactHandle> = readonly (H | null)[];

declare const inputBrand: unique symbol;
/** What an action's readers take: a fact's field map, or a multi-fact rule's bound facts. */
export type ScopeInput = { readonly [inputBrand]: true };
export type ScopeReader = (input: ScopeInput) => Value | undefined;

/** How an action's reads are resolved; `input` gives the readers' argument without allocating. */
export interface ActionScope {
  /** A reader of `path` as the rule means it. */
  reader(path: string): ScopeReader;
  /** A reader of a Ref'd field of a bound fact (multi-fact rules only). */
  refReader(ref: FieldRef): ScopeReader;
  input(target: FactHandle, bound: Bound | null): ScopeInput;
}

const singleFact: ActionScope = {
  reader: compilePath as unknown as (path: string) => ScopeReader,
  refReader() {
    throw new Error('a Ref in an action of a single-fact rule');
  },
  input: (target) => target.fact.fields as unknown as ScopeInput,
};

/** Reads of a multi-fact rule's action that acts on pattern `target`. */
function multiFact(aliases: ReadonlyMap<string, number>, target: number): ActionScope {
  const at = (pattern: number, path: string): ScopeReader => {
    const read = compilePath(path);
    return (input) => read((input as unknown as Bound)[pattern]!.fact.fields);
  };
  return {
    reader(path) {
      const alias = rootField(path);
      const pattern = aliases.get(alias);
      return pattern === undefined || alias === path ? at(target, path) : at(pattern, path.slice(alias.length + 1));
    },
    refReader: (ref) => at(aliases.get(ref.alias)!, ref.field),
    input: (_target, bound) => bound as unknown as ScopeInput,
  };
}

/** The scope of the actions of `rule` that act on pattern `target` (0 for single-fact rules). */
export function actionScope(rule: Rule, target: number): ActionScope {
  if (rule.patterns === null) return singleFact;
  const aliases = new Map<string, number>();
  rule.patterns.forEach((p, i) => {
    if (!p.not && !p.exists) aliases.set(p.alias, i);
  });
  return multiFact(aliases, target);
}
