// Locates problems in a record's JSON text for messages that name the line and column:
// the first syntax error (V8's JSON.parse messages do not always carry a position), the
// first bracket nested too deeply, and the value at a JSON path. Error paths only, never hot.

export interface JsonSyntaxProblem {
  /** 0-based offset of the offending character in the text. */
  readonly offset: number;
  /** 1-based line and column of that offset. */
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

class Stop {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

const HEX4 = /^[0-9a-fA-F]{4}$/;
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/;

/** 1-based line and column (in UTF-16 units) of an offset in text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  return lineColumns(text, [offset])[0]!;
}

/** lineColumn of many offsets, in one pass over the text; in the order given. */
export function lineColumns(text: string, offsets: readonly number[]): { line: number; column: number }[] {
  const order = offsets.map((_, j) => j).sort((a, b) => offsets[a]! - offsets[b]!);
  const out = new Array<{ line: number; column: number }>(offsets.length);
  let line = 1;
  let lineStart = 0;
  let k = text.indexOf('\n');
  for (const j of order) {
    const offset = offsets[j]!;
    for (; k >= 0 && k < offset; k = text.indexOf('\n', k + 1)) {
      line++;
      lineStart = k + 1;
    }
    out[j] = { line, column: offset - lineStart + 1 };
  }
  return out;
}

/**
 * Returns the first problem in `text`, or null when it is valid JSON nested at most
 * `maxDepth` levels deep (arrays and objects; the outermost is level 1). Iterative, so any
 * depth of nesting can be walked.
 */
export function locateJsonError(text: string, maxDepth = Infinity): JsonSyntaxProblem | null {
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const what = (at: number) => (at >= n ? 'end of input' : `${JSON.stringify(text[at])}`);
  const fail = (expected: string): never => {
    throw new Stop(i, `expected ${expected}, found ${what(i)}`);
  };
  const string = () => {
    i++; // opening quote
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c === 92) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!HEX4.test(text.slice(i + 2, i + 6))) {
            i += 2;
            fail('4 hex digits after \\u');
          }
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else {
          i++;
          fail('a valid escape');
        }
      } else if (c < 32) fail('a closing quote (control characters must be escaped)');
      else i++;
    }
    fail('a closing quote');
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail('a JSON value');
  };
  /** An object member's key and colon (its value is read next). */
  const key = () => {
    ws();
    if (text[i] !== '"') fail('a property name in double quotes');
    string();
    ws();
    if (text[i] !== ':') fail('":"');
    i++;
  };
  // Containers open around the current position: '{' or '['.
  const stack: string[] = [];
  try {
    let expectValue = true;
    for (;;) {
      if (expectValue) {
        ws();
        const c = text[i];
        if (c === '{' || c === '[') {
          if (stack.length + 1 > maxDepth) throw new Stop(i, `nesting deeper than ${maxDepth} levels (arrays and objects inside each other)`);
          stack.push(c);
          i++;
          ws();
          if (text[i] === (c === '{' ? '}' : ']')) {
            stack.pop();
            i++;
            expectValue = false;
          } else if (c === '{') key();
          continue;
        }
        if (c === '"') string();
        else if (c === 't') literal('true');
        else if (c === 'f') literal('false');
        else if (c === 'n') literal('null');
        else {
          const m = NUMBER.exec(text.slice(i, i + 400));
          if (!m || m[0] === '' || m[0] === '-') fail('a JSON value');
          i += m![0].length;
        }
        expectValue = false;
        continue;
      }
      if (stack.length === 0) break;
      // After a value inside a container: a comma and the next member, or the closing bracket.
      ws();
      const open = stack[stack.length - 1];
      const close = open === '{' ? '}' : ']';
      if (text[i] === ',') {
        i++;
        if (open === '{') key();
        expectValue = true;
      } else if (text[i] === close) {
        i++;
        stack.pop();
      } else fail(`"," or "${close}"`);
    }
    ws();
    if (i < n) fail('end of input');
    return null;
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    const { line, column } = lineColumn(text, e.offset);
    return { offset: e.offset, line, column, message: e.message };
  }
}

/**
 * The offset of the value at a path of keys and indexes in valid JSON text (the last
 * duplicate key wins, as in JSON.parse), or -1 when the path is not there.
 */
export function locateValue(text: string, segments: readonly (string | number)[]): number {
  let i = skipWs(text, 0);
  for (const seg of segments) {
    const c = text[i];
    let found = -1;
    if (c === '{' && typeof seg === 'string') {
      i = skipWs(text, i + 1);
      while (text[i] === '"') {
        const keyEnd = stringEnd(text, i);
        const key = JSON.parse(text.slice(i, keyEnd)) as string;
        i = skipWs(text, skipWs(text, keyEnd) + 1);
        if (key === seg) found = i;
        i = skipWs(text, valueEnd(text, i));
        if (text[i] === ',') i = skipWs(text, i + 1);
      }
    } else if (c === '[' && typeof seg === 'number') {
      i = skipWs(text, i + 1);
      for (let k = 0; text[i] !== ']' && i < text.length; k++) {
        if (k === seg) {
          found = i;
          break;
        }
        i = skipWs(text, valueEnd(text, i));
        if (text[i] === ',') i = skipWs(text, i + 1);
      }
    }
    if (found < 0) return -1;
    i = found;
  }
  return i;
}

function skipWs(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else return i;
  }
}

/** End (exclusive) of the string whose opening quote is at `i`. */
function stringEnd(text: string, i: number): number {
  for (let k = i + 1; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 92) k++;
    else if (c === 34) return k + 1;
  }
  return text.length;
}

/** End (exclusive) of the value starting at `i` (valid JSON assumed). */
function valueEnd(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return stringEnd(text, i);
  if (c !== '{' && c !== '[') {
    let k = i;
    while (k < text.length && !',}] \t\r\n'.includes(text[k]!)) k++;
    return k;
  }
  let depth = 0;
  for (let k = i; k < text.length; k++) {
    const d = text.charCodeAt(k);
    if (d === 34) k = stringEnd(text, k) - 1;
    else if (d === 123 || d === 91) depth++;
    else if ((d === 125 || d === 93) && --depth === 0) return k + 1;
  }
  return text.length;
}

/** The JSON text of the number at `offset`, or undefined when none starts there. */
export function numberTextAt(text: string, offset: number): string | undefined {
  const m = NUMBER.exec(text.slice(offset, offset + 400));
  return m && m[0] !== '' && m[0] !== '-' ? m[0] : undefined;
}
