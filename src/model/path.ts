// Field paths: compiles a dotted field name (`customer.address.country`) once into a
// reader over a fact's field map. A key that itself contains dots is matched whole first.
// Only own properties count: `constructor` or `toString` are fields only when a fact has them.

import { DateValue, FloatValue, setOwn, type FieldMap, type Value } from './value.js';

export type FieldReader = (fields: FieldMap) => Value | undefined;

const hasOwn = Object.prototype.hasOwnProperty;

/** The top-level field a path starts in (the part before the first dot). */
export function rootField(path: string): string {
  const dot = path.indexOf('.');
  return dot < 0 ? path : path.slice(0, dot);
}

/** A name that a plain object inherits (`constructor`, `__proto__`...): reads must check ownership. */
function inherited(key: string): boolean {
  return key in Object.prototype;
}

/** Reads one own key of a map. */
function own(obj: FieldMap, key: string): Value | undefined {
  return hasOwn.call(obj, key) ? obj[key] : undefined;
}

/** Compiles a field path to a reader. Readers for plain names are a single property load. */
export function compilePath(path: string): FieldReader {
  if (path.indexOf('.') < 0) {
    return inherited(path) ? (fields) => own(fields, path) : (fields) => fields[path];
  }
  const parts = path.split('.');
  return (fields) => {
    const whole = own(fields, path);
    return whole !== undefined ? whole : walk(fields, parts);
  };
}

/** Reads a path without compiling it (for one-off reads outside the hot path). */
export function readPath(fields: FieldMap, path: string): Value | undefined {
  const whole = own(fields, path);
  if (whole !== undefined || path.indexOf('.') < 0) return whole;
  return walk(fields, path.split('.'));
}

/** A plain object that a path can descend into (not an array, not a number or date box). */
function isMap(v: Value | undefined): v is FieldMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof FloatValue) && !(v instanceof DateValue);
}

/**
 * Walks the segments of a path. At each level the longest run of remaining segments that
 * is itself a key wins (`a.b.c` in `{"a": {"b.c": 1}}` reads 1), as the whole path does at the top.
 */
function walk(fields: FieldMap, parts: string[]): Value | undefined {
  let cur: Value | undefined = fields;
  let i = 0;
  while (i < parts.length) {
    if (!isMap(cur)) return undefined;
    let next: Value | undefined;
    let j = parts.length;
    for (; j > i; j--) {
      next = own(cur, j === i + 1 ? parts[i]! : parts.slice(i, j).join('.'));
      if (next !== undefined) break;
    }
    if (next === undefined) return undefined;
    cur = next;
    i = j;
  }
  return cur;
}

/**
 * Writes a value at a path, creating intermediate objects. A path whose whole text is an
 * existing key, or has no dot, is written as one key; otherwise it descends into objects.
 * Returns false when a non-object sits in the way.
 */
export function writePath(fields: FieldMap, path: string, value: Value): boolean {
  if (path.indexOf('.') < 0 || own(fields, path) !== undefined) {
    setOwn(fields, path, value);
    return true;
  }
  const parts = path.split('.');
  let cur: FieldMap = fields;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i]!;
    const next = own(cur, key);
    if (next === undefined) {
      const created: FieldMap = {};
      setOwn(cur, key, created);
      cur = created;
    } else if (isMap(next)) {
      cur = next;
    } else {
      return false;
    }
  }
  setOwn(cur, parts[parts.length - 1]!, value);
  return true;
}
