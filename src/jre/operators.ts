// json-rules-engine's ten operators, each defined once, with json-rules-engine's semantics
// (7.3, engine-default-operators.js and operator.js), not rete-eval's: strict `===`, ordering
// by JavaScript's `<` on primitive values after its number check, `in` as value.indexOf(fact),
// `contains` on arrays only. The README ("json-rules-engine rule files") lists the differences.
//
// Outcome Mismatch (false, and counted per test in the report) is where json-rules-engine's
// operator check turns a present value down (an ordering on a non-numeric fact, contains on
// a non-array), or where it would throw a TypeError and reject the whole engine.run: `in`
// against a value that is neither an array nor a string, or a value whose own "toString" key
// keeps JavaScript from making it a primitive.

import type { JreOperator } from '../model/types.js';
import { DateValue, FloatValue } from '../model/value.js';
import { Outcome } from '../rete/operators.js';

export const enum JreOp {
  Equal,
  NotEqual,
  LessThan,
  LessThanInclusive,
  GreaterThan,
  GreaterThanInclusive,
  In,
  NotIn,
  Contains,
  DoesNotContain,
}

export function jreOpCode(op: JreOperator): JreOp {
  switch (op) {
    case 'equal':
      return JreOp.Equal;
    case 'notEqual':
      return JreOp.NotEqual;
    case 'lessThan':
      return JreOp.LessThan;
    case 'lessThanInclusive':
      return JreOp.LessThanInclusive;
    case 'greaterThan':
      return JreOp.GreaterThan;
    case 'greaterThanInclusive':
      return JreOp.GreaterThanInclusive;
    case 'in':
      return JreOp.In;
    case 'notIn':
      return JreOp.NotIn;
    case 'contains':
      return JreOp.Contains;
    case 'doesNotContain':
      return JreOp.DoesNotContain;
  }
}

/**
 * A value as json-rules-engine sees it. Records are read as rete-eval reads them, so a value
 * written in its tagged form arrives as a box: an integral `{"Float": 2}` is the number 2, a
 * `{"Date": …}` its RFC 3339 text. Everything else is the plain JSON value itself.
 */
export function plainOf(v: unknown): unknown {
  if (v instanceof FloatValue) return v.value;
  if (v instanceof DateValue) return v.toJSON();
  return v;
}

/** What JavaScript would throw a TypeError on. */
const THROWS: unique symbol = Symbol('throws');

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * JavaScript's ToPrimitive of a JSON value (the same for `<` and for String()): an array is
 * its elements joined with commas (null as ''), an object "[object Object]", unless it has an
 * own "toString" key, which from JSON is never a function: then JavaScript throws.
 */
function primitive(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof FloatValue || v instanceof DateValue) return plainOf(v);
  if (Array.isArray(v)) return joined(v);
  return hasOwn.call(v, 'toString') ? THROWS : '[object Object]';
}

/** Array.prototype.join(',') of JSON elements, or THROWS. */
function joined(a: readonly unknown[]): string | typeof THROWS {
  let s = '';
  for (let i = 0; i < a.length; i++) {
    if (i > 0) s += ',';
    const e = a[i];
    if (e === null || e === undefined) continue;
    const p = primitive(e);
    if (p === THROWS) return THROWS;
    s += String(p);
  }
  return s;
}

/** `x < y`, `x <= y`… on two primitives, exactly as JavaScript compares them (strings by UTF-16 code unit, else as numbers). */
function compare(op: JreOp, x: unknown, y: unknown): Outcome {
  const a = x as number;
  const b = y as number;
  let r: boolean;
  switch (op) {
    case JreOp.LessThan:
      r = a < b;
      break;
    case JreOp.LessThanInclusive:
      r = a <= b;
      break;
    case JreOp.GreaterThan:
      r = a > b;
      break;
    default:
      r = a >= b;
  }
  return r ? Outcome.True : Outcome.False;
}

/**
 * The ordering operators: json-rules-engine first checks that Number.parseFloat of the fact
 * value is not NaN ("12abc" passes, "abc" does not), then compares with JavaScript's operator.
 */
function order(op: JreOp, a: unknown, b: unknown): Outcome {
  if (typeof a === 'number' && typeof b === 'number') return compare(op, a, b);
  if (a === undefined) return Outcome.False;
  const pa = primitive(a);
  if (pa === THROWS || Number.isNaN(Number.parseFloat(pa as string))) return Outcome.Mismatch;
  const pb = primitive(b);
  if (pb === THROWS) return Outcome.Mismatch;
  return compare(op, pa, pb);
}

/** `b.indexOf(a) > -1`: an array's elements by `===`, a string's substrings (of String(a)); anything else throws. */
function member(a: unknown, b: unknown): Outcome {
  if (Array.isArray(b)) {
    for (let i = 0; i < b.length; i++) if (plainOf(b[i]) === a) return Outcome.True;
    return Outcome.False;
  }
  if (typeof b === 'string') {
    const s = primitive(a);
    if (s === THROWS) return Outcome.Mismatch;
    return b.includes(String(s)) ? Outcome.True : Outcome.False;
  }
  return Outcome.Mismatch;
}

/** `a.indexOf(b) > -1` for an array `a` (json-rules-engine turns anything else down). */
function contains(a: unknown, b: unknown): Outcome {
  if (!Array.isArray(a)) return a === undefined ? Outcome.False : Outcome.Mismatch;
  for (let i = 0; i < a.length; i++) if (plainOf(a[i]) === b) return Outcome.True;
  return Outcome.False;
}

function negate(r: Outcome): Outcome {
  return r === Outcome.True ? Outcome.False : r === Outcome.False ? Outcome.True : r;
}

/**
 * A json-rules-engine operator on the fact value `a` and the compared value `b` (either may
 * be undefined: a missing fact or path, as json-rules-engine has it with allowUndefinedFacts).
 * Both are plain (plainOf) at the top level.
 */
export function applyJre(op: JreOp, a: unknown, b: unknown): Outcome {
  switch (op) {
    case JreOp.Equal:
      return a === b ? Outcome.True : Outcome.False;
    case JreOp.NotEqual:
      return a !== b ? Outcome.True : Outcome.False;
    case JreOp.In:
      return member(a, b);
    case JreOp.NotIn:
      return negate(member(a, b));
    case JreOp.Contains:
      return contains(a, b);
    case JreOp.DoesNotContain:
      // json-rules-engine's check turns a non-array down for doesNotContain too: false.
      if (!Array.isArray(a)) return a === undefined ? Outcome.False : Outcome.Mismatch;
      return negate(contains(a, b));
    default:
      return order(op, a, b);
  }
}
