// Value semantics and the nine operators, written out afresh for the naive evaluators of the
// differential tests: equality, ordering and date reading are stated here from the README's
// rules, without the engine's valuesEqual/compareValues/parseRfc3339, so that the engine's
// value semantics are checked independently too. Also the id of the first created fact.

import { DateValue, FloatValue, type FieldMap, type Value } from '../../src/model/value.js';

/** Facts that rules create are numbered from here, in creation order (README: "CreateFact"). */
export const NAIVE_FIRST_CREATED_ID = 9_000_000_000_000_000;

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Epoch ms of an RFC 3339 date-time (`T`, `t` or a space between date and time; `Z`, `z`
 * or ±hh:mm; a fraction truncated to ms), NaN for anything else, impossible dates included.
 */
export function naiveDateMs(s: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(\.\d+)?(?:([Zz])|([+-])(\d\d):(\d\d))$/.exec(s);
  if (m === null) return NaN;
  const [y, mo, d, h, mi, se] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  const leap = (y! % 4 === 0 && y! % 100 !== 0) || y! % 400 === 0;
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > (mo === 2 && !leap ? 28 : DAYS[mo! - 1]!) || h! > 23 || mi! > 59 || se! > 59) return NaN;
  const frac = m[7] === undefined ? 0 : Number(`${m[7].slice(1)}000`.slice(0, 3));
  const date = new Date(0);
  date.setUTCFullYear(y!, mo! - 1, d!);
  date.setUTCHours(h!, mi!, se!, frac);
  let ms = date.getTime();
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return NaN;
    ms -= (m[9] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  return ms;
}

const numberOf = (v: Value): number | undefined => (typeof v === 'number' ? v : v instanceof FloatValue ? v.value : undefined);
const isMap = (v: Value): v is FieldMap => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof FloatValue) && !(v instanceof DateValue);

/** Equal: numbers by value (Integer 5 = Float 5.0); a date and a string holding the same instant; deep for arrays and objects. */
export function naiveEqual(a: Value, b: Value): boolean {
  const an = numberOf(a);
  const bn = numberOf(b);
  if (an !== undefined || bn !== undefined) return an === bn;
  if (a instanceof DateValue || b instanceof DateValue) {
    const ms = (v: Value) => (v instanceof DateValue ? v.ms : typeof v === 'string' ? naiveDateMs(v) : NaN);
    return ms(a) === ms(b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => naiveEqual(x, b[i]!));
  }
  if (isMap(a) || isMap(b)) {
    if (!isMap(a) || !isMap(b)) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && naiveEqual(a[k]!, b[k]!));
  }
  return a === b;
}

/** Order: numbers by value, strings by UTF-16 code unit, dates (or a date and a date string) by instant, false < true; NaN otherwise. */
export function naiveOrder(a: Value, b: Value): number {
  const an = numberOf(a);
  const bn = numberOf(b);
  if (an !== undefined || bn !== undefined) return an !== undefined && bn !== undefined ? an - bn : NaN;
  if (a instanceof DateValue || b instanceof DateValue) {
    const ms = (v: Value) => (v instanceof DateValue ? v.ms : typeof v === 'string' ? naiveDateMs(v) : NaN);
    return ms(a) - ms(b);
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return NaN;
}

/** `v OP k`; a missing field or Ref (undefined) makes every operator false but NotEqual. */
export function naiveCompare(op: string, v: Value | undefined, k: Value | undefined): boolean {
  if (v === undefined || k === undefined) return op === 'NotEqual';
  switch (op) {
    case 'Equal':
      return naiveEqual(v, k);
    case 'NotEqual':
      return !naiveEqual(v, k);
    case 'Contains':
      if (typeof v === 'string') return typeof k === 'string' && v.includes(k);
      if (Array.isArray(v)) return v.some((e) => naiveEqual(e, k));
      return false;
    case 'StartsWith':
      return typeof v === 'string' && typeof k === 'string' && v.startsWith(k);
    case 'EndsWith':
      return typeof v === 'string' && typeof k === 'string' && v.endsWith(k);
  }
  const d = naiveOrder(v, k);
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

/**
 * A field path as the README states it: at every level, the longest run of the remaining
 * segments that is a key present there (`a.b.c` in `{"a": {"b.c": 1}}` is 1).
 */
export function naiveRead(fields: FieldMap, path: string): Value | undefined {
  const parts = path.split('.');
  let cur: Value = fields;
  let i = 0;
  while (i < parts.length) {
    if (!isMap(cur)) return undefined;
    const here: FieldMap = cur;
    let j = parts.length;
    while (j > i && !Object.hasOwn(here, parts.slice(i, j).join('.'))) j--;
    if (j === i) return undefined;
    cur = here[parts.slice(i, j).join('.')]!;
    i = j;
  }
  return cur;
}

/**
 * Writes where a read of the same path would find the field; the missing rest of the path
 * becomes nested objects. False when a non-object is in the way.
 */
export function naiveWrite(fields: FieldMap, path: string, value: Value): boolean {
  const parts = path.split('.');
  let cur: FieldMap = fields;
  let i = 0;
  for (;;) {
    let j = parts.length;
    while (j > i && !Object.hasOwn(cur, parts.slice(i, j).join('.'))) j--;
    if (j === parts.length) break;
    if (j === i) {
      for (; i < parts.length - 1; i++) {
        const created: FieldMap = {};
        Object.defineProperty(cur, parts[i]!, { value: created, enumerable: true, writable: true, configurable: true });
        cur = created;
      }
      break;
    }
    const next: Value = cur[parts.slice(i, j).join('.')]!;
    if (!isMap(next)) return false;
    cur = next;
    i = j;
  }
  const key = parts.slice(i).join('.');
  Object.defineProperty(cur, key, { value, enumerable: true, writable: true, configurable: true });
  return true;
}
