// Tests for the Formula expression language (src/actions/formula): grammar and precedence,
// int/float typing, every operator and function, runtime and syntax errors with their
// messages and positions, limits, and fast-check fuzzing that nothing but FormulaSyntaxError escapes.

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { compileFormula, FormulaSyntaxError, type FormulaOutcome } from '../../src/actions/formula/index.js';
import { DateValue, FloatValue, parseRfc3339, type FieldMap, type Value } from '../../src/model/value.js';

// ---------------------------------------------------------------------------
// Helpers.

function run(src: string, fields: FieldMap = {}): FormulaOutcome {
  return compileFormula(src).evaluate(fields);
}

/** The value of a formula that must succeed. */
function val(src: string, fields: FieldMap = {}): Value {
  const out = run(src, fields);
  if (!out.ok) throw new Error(`${src}: unexpected failure: ${out.message}`);
  return out.value;
}

/** The message of a formula that must fail at run time. */
function err(src: string, fields: FieldMap = {}): string {
  const out = run(src, fields);
  if (out.ok) throw new Error(`${src}: expected a failure, got ${JSON.stringify(out.value)}`);
  return out.message;
}

/** The FormulaSyntaxError a formula must throw at compile time. */
function syntax(src: string): FormulaSyntaxError {
  try {
    compileFormula(src);
  } catch (e) {
    if (e instanceof FormulaSyntaxError) return e;
    throw e;
  }
  throw new Error(`${src}: expected a syntax error`);
}

/** An integer result: a plain number with no fractional part (and never -0). */
function expectInt(v: Value, n: number): void {
  expect(typeof v).toBe('number');
  expect(Object.is(v, n)).toBe(true);
}

/** A float result: a FloatValue when integral, else a plain non-integral number. */
function expectFloat(v: Value, n: number): void {
  if (Number.isInteger(n)) {
    expect(v).toBeInstanceOf(FloatValue);
    expect(Object.is((v as FloatValue).value, n)).toBe(true);
  } else {
    expect(v).toBe(n);
  }
}

const D1 = new DateValue(parseRfc3339('2024-01-15T10:30:00Z'));
const D2 = new DateValue(parseRfc3339('2024-03-01T00:00:00Z'));

// ---------------------------------------------------------------------------

describe('literals', () => {
  it('reads integers, decimals and exponents with their types', () => {
    expectInt(val('42'), 42);
    expectInt(val('007'), 7);
    expectFloat(val('2.5'), 2.5);
    expectFloat(val('2.0'), 2);
    expectFloat(val('1e3'), 1000);
    expectFloat(val('1.5E-3'), 0.0015);
    expectFloat(val('25e-1'), 2.5);
    expectInt(val('9007199254740993'), 9007199254740992);
  });

  it('reads strings in either quote with backslash escapes', () => {
    expect(val('"abc"')).toBe('abc');
    expect(val("'abc'")).toBe('abc');
    expect(val(`"it's"`)).toBe("it's");
    expect(val(`'say "hi"'`)).toBe('say "hi"');
    expect(val(String.raw`"a\"b\'c\\d"`)).toBe(`a"b'c\\d`);
    expect(val(String.raw`"\n\t\r\b\f\v\0\/\`"`)).toBe('\n\t\r\b\f\v\0/`');
    expect(val(String.raw`"\u0041\u{1F600}\u{41}"`)).toBe('A\u{1F600}A');
    expect(val('""')).toBe('');
    expect(val('"line\nbreak"')).toBe('line\nbreak');
  });

  it('reads true, false and null', () => {
    expect(val('true')).toBe(true);
    expect(val('false')).toBe(false);
    expect(val('null')).toBe(null);
  });
});

describe('precedence and associativity', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 4 - 3', 3], // (10 - 4) - 3, not 10 - (4 - 3) = 9
    ['2 * 3 % 4', 2], // (2 * 3) % 4
    ['2 + 3 % 2', 3],
    ['20 % 7 * 2', 12], // (20 % 7) * 2
    ['2 ** 3 ** 2', 512], // 2 ** 9, not 8 ** 2 = 64
    ['(2 ** 3) ** 2', 64],
    ['2 * 3 ** 2', 18],
    ['-3 * 2', -6],
    ['- -3', 3],
    ['-(2 ** 2)', -4],
    ['(-2) ** 2', 4],
    ['(-2) ** 3', -8],
    ['10 - -2', 12],
    ['+5 - 1', 4],
    ['1 - 2 + 3', 2],
  ])('%s = %d', (src, expected) => {
    expectInt(val(src), expected);
  });

  it('divides left to right', () => {
    expectFloat(val('100 / 10 / 5'), 2); // (100 / 10) / 5; 100 / (10 / 5) would be 50
  });

  it('lets the exponent of ** be unary but not its base', () => {
    expectFloat(val('2 ** -1'), 0.5);
    expectFloat(val('2 ** -2'), 0.25);
    expectInt(val('2 ** +3'), 8);
    const e = syntax('-2 ** 2');
    expect(e.position).toBe(3);
    expect(e.message).toBe('"**" cannot follow unary "-": write (-x) ** y or -(x ** y) at position 3');
    expect(syntax('!a ** 2').position).toBe(3);
    expect(syntax('2 ** -2 ** 2').position).toBe(8);
  });

  it('orders comparison, equality, && and || below arithmetic', () => {
    expect(val('1 + 2 < 4')).toBe(true);
    expect(val('1 < 2 == true')).toBe(true); // (1 < 2) == true
    expect(val('!true == false')).toBe(true); // (!true) == false
    expect(val('true || false && false')).toBe(true); // && binds tighter
    expect(val('false && true || true')).toBe(true);
    expect(val('(true || false) && false')).toBe(false);
    expect(val('1 < 2 && 3 > 2 || false')).toBe(true);
    expect(val('2 * 3 == 6 && 10 / 4 == 2.5')).toBe(true);
  });

  it('gives ?: the lowest precedence and right associativity', () => {
    expectInt(val('true ? 1 : 2 + 10'), 1);
    expectInt(val('false ? 1 : 2 + 10'), 12);
    expectInt(val('true ? 1 : false ? 2 : 3'), 1);
    expectInt(val('false ? 1 : true ? 2 : 3'), 2);
    expectInt(val('false ? 1 : false ? 2 : 3'), 3);
    expectInt(val('true ? false ? 1 : 2 : 3'), 2);
    expect(val('1 < 2 || false ? "y" : "n"')).toBe('y');
    expectInt(val('(false ? 1 : 2) * 10'), 20);
  });

  it('does not chain comparisons or equalities', () => {
    expect(syntax('a < b < c').message).toBe('"<" cannot follow "<" without parentheses at position 6');
    expect(syntax('a <= b > c').position).toBe(7);
    expect(syntax('a == b != c').message).toBe('"!=" cannot follow "==" without parentheses at position 7');
    expect(val('(1 < 2) == (3 < 4)')).toBe(true);
  });
});

describe('arithmetic and int/float typing', () => {
  it('keeps integers integral', () => {
    expectInt(val('2 + 3'), 5);
    expectInt(val('2 - 3'), -1);
    expectInt(val('6 * 7'), 42);
    expectInt(val('7 % 3'), 1);
    expectInt(val('2 ** 10'), 1024);
    expectInt(val('2 ** 0'), 1);
    expectInt(val('0 * -1'), 0); // never -0
    expectInt(val('-0'), 0);
  });

  it('makes the result float when an operand is float', () => {
    expectFloat(val('2 + 3.5'), 5.5);
    expectFloat(val('2.5 + 2.5'), 5);
    expectFloat(val('2.0 * 3'), 6);
    expectFloat(val('x * 3', { x: new FloatValue(2) }), 6);
    expectFloat(val('x - y', { x: 7.5, y: 2.5 }), 5);
    expectFloat(val('6.0 % 4'), 2);
    expectFloat(val('7.5 % 2'), 1.5);
    expectFloat(val('4 ** 0.5'), 2);
    expectFloat(val('2 ** 0.5'), Math.SQRT2);
    expectFloat(val('0.0 * -1'), 0);
  });

  it('always gives a float from /, and from ** with a negative exponent', () => {
    expectFloat(val('6 / 3'), 2);
    expectFloat(val('7 / 2'), 3.5);
    expectFloat(val('-7 / 2'), -3.5);
    expectFloat(val('1 / 3'), 1 / 3);
    expectFloat(val('4 ** -1'), 0.25);
    expectFloat(val('1 ** -3'), 1);
  });

  it('takes the sign of the dividend for %', () => {
    expectInt(val('-7 % 3'), -1);
    expectInt(val('7 % -3'), 1);
    expectInt(val('-6 % 3'), 0);
  });

  it('lets integers beyond 2^53 stay plain numbers', () => {
    expectInt(val('9007199254740992 + 2'), 9007199254740994);
    expectInt(val('2 ** 60'), 2 ** 60);
    expectInt(val('x * x', { x: 10 ** 15 }), 1e30);
  });

  it('applies unary minus and plus keeping the type', () => {
    expectInt(val('-x', { x: 5 }), -5);
    expectFloat(val('-x', { x: new FloatValue(2) }), -2);
    expectFloat(val('-x', { x: 2.5 }), -2.5);
    expectFloat(val('+x', { x: new FloatValue(2) }), 2);
    expectInt(val('+x', { x: 3 }), 3);
  });
});

describe('strings', () => {
  it('concatenates with + when either side is a string', () => {
    expect(val('"a" + "b"')).toBe('ab');
    expect(val('"n=" + 5')).toBe('n=5');
    expect(val('5 + "x"')).toBe('5x');
    expect(val('"n=" + 2.5')).toBe('n=2.5');
    expect(val('"x" + 6 / 3')).toBe('x2'); // Float 2 prints as 2
    expect(val('"b:" + true')).toBe('b:true');
    expect(val('"d:" + d', { d: D1 })).toBe('d:2024-01-15T10:30:00Z');
    expect(val('1 + 2 + "x"')).toBe('3x'); // left to right: (1 + 2) + "x"
    expect(val('"x" + 1 + 2')).toBe('x12');
    expect(val('first + " " + last', { first: 'Ada', last: 'Lovelace' })).toBe('Ada Lovelace');
  });

  it('refuses to concatenate null, arrays and objects, and other string arithmetic', () => {
    expect(err('"a" + null')).toMatch(/^cannot apply \+ to string and null in /);
    expect(err('"a" + x', { x: [1] })).toMatch(/^cannot apply \+ to string and array in /);
    expect(err('x + "a"', { x: { k: 1 } })).toMatch(/^cannot apply \+ to object and string in /);
    expect(err('"a" - "b"')).toMatch(/^cannot apply - to string and string in /);
    expect(err('"a" * 2')).toBe('cannot apply * to string and number in "\\"a\\" * 2"');
  });
});

describe('comparisons', () => {
  it('compares numbers across int and float', () => {
    expect(val('5 == 5.0')).toBe(true);
    expect(val('x == 5', { x: new FloatValue(5) })).toBe(true);
    expect(val('x != 5', { x: new FloatValue(5) })).toBe(false);
    expect(val('2 < 2.5')).toBe(true);
    expect(val('2.5 <= 2')).toBe(false);
    expect(val('3 >= 3.0')).toBe(true);
    expect(val('3 > x', { x: new FloatValue(3) })).toBe(false);
    expect(val('1 / 2 == 0.5')).toBe(true);
  });

  it('compares strings by code unit and booleans false < true', () => {
    expect(val('"abc" < "abd"')).toBe(true);
    expect(val('"B" < "a"')).toBe(true);
    expect(val('"a" == "a"')).toBe(true);
    expect(val('"10" < "9"')).toBe(true);
    expect(val('false < true')).toBe(true);
  });

  it('compares dates as instants, also against RFC 3339 strings', () => {
    expect(val('d1 < d2', { d1: D1, d2: D2 })).toBe(true);
    expect(val('d1 >= d2', { d1: D1, d2: D2 })).toBe(false);
    expect(val('d == "2024-01-15T12:30:00+02:00"', { d: D1 })).toBe(true);
    expect(val('"2024-01-15T12:30:00+02:00" == d', { d: D1 })).toBe(true);
    expect(val('d > "2024-01-01T00:00:00Z"', { d: D1 })).toBe(true);
    expect(val('"2024-01-01T00:00:00Z" < d', { d: D1 })).toBe(true);
    expect(val('d1 == d2', { d1: D1, d2: new DateValue(D1.ms) })).toBe(true);
  });

  it('compares arrays and objects deeply for equality', () => {
    expect(val('a == b', { a: [1, 2, { k: 'v' }], b: [1, new FloatValue(2), { k: 'v' }] })).toBe(true);
    expect(val('a != b', { a: { x: 1 }, b: { x: 2 } })).toBe(true);
  });

  it('treats unrelated types as unequal and unordered', () => {
    expect(val('1 == "1"')).toBe(false);
    expect(val('1 != "1"')).toBe(true);
    expect(val('null == 0')).toBe(false);
    expect(val('null == null')).toBe(true);
    expect(err('"a" < 1')).toBe('cannot apply < to string and number in "\\"a\\" < 1"');
    expect(err('d < 5', { d: D1 })).toMatch(/^cannot apply < to date and number in /);
    expect(err('d > "soon"', { d: D1 })).toMatch(/^cannot apply > to date and string in /);
    expect(err('null <= 1')).toMatch(/^cannot apply <= to null and number in /);
    expect(err('a >= b', { a: [1], b: [1] })).toMatch(/^cannot apply >= to array and array in /);
  });

  it('lets a missing field equal null in == and !=, and only there', () => {
    expect(val('x == null')).toBe(true);
    expect(val('null == x')).toBe(true);
    expect(val('x != null')).toBe(false);
    expect(val('x != 1')).toBe(true);
    expect(val('x == 1')).toBe(false);
    expect(val('x == y')).toBe(true);
    expect(val('(c ? x : 1) == null', { c: true })).toBe(true);
    expect(err('x < 1')).toBe('field "x" is missing');
  });
});

describe('logical operators', () => {
  it('computes && || ! on booleans', () => {
    expect(val('true && true')).toBe(true);
    expect(val('true && false')).toBe(false);
    expect(val('false || false')).toBe(false);
    expect(val('false || true')).toBe(true);
    expect(val('!false')).toBe(true);
    expect(val('!!true')).toBe(true);
    expect(val('a && b && c', { a: true, b: true, c: true })).toBe(true);
    expect(val('a || b || c', { a: false, b: false, c: true })).toBe(true);
  });

  it('short-circuits: the right side is not evaluated when the left decides', () => {
    expect(val('false && missing')).toBe(false);
    expect(val('false && 1 / 0 > 1')).toBe(false);
    expect(val('true || "not a boolean"')).toBe(true);
    expect(val('x > 0 && 10 / x > 1', { x: 0 })).toBe(false);
    expect(err('true && 1 / 0 > 1')).toBe('division by zero in "1 / 0"');
  });

  it('requires boolean operands', () => {
    expect(err('1 && true')).toBe('&& needs boolean operands, got number in "1 && true"');
    expect(err('true && 1')).toBe('&& needs boolean operands, got number in "true && 1"');
    expect(err('false || "yes"')).toBe('|| needs boolean operands, got string in "false || \\"yes\\""');
    expect(err('null || true')).toMatch(/^\|\| needs boolean operands, got null/);
    expect(err('!1')).toBe('cannot apply ! to number in "!1"');
    expect(err('1 ? 2 : 3')).toBe('condition of ?: must be a boolean, got number in "1 ? 2 : 3"');
  });

  it('names the innermost operation in a chain', () => {
    expect(err('true && true && 5')).toBe('&& needs boolean operands, got number in "true && true && 5"');
    expect(err('5 && true && true')).toBe('&& needs boolean operands, got number in "5 && true"');
  });
});

describe('field references', () => {
  it('reads plain and dotted paths', () => {
    expectInt(val('salary * 2', { salary: 21 }), 42);
    expect(val('customer.address.zip', { customer: { address: { zip: '75001' } } })).toBe('75001');
    expectInt(val('a.b + a.c', { a: { b: 1, c: 2 } }), 3);
    expectInt(val('a.b', { 'a.b': 7 }), 7); // a dotted key is matched whole first
  });

  it('reads backtick-quoted names and segments', () => {
    expectInt(val('`odd name` * 2', { 'odd name': 4 }), 8);
    expectInt(val('order.`line-items`', { order: { 'line-items': 3 } }), 3);
    expectInt(val('`order`.`line-items` + 1', { order: { 'line-items': 3 } }), 4);
    expectInt(val('`true`', { true: 1 }), 1);
    expectInt(val('`a\\`b`', { 'a`b': 2 }), 2);
    expectInt(val('x.null', { x: { null: 5 } }), 5); // keywords are names after a dot
    expectInt(val('`ünïcode` + ñ', { ünïcode: 1, ñ: 2 }), 3);
    expectInt(val('min', { min: 9 }), 9); // a function name without ( is a field
  });

  it('lists the fields read, in order, without duplicates', () => {
    const f = compileFormula('a + b.c * a + coalesce(d, `e f`) + (x ? y : z.`w`)');
    expect(f.fields).toEqual(['a', 'b.c', 'd', 'e f', 'x', 'y', 'z.w']);
    expect(f.source).toBe('a + b.c * a + coalesce(d, `e f`) + (x ? y : z.`w`)');
    expect(compileFormula('1 + 2').fields).toEqual([]);
    expect(Object.isFrozen(f.fields)).toBe(true);
  });

  it('reports a missing field by name', () => {
    expect(err('salary * 2')).toBe('field "salary" is missing');
    expect(err('salary')).toBe('field "salary" is missing');
    expect(err('a.b.c + 1', { a: { b: 5 } })).toBe('field "a.b.c" is missing');
    expect(err('-x')).toBe('field "x" is missing');
    expect(err('len(x)')).toBe('field "x" is missing');
    expect(err('x && true')).toBe('field "x" is missing');
    expect(err('(c ? x : 1) * 2', { c: true })).toBe('field "x" is missing');
    expect(err('`odd name` + 1')).toBe('field "odd name" is missing');
  });

  it('does not see inherited object properties', () => {
    expect(err('constructor')).toBe('field "constructor" is missing');
    expect(err('toString')).toBe('field "toString" is missing');
    expect(err('__proto__')).toBe('field "__proto__" is missing');
    expect(err('a.constructor', { a: {} })).toBe('field "a.constructor" is missing');
    expect(val('constructor == null')).toBe(true);
    expectInt(val('constructor', JSON.parse('{"constructor": 3}') as FieldMap), 3);
  });

  it('returns null and compound values as they are, copying arrays and objects', () => {
    expect(val('x', { x: null })).toBe(null);
    const obj = { k: [1, { z: 2 }] };
    const out = val('x', { x: obj });
    expect(out).toEqual(obj);
    expect(out).not.toBe(obj);
    expect((out as { k: Value[] }).k).not.toBe(obj.k);
    expect(val('x', { x: D1 })).toBe(D1);
  });
});

describe('functions', () => {
  it('min and max keep int typing unless an argument is float', () => {
    expectInt(val('min(3, 1, 2)'), 1);
    expectInt(val('max(3, 1, 2)'), 3);
    expectInt(val('min(7)'), 7);
    expectInt(val('max(-1, -5)'), -1);
    expectFloat(val('max(1, 2.5, 3)'), 3);
    expectFloat(val('min(1, 2.5)'), 1);
    expectFloat(val('min(x, 4)', { x: new FloatValue(4) }), 4);
    expect(err('min(1, "a")')).toBe('min needs numbers, got string in "min(1, \\"a\\")"');
    expect(err('max(x)')).toBe('field "x" is missing');
  });

  it('abs, floor and ceil keep the argument type', () => {
    expectInt(val('abs(-3)'), 3);
    expectInt(val('abs(3)'), 3);
    expectFloat(val('abs(-2.5)'), 2.5);
    expectFloat(val('abs(x)', { x: new FloatValue(-2) }), 2);
    expectFloat(val('floor(2.7)'), 2);
    expectFloat(val('floor(-2.5)'), -3);
    expectInt(val('floor(5)'), 5);
    expectFloat(val('ceil(2.1)'), 3);
    expectFloat(val('ceil(-0.5)'), 0); // not -0
    expectInt(val('ceil(-4)'), -4);
    expect(err('abs("x")')).toBe('abs needs a number, got string in "abs(\\"x\\")"');
    expect(err('floor(true)')).toMatch(/^floor needs a number, got boolean in /);
    expect(err('ceil(null)')).toMatch(/^ceil needs a number, got null in /);
  });

  it('round rounds half away from zero on the decimal value as written', () => {
    expectFloat(val('round(2.5)'), 3);
    expectFloat(val('round(-2.5)'), -3);
    expectFloat(val('round(2.4999)'), 2);
    expectFloat(val('round(0.5)'), 1);
    expectFloat(val('round(-0.4)'), 0); // not -0
    expectInt(val('round(7)'), 7);
    expectFloat(val('round(1.005, 2)'), 1.01); // 1.005 is 1.00499999... in binary
    expectFloat(val('round(-1.005, 2)'), -1.01);
    expectFloat(val('round(2.675, 2)'), 2.68);
    expectFloat(val('round(123.456, 1)'), 123.5);
    expectFloat(val('round(123.449, 1)'), 123.4);
    expectFloat(val('round(0.125, 2)'), 0.13);
    expectFloat(val('round(1.5, 0)'), 2);
    expectFloat(val('round(2.5, 3)'), 2.5);
    expectInt(val('round(1250, -2)'), 1300);
    expectInt(val('round(-1250, -2)'), -1300);
    expectInt(val('round(1249, -2)'), 1200);
    expectInt(val('round(49, -2)'), 0);
    expectInt(val('round(5, 2)'), 5);
    expectFloat(val('round(1234.5, -1)'), 1230);
    expectInt(val('round(x, 2)', { x: 1e300 }), 1e300); // 1e300 is integral, so an integer
    expectFloat(val('round(x, 400)', { x: 0.1 }), 0.1);
    expectFloat(val('round(x, -400)', { x: 0.1 }), 0);
    expectFloat(val('round(2.345, x)', { x: new FloatValue(2) }), 2.35);
  });

  it('round rejects non-numbers and non-integer digits', () => {
    expect(err('round(1.5, 1.5)')).toBe('round digits must be an integer, got 1.5 in "round(1.5, 1.5)"');
    expect(err('round(1.5, "2")')).toMatch(/^round digits must be an integer, got string in /);
    expect(err('round("1.5")')).toMatch(/^round needs a number, got string in /);
    expect(err('round(x, 1)')).toBe('field "x" is missing');
  });

  it('sqrt always gives a float and refuses negatives', () => {
    expectFloat(val('sqrt(16)'), 4);
    expectFloat(val('sqrt(2)'), Math.SQRT2);
    expectFloat(val('sqrt(0)'), 0);
    expectFloat(val('sqrt(6.25)'), 2.5);
    expect(err('sqrt(-4)')).toBe('sqrt of negative number -4 in "sqrt(-4)"');
    expect(err('sqrt(x)', { x: -0.5 })).toBe('sqrt of negative number -0.5 in "sqrt(x)"');
  });

  it('len counts code points of a string or elements of an array', () => {
    expectInt(val('len("abc")'), 3);
    expectInt(val('len("")'), 0);
    expectInt(val('len("héllo")'), 5);
    expectInt(val('len("\u{1F600}a")'), 2);
    expectInt(val('len(x)', { x: [1, 2, 3] }), 3);
    expectInt(val('len(x)', { x: [] }), 0);
    expect(err('len(5)')).toBe('len needs a string or an array, got number in "len(5)"');
    expect(err('len(x)', { x: { a: 1 } })).toMatch(/^len needs a string or an array, got object in /);
  });

  it('coalesce returns the first argument that is neither null nor missing', () => {
    expectInt(val('coalesce(a, b, 1)', { b: 2 }), 2);
    expectInt(val('coalesce(a, b, 1)', { a: null }), 1);
    expectInt(val('coalesce(a, 1)', { a: 0 }), 0);
    expect(val('coalesce(a, 1)', { a: false })).toBe(false);
    expect(val('coalesce(a, b)')).toBe(null);
    expect(val('coalesce(null)')).toBe(null);
    expectInt(val('coalesce(bonus, 0) + salary', { salary: 10 }), 10);
    expectInt(val('coalesce(c ? x : null, 5)', { c: true }), 5);
  });

  it('coalesce is lazy but does not hide errors before the value', () => {
    expectInt(val('coalesce(1, 1 / 0)'), 1);
    expect(err('coalesce(1 / 0, 1)')).toBe('division by zero in "1 / 0"');
    expect(err('coalesce(a, b) * 2')).toBe('cannot apply * to null and number in "coalesce(a, b) * 2"');
  });

  it('checks function names and arities at compile time', () => {
    expect(syntax('foo(1)').message).toBe('unknown function "foo" at position 0');
    expect(syntax('1 + toString(1)').message).toBe('unknown function "toString" at position 4');
    expect(syntax('Min(1)').position).toBe(0);
    expect(syntax('x + round(1, 2, 3)').message).toBe('round expects 1 or 2 arguments, got 3 at position 4');
    expect(syntax('abs(1, 2)').message).toBe('abs expects 1 argument, got 2 at position 0');
    expect(syntax('abs()').message).toBe('abs expects 1 argument, got 0 at position 0');
    expect(syntax('coalesce()').message).toBe('coalesce expects at least 1 argument, got 0 at position 0');
    expect(syntax('min()').message).toBe('min expects at least 1 argument, got 0 at position 0');
    expect(syntax('len()').position).toBe(0);
    expect(syntax('a.b(1)').position).toBe(3);
    expectInt(val('max (1, 2)'), 2);
  });
});

describe('runtime errors', () => {
  it('reports division and modulo by zero with the operation', () => {
    expect(err('a / b', { a: 1, b: 0 })).toBe('division by zero in "a / b"');
    expect(err('a % b', { a: 1, b: 0 })).toBe('modulo by zero in "a % b"');
    expect(err('a / b', { a: 1, b: new FloatValue(0) })).toBe('division by zero in "a / b"');
    expect(err('x + a / b', { x: 1, a: 1, b: 0 })).toBe('division by zero in "a / b"');
    expect(err('(a + b) / 0', { a: 1, b: 2 })).toBe('division by zero in "(a + b) / 0"');
    expect(err('a / b / c', { a: 1, b: 1, c: 0 })).toBe('division by zero in "a / b / c"');
  });

  it('reports type errors with the operator and the kinds', () => {
    expect(err('"a" * 2')).toMatch(/^cannot apply \* to string and number in /);
    expect(err('true + 1')).toMatch(/^cannot apply \+ to boolean and number in /);
    expect(err('d - d', { d: D1 })).toMatch(/^cannot apply - to date and date in /);
    expect(err('x ** 2', { x: [2] })).toMatch(/^cannot apply \*\* to array and number in /);
    expect(err('-"a"')).toBe('cannot apply unary - to string in "-\\"a\\""');
    expect(err('+true')).toBe('cannot apply unary + to boolean in "+true"');
    expect(err('1 + "a" * 2')).toMatch(/^cannot apply \* to string and number in "\\"a\\" \* 2"$/);
  });

  it('reports non-finite results', () => {
    expect(err('10 ** 400')).toBe('result of "10 ** 400" is not a finite number');
    expect(err('x * 10', { x: 1e308 })).toBe('result of "x * 10" is not a finite number');
    expect(err('x / 0.1', { x: 1.7e308 })).toMatch(/^result of "x \/ 0.1" is not a finite number$/);
    expect(err('0 ** -1')).toMatch(/is not a finite number$/);
    expect(err('(-8) ** (1 / 3)')).toMatch(/is not a finite number$/); // NaN
    expect(err('round(x, -308)', { x: 1.7e308 })).toMatch(/is not a finite number$/);
  });

  it('keeps messages on one line and short', () => {
    const src = 'a\n*\n' + 'b'.repeat(200);
    const m = err(src, { a: 'x', ['b'.repeat(200)]: 1 });
    expect(m).not.toMatch(/\n/);
    expect(m).toMatch(/^cannot apply \* to string and number in "a \* b+\.\.\."$/);
    expect(m.length).toBeLessThan(120);
  });

  it('never throws from evaluate, even for odd input values', () => {
    const f = compileFormula('"" + d');
    expect(f.evaluate({ d: new DateValue(NaN) })).toEqual({ ok: false, message: 'cannot apply + to string and date in "\\"\\" + d"' });
    expect(compileFormula('x + 1').evaluate({ x: NaN }).ok).toBe(false);
  });
});

describe('syntax errors', () => {
  it.each([
    ['(a + b c', 7, 'expected ")" at position 7'],
    ['1 +', 3, 'expected a value but found end of expression at position 3'],
    ['', 0, 'expression is empty at position 0'],
    ['   ', 0, 'expression is empty at position 0'],
    ['1 2', 2, 'unexpected number at position 2'],
    ['a b', 2, 'unexpected name "b" at position 2'],
    ['1)', 1, 'unexpected ")" at position 1'],
    ['a +* b', 3, 'expected a value but found "*" at position 3'],
    ['()', 1, 'expected a value but found ")" at position 1'],
    ['max(1, 2', 8, 'expected "," or ")" at position 8'],
    ['min(1,)', 6, 'expected a value but found ")" at position 6'],
    ['true ? 1', 8, 'expected ":" at position 8'],
    ['"abc', 0, 'unterminated string at position 0'],
    ["x + 'abc", 4, 'unterminated string at position 4'],
    ['`abc', 0, 'unterminated quoted field name at position 0'],
    ['``', 0, 'empty field name at position 0'],
    ["'a\\qb'", 2, 'invalid escape sequence at position 2'],
    ['"\\u12"', 1, 'invalid unicode escape at position 1'],
    ['"\\u{110000}"', 1, 'invalid unicode escape at position 1'],
    ['a # b', 2, 'unexpected character "#" at position 2'],
    ['a = 1', 2, '"=" is not an operator (use "==" to compare) at position 2'],
    ['a === 1', 4, '"=" is not an operator (use "==" to compare) at position 4'],
    ['a & b', 2, '"&" is not an operator (use "&&") at position 2'],
    ['a | b', 2, '"|" is not an operator (use "||") at position 2'],
    ['1.', 0, 'invalid number at position 0'],
    ['x + 2x', 4, 'invalid number at position 4'],
    ['1e', 0, 'invalid number at position 0'],
    ['1.2.3', 0, 'invalid number at position 0'],
    ['.5', 0, 'expected a value but found "." at position 0'],
    ['1e999', 0, 'number out of range at position 0'],
    ['a.', 2, 'expected a field name after "." but found end of expression at position 2'],
    ['a.5', 2, 'expected a field name after "." but found number at position 2'],
    ['a.(b)', 2, 'expected a field name after "." but found "(" at position 2'],
    ['true.x', 4, 'unexpected "." at position 4'],
  ])('%j fails at %d', (src, position, message) => {
    const e = syntax(src);
    expect(e.position).toBe(position);
    expect(e.message).toBe(message);
  });

  it('is a FormulaSyntaxError with code and position', () => {
    const e = syntax('(1');
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(FormulaSyntaxError);
    expect(e.code).toBe('E_FORMULA_SYNTAX');
    expect(e.name).toBe('FormulaSyntaxError');
    expect(e.position).toBe(2);
    expect(() => compileFormula(42 as unknown as string)).toThrow(FormulaSyntaxError);
  });

  it('limits the length to 10,000 characters', () => {
    const ok = '1' + '+1'.repeat(4999); // 9,999 characters: a long flat chain is fine
    expect(ok.length).toBe(9999);
    expectInt(val(ok), 5000);
    const e = syntax(ok + '+1');
    expect(e.position).toBe(10000);
    expect(e.message).toBe('expression is too long (10001 characters, at most 10000) at position 10000');
    expectInt(val(' '.repeat(9999) + '1'), 1);
  });

  it('evaluates long flat chains without deep recursion', () => {
    expect(val('true' + ' && true'.repeat(1240))).toBe(true);
    expect(val('false' + ' || false'.repeat(1100) + ' || true')).toBe(true);
    expectFloat(val('x' + ' * 1.0'.repeat(1600), { x: 3 }), 3);
    expect(val('"a"' + ' + "a"'.repeat(1600))).toBe('a'.repeat(1601));
  });

  it('limits nesting depth to 200 as a syntax error, not a stack overflow', () => {
    expectInt(val('('.repeat(200) + '1' + ')'.repeat(200)), 1);
    const parens = syntax('('.repeat(201) + '1' + ')'.repeat(201));
    expect(parens.position).toBe(200);
    expect(parens.message).toBe('expression is nested too deeply (more than 200 levels) at position 200');
    expectInt(val('-'.repeat(200) + '1'), 1);
    expect(syntax('-'.repeat(201) + '1').position).toBe(200);
    expect(syntax('!'.repeat(5000) + 'true').position).toBe(200);
    expect(syntax('abs('.repeat(300) + '1' + ')'.repeat(300)).position).toBe(200 * 4 + 3); // the 201st "("
    expect(syntax('2' + ' ** 2'.repeat(300)).position).toBe(1 + 200 * 5 + 1);
    expect(syntax('true ? 1 : '.repeat(300) + '0').position).toBe(200 * 11 + 5);
    expect(syntax('('.repeat(9000)).position).toBe(200);
  });
});

// ---------------------------------------------------------------------------
// Fuzzing.

const valueArb: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', maxDepth: 2 },
    fc.integer({ min: -1000, max: 1000 }),
    fc.integer(),
    fc.double(),
    fc.double().map((n) => new FloatValue(n)),
    fc.string({ maxLength: 8 }),
    fc.boolean(),
    fc.constant(null),
    fc.maxSafeInteger().map((ms) => new DateValue(ms)),
    fc.double().map((ms) => new DateValue(ms)),
    fc.constantFrom('2024-01-15T10:30:00Z', '2024-01-15T12:30:00+02:00'),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('y', 'z', 'w'), tie('v'), { maxKeys: 3 }),
  ),
})).v;

const FIELD_NAMES = ['a', 'b', 'c', 'x', 's', 'd', 'arr', 'odd name', 'x.y'] as const;

const fieldsArb: fc.Arbitrary<FieldMap> = fc.record(
  Object.fromEntries(FIELD_NAMES.map((k) => [k, valueArb])) as Record<(typeof FIELD_NAMES)[number], fc.Arbitrary<Value>>,
  { requiredKeys: [] },
) as fc.Arbitrary<FieldMap>;

/** Compiles or returns undefined; anything thrown other than FormulaSyntaxError fails the test. */
function tryCompile(src: string): ReturnType<typeof compileFormula> | undefined {
  try {
    return compileFormula(src);
  } catch (e) {
    if (e instanceof FormulaSyntaxError) {
      expect(Number.isInteger(e.position)).toBe(true);
      expect(e.position).toBeGreaterThanOrEqual(0);
      expect(e.position).toBeLessThanOrEqual(src.length);
      expect(e.message).toMatch(/ at position \d+$/);
      return undefined;
    }
    throw e;
  }
}

function checkOutcome(out: FormulaOutcome): void {
  if (out.ok) {
    expect(out.value).not.toBe(undefined);
  } else {
    expect(typeof out.message).toBe('string');
    expect(out.message).not.toMatch(/[\n\r]/);
    expect(out.message.length).toBeGreaterThan(0);
  }
}

const TOKENS = [
  'a',
  'b',
  'c',
  'x',
  'x.y',
  's',
  'd',
  'arr',
  '`odd name`',
  '`x.y`',
  'true',
  'false',
  'null',
  '0',
  '1',
  '2',
  '2.5',
  '2.0',
  '1e3',
  '"s"',
  "'t'",
  '"2024-01-15T10:30:00Z"',
  '""',
  'min',
  'max',
  'abs',
  'round',
  'floor',
  'ceil',
  'sqrt',
  'len',
  'coalesce',
  'foo',
  '(',
  ')',
  '(',
  ')',
  ',',
  '.',
  '+',
  '-',
  '*',
  '/',
  '%',
  '**',
  '<',
  '<=',
  '>',
  '>=',
  '==',
  '!=',
  '!',
  '&&',
  '||',
  '?',
  ':',
  '=',
  '&',
  '"',
  '`',
  '\\',
  '#',
];

const tokenSoup = fc.tuple(fc.array(fc.constantFrom(...TOKENS), { maxLength: 24 }), fc.constantFrom(' ', '')).map(([tokens, sep]) => tokens.join(sep));

/** Well-formed expressions: every operand parenthesised, every call with a valid arity. */
const exprArb: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    fc.constantFrom(
      'a',
      'b',
      'c',
      'x',
      'x.y',
      '`x.y`',
      's',
      'd',
      'arr',
      '`odd name`',
      'x.z',
      '0',
      '1',
      '-1',
      '3',
      '2.5',
      '2.0',
      '0.0',
      '1e3',
      '"s"',
      '"2024-01-15T10:30:00Z"',
      'true',
      'false',
      'null',
    ),
    fc
      .tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '%', '**', '<', '<=', '>', '>=', '==', '!=', '&&', '||'), tie('e'))
      .map(([l, op, r]) => `(${l}) ${op} (${r})`),
    fc.tuple(fc.constantFrom('-', '+', '!'), tie('e')).map(([op, e]) => `${op}(${e})`),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([c, t, o]) => `(${c}) ? (${t}) : (${o})`),
    fc.tuple(fc.constantFrom('abs', 'floor', 'ceil', 'sqrt', 'len', 'round'), tie('e')).map(([f, e]) => `${f}(${e})`),
    fc.tuple(tie('e'), tie('e')).map(([x, d]) => `round(${x}, ${d})`),
    fc.tuple(fc.constantFrom('min', 'max', 'coalesce'), fc.array(tie('e'), { minLength: 1, maxLength: 3 })).map(([f, args]) => `${f}(${args.join(', ')})`),
  ),
})).e;

describe('fuzzing', () => {
  it('random strings compile or throw FormulaSyntaxError, and evaluate never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 })), fieldsArb, (src, fields) => {
        const f = tryCompile(src);
        if (f !== undefined) checkOutcome(f.evaluate(fields));
      }),
      { numRuns: 400 },
    );
  });

  it('token soups compile or throw FormulaSyntaxError, and evaluate never throws', () => {
    let compiled = 0;
    fc.assert(
      fc.property(tokenSoup, fieldsArb, (src, fields) => {
        const f = tryCompile(src);
        if (f !== undefined) {
          compiled++;
          checkOutcome(f.evaluate(fields));
        }
      }),
      { numRuns: 1500 },
    );
    expect(compiled).toBeGreaterThan(0);
  });

  it('well-formed expressions always compile, and evaluate never throws over random fields', () => {
    fc.assert(
      fc.property(exprArb, fc.array(fieldsArb, { minLength: 1, maxLength: 3 }), (src, maps) => {
        const f = compileFormula(src);
        for (const fields of maps) checkOutcome(f.evaluate(fields));
      }),
      { numRuns: 400 },
    );
  });

  it('integer arithmetic matches a direct computation, precedence included', () => {
    type Tree = { text: string; calc: (env: Record<string, number>) => number; float: boolean };
    const leaf: fc.Arbitrary<Tree> = fc.oneof(
      fc.integer({ min: 0, max: 30 }).map((n) => ({ text: String(n), calc: () => n, float: false })),
      fc.constantFrom('a', 'b', 'c').map((k) => ({ text: k, calc: (env: Record<string, number>) => env[k]!, float: false })),
    );
    const treeArb = fc.letrec<{ t: Tree }>((tie) => ({
      t: fc.oneof(
        { depthSize: 'small', maxDepth: 5 },
        leaf,
        fc.tuple(tie('t'), fc.constantFrom('+', '-', '*', '/'), tie('t'), fc.boolean()).map(([l, op, r, paren]): Tree => {
          // Operands go bare only when both are leaves, so the text means what calc computes.
          const leaves = /^\w+$/.test(l.text) && /^\w+$/.test(r.text);
          const text = leaves && !paren ? `${l.text} ${op} ${r.text}` : `(${l.text}) ${op} (${r.text})`;
          const calc = (env: Record<string, number>): number => {
            const x = l.calc(env);
            const y = r.calc(env);
            if (op === '/' && y === 0) throw new RangeError('division by zero');
            return op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : x / y;
          };
          return { text, calc, float: op === '/' || l.float || r.float };
        }),
        tie('t').map((t): Tree => ({ text: `-(${t.text})`, calc: (env) => -t.calc(env), float: t.float })),
      ),
    })).t;
    // Flat chains mixing precedence levels, checked against the usual precedence.
    const chainArb = fc.tuple(leaf, fc.array(fc.tuple(fc.constantFrom('+', '-', '*', '%'), leaf), { maxLength: 6 })).map(([first, rest]): Tree => {
      const text = [first.text, ...rest.map(([op, t]) => `${op} ${t.text}`)].join(' ');
      const calc = (env: Record<string, number>): number => {
        // Sum of products: fold * and % first, then + and -.
        let sum = 0;
        let sign = 1;
        let term = first.calc(env);
        for (const [op, t] of rest) {
          const v = t.calc(env);
          if (op === '*') term *= v;
          else if (op === '%') {
            if (v === 0) throw new RangeError('modulo by zero');
            term %= v;
          } else {
            sum += sign * term;
            sign = op === '+' ? 1 : -1;
            term = v;
          }
        }
        return sum + sign * term;
      };
      return { text, calc, float: false };
    });
    const env = fc.record({ a: fc.integer({ min: -20, max: 20 }), b: fc.integer({ min: -20, max: 20 }), c: fc.integer({ min: -20, max: 20 }) });
    fc.assert(
      fc.property(fc.oneof(treeArb, chainArb), env, (tree, fields) => {
        let expected: number;
        try {
          expected = tree.calc(fields);
        } catch {
          expect(run(tree.text, fields).ok).toBe(false);
          return;
        }
        const out = run(tree.text, fields);
        if (!Number.isFinite(expected)) {
          expect(out.ok).toBe(false);
          return;
        }
        if (!out.ok) throw new Error(`${tree.text}: ${out.message}`);
        const n = expected + 0; // no -0
        if (tree.float) expectFloat(out.value, n);
        else expectInt(out.value, n);
      }),
      { numRuns: 500 },
    );
  });
});
