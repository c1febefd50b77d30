// Hints for rules that are valid but will likely not do what they look like (shown by
// `rete-eval validate`): a date written as a plain string, which compares as text, and a
// join pattern without an Equal against a Ref, which pairs every fact with every match.

import type { Condition, Operator } from './types.js';
import { parseRfc3339, type Value } from './value.js';

/** Operators that read a string as text on purpose. */
const TEXT_OPERATORS: readonly Operator[] = ['Contains', 'StartsWith', 'EndsWith'];

/**
 * A condition value that is a plain string holding an RFC 3339 date-time: against a field
 * holding a string it compares as text (offsets and fractions break the order), so
 * suggest the tagged form, which compares as an instant.
 */
export function dateStringHint(value: Value, operator: Operator): string | null {
  if (typeof value !== 'string' || TEXT_OPERATORS.includes(operator) || Number.isNaN(parseRfc3339(value))) return null;
  return (
    `${JSON.stringify(value)} is a plain string: against a string field ${operator} compares it as text, not as an instant ` +
    `(offsets and fractions of a second then compare wrongly); write {"Date": ${JSON.stringify(value)}} to compare instants`
  );
}

/**
 * A pattern after the first whose top-level conditions hold no Equal against a Ref: the
 * engine has no key to hash on, so it tests every fact of the pattern against every
 * partial match before it. A not/exists pattern without any Ref is a plain existence test
 * and is left alone.
 */
export function crossProductHint(conditions: readonly Condition[], alias: string, negated: boolean, earlier: readonly string[]): string | null {
  if (conditions.some((c) => c.kind === 'simple' && c.operator === 'Equal' && c.ref !== null)) return null;
  if (negated && !conditions.some(holdsRef)) return null;
  const other = earlier[0] ?? 'a';
  return (
    `pattern "${alias}" has no Equal condition against a Ref, so every fact it matches is paired with every match of the ` +
    `patterns before it (a cross product, tested pair by pair); join on a shared key to get a hash join, e.g. ` +
    `{"field": "customer_id", "operator": "Equal", "value": {"Ref": "${other}.customer_id"}}`
  );
}

function holdsRef(c: Condition): boolean {
  if (c.kind === 'simple') return c.ref !== null;
  if (c.kind === 'and' || c.kind === 'or' || c.kind === 'not') return c.conditions.some(holdsRef);
  return false;
}
