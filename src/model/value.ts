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

/** Raised by decodeValue; `path` is relative to the value decoded (e.g. `.Array[2]`). */
export class ValueDecodeError extends Error {
  readonly path: string;
  constructor(message: string, path: string) {
    super(message);
    this.path = path;
  }
}

/**
 * Turns a parsed JSON value (tagged or plain) into a runtime Value.
 * Plain primitives are returned as they are; objects and arrays are decoded in place
 * (the parsed JSON is owned by the reader and not shared), so no copy is made.
 */
export function decodeValue(raw: unknown, path = ''): Value {
  if (raw === null || typeof raw !== 'object') {
    if (raw === 'Null') return null;
    if (raw === undefined) throw new ValueDecodeError('missing value', path);
    return raw as Value;
  }
  if (Array.isArray(raw)) {
    for (let i = 0; i < raw.length; i++) {
      const item = raw[i];
      if (item !== null && typeof item === 'object') raw[i] = decodeValue(item, `${path}[${i}]`);
      else if (item === 'Null') raw[i] = null;
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
    const tagged = decodeTagged(onlyKey!, obj[onlyKey!], path);
    if (tagged !== NOT_TAGGED) return tagged;
  }
  for (const k in obj) {
    const item = obj[k];
    if (item !== null && typeof item === 'object') setOwn(obj, k, decodeValue(item, `${path}.${k}`));
    else if (item === 'Null') setOwn(obj, k, null);
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

function decodeTagged(tag: string, payload: unknown, path: string): Value | typeof NOT_TAGGED {
  switch (tag) {
    case 'String':
      return typeof payload === 'string' ? payload : NOT_TAGGED;
    case 'Integer':
      return typeof payload === 'number' && Number.isInteger(payload) ? payload : NOT_TAGGED;
    case 'Float':
      return typeof payload === 'number' ? makeNumber(payload, true) : NOT_TAGGED;
    case 'Boolean':
      return typeof payload === 'boolean' ? payload : NOT_TAGGED;
    case 'Array':
      return Array.isArray(payload) ? decodeValue(payload, `${path}.Array`) : NOT_TAGGED;
    case 'Object':
      return payload !== null && typeof payload === 'object' && !Array.isArray(payload)
        ? decodePlainObject(payload as Record<string, unknown>, `${path}.Object`)
        : NOT_TAGGED;
    case 'Date': {
      if (typeof payload !== 'string') return NOT_TAGGED;
      const ms = parseRfc3339(payload);
      if (Number.isNaN(ms)) {
        throw new ValueDecodeError(`expected an RFC 3339 date-time, got ${JSON.stringify(payload)}`, `${path}.Date`);
      }
      return new DateValue(ms);
    }
  }
  return NOT_TAGGED;
}

/** Decodes the members of an object that is known to be a map (the payload of `{"Object":...}`). */
function decodePlainObject(obj: Record<string, unknown>, path: string): FieldMap {
  for (const k in obj) {
    const item = obj[k];
    if (item !== null && typeof item === 'object') setOwn(obj, k, decodeValue(item, `${path}.${k}`));
    else if (item === 'Null') setOwn(obj, k, null);
  }
  return obj as FieldMap;
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
 * Equality as formats.md §6 states it: numbers by value across int and float, dates as
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
