// Facts: the in-memory fact (one class, one shape for V8) and the decoder that turns a
// parsed JSON record, in the reference shape or as a flat record, into one.

import { applyWrites, type WriteChunk } from './field-writes.js';
import { decodeValue, exactNumber, numberProblem, parseRfc3339, setOwn, ValueDecodeError, type DecodeProblem, type FieldMap } from './value.js';

/** How a fact was written on input, so `--emit facts` writes it back the same way. */
export enum FactShape {
  Flat = 0,
  Reference = 1,
}

/**
 * The first id of facts that rules create. Input facts may not use ids from here on, so a
 * created fact's id never equals an input fact's, whenever either is read or made.
 */
export const FIRST_CREATED_ID = 9_000_000_000_000_000;

/**
 * A fact: the domain value read from input (or created by a rule). What a run knows about
 * it (insertion order, retraction, firings) is kept by the session that holds it, so one
 * fact value means the same in every session.
 *
 * Read a fact's fields through `fields`: a session may hold back writes to fields that no
 * rule reads (see field-writes.ts) and applies them to the field map when `fields` is next
 * read, so the map object a fact was made with may lag behind until then.
 */
export class Fact {
  readonly id: number;
  readonly externalId: string | null;
  /** RFC 3339 text as given, or null (the run's start time applies). Parsed only when needed. */
  readonly timestamp: string | null;
  private readonly map: FieldMap;
  readonly shape: FactShape;
  /** Where writes a session holds back for this fact are (see field-writes.ts): for sessions only. */
  heldChunk: WriteChunk | null = null;
  heldSpan = 0;

  constructor(id: number, fields: FieldMap, timestamp: string | null, externalId: string | null, shape: FactShape) {
    this.id = id;
    this.externalId = externalId;
    this.timestamp = timestamp;
    this.map = fields;
    this.shape = shape;
  }

  /** The field values, with every write rules made so far; actions change them in place. */
  get fields(): FieldMap {
    if (this.heldChunk !== null) this.applyHeldWrites();
    return this.map;
  }

  /** Applies the writes a session held back to the field map. */
  applyHeldWrites(): void {
    const c = this.heldChunk;
    if (c === null) return;
    this.heldChunk = null;
    applyWrites(c, this.heldSpan, this.map);
  }
}

/** A reason a parsed record is not a fact, with the JSON path inside the record. */
export class FactDecodeError extends Error {
  readonly jsonPath: string;
  readonly segments: readonly (string | number)[];
  readonly problem: DecodeProblem;
  constructor(message: string, jsonPath: string, segments: readonly (string | number)[] = [], problem: DecodeProblem = 'value') {
    super(message);
    this.jsonPath = jsonPath;
    this.segments = segments;
    this.problem = problem;
  }
}

let lastTimestamp = '';
let lastTimestampOk = false;

/** Whether a text is an RFC 3339 timestamp (the fact decoders' test). */
export function isTimestamp(text: string): boolean {
  // Batches often share timestamps: remember the last one checked.
  if (text === lastTimestamp) return lastTimestampOk;
  lastTimestamp = text;
  lastTimestampOk = !Number.isNaN(parseRfc3339(text));
  return lastTimestampOk;
}

/**
 * Decodes one parsed record. `ordinal` is the record's 0-based position in the whole input,
 * used as the id of a flat record that has none. Throws FactDecodeError on a bad record.
 */
export function decodeFact(raw: unknown, ordinal: number): Fact {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new FactDecodeError(`expected a JSON object (a fact), got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`, '$');
  }
  const rec = raw as Record<string, unknown>;
  const data = rec.data;
  if (data !== null && typeof data === 'object' && !Array.isArray(data) && (data as Record<string, unknown>).fields !== undefined) {
    return decodeReference(rec, (data as Record<string, unknown>).fields);
  }
  return decodeFlat(rec, ordinal);
}

function decodeReference(rec: Record<string, unknown>, rawFields: unknown): Fact {
  const id = rec.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
    if (typeof id === 'number' && !exactNumber(id)) throw new FactDecodeError(numberProblem(id), '$.id', ['id'], 'number');
    throw new FactDecodeError(`expected a non-negative integer fact id, got ${JSON.stringify(id) ?? 'nothing'}`, '$.id', ['id']);
  }
  checkNotReserved(id);
  if (rawFields === null || typeof rawFields !== 'object' || Array.isArray(rawFields)) {
    throw new FactDecodeError('expected an object of field values', '$.data.fields', ['data', 'fields']);
  }
  const ext = rec.external_id;
  if (ext !== undefined && ext !== null && typeof ext !== 'string') {
    throw new FactDecodeError('expected a string or null', '$.external_id', ['external_id']);
  }
  const ts = rec.timestamp;
  let timestamp: string | null = null;
  if (ts !== undefined && ts !== null) {
    if (typeof ts !== 'string' || !isTimestamp(ts)) {
      throw new FactDecodeError(`expected an RFC 3339 timestamp, got ${JSON.stringify(ts)}`, '$.timestamp', ['timestamp']);
    }
    timestamp = ts;
  }
  const fields = rawFields as FieldMap;
  decodeFields(fields, REFERENCE_BASE, 4);
  return new Fact(id, fields, timestamp, (ext as string | undefined) ?? null, FactShape.Reference);
}

function decodeFlat(rec: Record<string, unknown>, ordinal: number): Fact {
  const fields = rec as FieldMap;
  decodeFields(fields, FLAT_BASE, 2);
  const id = fields.id;
  const ts = fields.timestamp;
  const ext = fields.external_id;
  const hasId = typeof id === 'number' && Number.isSafeInteger(id) && id >= 0;
  if (hasId) checkNotReserved(id);
  return new Fact(hasId ? id : ordinal, fields, typeof ts === 'string' && isTimestamp(ts) ? ts : null, typeof ext === 'string' ? ext : null, FactShape.Flat);
}

/** Ids from FIRST_CREATED_ID up are the created facts': an input fact may not take one. */
export function checkNotReserved(id: number): void {
  if (id >= FIRST_CREATED_ID) {
    throw new FactDecodeError(`fact id ${id} is in the range reserved for facts created by rules (${FIRST_CREATED_ID} and up)`, '$.id', ['id']);
  }
}

/** Where a record's field map stands in its text: its JSON path, and its keys from the record. */
interface FieldsBase {
  readonly path: string;
  readonly segments: readonly string[];
}
const FLAT_BASE: FieldsBase = { path: '$', segments: [] };
const REFERENCE_BASE: FieldsBase = { path: '$.data.fields', segments: ['data', 'fields'] };

// The field being decoded, so a ValueDecodeError caught by the reader (per batch, not per
// fact) can be turned into a JSON path without building path strings on the happy path.
let decodingBase: FieldsBase = FLAT_BASE;
let decodingKey = '';

/**
 * Decodes tagged values in place. Primitive fields (the common case in flat records) cost
 * one typeof each; the common tagged scalars (`{"String":..}`, `{"Integer":..}`,
 * `{"Boolean":..}`, `{"Float":..}` with a fraction) are unwrapped without the general decoder.
 * `depth`: the JSON nesting level of the field values (2 in a flat record, 4 in data.fields).
 */
function decodeFields(fields: FieldMap, base: FieldsBase, depth: number): void {
  for (const k in fields) {
    const v = fields[k];
    if (typeof v === 'object' && v !== null) {
      const scalar = taggedScalar(v as Record<string, unknown>);
      if (scalar !== undefined) {
        setOwn(fields, k, scalar);
        continue;
      }
      decodingBase = base;
      decodingKey = k;
      setOwn(fields, k, decodeValue(v, '', depth));
    } else if (v === 'Null') setOwn(fields, k, null);
    else if (typeof v === 'number' && !exactNumber(v)) {
      decodingBase = base;
      decodingKey = k;
      throw new ValueDecodeError(numberProblem(v), '', 'number');
    }
  }
}

/** The payload of a one-key tagged String/Integer/Boolean/fractional Float, else undefined. */
function taggedScalar(o: Record<string, unknown>): string | number | boolean | undefined {
  let key: string | undefined;
  let n = 0;
  for (const k in o) {
    if (++n > 1) return undefined;
    key = k;
  }
  switch (key) {
    case 'String': {
      const p = o.String;
      return typeof p === 'string' ? p : undefined;
    }
    case 'Integer': {
      const p = o.Integer;
      return typeof p === 'number' && Number.isInteger(p) && exactNumber(p) ? p : undefined;
    }
    case 'Boolean': {
      const p = o.Boolean;
      return typeof p === 'boolean' ? p : undefined;
    }
    case 'Float': {
      // An integral Float needs its box (decodeValue makes it); a fraction is a plain number.
      const p = o.Float;
      return typeof p === 'number' && !Number.isInteger(p) && Number.isFinite(p) ? p : undefined;
    }
  }
  return undefined;
}

/** Why decodeFact refused a record: the message, the JSON path and its keys, and what kind of problem. */
export interface DecodeFailure {
  readonly message: string;
  readonly jsonPath: string;
  readonly segments: readonly (string | number)[];
  readonly problem: DecodeProblem;
}

/** Turns an error thrown by decodeFact into a DecodeFailure; rethrows anything else. */
export function describeDecodeFailure(e: unknown): DecodeFailure {
  if (e instanceof FactDecodeError) return { message: e.message, jsonPath: e.jsonPath, segments: e.segments, problem: e.problem };
  if (e instanceof ValueDecodeError) {
    return {
      message: e.message,
      jsonPath: `${decodingBase.path}.${decodingKey}${e.path}`,
      segments: [...decodingBase.segments, decodingKey, ...e.segments],
      problem: e.problem,
    };
  }
  throw e;
}
