// Keys, defined once: the canonical form of a value (two values get the same form exactly
// when they are Equal), the keys that decide node sharing (always JSON of structured parts,
// so they are injective whatever characters field names hold), and the hash keys of alpha
// dispatch and hash joins.

import { DateValue, FloatValue, hashKey, parseRfc3339, type FieldMap, type Value } from '../model/value.js';

/**
 * A JSON-ready structure that is the same for two values exactly when they are Equal as
 * conditions compare them (numbers by value across Integer and Float, dates by instant,
 * arrays element-wise, objects by their sorted keys). Primitives stand for themselves;
 * everything else is a tagged array, so no two kinds can meet.
 */
export function canonical(v: Value): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : ['number', String(v)];
  if (v instanceof FloatValue) return canonical(v.value);
  if (v instanceof DateValue) return ['date', v.ms];
  if (Array.isArray(v)) return ['array', v.map(canonical)];
  const o = v as FieldMap;
  return [
    'object',
    Object.keys(o)
      .sort()
      .map((k) => [k, canonical(o[k]!)]),
  ];
}

/** The canonical form as text: a key for maps and sets. */
export function canonicalKey(v: Value): string {
  return JSON.stringify(canonical(v));
}

/** A sharing key from structured parts: JSON, so distinct parts never give one key. */
export function shareKey(...parts: unknown[]): string {
  return JSON.stringify(parts);
}

export type HashKey = string | number | boolean | null;

/**
 * The alpha hash-dispatch key of an Equal constant, or undefined when the constant must be
 * tested by comparison: dates (and strings that read as dates, which equal date fields),
 * arrays and objects.
 */
export function equalityKey(value: Value): HashKey | undefined {
  const k = hashKey(value);
  if (typeof k === 'string' && !Number.isNaN(parseRfc3339(k))) return undefined;
  return k;
}

export type JoinKey = string | number | boolean | null;

/** The bucket of arrays and objects (compared one by one with valuesEqual). */
const COMPLEX_KEY = '\u0000complex';

/**
 * The hash-join key of a value, or undefined when the value can equal nothing (missing,
 * NaN). Values that may be Equal always share a key: numbers by value across Integer and
 * Float; strings that read as RFC 3339 date-times share the key of their instant with
 * dates; arrays and objects share one bucket. Every candidate a lookup returns is
 * confirmed with valuesEqual, so keys need only be a sound over-approximation.
 */
export function joinKey(v: Value | undefined): JoinKey | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return Number.isNaN(v) ? undefined : v;
  if (typeof v === 'string') {
    // Cheap pre-check before the date regex: "YYYY-MM-DD..." has '-' at 4 and 7.
    if (v.length >= 20 && v.charCodeAt(4) === 45 && v.charCodeAt(7) === 45) {
      const ms = parseRfc3339(v);
      if (!Number.isNaN(ms)) return `\u0000date:${ms}`;
    }
    return v;
  }
  if (v === null || typeof v === 'boolean') return v;
  if (v instanceof FloatValue) return Number.isNaN(v.value) ? undefined : v.value;
  if (v instanceof DateValue) return `\u0000date:${v.ms}`;
  return COMPLEX_KEY;
}

/**
 * Whether two values sharing this join key are certainly Equal, so candidates need no check:
 * numbers, booleans, null and plain strings. Dates (a date equals a string of its instant,
 * but two such strings compare as text), arrays and objects share keys with values they
 * may not equal; their keys start with a NUL character, as may a user's string (checked too).
 */
export function exactJoinKey(key: JoinKey): boolean {
  return typeof key !== 'string' || key.charCodeAt(0) !== 0;
}
