// The scanner's lexing of JSON text on bytes: strings (validated, escapes and non-ASCII
// noted), numbers (validated; read exactly as JSON.parse reads them when asked), whitespace,
// and the tag names of tagged values. Plain functions over (bytes, offset), hot code.

/** Bytes to text, a character a byte (the texts decoded are ASCII): one decoder for the lexer and the scanner. */
export const latin1 = new TextDecoder('latin1');
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** What the last string or number scan found (one per scanner, reused). */
export class Lexeme {
  /** The string had escapes. */
  escaped = false;
  /** The string had bytes ≥ 0x80. */
  high = false;
  /** The number's value (scanNumber with `value`). */
  value = 0;
  /** The number may lie outside ±(2^53−1) (scanNumber without `value`). */
  unsafe = false;
}

/**
 * Scans the string whose opening quote is at p; returns the offset after its closing
 * quote, or -1 when it is invalid. Sets lx.escaped and lx.high.
 */
export function scanString(b: Buffer, p: number, lx: Lexeme): number {
  let escaped = false;
  let high = false;
  p++;
  for (;;) {
    // Printable ASCII but `"` and `\` in a tight loop (a range test beat a class table);
    // quotes, backslashes, control characters, bytes ≥ 0x80 and reading past the data
    // (undefined) go to the checks below.
    let c = b[p]!;
    while ((c > 34 && c < 127 && c !== 92) || c === 32 || c === 33) c = b[++p]!;
    if (c === 34) break;
    if (c === 92) {
      escaped = true;
      p = skipEscape(b, p);
      if (p < 0) return -1;
      continue;
    }
    if (!(c >= 128)) return -1;
    high = true;
    p++;
  }
  lx.escaped = escaped;
  lx.high = high;
  return p + 1;
}

/**
 * Scans a number at p; returns its end or -1. With `value`, sets lx.value exactly as
 * JSON.parse would read it. Without, sets lx.unsafe when the number might lie outside
 * ±(2^53−1) (its integer digits plus exponent pass 15), so the decoder can decide.
 */
export function scanNumber(b: Buffer, p: number, value: boolean, lx: Lexeme): number {
  const start = p;
  let neg = false;
  if (b[p] === 45) {
    neg = true;
    p++;
  }
  let c = b[p]!;
  let mant = 0;
  let digits = 0;
  let intDigits = 0;
  if (c === 48) {
    c = b[++p]!;
    intDigits = 1;
    digits = 1;
  } else if (c >= 49 && c <= 57) {
    do {
      if (digits < 16) mant = mant * 10 + (c - 48);
      digits++;
      intDigits++;
      c = b[++p]!;
    } while (c >= 48 && c <= 57);
  } else return -1;
  let frac = 0;
  if (c === 46) {
    c = b[++p]!;
    if (!(c >= 48 && c <= 57)) return -1;
    do {
      if (digits < 16) {
        mant = mant * 10 + (c - 48);
        frac++;
      }
      digits++;
      c = b[++p]!;
    } while (c >= 48 && c <= 57);
  }
  let exp = 0;
  if (c === 101 || c === 69) {
    c = b[++p]!;
    let expNeg = false;
    if (c === 43 || c === 45) {
      expNeg = c === 45;
      c = b[++p]!;
    }
    if (!(c >= 48 && c <= 57)) return -1;
    do {
      if (exp < 100000) exp = exp * 10 + (c - 48);
      c = b[++p]!;
    } while (c >= 48 && c <= 57);
    if (expNeg) exp = -exp;
  }
  if (!value) {
    lx.unsafe = intDigits + exp > 15;
    return p;
  }
  // Exact when the digits fit in a double and the power of ten is exact (≤ 22): one
  // correctly rounded multiply or divide, as a decimal-to-double conversion gives.
  const e10 = exp - frac;
  let v: number;
  if (digits <= 15 && e10 >= -22 && e10 <= 22) v = e10 >= 0 ? mant * POW10[e10]! : mant / POW10[-e10]!;
  else v = Math.abs(Number(latin1.decode(b.subarray(start, p))));
  lx.value = neg ? -v : v;
  return p;
}

/** Whitespace between tokens: JSON's four characters, or all but the newline (NDJSON). */
export const WS_ANY = new Uint8Array(256);
export const WS_LINE = new Uint8Array(256);
for (const c of [32, 9, 13]) WS_ANY[c] = WS_LINE[c] = 1;
WS_ANY[10] = 1;

/** Skips whitespace (as the table `w` says) from p, not past end. */
export function ws(b: Buffer, p: number, end: number, w: Uint8Array): number {
  while (p < end && w[b[p]!] === 1) p++;
  return p;
}

/** The escape at p (a backslash) in a string: returns the offset after it, or -1 when invalid. */
function skipEscape(b: Buffer, p: number): number {
  const x = b[p + 1];
  if (x === 117) return isHex(b[p + 2]!) && isHex(b[p + 3]!) && isHex(b[p + 4]!) && isHex(b[p + 5]!) ? p + 6 : -1;
  if (x === 34 || x === 92 || x === 47 || x === 98 || x === 102 || x === 110 || x === 114 || x === 116) return p + 2;
  return -1;
}

/** Whether the key string at ks (its opening quote) is exactly "Date". */
export function isDate(b: Buffer, ks: number): boolean {
  return b[ks + 1] === 68 && b[ks + 2] === 97 && b[ks + 3] === 116 && b[ks + 4] === 101 && b[ks + 5] === 34;
}

export const TAG_KEY_STRING = 1;
export const TAG_KEY_INTEGER = 2;
export const TAG_KEY_FLOAT = 3;
export const TAG_KEY_BOOLEAN = 4;
export const TAG_KEY_DATE = 5;

/** Which scalar tag the key bytes b[s, e) name, or 0. */
export function tagOf(b: Buffer, s: number, e: number): number {
  switch (e - s) {
    case 4:
      return b[s] === 68 && b[s + 1] === 97 && b[s + 2] === 116 && b[s + 3] === 101 ? TAG_KEY_DATE : 0;
    case 5:
      return b[s] === 70 && b[s + 1] === 108 && b[s + 2] === 111 && b[s + 3] === 97 && b[s + 4] === 116 ? TAG_KEY_FLOAT : 0;
    case 6:
      return b[s] === 83 && b[s + 1] === 116 && b[s + 2] === 114 && b[s + 3] === 105 && b[s + 4] === 110 && b[s + 5] === 103 ? TAG_KEY_STRING : 0;
    case 7:
      if (b[s] === 73 && b[s + 1] === 110 && b[s + 2] === 116 && b[s + 3] === 101 && b[s + 4] === 103 && b[s + 5] === 101 && b[s + 6] === 114) {
        return TAG_KEY_INTEGER;
      }
      if (b[s] === 66 && b[s + 1] === 111 && b[s + 2] === 111 && b[s + 3] === 108 && b[s + 4] === 101 && b[s + 5] === 97 && b[s + 6] === 110) {
        return TAG_KEY_BOOLEAN;
      }
      return 0;
  }
  return 0;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
