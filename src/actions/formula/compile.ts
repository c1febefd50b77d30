// Formula compiler: turns a parsed AST into a tree of small closures, built once per rule
// and called once per fact. Runtime problems are returned as Failure values (never thrown),
// so the per-fact path has no try/catch and allocates only for results and error messages.

import { DateValue, FloatValue, compareValues, formatRfc3339, isFloat, toNumber, kindOf, valuesEqual, type Value } from '../../model/value.js';
import type { FunctionName, Node } from './parser.js';

/** A runtime error, returned (not thrown) up through the evaluator tree. */
export class Failure {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

declare const scopeBrand: unique symbol;
/**
 * What a formula is evaluated on: opaque to the compiler, looked into only by the field
 * readers it is given (a fact's field map, or the facts a multi-fact rule bound).
 */
export type Scope = { readonly [scopeBrand]: true };
/** Makes the reader of one field path. */
export type ReaderFactory = (path: string) => (scope: Scope) => Value | undefined;

/** Evaluates a node that may not be missing: a missing field has already become a Failure. */
export type Evaluator = (scope: Scope) => Value | Failure;
/** Evaluates a node where a missing field is allowed through as `undefined` (==, !=, coalesce). */
type LenientEvaluator = (scope: Scope) => Value | Failure | undefined;

/** Compiles an AST to an evaluator. `source` is the expression text, quoted in messages. */
export function compileAst(ast: Node, source: string, readerFor: ReaderFactory): Evaluator {
  return new Compiler(source, readerFor).strict(ast);
}

// ---------------------------------------------------------------------------
// Shared helpers.

/**
 * Per-operation context for messages. The quoted source text and the fixed failures are
 * built on first use, so compiling long expressions stays linear and errors stay cheap.
 */
class Site {
  readonly op: string;
  private readonly source: string;
  private readonly start: number;
  private readonly end: number;
  private quoted: string | undefined;
  private byZero: Failure | undefined;
  private nonFinite: Failure | undefined;
  constructor(op: string, source: string, start: number, end: number) {
    this.op = op;
    this.source = source;
    this.start = start;
    this.end = end;
  }
  get text(): string {
    return (this.quoted ??= snippet(this.source, this.start, this.end));
  }
  /** `division by zero` or `modulo by zero`, for / and %. */
  get divideByZero(): Failure {
    return (this.byZero ??= new Failure(`${this.op === '%' ? 'modulo' : 'division'} by zero in ${this.text}`));
  }
  get notFinite(): Failure {
    return (this.nonFinite ??= new Failure(`result of ${this.text} is not a finite number`));
  }
  fail(what: string): Failure {
    return new Failure(`${what} in ${this.text}`);
  }
}

/** Whitespace as the lexer's /\s/ sees it, plus control characters (kept off message lines). */
function isSpace(c: number): boolean {
  return (
    c <= 32 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** The quoted source text of a span for messages: whitespace runs as one space, at most 60 characters. */
function snippet(source: string, start: number, end: number): string {
  let out = '';
  let space = false;
  for (let i = start; i < end; i++) {
    const c = source.charCodeAt(i);
    if (isSpace(c)) {
      space = out.length > 0;
      continue;
    }
    if (space) {
      out += ' ';
      space = false;
    }
    out += source[i];
    if (out.length > 60) {
      out = out.slice(0, 57) + '...';
      break;
    }
  }
  return JSON.stringify(out);
}

function kind(v: Value): string {
  return kindOf(v);
}

/** Normalises -0 to 0 and boxes integral floats. Callers have checked finiteness. */
function num(n: number, float: boolean): number | FloatValue {
  if (n === 0) return float ? new FloatValue(0) : 0;
  return float && Number.isInteger(n) ? new FloatValue(n) : n;
}

/** Values read from a fact: hide inherited properties of plain objects (`constructor`, `__proto__`). */
function sanitize(v: unknown): Value | undefined {
  if (typeof v === 'function') return undefined;
  if (v === Object.prototype || v === FloatValue.prototype || v === DateValue.prototype || v === Array.prototype) return undefined;
  return v as Value | undefined;
}

function fieldReader(path: string, readerFor: ReaderFactory): (scope: Scope) => Value | undefined {
  const read = readerFor(path);
  return (scope) => {
    const v = read(scope);
    return typeof v === 'object' || typeof v === 'function' ? sanitize(v) : v;
  };
}

const ARITH_CODE = { '+': 0, '-': 1, '*': 2, '/': 3, '%': 4, '**': 5 } as const;

/** Text of a value in string concatenation, or undefined when it has none. */
function concatText(v: Value): string | undefined {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'boolean':
      return String(v);
  }
  if (v instanceof FloatValue) return String(v.value);
  if (v instanceof DateValue) return Number.isFinite(v.ms) && Math.abs(v.ms) <= 8.64e15 ? formatRfc3339(v.ms) : undefined;
  return undefined;
}

/** One arithmetic step. `+` concatenates when either side is a string. */
function arith(code: number, a: Value, b: Value, site: Site): Value | Failure {
  const x = toNumber(a);
  const y = toNumber(b);
  if (x === undefined || y === undefined) return nonNumeric(code, a, b, site);
  let float = isFloat(a) || isFloat(b);
  let n: number;
  switch (code) {
    case 0:
      n = x + y;
      break;
    case 1:
      n = x - y;
      break;
    case 2:
      n = x * y;
      break;
    case 3:
      if (y === 0) return site.divideByZero;
      n = x / y;
      float = true;
      break;
    case 4:
      if (y === 0) return site.divideByZero;
      n = x % y;
      break;
    default:
      n = x ** y;
      if (y < 0) float = true;
      break;
  }
  if (!Number.isFinite(n)) return site.notFinite;
  return num(n, float);
}

function nonNumeric(code: number, a: Value, b: Value, site: Site): Value | Failure {
  if (code === 0 && (typeof a === 'string' || typeof b === 'string')) {
    const ta = concatText(a);
    const tb = concatText(b);
    if (ta !== undefined && tb !== undefined) return ta + tb;
  }
  return site.fail(`cannot apply ${site.op} to ${kind(a)} and ${kind(b)}`);
}

function isNumeric(v: Value): v is number | FloatValue {
  return typeof v === 'number' || v instanceof FloatValue;
}

/** Unicode code points in a string, without allocating. */
function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** Moves the decimal point of a non-negative finite number by k places, exactly as written in decimal. */
function shiftDecimal(n: number, k: number): number {
  const s = String(n);
  const e = s.indexOf('e');
  return e < 0 ? Number(`${s}e${k}`) : Number(`${s.slice(0, e)}e${Number(s.slice(e + 1)) + k}`);
}

/** Exact powers of ten: 10^k is exactly representable for k <= 22. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * Rounds half away from zero to `digits` decimal places (negative: to tens, hundreds...),
 * on the shortest decimal form of x, so round(1.005, 2) is 1.01 as written.
 */
export function roundHalfAway(x: number, digits: number): number {
  const ax = Math.abs(x);
  let r: number;
  if (digits === 0) {
    r = Math.round(ax);
  } else {
    const d = Math.max(-1000, Math.min(1000, digits));
    const p = POW10[d < 0 ? -d : d];
    // Fast path: scale by an exact power of ten; correct unless the scaled value sits so close
    // to a .5 tie that the binary error of x could be on either side of it.
    const scaled = p === undefined ? NaN : d > 0 ? ax * p : ax / p;
    if (p !== undefined && scaled < 2 ** 50 && Math.abs(scaled - Math.floor(scaled) - 0.5) > scaled * 2 ** -48 + 2 ** -1074) {
      const whole = Math.round(scaled);
      r = d > 0 ? whole / p : whole * p;
    } else {
      const shifted = shiftDecimal(ax, d);
      // At 2^52 and above every double is an integer: nothing left to round.
      if (!(shifted < 2 ** 52)) return x;
      r = shiftDecimal(Math.round(shifted), -d);
    }
  }
  return x < 0 ? -r : r;
}

// ---------------------------------------------------------------------------
// The compiler.

class Compiler {
  private readonly source: string;
  private readonly readerFor: ReaderFactory;
  constructor(source: string, readerFor: ReaderFactory) {
    this.source = source;
    this.readerFor = readerFor;
  }

  private site(op: string, node: Node): Site {
    return new Site(op, this.source, node.start, node.end);
  }

  /** A node whose value must exist. */
  strict(node: Node): Evaluator {
    switch (node.kind) {
      case 'literal': {
        const value = node.value;
        return () => value;
      }
      case 'field': {
        const read = fieldReader(node.path, this.readerFor);
        const missing = new Failure(`field ${JSON.stringify(node.path)} is missing`);
        return (scope) => {
          const v = read(scope);
          return v === undefined ? missing : v;
        };
      }
      case 'unary':
        return this.unary(node);
      case 'arith':
        return this.arithChain(node);
      case 'compare':
        return this.compare(node);
      case 'equality':
        return this.equality(node);
      case 'logical':
        return this.logical(node);
      case 'conditional':
        return this.conditional(node, false) as Evaluator;
      case 'call':
        return this.call(node);
    }
  }

  /** A node where a missing field passes through as undefined. */
  private lenient(node: Node): LenientEvaluator {
    if (node.kind === 'field') return fieldReader(node.path, this.readerFor);
    if (node.kind === 'conditional') return this.conditional(node, true);
    return this.strict(node);
  }

  private unary(node: Node & { kind: 'unary' }): Evaluator {
    const operand = this.strict(node.operand);
    const site = this.site(node.op, node);
    switch (node.op) {
      case '!':
        return (f) => {
          const v = operand(f);
          if (typeof v === 'boolean') return !v;
          if (v instanceof Failure) return v;
          return site.fail(`cannot apply ! to ${kind(v)}`);
        };
      case '-':
        return (f) => {
          const v = operand(f);
          if (typeof v === 'number') return v === 0 ? 0 : -v;
          if (v instanceof FloatValue) return num(-v.value, true);
          if (v instanceof Failure) return v;
          return site.fail(`cannot apply unary - to ${kind(v)}`);
        };
      case '+':
        return (f) => {
          const v = operand(f);
          if (v instanceof Failure || isNumeric(v)) return v;
          return site.fail(`cannot apply unary + to ${kind(v)}`);
        };
    }
  }

  /**
   * A left-deep run of arithmetic (`a + b * c - d` has `-` over `+` over `a`) becomes one loop,
   * so long sums neither recurse at compile time nor nest closures at run time.
   */
  private arithChain(node: Node & { kind: 'arith' }): Evaluator {
    const steps: (Node & { kind: 'arith' })[] = [];
    let cur: Node = node;
    while (cur.kind === 'arith') {
      steps.push(cur);
      cur = cur.left;
    }
    steps.reverse();
    const first = this.strict(cur);
    const n = steps.length;
    const rights: Evaluator[] = new Array<Evaluator>(n);
    const codes = new Uint8Array(n);
    const sites: Site[] = new Array<Site>(n);
    for (let i = 0; i < n; i++) {
      const step = steps[i]!;
      rights[i] = this.strict(step.right);
      codes[i] = ARITH_CODE[step.op];
      sites[i] = this.site(step.op, step);
    }
    if (n === 1) {
      const right = rights[0]!;
      const code = codes[0]!;
      const site = sites[0]!;
      return (f) => {
        const a = first(f);
        if (a instanceof Failure) return a;
        const b = right(f);
        if (b instanceof Failure) return b;
        return arith(code, a, b, site);
      };
    }
    return (f) => {
      let acc = first(f);
      for (let i = 0; i < n; i++) {
        if (acc instanceof Failure) return acc;
        const b = rights[i]!(f);
        if (b instanceof Failure) return b;
        acc = arith(codes[i]!, acc, b, sites[i]!);
      }
      return acc;
    };
  }

  private compare(node: Node & { kind: 'compare' }): Evaluator {
    const left = this.strict(node.left);
    const right = this.strict(node.right);
    const site = this.site(node.op, node);
    const lt = node.op === '<';
    const le = node.op === '<=';
    const gt = node.op === '>';
    return (f) => {
      const a = left(f);
      if (a instanceof Failure) return a;
      const b = right(f);
      if (b instanceof Failure) return b;
      if (typeof a === 'number' && typeof b === 'number') return lt ? a < b : le ? a <= b : gt ? a > b : a >= b;
      const c = compareValues(a, b);
      if (Number.isNaN(c)) return site.fail(`cannot apply ${site.op} to ${kind(a)} and ${kind(b)}`);
      return lt ? c < 0 : le ? c <= 0 : gt ? c > 0 : c >= 0;
    };
  }

  private equality(node: Node & { kind: 'equality' }): Evaluator {
    const left = this.lenient(node.left);
    const right = this.lenient(node.right);
    const negate = node.op === '!=';
    return (f) => {
      const a = left(f);
      if (a instanceof Failure) return a;
      const b = right(f);
      if (b instanceof Failure) return b;
      // A missing field compares as null.
      return valuesEqual(a === undefined ? null : a, b === undefined ? null : b) !== negate;
    };
  }

  /** A left-deep run of the same logical operator becomes one short-circuiting loop. */
  private logical(node: Node & { kind: 'logical' }): Evaluator {
    const op = node.op;
    const steps: (Node & { kind: 'logical' })[] = [];
    let cur: Node = node;
    while (cur.kind === 'logical' && cur.op === op) {
      steps.push(cur);
      cur = cur.left;
    }
    steps.reverse();
    const operands: Evaluator[] = [this.strict(cur), ...steps.map((s) => this.strict(s.right))];
    // Operand i is checked against the innermost operation that contains it.
    const sites: Site[] = [this.site(op, steps[0]!), ...steps.map((s) => this.site(op, s))];
    const stopOn = op === '||';
    const n = operands.length;
    return (f) => {
      for (let i = 0; i < n; i++) {
        const v = operands[i]!(f);
        if (typeof v !== 'boolean') {
          if (v instanceof Failure) return v;
          return sites[i]!.fail(`${op} needs boolean operands, got ${kind(v)}`);
        }
        if (v === stopOn) return v;
      }
      return !stopOn;
    };
  }

  private conditional(node: Node & { kind: 'conditional' }, lenient: boolean): LenientEvaluator {
    const test = this.strict(node.test);
    const then = lenient ? this.lenient(node.then) : this.strict(node.then);
    const otherwise = lenient ? this.lenient(node.otherwise) : this.strict(node.otherwise);
    const site = this.site('?:', node);
    return (f) => {
      const c = test(f);
      if (c === true) return then(f);
      if (c === false) return otherwise(f);
      if (c instanceof Failure) return c;
      return site.fail(`condition of ?: must be a boolean, got ${kind(c)}`);
    };
  }

  private call(node: Node & { kind: 'call' }): Evaluator {
    const name: FunctionName = node.name;
    const site = this.site(name, node);
    if (name === 'coalesce') {
      const args = node.args.map((a) => this.lenient(a));
      return (f) => {
        for (let i = 0; i < args.length; i++) {
          const v = args[i]!(f);
          if (v !== undefined && v !== null) return v;
        }
        return null;
      };
    }
    const args = node.args.map((a) => this.strict(a));
    switch (name) {
      case 'min':
      case 'max':
        return minMax(args, name === 'min', site);
      case 'abs':
        return numeric1(args[0]!, site, (x, float) => num(Math.abs(x), float));
      case 'floor':
        return numeric1(args[0]!, site, (x, float) => num(Math.floor(x), float));
      case 'ceil':
        return numeric1(args[0]!, site, (x, float) => num(Math.ceil(x), float));
      case 'sqrt':
        return numeric1(args[0]!, site, (x) => (x < 0 ? site.fail(`sqrt of negative number ${x}`) : num(Math.sqrt(x), true)));
      case 'round':
        return round(args[0]!, args[1], site);
      case 'len': {
        const arg = args[0]!;
        return (f) => {
          const v = arg(f);
          if (typeof v === 'string') return codePointLength(v);
          if (Array.isArray(v)) return v.length;
          if (v instanceof Failure) return v;
          return site.fail(`len needs a string or an array, got ${kind(v)}`);
        };
      }
    }
  }
}

function numeric1(arg: Evaluator, site: Site, fn: (x: number, float: boolean) => Value | Failure): Evaluator {
  return (f) => {
    const v = arg(f);
    if (v instanceof Failure) return v;
    const x = toNumber(v);
    if (x === undefined) return site.fail(`${site.op} needs a number, got ${kind(v)}`);
    const r = fn(x, isFloat(v));
    if (typeof r === 'number' && !Number.isFinite(r)) return site.notFinite;
    return r;
  };
}

function minMax(args: Evaluator[], isMin: boolean, site: Site): Evaluator {
  const n = args.length;
  return (f) => {
    let best = isMin ? Infinity : -Infinity;
    let float = false;
    for (let i = 0; i < n; i++) {
      const v = args[i]!(f);
      if (v instanceof Failure) return v;
      const x = toNumber(v);
      if (x === undefined) return site.fail(`${site.op} needs numbers, got ${kind(v)}`);
      if (isFloat(v)) float = true;
      if (isMin ? x < best : x > best) best = x;
    }
    if (!Number.isFinite(best)) return site.notFinite;
    return num(best, float);
  };
}

function round(arg: Evaluator, digitsArg: Evaluator | undefined, site: Site): Evaluator {
  return (f) => {
    const v = arg(f);
    if (v instanceof Failure) return v;
    const x = toNumber(v);
    if (x === undefined) return site.fail(`round needs a number, got ${kind(v)}`);
    const float = isFloat(v);
    let digits = 0;
    if (digitsArg !== undefined) {
      const d = digitsArg(f);
      if (d instanceof Failure) return d;
      const dn = toNumber(d) ?? NaN;
      if (!Number.isInteger(dn)) {
        return site.fail(`round digits must be an integer, got ${isNumeric(d) ? String(dn) : kind(d)}`);
      }
      digits = dn;
    }
    const r = roundHalfAway(x, digits);
    if (!Number.isFinite(r)) return site.notFinite;
    return num(r, float);
  };
}
