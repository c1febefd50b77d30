// The nine operators of formats.md §6, written directly for the naive evaluators of the
// differential tests (not through the engine's compiled tests): one shared statement of them.

import { compareValues, valuesEqual, type Value } from '../../src/model/value.js';

/** `v OP k`; a missing field or Ref (undefined) makes every operator false but NotEqual. */
export function naiveCompare(op: string, v: Value | undefined, k: Value | undefined): boolean {
  if (v === undefined || k === undefined) return op === 'NotEqual';
  switch (op) {
    case 'Equal':
      return valuesEqual(v, k);
    case 'NotEqual':
      return !valuesEqual(v, k);
    case 'Contains':
      if (typeof v === 'string') return typeof k === 'string' && v.includes(k);
      if (Array.isArray(v)) return v.some((e) => valuesEqual(e, k));
      return false;
    case 'StartsWith':
      return typeof v === 'string' && typeof k === 'string' && v.startsWith(k);
    case 'EndsWith':
      return typeof v === 'string' && typeof k === 'string' && v.endsWith(k);
  }
  const d = compareValues(v, k);
  if (Number.isNaN(d)) return false;
  switch (op) {
    case 'GreaterThan':
      return d > 0;
    case 'GreaterThanOrEqual':
      return d >= 0;
    case 'LessThan':
      return d < 0;
    case 'LessThanOrEqual':
      return d <= 0;
  }
  throw new Error(`naive evaluator: no operator ${op}`);
}
