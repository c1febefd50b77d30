// Rule-file validation of the two end-of-input condition shapes of docs/rules.md,
// Aggregation and Stream: wire JSON in, typed condition out, every problem reported
// with its JSON path and what was expected. Called by the rule validator (rules.ts).

import type { AggregationCondition, AggregationFunction, AggregationWindow, Condition, StreamAggregation, StreamCondition, StreamWindow } from './types.js';
import { describeValue } from './value.js';
import { rootField } from './path.js';
import { didYouMean, warnUnknownKeys } from './suggest.js';

/** Parses a nested Condition (for having/filter), reporting its own errors; null when it failed. */
export type ConditionParser = (raw: unknown, path: string) => Condition | null;

type ErrorSink = (path: string, message: string) => void;
const AGGREGATION_KEYS = ['aggregation_type', 'source_field', 'group_by', 'having', 'alias', 'window'];
const STREAM_KEYS = ['window_spec', 'aggregation', 'filter', 'having', 'alias'];
/** The members of each window or aggregation kind's payload. */
const AGG_WINDOW_KEYS: Record<string, readonly string[]> = { Sliding: ['size'], Tumbling: ['size'], Session: ['timeout_ms'], Time: ['duration_ms'] };
const STREAM_WINDOW_KEYS: Record<string, readonly string[]> = {
  Tumbling: ['duration_ms'],
  Sliding: ['size_ms', 'advance_ms'],
  Session: ['gap_timeout_ms'],
  CountTumbling: ['count'],
  CountSliding: ['size', 'advance'],
};
type Obj = Record<string, unknown>;

/** Sliding time windows put each fact in about size_ms / advance_ms windows: this many at most. */
export const MAX_WINDOWS_PER_FACT = 1000;

const FUNCTIONS: readonly AggregationFunction[] = ['Sum', 'Count', 'Average', 'Min', 'Max', 'StandardDeviation', 'Percentile'];
const FUNCTION_LIST = '"Sum", "Count", "Average", "Min", "Max", "StandardDeviation" or {"Percentile": p}';
const AGG_WINDOWS = '{"Sliding":{"size":N}}, {"Tumbling":{"size":N}}, {"Session":{"timeout_ms":N}} or {"Time":{"duration_ms":N}}';
const STREAM_WINDOWS =
  '{"Tumbling":{"duration_ms":N}}, {"Sliding":{"size_ms":N,"advance_ms":N}}, {"Session":{"gap_timeout_ms":N}}, {"CountTumbling":{"count":N}} or {"CountSliding":{"size":N,"advance":N}}';
const FIELD_AGGREGATIONS = ['Sum', 'Average', 'Min', 'Max', 'Distinct', 'First', 'Last'] as const;
const STREAM_AGGREGATIONS = '"Count", {"Sum"|"Average"|"Min"|"Max"|"Distinct"|"First"|"Last": {"field": F}} or {"Rate": {"time_unit_ms": N}}';

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function got(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return `an array ${describeValue(v)}`;
  return describeValue(v);
}

/** A number written plain or tagged ({"Integer":N} / {"Float":N}); undefined otherwise. */
function readNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return raw;
  if (!isObj(raw)) return undefined;
  const keys = Object.keys(raw);
  if (keys.length !== 1) return undefined;
  const payload = raw[keys[0]!];
  if (typeof payload !== 'number') return undefined;
  if (keys[0] === 'Float') return payload;
  if (keys[0] === 'Integer' && Number.isInteger(payload)) return payload;
  return undefined;
}

/** The single `{"Kind": payload}` entry of an externally tagged object, or null. */
function single(raw: unknown): [string, unknown] | null {
  if (!isObj(raw)) return null;
  const keys = Object.keys(raw);
  return keys.length === 1 ? [keys[0]!, raw[keys[0]!]] : null;
}

/** Validation state of one condition: errors go to the sink and mark the condition failed. */
class Check {
  failed = false;
  private readonly sink: ErrorSink;
  private readonly parse: ConditionParser;
  readonly warn: ErrorSink;
  constructor(sink: ErrorSink, parse: ConditionParser, warn: ErrorSink) {
    this.sink = sink;
    this.parse = parse;
    this.warn = warn;
  }

  /** Warns about keys of `obj` not in `known` (a typo is ignored, not an error). */
  keys(obj: Obj, known: readonly string[], path: string, what: string): void {
    warnUnknownKeys(obj, known, path, what, this.warn);
  }

  error(path: string, message: string): void {
    this.failed = true;
    this.sink(path, message);
  }

  name(obj: Obj, k: string, path: string, what: string): string {
    const v = obj[k];
    if (typeof v === 'string' && v !== '') return v;
    this.error(`${path}.${k}`, `expected a non-empty ${what} string, got ${got(v)}`);
    return '';
  }

  positiveInt(obj: Obj, k: string, path: string, what: string): number {
    const raw = obj[k];
    const n = readNumber(raw);
    if (n !== undefined && Number.isSafeInteger(n) && n > 0) return n;
    this.error(`${path}.${k}`, `expected ${what} as a positive integer, got ${got(raw)}`);
    return 1;
  }

  /** The payload object of a window or aggregation kind. */
  body(raw: unknown, path: string, example: string): Obj | null {
    if (isObj(raw)) return raw;
    this.error(path, `expected an object ${example}, got ${got(raw)}`);
    return null;
  }

  /** An optional nested condition: null/missing is none; `having` must read only the alias. */
  nested(obj: Obj, k: 'having' | 'filter', path: string, alias: string): Condition | null {
    const raw = obj[k];
    if (raw === undefined || raw === null) return null;
    const p = `${path}.${k}`;
    const c = this.parse(raw, p);
    if (c === null) {
      this.failed = true;
      return null;
    }
    this.walk(c, p, k === 'having' ? alias : null);
    return c;
  }

  private walk(c: Condition, path: string, alias: string | null): void {
    if (c.kind === 'aggregation' || c.kind === 'stream') {
      this.error(path, `${c.kind === 'aggregation' ? 'an Aggregation' : 'a Stream'} condition cannot be nested in having or filter`);
    } else if (c.kind === 'simple') {
      if (alias !== null && alias !== '' && c.field !== alias) {
        this.error(
          `${path}.field`,
          `having is tested against {"${alias}": aggregate}, so it can only read "${alias}"; got "${c.field}"` +
            (rootField(c.field) === alias ? ' (the aggregate has no fields)' : ''),
        );
      }
    } else if (c.kind !== 'jre') {
      c.conditions.forEach((child, i) => {
        this.walk(child, `${path}.conditions[${i}]`, alias);
      });
    }
  }
}

export function validateAggregation(
  raw: Record<string, unknown>,
  path: string,
  error: ErrorSink,
  parseCondition: ConditionParser,
  warn: ErrorSink = () => {},
): AggregationCondition | null {
  const check = new Check(error, parseCondition, warn);
  check.keys(raw, AGGREGATION_KEYS, path, 'Aggregation condition');

  let fn: AggregationFunction = 'Sum';
  let percentile: number | null = null;
  const at = raw.aggregation_type;
  const tagged = single(at);
  if (typeof at === 'string' && (FUNCTIONS as readonly string[]).includes(at)) {
    fn = at as AggregationFunction;
    if (fn === 'Percentile') {
      check.error(`${path}.aggregation_type`, 'expected {"Percentile": p} with p in 0..100, e.g. {"Percentile": 95.0}; got "Percentile" without p');
    }
  } else if (tagged !== null && tagged[0] === 'Percentile') {
    fn = 'Percentile';
    const p = readNumber(tagged[1]);
    if (p === undefined || !Number.isFinite(p) || p < 0 || p > 100) {
      check.error(`${path}.aggregation_type.Percentile`, `expected p as a number in 0..100, got ${got(tagged[1])}`);
    } else percentile = p;
  } else {
    const name = typeof at === 'string' ? at : tagged?.[0];
    check.error(`${path}.aggregation_type`, `expected one of ${FUNCTION_LIST}; got ${got(at)}${name !== undefined ? didYouMean(name, FUNCTIONS) : ''}`);
  }

  const sourceField = check.name(raw, 'source_field', path, 'source field');

  const groupBy: string[] = [];
  const gb = raw.group_by;
  if (Array.isArray(gb)) {
    gb.forEach((f, i) => {
      if (typeof f === 'string' && f !== '') groupBy.push(f);
      else check.error(`${path}.group_by[${i}]`, `expected a non-empty field name, got ${got(f)}`);
    });
  } else if (gb !== undefined && gb !== null) {
    check.error(`${path}.group_by`, `expected an array of field names (or null), got ${got(gb)}`);
  }

  const alias = check.name(raw, 'alias', path, 'alias');
  const having = check.nested(raw, 'having', path, alias);
  const window = aggregationWindow(raw.window, `${path}.window`, check);

  if (check.failed) return null;
  return { kind: 'aggregation', fn, percentile, sourceField, groupBy, having, alias, window };
}

function aggregationWindow(raw: unknown, path: string, check: Check): AggregationWindow | null {
  if (raw === undefined || raw === null) return null;
  const tagged = single(raw);
  if (tagged === null) {
    check.error(path, `expected null or one of ${AGG_WINDOWS}; got ${got(raw)}`);
    return null;
  }
  const [kind, payload] = tagged;
  const p = `${path}.${kind}`;
  const known = AGG_WINDOW_KEYS[kind];
  if (known && isObj(payload)) check.keys(payload, known, p, `${kind} window`);
  switch (kind) {
    case 'Sliding':
    case 'Tumbling': {
      const b = check.body(payload, p, `{"size": N}`);
      return b && { kind, size: check.positiveInt(b, 'size', p, 'the window size in facts') };
    }
    case 'Session': {
      const b = check.body(payload, p, `{"timeout_ms": N}`);
      return b && { kind, timeoutMs: check.positiveInt(b, 'timeout_ms', p, 'the session timeout in ms') };
    }
    case 'Time': {
      const b = check.body(payload, p, `{"duration_ms": N}`);
      return b && { kind, durationMs: check.positiveInt(b, 'duration_ms', p, 'the window duration in ms') };
    }
  }
  check.error(path, `unknown window kind "${kind}"${didYouMean(kind, Object.keys(AGG_WINDOW_KEYS))}; expected null or one of ${AGG_WINDOWS}`);
  return null;
}

export function validateStream(
  raw: Record<string, unknown>,
  path: string,
  error: ErrorSink,
  parseCondition: ConditionParser,
  warn: ErrorSink = () => {},
): StreamCondition | null {
  const check = new Check(error, parseCondition, warn);
  check.keys(raw, STREAM_KEYS, path, 'Stream condition');
  const window = streamWindow(raw.window_spec, `${path}.window_spec`, check);
  const aggregation = streamAggregation(raw.aggregation, `${path}.aggregation`, check);
  const alias = check.name(raw, 'alias', path, 'alias');
  const filter = check.nested(raw, 'filter', path, alias);
  const having = check.nested(raw, 'having', path, alias);
  if (check.failed || window === null || aggregation === null) return null;
  return { kind: 'stream', window, aggregation, filter, having, alias };
}

function streamWindow(raw: unknown, path: string, check: Check): StreamWindow | null {
  const tagged = single(raw);
  if (tagged === null) {
    check.error(path, `expected one of ${STREAM_WINDOWS}; got ${got(raw)}`);
    return null;
  }
  const [kind, payload] = tagged;
  const p = `${path}.${kind}`;
  const known = STREAM_WINDOW_KEYS[kind];
  if (known && isObj(payload)) check.keys(payload, known, p, `${kind} window`);
  switch (kind) {
    case 'Tumbling': {
      const b = check.body(payload, p, `{"duration_ms": N}`);
      return b && { kind, durationMs: check.positiveInt(b, 'duration_ms', p, 'the window duration in ms') };
    }
    case 'Sliding': {
      const b = check.body(payload, p, `{"size_ms": N, "advance_ms": N}`);
      if (b === null) return null;
      const sizeMs = check.positiveInt(b, 'size_ms', p, 'the window size in ms');
      const advanceMs = check.positiveInt(b, 'advance_ms', p, 'the window advance in ms');
      if (advanceMs > sizeMs) {
        check.error(`${p}.advance_ms`, `expected advance_ms ≤ size_ms (${sizeMs}), so that every instant is in a window; got ${advanceMs}`);
      } else if (Math.ceil(sizeMs / advanceMs) > MAX_WINDOWS_PER_FACT) {
        check.error(
          `${p}.advance_ms`,
          `expected advance_ms ≥ size_ms / ${MAX_WINDOWS_PER_FACT} (${Math.ceil(sizeMs / MAX_WINDOWS_PER_FACT)}): each fact is in size_ms / advance_ms windows; got ${advanceMs}`,
        );
      }
      return { kind, sizeMs, advanceMs };
    }
    case 'Session': {
      const b = check.body(payload, p, `{"gap_timeout_ms": N}`);
      return b && { kind, gapTimeoutMs: check.positiveInt(b, 'gap_timeout_ms', p, 'the session gap timeout in ms') };
    }
    case 'CountTumbling': {
      const b = check.body(payload, p, `{"count": N}`);
      return b && { kind, count: check.positiveInt(b, 'count', p, 'the window size in facts') };
    }
    case 'CountSliding': {
      const b = check.body(payload, p, `{"size": N, "advance": N}`);
      if (b === null) return null;
      const size = check.positiveInt(b, 'size', p, 'the window size in facts');
      const advance = check.positiveInt(b, 'advance', p, 'the window advance in facts');
      if (advance > size) check.error(`${p}.advance`, `expected advance ≤ size (${size}), so that every fact is in a window; got ${advance}`);
      return { kind, size, advance };
    }
  }
  check.error(path, `unknown window kind "${kind}"${didYouMean(kind, Object.keys(STREAM_WINDOW_KEYS))}; expected one of ${STREAM_WINDOWS}`);
  return null;
}

function streamAggregation(raw: unknown, path: string, check: Check): StreamAggregation | null {
  if (raw === 'Count') return { kind: 'Count' };
  if (typeof raw === 'string' && ((FIELD_AGGREGATIONS as readonly string[]).includes(raw) || raw === 'Rate')) {
    const example = raw === 'Rate' ? '{"Rate": {"time_unit_ms": 1000}}' : `{"${raw}": {"field": "amount"}}`;
    check.error(path, `"${raw}" needs its parameter: expected ${example}; got "${raw}"`);
    return null;
  }
  const tagged = single(raw);
  if (tagged === null) {
    const hint = typeof raw === 'string' ? didYouMean(raw, ['Count', 'Rate', ...FIELD_AGGREGATIONS]) : '';
    check.error(path, `expected ${STREAM_AGGREGATIONS}; got ${got(raw)}${hint}`);
    return null;
  }
  const [kind, payload] = tagged;
  const p = `${path}.${kind}`;
  if (kind === 'Count') {
    if (payload === null || (isObj(payload) && Object.keys(payload).length === 0)) return { kind: 'Count' };
    check.error(p, `Count takes no parameters: expected "Count"; got ${got(payload)}`);
    return null;
  }
  if (kind === 'Rate') {
    if (isObj(payload)) check.keys(payload, ['time_unit_ms'], p, 'Rate aggregation');
    const b = check.body(payload, p, '{"time_unit_ms": N}');
    return b && { kind, timeUnitMs: check.positiveInt(b, 'time_unit_ms', p, 'the time unit in ms') };
  }
  const fieldKind = FIELD_AGGREGATIONS.find((k) => k === kind);
  if (fieldKind === undefined) {
    check.error(path, `unknown aggregation "${kind}"${didYouMean(kind, ['Count', 'Rate', ...FIELD_AGGREGATIONS])}; expected ${STREAM_AGGREGATIONS}`);
    return null;
  }
  if (isObj(payload)) check.keys(payload, ['field'], p, `${kind} aggregation`);
  const b = check.body(payload, p, '{"field": F}');
  return b && { kind: fieldKind, field: check.name(b, 'field', p, 'field name') };
}
