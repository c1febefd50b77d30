// Locates the first syntax error in JSON text, for messages that name the column:
// V8's JSON.parse messages do not always carry a position. Error path only, never hot.

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

/** Returns the first syntax error in `text`, or null when it is valid JSON. */
export function locateJsonError(text: string): JsonSyntaxProblem | null {
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
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail('a JSON value');
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
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
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
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '' || m[0] === '-') fail('a JSON value');
    i += m![0].length;
  };
  const value = (depth: number): void => {
    if (depth > 10000) fail('less nesting');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('a property name in double quotes');
        string();
        ws();
        if (text[i] !== ':') fail('":"');
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail('"," or "}"');
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail('"," or "]"');
      }
    }
    if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else number();
  };
  try {
    value(0);
    ws();
    if (i < n) fail('end of input');
    return null;
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    let line = 1;
    let lineStart = 0;
    for (let k = text.indexOf('\n'); k >= 0 && k < e.offset; k = text.indexOf('\n', k + 1)) {
      line++;
      lineStart = k + 1;
    }
    return { offset: e.offset, line, column: e.offset - lineStart + 1, message: e.message };
  }
}
