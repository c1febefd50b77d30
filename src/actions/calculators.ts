// The nine built-in calculators of the CallCalculator action (docs/rules.md, "Calculators"):
// each checks its already-mapped inputs strictly and returns a value or a one-line error,
// never throwing, so a bad input becomes a Logged result instead of stopping the run.

import { DateValue, FloatValue, type Value, dateMs, decodeValue, describeValue, isFloat, kindOf, makeNumber, toNumber } from '../model/value.js';

/*
 * Decisions (where the rule format leaves room):
 * - Numeric arguments are numbers or FloatValue only; numeric strings, booleans and null are
 *   rejected (strict), as are non-finite numbers. A non-finite result is an error outcome.
 * - add/multiply give an integer when both operands are integers, else a float; an integer
 *   result beyond ±(2^53−1) is an error (it would not be exact). All other numeric results are
 *   floats (an integral float is a FloatValue). A -0 result is written as 0.
 * - A missing or null optional argument takes its default; unmapped extra arguments are ignored.
 * - time_between_datetime: each instant is truncated to the whole second (floor, i.e. the
 *   fractional-seconds field is dropped) before subtracting; the result is a float in the unit;
 *   units and part are exact lower-case names. The workday boundary is HH:MM UTC on the start's
 *   UTC date. workday is validated whenever given (keys exactly hours 0-23 and minutes 0-59,
 *   integers; a JSON string may use plain or tagged numbers). `part` without `workday` is an
 *   error, and so is `part` with a negative span (finish before start): the split of a negative
 *   span has no meaning, and 0/0 would hide the bad input. Without `part` a negative span is
 *   returned as it is, workday or not.
 * - weighted_average: items are objects with numeric value and weight (extra keys ignored);
 *   negative weights are allowed; the result is 0 when the weights sum to exactly 0.
 * - limit_validator with min > max is simply false.
 */

export type CalculatorOutcome = { ok: true; value: Value } | { ok: false; message: string };

export interface Calculator {
  readonly name: string;
  /** Argument names that must be mapped. */
  readonly required: readonly string[];
  /** Argument names that may be mapped; a missing (or null) optional argument takes its default. */
  readonly optional: readonly string[];
  run(args: Record<string, Value | undefined>): CalculatorOutcome;
}

type Args = Record<string, Value | undefined>;

/** Thrown inside a calculator body to abandon it with a one-line message; caught by `run`. */
class ArgError {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

/** "got string \"x\"", "got null", "got number Infinity": what an argument actually held. */
function got(v: Value): string {
  if (v === null) return 'got null';
  if (typeof v === 'number' && !Number.isFinite(v)) return `got number ${String(v)}`;
  return `got ${kindOf(v)} ${describeValue(v)}`;
}

/** Helpers bound to one calculator, so every message starts with its name. */
class Inputs {
  constructor(
    private readonly calc: string,
    private readonly args: Args,
  ) {}

  fail(message: string): never {
    throw new ArgError(`${this.calc}: ${message}`);
  }

  required(name: string): Value {
    const v = this.args[name];
    if (v === undefined) this.fail(`argument "${name}" is missing`);
    return v;
  }

  /** An optional argument: undefined when unmapped, missing, or null. */
  optional(name: string): Value | undefined {
    const v = this.args[name];
    return v === null ? undefined : v;
  }

  /** A finite number (plain number or FloatValue); numeric strings are not accepted. */
  number(name: string): number {
    return this.numberOf(this.required(name), `argument "${name}"`);
  }

  numberOf(v: Value, what: string): number {
    const n = toNumber(v);
    if (n === undefined) this.fail(`${what} must be a number, ${got(v)}`);
    if (!Number.isFinite(n)) this.fail(`${what} must be a finite number, ${got(v)}`);
    return n;
  }

  /** Epoch ms, truncated to the whole second (the fractional-seconds field is dropped). */
  datetime(name: string): number {
    const v = this.required(name);
    const ms = v instanceof DateValue || typeof v === 'string' ? dateMs(v) : NaN;
    if (Number.isNaN(ms)) this.fail(`argument "${name}" must be a date or an RFC 3339 date-time string, ${got(v)}`);
    return Math.floor(ms / 1000) * 1000;
  }

  /** One of the allowed strings, or the default when absent. */
  choice<T extends string>(name: string, allowed: readonly T[], dflt: T | undefined): T | undefined {
    const v = this.optional(name);
    if (v === undefined) return dflt;
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    this.fail(`argument "${name}" must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, ${got(v)}`);
  }

  /** A numeric result: non-finite is an error, -0 becomes 0, integer results must stay exact. */
  result(n: number, float: boolean): CalculatorOutcome {
    if (!Number.isFinite(n)) this.fail(`result is not a finite number (${String(n)})`);
    if (n === 0) n = 0;
    if (!float && !Number.isSafeInteger(n)) this.fail(`integer result ${String(n)} is outside the exact integer range`);
    return { ok: true, value: makeNumber(n, float) };
  }
}

function define(name: string, required: readonly string[], optional: readonly string[], body: (inp: Inputs) => CalculatorOutcome): Calculator {
  return Object.freeze({
    name,
    required: Object.freeze([...required]),
    optional: Object.freeze([...optional]),
    run(args: Args): CalculatorOutcome {
      try {
        return body(new Inputs(name, args ?? {}));
      } catch (e) {
        if (e instanceof ArgError) return { ok: false, message: e.message };
        const why = e instanceof Error ? e.message : String(e);
        return { ok: false, message: `${name}: internal error: ${why}` };
      }
    },
  });
}

// ---------------------------------------------------------------------------
// Arithmetic.

/** Integer when both operands are integers, float otherwise. */
function bothIntegers(inp: Inputs): boolean {
  return !isFloat(inp.required('a')) && !isFloat(inp.required('b'));
}

const add = define('add', ['a', 'b'], [], (inp: Inputs) => {
  const a = inp.number('a');
  const b = inp.number('b');
  return inp.result(a + b, !bothIntegers(inp));
});

const multiply = define('multiply', ['a', 'b'], [], (inp: Inputs) => {
  const a = inp.number('a');
  const b = inp.number('b');
  return inp.result(a * b, !bothIntegers(inp));
});

const percentageAdd = define('percentage_add', ['amount', 'percentage'], [], (inp: Inputs) => {
  const amount = inp.number('amount');
  const p = inp.number('percentage');
  return inp.result(amount * (1 + p), true);
});

const percentageDeduct = define('percentage_deduct', ['amount', 'percentage'], [], (inp: Inputs) => {
  const amount = inp.number('amount');
  const p = inp.number('percentage');
  return inp.result(amount * (1 - p), true);
});

const proportionalAllocator = define('proportional_allocator', ['total_amount', 'individual_value', 'total_value'], [], (inp: Inputs) => {
  const total = inp.number('total_amount');
  const ind = inp.number('individual_value');
  const tot = inp.number('total_value');
  return inp.result(tot === 0 ? 0 : (total * ind) / tot, true);
});

const weightedAverage = define('weighted_average', ['items'], [], (inp: Inputs) => {
  const items = inp.required('items');
  if (!Array.isArray(items)) inp.fail(`argument "items" must be an array of {"value","weight"} objects, ${got(items)}`);
  let sumVW = 0;
  let sumW = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item === null || typeof item !== 'object' || Array.isArray(item) || item instanceof FloatValue || item instanceof DateValue) {
      inp.fail(`item ${i} of argument "items" must be an object with numeric "value" and "weight", ${got(item)}`);
    }
    const fields = item as { [key: string]: Value };
    const pick = (key: string): number => {
      const v = Object.hasOwn(fields, key) ? fields[key] : undefined;
      if (v === undefined) inp.fail(`item ${i} of argument "items" has no "${key}"`);
      return inp.numberOf(v, `"${key}" of item ${i} of argument "items"`);
    };
    const v = pick('value');
    const w = pick('weight');
    sumVW += v * w;
    sumW += w;
  }
  return inp.result(sumW === 0 ? 0 : sumVW / sumW, true);
});

// ---------------------------------------------------------------------------
// Checks.

const thresholdCheck = define('threshold_check', ['value', 'threshold'], [], (inp: Inputs) => {
  const value = inp.number('value');
  const threshold = inp.number('threshold');
  return { ok: true, value: value > threshold };
});

const limitValidator = define('limit_validator', ['value', 'min', 'max'], [], (inp: Inputs) => {
  const value = inp.number('value');
  const min = inp.number('min');
  const max = inp.number('max');
  return { ok: true, value: min <= value && value <= max };
});

// ---------------------------------------------------------------------------
// time_between_datetime.

const UNITS = ['hours', 'minutes', 'seconds'] as const;
const PARTS = ['time_before', 'time_after'] as const;
const SECONDS_PER: Record<(typeof UNITS)[number], number> = { hours: 3600, minutes: 60, seconds: 1 };
const DAY_MS = 86_400_000;
const WORKDAY_SHAPE = '{"hours":H,"minutes":M} (H 0-23, M 0-59)';

/** Parses and decodes (tagged or plain) the JSON text of a workday; undefined when it is not JSON. */
function parseWorkdayJson(text: string): Value | undefined {
  try {
    return decodeValue(JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

/** The workday boundary as minutes after midnight UTC, from an object or a string holding its JSON. */
function workdayMinutes(inp: Inputs, arg: Value): number {
  const obj = typeof arg === 'string' ? parseWorkdayJson(arg) : arg;
  if (obj === undefined) {
    inp.fail(`argument "workday" must be ${WORKDAY_SHAPE} or a string holding that JSON, ${got(arg)} (not JSON)`);
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj) || obj instanceof FloatValue || obj instanceof DateValue) {
    inp.fail(`argument "workday" must be ${WORKDAY_SHAPE}, ${got(arg)}`);
  }
  for (const key of Object.keys(obj)) {
    if (key !== 'hours' && key !== 'minutes') inp.fail(`argument "workday" has unknown key "${key}"; expected ${WORKDAY_SHAPE}`);
  }
  const field = (key: 'hours' | 'minutes', max: number): number => {
    const v = Object.hasOwn(obj, key) ? obj[key] : undefined;
    const n = v === undefined ? undefined : toNumber(v);
    if (n === undefined || !Number.isInteger(n) || n < 0 || n > max) {
      inp.fail(`argument "workday" must be ${WORKDAY_SHAPE}; "${key}" is ${v === undefined ? 'missing' : describeValue(v)}`);
    }
    return n;
  };
  return field('hours', 23) * 60 + field('minutes', 59);
}

const timeBetweenDatetime = define('time_between_datetime', ['start_datetime', 'finish_datetime'], ['units', 'workday', 'part'], (inp: Inputs) => {
  const start = inp.datetime('start_datetime');
  const finish = inp.datetime('finish_datetime');
  const units = inp.choice('units', UNITS, 'hours')!;
  const part = inp.choice('part', PARTS, undefined);
  const workdayArg = inp.optional('workday');
  const minutes = workdayArg === undefined ? undefined : workdayMinutes(inp, workdayArg);
  const inUnits = (ms: number): CalculatorOutcome => inp.result(ms / 1000 / SECONDS_PER[units], true);

  if (part === undefined) return inUnits(finish - start);
  if (minutes === undefined) inp.fail(`argument "part" needs argument "workday", which is missing`);
  if (finish < start) {
    inp.fail(`argument "part" needs "finish_datetime" at or after "start_datetime" (the span is negative)`);
  }
  // Midnight UTC of the start's date (epoch ms has no leap seconds), then HH:MM on it.
  let boundary = Math.floor(start / DAY_MS) * DAY_MS + minutes * 60_000;
  if (boundary <= start) boundary += DAY_MS;
  if (boundary > finish) boundary = finish;
  return inUnits(part === 'time_before' ? boundary - start : finish - boundary);
});

// ---------------------------------------------------------------------------
// Registry.

export const CALCULATORS: ReadonlyMap<string, Calculator> = new Map(
  [add, multiply, percentageAdd, percentageDeduct, proportionalAllocator, timeBetweenDatetime, weightedAverage, thresholdCheck, limitValidator].map(
    (c) => [c.name, c] as const,
  ),
);

export function getCalculator(name: string): Calculator | undefined {
  return CALCULATORS.get(name);
}
