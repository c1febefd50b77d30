// Formula: the small, safe expression language of the `Formula` rule action. Compile an
// expression once per rule with compileFormula, then evaluate it per fact; nothing is eval'd.
// Runtime problems come back as { ok: false, message }; compile-time ones throw FormulaSyntaxError.

/*
 * Field names: dotted identifiers read with compilePath (`salary`, `customer.address.zip`).
 * Identifiers are JavaScript-style (letters, digits, _ and $; not starting with a digit).
 * Any segment that is not an identifier, or is a keyword, goes in backticks, with the
 * same backslash escapes as strings: `odd name` * 2, order.`line-items`, `true`, `a\`b`.
 * A backtick segment containing dots is still a path: `a.b` matches key "a.b" whole first.
 *
 * Grammar, loosest binding first:
 *   c ? a : b       right-associative; c must be a boolean
 *   ||              left; boolean operands only; short-circuit
 *   &&              left; boolean operands only; short-circuit
 *   == !=           not chainable; value equality (5 == 5.0, dates as instants, deep for
 *                   arrays/objects); a missing field compares as null
 *   < <= > >=       not chainable; numbers across int/float, dates as instants (also against
 *                   RFC 3339 strings), strings by UTF-16 code unit, false < true
 *   + -             left; + concatenates when either side is a string (the other side may be a
 *                   string, number, boolean or date; null, arrays and objects are type errors)
 *   * / %           left; % is the truncated remainder (sign of the dividend)
 *   - + !  (unary)  may not be the base of **: -2 ** 2 is a syntax error; write (-2) ** 2 or -(2 ** 2)
 *   **              right-associative; the exponent may be unary: 2 ** -1
 *   primary         1, 2.5, 1e3, "s", 's', true, false, null, field, f(...), ( ... )
 * Functions: min, max (1+ numbers), abs, floor, ceil, sqrt, len (1), round (1 or 2),
 * coalesce (1+, lazy: first argument that is neither null nor missing, else null).
 * round(x, digits = 0) rounds half away from zero on x's shortest decimal form, so
 * round(1.005, 2) = 1.01; digits is an integer and may be negative (round(1250, -2) = 1300).
 * len counts the Unicode code points of a string, or the elements of an array.
 * Names are case-sensitive; an unknown function or a wrong argument count is a syntax error.
 *
 * A missing field is an error wherever its value is used, except as an operand of == and !=
 * (where it equals null) and as a coalesce argument (where it is skipped), also through ?:.
 * Limits: 10,000 characters and 200 levels of nesting (parentheses, calls, unary operators,
 * ** exponents, ?: branches); beyond them is a syntax error. Positions are 0-based UTF-16 offsets.
 *
 * Numbers: a literal with "." or an exponent is a float (2.0 is Float 2). A result is float if
 * any operand is; / and sqrt always give floats, ** does for a negative exponent; round, floor,
 * ceil and abs keep their argument's type. -0 becomes 0. Non-finite results are errors.
 */

import { compilePath } from '../../model/path.js';
import type { FieldMap, Value } from '../../model/value.js';
import { Failure, compileAst, type ReaderFactory } from './compile.js';
import { FormulaSyntaxError, parseFormula } from './parser.js';

export { FormulaSyntaxError };
export { MAX_DEPTH, MAX_LENGTH } from './parser.js';

export type FormulaOutcome = { ok: true; value: Value } | { ok: false; message: string };

export interface CompiledFormula<S = FieldMap> {
  readonly source: string;
  /** Field paths the expression reads (for dependency tracking), in order of first appearance. */
  readonly fields: readonly string[];
  evaluate(scope: S): FormulaOutcome;
}

/** Lists the field paths an expression reads. Throws FormulaSyntaxError when it is not well formed. */
export function formulaFields(source: string): readonly string[] {
  return parseFormula(source).fields;
}

/**
 * Compiles a Formula expression. Throws FormulaSyntaxError when it is not well formed.
 * Field names are read from a fact's field map, or, given `readerFor`, by the readers it
 * makes from whatever the formula is evaluated on (the facts of a multi-fact rule).
 */
export function compileFormula(source: string): CompiledFormula<FieldMap>;
export function compileFormula<S>(source: string, readerFor: (path: string) => (scope: S) => Value | undefined): CompiledFormula<S>;
export function compileFormula<S>(source: string, readerFor?: (path: string) => (scope: S) => Value | undefined): CompiledFormula<S> {
  const { ast, fields } = parseFormula(source);
  const run = compileAst(ast, source, (readerFor ?? compilePath) as unknown as ReaderFactory);
  return {
    source,
    fields: Object.freeze(fields.slice()),
    evaluate(scope: S): FormulaOutcome {
      const v = run(scope as unknown as Parameters<typeof run>[0]);
      if (v instanceof Failure) return { ok: false, message: v.message };
      // A field holding an array or object is copied, so storing the result does not alias the fact.
      return { ok: true, value: typeof v === 'object' ? cloneValue(v) : v };
    },
  };
}

/** Deep copy of arrays and plain objects; FloatValue and DateValue are immutable and shared. */
function cloneValue(v: Value): Value {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(cloneValue);
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const out: FieldMap = {};
  for (const k of Object.keys(v)) {
    const item = cloneValue((v as FieldMap)[k]!);
    if (k === '__proto__') Object.defineProperty(out, k, { value: item, enumerable: true, writable: true, configurable: true });
    else out[k] = item;
  }
  return out;
}
