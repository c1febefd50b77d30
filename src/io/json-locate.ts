// Finds where a JSON path (`$.rules[3].conditions[0].operator`, `$[0]["my-key"]`) sits in
// the JSON text it was taken from, so rule-file messages can say FILE:LINE:COL like fact
// messages do. Error path only: a plain scanner over text already known to be valid JSON.

import { lineColumn, lineColumns } from './json-error.js';

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
  return locateJsonPaths(text, [path])[0]!;
}

/** Requested paths as a tree of their segments: one walk of the text serves them all. */
interface PathNode {
  /** The requested paths (their indexes) that end here. */
  readonly ends: number[];
  readonly children: Map<Segment, PathNode>;
}

/**
 * locateJsonPath for many paths of one text, in one walk of it (a walk per path made a file
 * with thousands of issues quadratic). Positions come back in the order of `paths`.
 */
export function locateJsonPaths(text: string, paths: readonly string[]): TextPosition[] {
  if (paths.length === 0) return [];
  const root: PathNode = { ends: [], children: new Map() };
  paths.forEach((path, k) => {
    let node = root;
    for (const seg of parseJsonPath(path)) {
      let next = node.children.get(seg);
      if (next === undefined) node.children.set(seg, (next = { ends: [], children: new Map() }));
      node = next;
    }
    node.ends.push(k);
  });
  const offsets = new Array<number>(paths.length).fill(0);
  const scan = new Scanner(text);
  scan.ws();
  scan.visit(root, scan.i, offsets);
  return lineColumns(text, offsets);
}

/** A cursor over JSON text already known to be valid. */
class Scanner {
  i = 0;
  private readonly text: string;
  private readonly n: number;
  constructor(text: string) {
    this.text = text;
    this.n = text.length;
  }

  ws(): void {
    const t = this.text;
    while (this.i < this.n) {
      const c = t.charCodeAt(this.i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return;
      this.i++;
    }
  }

  private skipString(): void {
    const t = this.text;
    this.i++;
    while (this.i < this.n && t.charCodeAt(this.i) !== 34) this.i += t.charCodeAt(this.i) === 92 ? 2 : 1;
    this.i++;
  }

  private skipValue(): void {
    const t = this.text;
    this.ws();
    const c = t[this.i];
    if (c === '"') {
      this.skipString();
      return;
    }
    if (c !== '{' && c !== '[') {
      while (this.i < this.n && !/[,\]}\s]/.test(t[this.i]!)) this.i++;
      return;
    }
    let depth = 0;
    while (this.i < this.n) {
      const d = t[this.i];
      if (d === '"') {
        this.skipString();
        continue;
      }
      if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') depth--;
      this.i++;
      if (depth === 0) return;
    }
  }

  /**
   * At the value `node` stands for (its paths end at `here`): finds where each child's
   * segment is in it and goes on there; a child missing from it ends at the value itself.
   */
  visit(node: PathNode, here: number, offsets: number[]): void {
    for (const k of node.ends) offsets[k] = here;
    if (node.children.size === 0) return;
    const t = this.text;
    this.ws();
    const start = this.i;
    // Where each present child's value starts, and where its paths end (a key, an element).
    const found = new Map<Segment, { at: number; value: number }>();
    if (t[this.i] === '{') {
      this.i++;
      for (;;) {
        this.ws();
        if (t[this.i] !== '"') break;
        const k = this.i;
        this.skipString();
        const name = JSON.parse(t.slice(k, this.i)) as string;
        this.ws();
        this.i++; // ':'
        this.ws();
        // JSON.parse keeps the last of repeated keys: so do we.
        if (node.children.has(name)) found.set(name, { at: k, value: this.i });
        this.skipValue();
        this.ws();
        if (t[this.i] === ',') this.i++;
        else break;
      }
    } else if (t[this.i] === '[') {
      this.i++;
      for (let idx = 0; ; idx++) {
        this.ws();
        if (t[this.i] === ']') break;
        if (node.children.has(idx)) found.set(idx, { at: this.i, value: this.i });
        this.skipValue();
        this.ws();
        if (t[this.i] === ',') this.i++;
        else break;
      }
    }
    for (const [seg, child] of node.children) {
      const f = found.get(seg);
      if (f === undefined) endAll(child, start, offsets);
      else {
        this.i = f.value;
        this.visit(child, f.at, offsets);
      }
    }
  }
}

/** Every path in a subtree ends at `at` (its first segment is missing). */
function endAll(node: PathNode, at: number, offsets: number[]): void {
  for (const k of node.ends) offsets[k] = at;
  for (const child of node.children.values()) endAll(child, at, offsets);
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
