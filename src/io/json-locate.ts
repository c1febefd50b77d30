// Finds where a JSON path (`$.rules[3].conditions[0].operator`, `$[0]["my-key"]`) sits in
// the JSON text it was taken from, so rule-file messages can say FILE:LINE:COL like fact
// messages do. Error path only: a plain scanner over text already known to be valid JSON.

import { lineColumn } from './json-error.js';

export interface TextPosition {
  /** 1-based line and column. */
  readonly line: number;
  readonly column: number;
}

type Segment = string | number;

/** `$.a[2]["b c"]` → ['a', 2, 'b c']; stops at the first part it cannot read. */
export function parseJsonPath(path: string): Segment[] {
  const out: Segment[] = [];
  let i = path.startsWith('$') ? 1 : 0;
  while (i < path.length) {
    const rest = path.slice(i);
    let m = /^\.([A-Za-z_][A-Za-z0-9_]*)/.exec(rest);
    if (m) {
      out.push(m[1]!);
      i += m[0].length;
      continue;
    }
    m = /^\[(\d+)\]/.exec(rest);
    if (m) {
      out.push(Number(m[1]));
      i += m[0].length;
      continue;
    }
    m = /^\[("(?:[^"\\]|\\.)*")\]/.exec(rest);
    if (m) {
      out.push(JSON.parse(m[1]!) as string);
      i += m[0].length;
      continue;
    }
    break;
  }
  return out;
}

/**
 * The position of the deepest part of `path` present in `text`: a member's key, an array
 * element's first character, or (for a missing member) the object that lacks it.
 */
export function locateJsonPath(text: string, path: string): TextPosition {
  const segments = parseJsonPath(path);
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9 || text.charCodeAt(i) === 10 || text.charCodeAt(i) === 13)) i++;
  };
  const skipString = () => {
    i++;
    while (i < n && text.charCodeAt(i) !== 34) i += text.charCodeAt(i) === 92 ? 2 : 1;
    i++;
  };
  const skipValue = () => {
    ws();
    const c = text[i];
    if (c === '"') return skipString();
    if (c !== '{' && c !== '[') {
      while (i < n && !/[,\]}\s]/.test(text[i]!)) i++;
      return;
    }
    let depth = 0;
    while (i < n) {
      const d = text[i];
      if (d === '"') {
        skipString();
        continue;
      }
      if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') depth--;
      i++;
      if (depth === 0) return;
    }
  };

  ws();
  let found = i;
  for (const seg of segments) {
    ws();
    const start = i;
    let target = -1; // where the segment's value starts
    let keyAt = -1;
    if (text[i] === '{' && typeof seg === 'string') {
      i++;
      for (;;) {
        ws();
        if (text[i] !== '"') break;
        const k = i;
        skipString();
        const name = JSON.parse(text.slice(k, i)) as string;
        ws();
        i++; // ':'
        ws();
        // JSON.parse keeps the last of repeated keys: so do we.
        if (name === seg) {
          keyAt = k;
          target = i;
        }
        skipValue();
        ws();
        if (text[i] === ',') i++;
        else break;
      }
    } else if (text[i] === '[' && typeof seg === 'number') {
      i++;
      for (let idx = 0; ; idx++) {
        ws();
        if (text[i] === ']') break;
        if (idx === seg) {
          target = i;
          break;
        }
        skipValue();
        ws();
        if (text[i] === ',') i++;
        else break;
      }
    }
    if (target < 0) {
      found = start;
      break;
    }
    found = keyAt >= 0 ? keyAt : target;
    i = target;
  }
  return lineColumn(text, found);
}

/**
 * The first place where JSON text nests deeper than `max` brackets and braces, or null.
 * Iterative (a scan, no recursion), so it is safe on any text, valid JSON or not.
 */
export function findDeepNesting(text: string, max: number): TextPosition | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return lineColumn(text, i);
    } else if (c === 125 || c === 93) depth--;
  }
  return null;
}
