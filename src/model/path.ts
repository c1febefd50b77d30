// Field paths: compiles a dotted field name (`customer.address.country`) once into a
// reader over a fact's field map. A key that itself contains dots is matched whole first.

import type { FieldMap, Value } from './value.js';

export type FieldReader = (fields: FieldMap) => Value | undefined;

/** The top-level field a path starts in (the part before the first dot). */
export function rootField(path: string): string {
  const dot = path.indexOf('.');
  return dot < 0 ? path : path.slice(0, dot);
}

/** Compiles a field path to a reader. Readers for plain names are a single property load. */
export function compilePath(path: string): FieldReader {
  if (path.indexOf('.') < 0) return (fields) => fields[path];
  const parts = path.split('.');
  return (fields) => {
    const whole = fields[path];
    if (whole !== undefined) return whole;
    return walk(fields, parts);
  };
}

/** Reads a path without compiling it (for one-off reads outside the hot path). */
export function readPath(fields: FieldMap, path: string): Value | undefined {
  const whole = fields[path];
  if (whole !== undefined || path.indexOf('.') < 0) return whole;
  return walk(fields, path.split('.'));
}

function walk(fields: FieldMap, parts: string[]): Value | undefined {
  let cur: Value | undefined = fields;
  for (let i = 0; i < parts.length; i++) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    // Each segment may itself be a dotted key: try the longest remaining match first.
    const obj: FieldMap = cur as FieldMap;
    let next: Value | undefined = obj[parts[i]!];
    if (next === undefined) {
      for (let j = parts.length; j > i + 1; j--) {
        const joined = parts.slice(i, j).join('.');
        if (obj[joined] !== undefined) {
          next = obj[joined];
          i = j - 1;
          break;
        }
      }
    }
    if (next === undefined) return undefined;
    cur = next;
  }
  return cur;
}

/**
 * Writes a value at a path, creating intermediate objects. A path whose whole text is an
 * existing key, or has no dot, is written as one key; otherwise it descends into objects.
 * Returns false when a non-object sits in the way.
 */
export function writePath(fields: FieldMap, path: string, value: Value): boolean {
  if (path.indexOf('.') < 0 || fields[path] !== undefined) {
    fields[path] = value;
    return true;
  }
  const parts = path.split('.');
  let cur: FieldMap = fields;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i]!;
    const next = cur[key];
    if (next === undefined) {
      const created: FieldMap = {};
      cur[key] = created;
      cur = created;
    } else if (next !== null && typeof next === 'object' && !Array.isArray(next) && next.constructor === Object) {
      cur = next as FieldMap;
    } else {
      return false;
    }
  }
  cur[parts[parts.length - 1]!] = value;
  return true;
}
