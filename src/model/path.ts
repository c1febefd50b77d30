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
  if (path.indexOf('.') < 0) return inherited(path) ? (fields) => own(fields, path) : plainReader(path);
  const parts = path.split('.');
  return (fields) => {
    const whole = own(fields, path);
    return whole !== undefined ? whole : walk(fields, parts);
  };
}

/**
 * Generated code for one plain field name, with the name as a string literal written by
 * JSON.stringify (so no name can be anything but a string): V8 compiles `o["status"]` as a
 * named property access, with its own inline cache, where `o[name]` is a keyed access
 * shared by every name. Null where code generation is disallowed.
 */
function generate<F>(params: readonly string[], body: (literal: string) => string, name: string): F | null {
  try {
    return new Function(...params, body(JSON.stringify(name))) as F;
  } catch {
    return null;
  }
}

/**
 * Generated readers and stores are shared by name by every network in the process. A server
 * that loads rule sets as long as it runs would keep one for every name it ever met: a memo
 * that reaches this many names starts again (networks keep the functions they already hold).
 */
const GENERATED_LIMIT = 4096;

function keep<F>(memo: Map<string, F>, name: string, fn: F): F {
  if (memo.size >= GENERATED_LIMIT) memo.clear();
  memo.set(name, fn);
  return fn;
}

const readers = new Map<string, FieldReader>();

/**
 * The reader of one plain field name (no dots, not inherited), made once per name and shared.
 * Bench enterprise 1M engine-only reads four fields a fact: in its CPU profile the readers
 * took 21.3 ms a run as closures with a variable key, 17.7 ms generated (every other change
 * aside; `rete-eval bench --cpu-prof`).
 */
function plainReader(name: string): FieldReader {
  const read = readers.get(name);
  if (read !== undefined) return read;
  return keep(readers, name, generate<FieldReader>(['o'], (n) => `return o[${n}];`, name) ?? ((fields) => fields[name]));
}

export type FieldSetter = (fields: FieldMap, value: Value) => void;

const setters = new Map<string, FieldSetter>();

/**
 * A store of one plain field name (no dots, not inherited: see `inherited`), made once per
 * name and shared. It is generated code with the name as a string literal (`o["calc_1"] = v`,
 * the literal written by JSON.stringify, so no name can be anything but a string), because
 * V8 compiles that as a named store: an object keeps fast properties up to 128 of them added
 * that way, where a store with a variable key (`o[name] = v`) turns it into a hash table
 * after 12, and adding to a hash table goes through the runtime. Measured adding 50 to 150
 * fields to 32K of 1M facts (bench enterprise's writes, 1.6M stores): 350 ms with a variable
 * key, 90–190 ms generated. Where code generation is disallowed the variable-key store is used.
 */
export function compileSetter(name: string): FieldSetter {
  const set = setters.get(name);
  if (set !== undefined) return set;
  return keep(
    setters,
    name,
    generate<FieldSetter>(['o', 'v'], (n) => `o[${n}] = v;`, name) ??
      ((fields, value) => {
        fields[name] = value;
      }),
  );
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
 * At one level of a path walk: the end (exclusive) of the longest run of segments from
 * `i` that is itself a key of `obj` (`a.b.c` in `{"a": {"b.c": 1}}` reads "b.c" at the
 * second level), or `i` when none is. Reads and writes both resolve paths with this, so a
 * write addresses the field a read of the same path finds.
 */
function longestKeyEnd(obj: FieldMap, parts: readonly string[], i: number): number {
  for (let j = parts.length; j > i; j--) if (own(obj, keyOf(parts, i, j)) !== undefined) return j;
  return i;
}

/** The key made of segments i..j-1 of a path. */
function keyOf(parts: readonly string[], i: number, j: number): string {
  return j === i + 1 ? parts[i]! : parts.slice(i, j).join('.');
}

/** Walks the segments of a path, taking the longest key present at every level. */
function walk(fields: FieldMap, parts: string[]): Value | undefined {
  let cur: Value | undefined = fields;
  let i = 0;
  while (i < parts.length) {
    if (!isMap(cur)) return undefined;
    const j = longestKeyEnd(cur, parts, i);
    if (j === i) return undefined;
    cur = cur[keyOf(parts, i, j)];
    i = j;
  }
  return cur;
}

/**
 * Writes a value at a path: the field a read of the same path would find (the longest key
 * present at every level), else the missing rest of the path as nested objects, one key per
 * segment. Returns false when a non-object value is in the way.
 */
export function writePath(fields: FieldMap, path: string, value: Value): boolean {
  if (path.indexOf('.') < 0) {
    setOwn(fields, path, value);
    return true;
  }
  const parts = path.split('.');
  let cur: FieldMap = fields;
  let i = 0;
  for (;;) {
    const j = longestKeyEnd(cur, parts, i);
    if (j === parts.length) {
      setOwn(cur, keyOf(parts, i, j), value);
      return true;
    }
    if (j === i) break;
    const next = cur[keyOf(parts, i, j)];
    if (!isMap(next)) return false;
    cur = next;
    i = j;
  }
  for (; i < parts.length - 1; i++) {
    const created: FieldMap = {};
    setOwn(cur, parts[i]!, created);
    cur = created;
  }
  setOwn(cur, parts[parts.length - 1]!, value);
  return true;
}
