// Formula parser: recursive descent from tokens to an AST, with every node spanning its
// source text (for runtime messages). Checks function names and arities, forbids the
// ambiguous `-a ** b` and chained comparisons, and bounds nesting depth.

import { FloatValue, type Value } from '../../model/value.js';
import { FormulaSyntaxError, tokenize, type Punct, type Token } from './lexer.js';

export { FormulaSyntaxError };

/** Longest expression accepted, in UTF-16 code units. */
export const MAX_LENGTH = 10_000;
/** Deepest nesting accepted: parentheses, calls, unary operators, `**` exponents and `?:` branches. */
export const MAX_DEPTH = 200;

export type UnaryOp = '-' | '+' | '!';
export type ArithOp = '+' | '-' | '*' | '/' | '%' | '**';
export type CompareOp = '<' | '<=' | '>' | '>=';
export type EqualityOp = '==' | '!=';
export type LogicalOp = '&&' | '||';

/** Built-in functions with their [min, max] argument counts. */
export const FUNCTIONS = {
  min: [1, Infinity],
  max: [1, Infinity],
  abs: [1, 1],
  round: [1, 2],
  floor: [1, 1],
  ceil: [1, 1],
  sqrt: [1, 1],
  len: [1, 1],
  coalesce: [1, Infinity],
} as const satisfies Record<string, readonly [number, number]>;

export type FunctionName = keyof typeof FUNCTIONS;

/** Source span [start, end) of a node; widened to include enclosing parentheses. */
interface Span {
  start: number;
  end: number;
}

export type Node =
  | (Span & { readonly kind: 'literal'; readonly value: Value })
  | (Span & { readonly kind: 'field'; readonly path: string })
  | (Span & { readonly kind: 'unary'; readonly op: UnaryOp; readonly operand: Node })
  | (Span & { readonly kind: 'arith'; readonly op: ArithOp; readonly left: Node; readonly right: Node })
  | (Span & { readonly kind: 'compare'; readonly op: CompareOp; readonly left: Node; readonly right: Node })
  | (Span & { readonly kind: 'equality'; readonly op: EqualityOp; readonly left: Node; readonly right: Node })
  | (Span & { readonly kind: 'logical'; readonly op: LogicalOp; readonly left: Node; readonly right: Node })
  | (Span & { readonly kind: 'conditional'; readonly test: Node; readonly then: Node; readonly otherwise: Node })
  | (Span & { readonly kind: 'call'; readonly name: FunctionName; readonly args: readonly Node[] });

export interface ParseResult {
  readonly ast: Node;
  /** Field paths read, in order of first appearance, without duplicates. */
  readonly fields: readonly string[];
}

/** Parses a Formula expression. Throws FormulaSyntaxError. */
export function parseFormula(source: string): ParseResult {
  if (typeof source !== 'string') throw new FormulaSyntaxError('expression must be a string', 0);
  if (source.length > MAX_LENGTH) {
    throw new FormulaSyntaxError(`expression is too long (${source.length} characters, at most ${MAX_LENGTH})`, MAX_LENGTH);
  }
  const parser = new Parser(tokenize(source));
  const ast = parser.parse();
  return { ast, fields: [...parser.fields] };
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'end':
      return 'end of expression';
    case 'punct':
      return `"${t.value}"`;
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'quoted':
      return 'quoted field name';
    case 'name':
      return `name ${JSON.stringify(t.value.length > 40 ? t.value.slice(0, 37) + '...' : t.value)}`;
  }
}

function arityText(name: string, min: number, max: number): string {
  if (min === max) return `${name} expects ${min} argument${min === 1 ? '' : 's'}`;
  if (max === Infinity) return `${name} expects at least ${min} argument${min === 1 ? '' : 's'}`;
  return `${name} expects ${min} or ${max} arguments`;
}

class Parser {
  private i = 0;
  private depth = 0;
  readonly fields = new Set<string>();
  private readonly tokens: Token[];

  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  parse(): Node {
    const first = this.peek();
    if (first.kind === 'end') throw new FormulaSyntaxError('expression is empty', 0);
    const node = this.conditional();
    const rest = this.peek();
    if (rest.kind !== 'end') throw new FormulaSyntaxError(`unexpected ${describe(rest)}`, rest.pos);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private next(): Token {
    const t = this.tokens[this.i]!;
    if (t.kind !== 'end') this.i++;
    return t;
  }

  /** The current token's operator text when it is punctuation, else undefined. */
  private punct(): Punct | undefined {
    const t = this.tokens[this.i]!;
    return t.kind === 'punct' ? t.value : undefined;
  }

  private expect(p: Punct, what = `"${p}"`): Token {
    const t = this.peek();
    if (t.kind !== 'punct' || t.value !== p) throw new FormulaSyntaxError(`expected ${what}`, t.pos);
    return this.next();
  }

  private enter(pos: number): void {
    if (++this.depth > MAX_DEPTH) throw new FormulaSyntaxError(`expression is nested too deeply (more than ${MAX_DEPTH} levels)`, pos);
  }

  private leave(): void {
    this.depth--;
  }

  // conditional := or ( "?" conditional ":" conditional )?
  private conditional(): Node {
    const test = this.logical('||');
    if (this.punct() !== '?') return test;
    this.enter(this.next().pos);
    const then = this.conditional();
    this.expect(':');
    const otherwise = this.conditional();
    this.leave();
    return { kind: 'conditional', test, then, otherwise, start: test.start, end: otherwise.end };
  }

  // or := and ( "||" and )* ; and := equality ( "&&" equality )*
  private logical(op: LogicalOp): Node {
    let left = op === '||' ? this.logical('&&') : this.equality();
    while (this.punct() === op) {
      this.next();
      const right = op === '||' ? this.logical('&&') : this.equality();
      left = { kind: 'logical', op, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  // equality := relational ( ("==" | "!=") relational )?   (not chainable)
  private equality(): Node {
    const left = this.relational();
    const op = this.punct();
    if (op !== '==' && op !== '!=') return left;
    this.next();
    const right = this.relational();
    const again = this.peek();
    if (again.kind === 'punct' && (again.value === '==' || again.value === '!=')) {
      throw new FormulaSyntaxError(`"${again.value}" cannot follow "${op}" without parentheses`, again.pos);
    }
    return { kind: 'equality', op, left, right, start: left.start, end: right.end };
  }

  // relational := additive ( ("<" | "<=" | ">" | ">=") additive )?   (not chainable)
  private relational(): Node {
    const left = this.additive();
    const op = this.punct();
    if (op !== '<' && op !== '<=' && op !== '>' && op !== '>=') return left;
    this.next();
    const right = this.additive();
    const again = this.peek();
    if (again.kind === 'punct' && (again.value === '<' || again.value === '<=' || again.value === '>' || again.value === '>=')) {
      throw new FormulaSyntaxError(`"${again.value}" cannot follow "${op}" without parentheses`, again.pos);
    }
    return { kind: 'compare', op, left, right, start: left.start, end: right.end };
  }

  // additive := multiplicative ( ("+" | "-") multiplicative )*
  private additive(): Node {
    let left = this.multiplicative();
    for (let op = this.punct(); op === '+' || op === '-'; op = this.punct()) {
      this.next();
      const right = this.multiplicative();
      left = { kind: 'arith', op, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  // multiplicative := unary ( ("*" | "/" | "%") unary )*
  private multiplicative(): Node {
    let left = this.unary();
    for (let op = this.punct(); op === '*' || op === '/' || op === '%'; op = this.punct()) {
      this.next();
      const right = this.unary();
      left = { kind: 'arith', op, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  // unary := ("-" | "+" | "!") unaryOperand   (and then no "**")
  //        | power
  private unary(): Node {
    const op = this.punct();
    if (op !== '-' && op !== '+' && op !== '!') return this.power();
    const node = this.unaryOperand();
    const t = this.peek();
    if (t.kind === 'punct' && t.value === '**') {
      throw new FormulaSyntaxError(`"**" cannot follow unary "${op}": write (${op}x) ** y or ${op}(x ** y)`, t.pos);
    }
    return node;
  }

  // unaryOperand := ("-" | "+" | "!") unaryOperand | primary
  private unaryOperand(): Node {
    const op = this.punct();
    if (op !== '-' && op !== '+' && op !== '!') return this.primary();
    const t = this.next();
    this.enter(t.pos);
    const operand = this.unaryOperand();
    this.leave();
    return { kind: 'unary', op, operand, start: t.pos, end: operand.end };
  }

  // power := primary ( "**" unary )?   (right-associative through unary -> power)
  private power(): Node {
    const base = this.primary();
    if (this.punct() !== '**') return base;
    this.enter(this.next().pos);
    const exponent = this.unary();
    this.leave();
    return { kind: 'arith', op: '**', left: base, right: exponent, start: base.start, end: exponent.end };
  }

  // primary := number | string | true | false | null | path | name "(" args ")" | "(" conditional ")"
  private primary(): Node {
    const t = this.next();
    switch (t.kind) {
      case 'number':
        return { kind: 'literal', value: t.float && Number.isInteger(t.value) ? new FloatValue(t.value) : t.value, start: t.pos, end: t.end };
      case 'string':
        return { kind: 'literal', value: t.value, start: t.pos, end: t.end };
      case 'quoted':
        return this.path(t);
      case 'name':
        if (t.value === 'true' || t.value === 'false') return { kind: 'literal', value: t.value === 'true', start: t.pos, end: t.end };
        if (t.value === 'null') return { kind: 'literal', value: null, start: t.pos, end: t.end };
        if (this.punct() === '(') return this.call(t);
        return this.path(t);
      case 'punct':
        if (t.value === '(') {
          this.enter(t.pos);
          const inner = this.conditional();
          const close = this.expect(')');
          this.leave();
          inner.start = t.pos;
          inner.end = close.end;
          return inner;
        }
        break;
      case 'end':
        break;
    }
    throw new FormulaSyntaxError(`expected a value but found ${describe(t)}`, t.pos);
  }

  // path := segment ( "." segment )* ; segment := name | `quoted`
  private path(first: Token & { kind: 'name' | 'quoted' }): Node {
    let path = first.value;
    let end = first.end;
    while (this.punct() === '.') {
      this.next();
      const seg = this.next();
      if (seg.kind !== 'name' && seg.kind !== 'quoted') {
        throw new FormulaSyntaxError(`expected a field name after "." but found ${describe(seg)}`, seg.pos);
      }
      path += '.' + seg.value;
      end = seg.end;
    }
    this.fields.add(path);
    return { kind: 'field', path, start: first.pos, end };
  }

  // call := name "(" ( conditional ( "," conditional )* )? ")"
  private call(name: Token & { kind: 'name' }): Node {
    if (!Object.hasOwn(FUNCTIONS, name.value)) {
      throw new FormulaSyntaxError(`unknown function ${JSON.stringify(name.value)}`, name.pos);
    }
    const fn = name.value as FunctionName;
    this.enter(this.next().pos);
    const args: Node[] = [];
    if (this.punct() !== ')') {
      for (;;) {
        args.push(this.conditional());
        if (this.punct() !== ',') break;
        this.next();
      }
    }
    const close = this.expect(')', '"," or ")"');
    this.leave();
    const [min, max] = FUNCTIONS[fn];
    if (args.length < min || args.length > max) {
      throw new FormulaSyntaxError(`${arityText(fn, min, max)}, got ${args.length}`, name.pos);
    }
    return { kind: 'call', name: fn, args, start: name.pos, end: close.end };
  }
}
