// The runtime value model: how fact fields and rule constants are held in memory,
// read from the wire (tagged or plain JSON), compared, and written back out.
// Plain JS values wherever JSON can express the type; two small boxes where it cannot.

/** A float whose value is integral, e.g. `{"Float":42}`: kept apart from Integer 42 so tagged output round-trips. */
export class FloatValue {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
  toJSON(): number {
    return this.value;
  }
}

/** An instant, from `{"Date":"..."}`. Held as epoch milliseconds (UTC). */
export class DateValue {
  readonly ms: number;
  constructor(ms: number) {
    this.ms = ms;
  }
  toJSON(): string {
    return formatRfc3339(this.ms);
  }
}

export type Value = null | boolean | number | string | FloatValue | DateValue | Value[] | { [key: string]: Value };

export type FieldMap = { [key: string]: Value };

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 date-time to epoch ms, or returns NaN when the text is not one. */
export function parseRfc3339(text: string): number {
  const m = RFC3339.exec(text);
  if (m === null) return NaN;
  const month = +m[2]!;
  const day = +m[3]!;
  const hour = +m[4]!;
  const minute = +m[5]!;
  const second = +m[6]!;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return NaN;
  const frac = m[7] === undefined ? 0 : fractionMs(m[7]);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  const check = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, frac));
  check.setUTCFullYear(+m[1]!);
  let ms = check.getTime();
  // Dates roll over (Feb 30 -> Mar 2); reject such dates.
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return NaN;
  const zone = m[8]!;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.charCodeAt(0) === 45 ? -1 : 1;
    const zh = +zone.slice(1, 3);
    const zm = +zone.slice(4, 6);
    if (zh > 23 || zm > 59) return NaN;
    ms -= sign * (zh * 60 + zm) * 60000;
  }
  return ms;
}

/**
 * The milliseconds of a fraction of a second written `.ddd…`: its first three digits, the
 * rest truncated. Read from the digits, not as a float: Number('.1239999999999999999') is 0.124.
 */
export function fractionMs(fraction: string): number {
  return Number(`${fraction.slice(1)}000`.slice(0, 3));
}

/** Formats epoch ms as RFC 3339 in UTC, with milliseconds only when there are any. */
export function formatRfc3339(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? iso.slice(0, -5) + 'Z' : iso;
}

/** True when a number must be written as a Float (has a fractional part or is not finite). */
function isFloatNumber(n: number): boolean {
  return !Number.isInteger(n);
}

/** The numeric payload of a value, or undefined when it is not a number. */
export function toNumber(v: Value | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof FloatValue) return v.value;
  return undefined;
}

/** Whether a numeric value is of float type (for arithmetic result typing). */
export function isFloat(v: Value | undefined): boolean {
  return v instanceof FloatValue || (typeof v === 'number' && isFloatNumber(v));
}

/** Builds a number value of the given type: floats with integral values are boxed. */
export function makeNumber(n: number, float: boolean): number | FloatValue {
  return float && Number.isInteger(n) ? new FloatValue(n) : n;
}

/**
 * Copies the mutable parts of a value (arrays and plain objects); primitives and the
 * immutable boxes are shared. Used so a rule's constants never alias a fact's fields.
 */
export function cloneValue(v: Value): Value {
  if (v === null || typeof v !== 'object' || v instanceof FloatValue || v instanceof DateValue) return v;
  if (Array.isArray(v)) return v.map(cloneValue);
  const out: FieldMap = {};
  for (const k in v) setOwn(out, k, cloneValue((v as FieldMap)[k]!));
  return out;
}

// ---------------------------------------------------------------------------
// Decoding from the wire.

const TAGS = new Set(['String', 'Integer', 'Float', 'Boolean', 'Array', 'Object', 'Date']);

/**
 * Plain numbers (and `{"Integer":…}` payloads) must lie within ±(2^53−1): beyond it a double
 * no longer holds every integer, so 9007199254740993 would silently become …992. Such a
 * value is refused, never rounded; so is a number that overflows to ±Infinity (`1e400`).
 * A finite `{"Float":…}` of any size is kept: a float is an approximation by definition.
 */
export const MAX_EXACT_INTEGER = Number.MAX_SAFE_INTEGER;
/** How deeply arrays and objects may nest in a fact's JSON text (the record itself is level 1). */
export const MAX_NESTING = 1000;

/** What a ValueDecodeError is about: a value's form, a number out of range, or nesting too deep. */
export type DecodeProblem = 'value' | 'number' | 'nesting';

/** Raised by decodeValue; `path` is relative to the value decoded (e.g. `.Array[2]`). */
export class ValueDecodeError extends Error {
  readonly path: string;
  /** The same path as keys and indexes, for finding the value in the record's text. */
  readonly segments: readonly (string | number)[];
  readonly problem: DecodeProblem;
  constructor(message: string, path: string, problem: DecodeProblem = 'value', segments: readonly (string | number)[] = []) {
    super(message);
    this.path = path;
    this.problem = problem;
    this.segments = segments;
  }
}

/** Whether a plain JSON number can be held exactly (also false for ±Infinity). */
export function exactNumber(n: number): boolean {
  return n <= MAX_EXACT_INTEGER && n >= -MAX_EXACT_INTEGER;
}

/** The message for a number outside the exact range; `text` is its JSON text when known. */
export function numberProblem(n: number, text?: string): string {
  const shown = text ?? String(n);
  if (!Number.isFinite(n)) return `number ${shown} is beyond the range of a 64-bit float (it would become ${n}); quote it as a string`;
  if (text !== undefined && /^-?\d+$/.test(text)) {
    return `integer ${shown} cannot be held exactly (beyond ±(2^53−1)); quote it as a string`;
  }
  return `number ${shown} is an integer beyond ±(2^53−1), which cannot be held exactly; quote it as a string, or write {"Float": ${shown}} for a float`;
}

// Keys and indexes from the value being decoded down to the current one: pushed before a
// nested decode and popped after, so an error can say where it is without building path
// strings on the happy path. Left as it is when an error unwinds; reset per entry call.
const segs: (string | number)[] = [];

function fail(message: string, path: string, problem: DecodeProblem = 'value'): never {
  throw new ValueDecodeError(message, path, problem, segs.slice());
}

function nestingProblem(path: string): never {
  fail(`nesting deeper than ${MAX_NESTING} levels (arrays and objects inside each other)`, path, 'nesting');
}

/**
 * Turns a parsed JSON value (tagged or plain) into a runtime Value.
 * Plain primitives are returned as they are; objects and arrays are decoded in place
 * (the parsed JSON is owned by the reader and not shared), so no copy is made.
 * `depth`: the JSON nesting level the value stands at (1 for a value at top level).
 */
export function decodeValue(raw: unknown, path = '', depth = 1): Value {
  segs.length = 0;
  return decodeAt(raw, path, depth);
}

/** decodeValue without resetting the segment stack (for nested and field-level calls). */
export function decodeAt(raw: unknown, path: string, depth: number): Value {
  if (raw === null || typeof raw !== 'object') {
    if (raw === 'Null') return null;
    if (raw === undefined) fail('missing value', path);
    if (typeof raw === 'number' && !exactNumber(raw)) fail(numberProblem(raw), path, 'number');
    return raw as Value;
  }
  if (depth > MAX_NESTING) nestingProblem(path);
  if (Array.isArray(raw)) {
    for (let i = 0; i < raw.length; i++) {
      const item = raw[i];
      if (item !== null && typeof item === 'object') {
        segs.push(i);
        raw[i] = decodeAt(item, `${path}[${i}]`, depth + 1);
        segs.pop();
      } else if (item === 'Null') raw[i] = null;
      else if (typeof item === 'number' && !exactNumber(item)) {
        segs.push(i);
        fail(numberProblem(item), `${path}[${i}]`, 'number');
      }
    }
    return raw as Value[];
  }
  const obj = raw as Record<string, unknown>;
  let onlyKey: string | undefined;
  let count = 0;
  for (const k in obj) {
    if (++count > 1) break;
    onlyKey = k;
  }
  if (count === 1 && TAGS.has(onlyKey!)) {
    segs.push(onlyKey!);
    const tagged = decodeTagged(onlyKey!, obj[onlyKey!], path, depth);
    segs.pop();
    if (tagged !== NOT_TAGGED) return tagged;
  }
  return decodeMembers(obj, path, depth);
}

/** Decodes the members of an object in place (a plain map, or the payload of `{"Object":...}`). */
function decodeMembers(obj: Record<string, unknown>, path: string, depth: number): FieldMap {
  for (const k in obj) {
    const item = obj[k];
    if (item !== null && typeof item === 'object') {
      segs.push(k);
      setOwn(obj, k, decodeAt(item, `${path}.${k}`, depth + 1));
      segs.pop();
    } else if (item === 'Null') setOwn(obj, k, null);
    else if (typeof item === 'number' && !exactNumber(item)) {
      segs.push(k);
      fail(numberProblem(item), `${path}.${k}`, 'number');
    }
  }
  return obj as FieldMap;
}

/**
 * Sets an own property. A plain assignment to `__proto__` would replace the object's
 * prototype instead, so that one key is defined as data.
 */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

const NOT_TAGGED = Symbol('not tagged');

/** A tagged value's payload; `depth` is the level of the tag's object (the payload is one deeper). */
function decodeTagged(tag: string, payload: unknown, path: string, depth: number): Value | typeof NOT_TAGGED {
  switch (tag) {
    case 'String':
      return typeof payload === 'string' ? payload : NOT_TAGGED;
    case 'Integer':
      if (typeof payload !== 'number' || !Number.isInteger(payload)) {
        // ±Infinity is not an integer, but it is a number that was changed: refuse it too.
        if (payload === Infinity || payload === -Infinity) fail(numberProblem(payload), `${path}.Integer`, 'number');
        return NOT_TAGGED;
      }
      if (!exactNumber(payload)) fail(numberProblem(payload), `${path}.Integer`, 'number');
      return payload;
    case 'Float':
      if (typeof payload !== 'number') return NOT_TAGGED;
      if (!Number.isFinite(payload)) fail(numberProblem(payload), `${path}.Float`, 'number');
      return makeNumber(payload, true);
    case 'Boolean':
      return typeof payload === 'boolean' ? payload : NOT_TAGGED;
    case 'Array':
      return Array.isArray(payload) ? decodeAt(payload, `${path}.Array`, depth + 1) : NOT_TAGGED;
    case 'Object':
      if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return NOT_TAGGED;
      if (depth + 1 > MAX_NESTING) nestingProblem(`${path}.Object`);
      return decodeMembers(payload as Record<string, unknown>, `${path}.Object`, depth + 1);
    case 'Date': {
      if (typeof payload !== 'string') return NOT_TAGGED;
      const ms = parseRfc3339(payload);
      if (Number.isNaN(ms)) fail(`expected an RFC 3339 date-time, got ${JSON.stringify(payload)}`, `${path}.Date`);
      return new DateValue(ms);
    }
  }
  return NOT_TAGGED;
}

// ---------------------------------------------------------------------------
// Encoding.

/** The reference engine's tagged form of a value. */
export function toTagged(v: Value | undefined): unknown {
  if (v === null || v === undefined) return 'Null';
  switch (typeof v) {
    case 'string':
      return { String: v };
    case 'boolean':
      return { Boolean: v };
    case 'number':
      return isFloatNumber(v) ? { Float: v } : { Integer: v };
  }
  if (v instanceof FloatValue) return { Float: v.value };
  if (v instanceof DateValue) return { Date: formatRfc3339(v.ms) };
  if (Array.isArray(v)) return { Array: v.map(toTagged) };
  const out: Record<string, unknown> = {};
  for (const k in v) setOwn(out, k, toTagged((v as FieldMap)[k]));
  return { Object: out };
}

/** Tagged form of a field map (no outer `Object` wrapper), as in `data.fields`. */
export function fieldsToTagged(fields: FieldMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in fields) setOwn(out, k, toTagged(fields[k]));
  return out;
}

// ---------------------------------------------------------------------------
// Comparison.

/** The kind of a value, for type-mismatch decisions and messages. */
export type ValueKind = 'null' | 'boolean' | 'number' | 'string' | 'date' | 'array' | 'object';

export function kindOf(v: Value): ValueKind {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
  }
  if (v instanceof FloatValue) return 'number';
  if (v instanceof DateValue) return 'date';
  return Array.isArray(v) ? 'array' : 'object';
}

/** Epoch ms of a value used as a date: a DateValue, or a string holding RFC 3339. NaN otherwise. */
export function dateMs(v: Value): number {
  if (v instanceof DateValue) return v.ms;
  if (typeof v === 'string') return parseRfc3339(v);
  return NaN;
}

/**
 * Equality as docs/input.md ("Values") states it: numbers by value across int and float, dates as
 * instants (a date against an RFC 3339 string compares as dates), arrays and objects deeply.
 */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a === 'number') return b instanceof FloatValue && b.value === a;
  if (a === null || b === null || typeof a !== 'object') {
    if (typeof a === 'string' && b instanceof DateValue) return parseRfc3339(a) === b.ms;
    return false;
  }
  if (a instanceof FloatValue) return typeof b === 'number' ? a.value === b : b instanceof FloatValue && a.value === b.value;
  if (a instanceof DateValue) {
    if (b instanceof DateValue) return a.ms === b.ms;
    return typeof b === 'string' && parseRfc3339(b) === a.ms;
  }
  if (typeof b !== 'object' || b instanceof FloatValue || b instanceof DateValue) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i]!, b[i]!)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as FieldMap;
  const bo = b as FieldMap;
  let n = 0;
  for (const k in ao) {
    if (!(k in bo) || !valuesEqual(ao[k]!, bo[k]!)) return false;
    n++;
  }
  for (const _ in bo) n--;
  return n === 0;
}

/**
 * Orders two values: negative, zero or positive; NaN when they are of unrelated types
 * (the caller counts that as a type mismatch). Strings order by UTF-16 code unit.
 */
export function compareValues(a: Value, b: Value): number {
  const an = toNumber(a);
  if (an !== undefined) {
    const bn = toNumber(b);
    return bn === undefined ? NaN : an - bn;
  }
  if (typeof a === 'string') {
    if (typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
    if (b instanceof DateValue) return parseRfc3339(a) - b.ms;
    return NaN;
  }
  if (a instanceof DateValue) {
    const bm = dateMs(b);
    return a.ms - bm;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return (a ? 1 : 0) - (b ? 1 : 0);
  return NaN;
}

/**
 * The key under which a value is found in an equality hash index, or undefined when the
 * value cannot be hashed (dates, arrays, objects are tested by comparison instead).
 * Numbers key by value, so Integer 5 and Float 5.0 share a key; strings and numbers never collide.
 */
export function hashKey(v: Value | undefined): string | number | boolean | null | undefined {
  if (v === undefined) return undefined;
  if (v === null || typeof v !== 'object') return v as string | number | boolean | null;
  if (v instanceof FloatValue) return v.value;
  return undefined;
}

/** A short human description of a value, for error messages. */
export function describeValue(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + '...' : s;
}
