// Formula lexer: splits the text of a Formula expression into tokens that carry their
// 0-based offsets, and defines FormulaSyntaxError, the one error every compile-time
// problem (lexing, parsing, unknown function, wrong arity, limits) is reported as.

/** A compile-time problem in a Formula expression. `position` is a 0-based UTF-16 offset. */
export class FormulaSyntaxError extends Error {
  readonly code = 'E_FORMULA_SYNTAX';
  readonly position: number;
  constructor(description: string, position: number) {
    super(`${description} at position ${position}`);
    this.name = 'FormulaSyntaxError';
    this.position = position;
  }
}

/** Operator and punctuation tokens. */
export type Punct = '**' | '*' | '/' | '%' | '+' | '-' | '<' | '<=' | '>' | '>=' | '==' | '!=' | '!' | '&&' | '||' | '?' | ':' | '(' | ')' | ',' | '.';

export type Token =
  | { readonly kind: 'number'; readonly pos: number; readonly end: number; readonly value: number; readonly float: boolean }
  | { readonly kind: 'string'; readonly pos: number; readonly end: number; readonly value: string }
  /** A bare identifier: a field name segment, a function name or a keyword (true, false, null). */
  | { readonly kind: 'name'; readonly pos: number; readonly end: number; readonly value: string }
  /** A backtick-quoted field name segment, already unescaped. */
  | { readonly kind: 'quoted'; readonly pos: number; readonly end: number; readonly value: string }
  | { readonly kind: 'punct'; readonly pos: number; readonly end: number; readonly value: Punct }
  | { readonly kind: 'end'; readonly pos: number; readonly end: number };

const TWO_CHAR: ReadonlySet<string> = new Set(['**', '<=', '>=', '==', '!=', '&&', '||']);
const ONE_CHAR: ReadonlySet<string> = new Set(['*', '/', '%', '+', '-', '<', '>', '!', '?', ':', '(', ')', ',', '.']);

const WHITESPACE = /\s+/y;
const NUMBER = /[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const IDENT = /[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*/uy;
/** What may not directly follow a number (`2x`, `1.`, `1e`, `1.2.3`). */
const AFTER_NUMBER = /[\p{ID_Continue}$.]/uy;

/** Splits an expression into tokens; the last token is always `end`. Throws FormulaSyntaxError. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const len = source.length;
  let i = 0;
  while (i < len) {
    WHITESPACE.lastIndex = i;
    if (WHITESPACE.test(source)) {
      i = WHITESPACE.lastIndex;
      continue;
    }
    const c = source.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(source)!;
      const text = m[0];
      const end = i + text.length;
      AFTER_NUMBER.lastIndex = end;
      if (AFTER_NUMBER.test(source)) throw new FormulaSyntaxError('invalid number', i);
      const value = Number(text);
      if (!Number.isFinite(value)) throw new FormulaSyntaxError('number out of range', i);
      const float = text.includes('.') || text.includes('e') || text.includes('E');
      tokens.push({ kind: 'number', pos: i, end, value, float });
      i = end;
      continue;
    }
    if (c === 34 || c === 39) {
      const [value, end] = readQuoted(source, i);
      tokens.push({ kind: 'string', pos: i, end, value });
      i = end;
      continue;
    }
    if (c === 96) {
      const [value, end] = readQuoted(source, i);
      if (value.length === 0) throw new FormulaSyntaxError('empty field name', i);
      tokens.push({ kind: 'quoted', pos: i, end, value });
      i = end;
      continue;
    }
    IDENT.lastIndex = i;
    const ident = IDENT.exec(source);
    if (ident !== null) {
      const end = i + ident[0].length;
      tokens.push({ kind: 'name', pos: i, end, value: ident[0] });
      i = end;
      continue;
    }
    const two = source.slice(i, i + 2);
    if (TWO_CHAR.has(two)) {
      tokens.push({ kind: 'punct', pos: i, end: i + 2, value: two as Punct });
      i += 2;
      continue;
    }
    const one = source[i]!;
    if (ONE_CHAR.has(one)) {
      tokens.push({ kind: 'punct', pos: i, end: i + 1, value: one as Punct });
      i += 1;
      continue;
    }
    if (one === '=') throw new FormulaSyntaxError('"=" is not an operator (use "==" to compare)', i);
    if (one === '&') throw new FormulaSyntaxError('"&" is not an operator (use "&&")', i);
    if (one === '|') throw new FormulaSyntaxError('"|" is not an operator (use "||")', i);
    const cp = String.fromCodePoint(source.codePointAt(i)!);
    throw new FormulaSyntaxError(`unexpected character ${JSON.stringify(cp)}`, i);
  }
  tokens.push({ kind: 'end', pos: len, end: len });
  return tokens;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\0',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '`': '`',
  '/': '/',
};

const HEX4 = /[0-9a-fA-F]{4}/y;
const HEX_BRACED = /\{([0-9a-fA-F]{1,6})\}/y;

/** Reads a string or backtick name starting at its opening quote; returns [text, end offset]. */
function readQuoted(source: string, start: number): [string, number] {
  const quote = source.charCodeAt(start);
  const len = source.length;
  let out = '';
  let chunk = start + 1;
  let i = chunk;
  while (i < len) {
    const c = source.charCodeAt(i);
    if (c === quote) return [out + source.slice(chunk, i), i + 1];
    if (c !== 92) {
      i++;
      continue;
    }
    out += source.slice(chunk, i);
    const e = source[i + 1];
    if (e === undefined) break;
    const simple = Object.hasOwn(SIMPLE_ESCAPES, e) ? SIMPLE_ESCAPES[e] : undefined;
    if (simple !== undefined) {
      out += simple;
      i += 2;
    } else if (e === 'u') {
      HEX4.lastIndex = i + 2;
      const h4 = HEX4.exec(source);
      if (h4 !== null) {
        out += String.fromCharCode(parseInt(h4[0], 16));
        i += 6;
      } else {
        HEX_BRACED.lastIndex = i + 2;
        const hb = HEX_BRACED.exec(source);
        const cp = hb === null ? NaN : parseInt(hb[1]!, 16);
        if (!(cp <= 0x10ffff)) throw new FormulaSyntaxError('invalid unicode escape', i);
        out += String.fromCodePoint(cp);
        i += 2 + hb![0].length;
      }
    } else {
      throw new FormulaSyntaxError('invalid escape sequence', i);
    }
    chunk = i;
  }
  throw new FormulaSyntaxError(quote === 96 ? 'unterminated quoted field name' : 'unterminated string', start);
}
