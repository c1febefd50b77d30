// The nine condition operators, defined once. Alpha tests (a field against a constant) and
// join tests (a field against another fact's field) both decide through these functions,
// so the two can never disagree. Semantics: formats §6 as the README states them.
//
// An outcome is true, false, or a type mismatch (false, and counted in the report): an
// ordering between unrelated types, StartsWith/EndsWith on a non-string, Contains on
// something that is neither a string nor an array.

import type { Operator } from '../model/types.js';
import { compareValues, valuesEqual, type Value } from '../model/value.js';

export const enum Outcome {
  False = 0,
  True = 1,
  Mismatch = 2,
}

export const enum Op {
  Equal,
  NotEqual,
  GreaterThan,
  GreaterThanOrEqual,
  LessThan,
  LessThanOrEqual,
  Contains,
  StartsWith,
  EndsWith,
}

export function opCode(op: Operator): Op {
  switch (op) {
    case 'Equal':
      return Op.Equal;
    case 'NotEqual':
      return Op.NotEqual;
    case 'GreaterThan':
      return Op.GreaterThan;
    case 'GreaterThanOrEqual':
      return Op.GreaterThanOrEqual;
    case 'LessThan':
      return Op.LessThan;
    case 'LessThanOrEqual':
      return Op.LessThanOrEqual;
    case 'Contains':
      return Op.Contains;
    case 'StartsWith':
      return Op.StartsWith;
    case 'EndsWith':
      return Op.EndsWith;
  }
}

/** Whether an ordering operator holds for a comparison result `d` (a − b, not NaN). */
export function orderHolds(op: Op, d: number): boolean {
  switch (op) {
    case Op.GreaterThan:
      return d > 0;
    case Op.GreaterThanOrEqual:
      return d >= 0;
    case Op.LessThan:
      return d < 0;
    default:
      return d <= 0;
  }
}

/** An ordering operator on two present values. */
export function orderOutcome(op: Op, v: Value, c: Value): Outcome {
  const d = compareValues(v, c);
  if (Number.isNaN(d)) return Outcome.Mismatch;
  return orderHolds(op, d) ? Outcome.True : Outcome.False;
}

/** Contains: substring of a string, or membership (by Equal) in an array. */
export function containsOutcome(v: Value, c: Value): Outcome {
  if (typeof v === 'string') {
    if (typeof c === 'string') return v.includes(c) ? Outcome.True : Outcome.False;
    return Outcome.Mismatch;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (valuesEqual(v[i]!, c)) return Outcome.True;
    return Outcome.False;
  }
  return Outcome.Mismatch;
}

/** StartsWith / EndsWith: strings only. */
export function affixOutcome(starts: boolean, v: Value, c: Value): Outcome {
  if (typeof v !== 'string' || typeof c !== 'string') return Outcome.Mismatch;
  return (starts ? v.startsWith(c) : v.endsWith(c)) ? Outcome.True : Outcome.False;
}

/**
 * Any operator on a field value `v` and the value compared with `c`; either may be
 * missing (undefined), which makes every operator false except NotEqual.
 */
export function applyOperator(op: Op, v: Value | undefined, c: Value | undefined): Outcome {
  if (v === undefined || c === undefined) return op === Op.NotEqual ? Outcome.True : Outcome.False;
  switch (op) {
    case Op.Equal:
      return valuesEqual(v, c) ? Outcome.True : Outcome.False;
    case Op.NotEqual:
      return valuesEqual(v, c) ? Outcome.False : Outcome.True;
    case Op.Contains:
      return containsOutcome(v, c);
    case Op.StartsWith:
      return affixOutcome(true, v, c);
    case Op.EndsWith:
      return affixOutcome(false, v, c);
    default:
      return orderOutcome(op, v, c);
  }
}
