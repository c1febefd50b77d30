// Fact reads of json-rules-engine conditions: a fact is a top-level key of the record, and a
// `path` is the subset of JSONPath its users write (`$.a.b`, `$.items[0].sku`, `$['odd key']`),
// resolved as json-rules-engine resolves it through jsonpath-plus: one step per key, followed
// only from a truthy value that has the key as an own property (so a string's indexes and
// `length` are followed too), and a fact that is not an object is returned whole, path or not.

import type { JreFactRead } from '../model/types.js';
import type { FieldMap } from '../model/value.js';
import { plainOf } from './operators.js';

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Characters a key may not hold: JSONPath's own syntax, and what jsonpath-plus treats
 * specially anywhere in a path (`^` parents, `~` property names, `@` types, `(…)` scripts,
 * `,` unions, `:` slices, `$` the root, `*` wildcards, backticks, and `%`, `#`, `;` that it
 * uses internally while splitting), so every key accepted is read literally.
 */
const SPECIAL = new Set([...'.[]\'"\\*~^@$()?:,;%#`']);

/** Why a path is outside the subset, when a feature can be named. */
function feature(text: string): string | null {
  if (text.includes('..')) return 'recursive descent (..)';
  if (text.includes('?(')) return 'filter expressions ([?(…)])';
  if (text.includes('*')) return 'wildcards (*)';
  if (/\[[^\]'"]*:/.test(text)) return 'array slices ([a:b])';
  if (/\[[^\]'"]*,/.test(text)) return 'unions ([a,b])';
  if (text.includes('(')) return 'script expressions';
  if (text.includes('^') || text.includes('~')) return "jsonpath-plus's ^ and ~ operators";
  if (text.includes('@')) return 'type selectors (@string() …)';
  return null;
}

/** A dotted key stops at a dot and holds no white space; a quoted key may hold both. */
function isNameChar(c: string, quoted: boolean): boolean {
  return quoted ? c === '.' || !SPECIAL.has(c) : !SPECIAL.has(c) && !/\s/.test(c);
}

const QUOTED_SPECIAL = [...SPECIAL].filter((c) => c !== '.').join(' ');

const SUBSET = "rete-eval reads only the simple JSONPath subset: $.a.b, $.items[0].sku, $['odd key']";

/**
 * The keys of a JSONPath in the subset (`$` may be left out: `a.b` is read as jsonpath-plus
 * reads it, as `$.a.b`), or why it is not in it.
 */
export function parseJrePath(text: string): { readonly keys: string[] } | { readonly error: string } {
  const keys: string[] = [];
  let i = 0;
  const fail = (what: string) => {
    const named = feature(text);
    return { error: named !== null ? `${JSON.stringify(text)} uses ${named}; ${SUBSET}` : `${what}; ${SUBSET}` };
  };
  const name = (quoted: boolean): string => {
    const start = i;
    while (i < text.length && isNameChar(text[i]!, quoted)) i++;
    return text.slice(start, i);
  };
  if (text.startsWith('$')) i = 1;
  else {
    const first = name(false);
    if (first === '') return fail(`expected "$" or a key at the start of ${JSON.stringify(text)}`);
    keys.push(first);
  }
  while (i < text.length) {
    const c = text[i]!;
    if (c === '.') {
      i++;
      const k = name(false);
      if (k === '') return fail(`expected a key after "." at position ${i} of ${JSON.stringify(text)}`);
      keys.push(k);
    } else if (c === '[') {
      i++;
      const q = text[i];
      if (q === "'" || q === '"') {
        i++;
        const k = name(true);
        if (k === '' || text[i] !== q || text[i + 1] !== ']') {
          return fail(`expected a non-empty key without any of ${QUOTED_SPECIAL}, closed by ${q}], at position ${i} of ${JSON.stringify(text)}`);
        }
        i += 2;
        keys.push(k);
      } else {
        const start = i;
        while (i < text.length && text[i]! >= '0' && text[i]! <= '9') i++;
        if (i === start || text[i] !== ']') return fail(`expected an array index [0] or a quoted key ['key'] at position ${start} of ${JSON.stringify(text)}`);
        keys.push(text.slice(start, i));
        i++;
      }
    } else {
      return fail(`unexpected ${JSON.stringify(c)} at position ${i} of ${JSON.stringify(text)}`);
    }
  }
  return { keys };
}

/** Compiled once per condition: reads its fact and path from a record's fields. */
export class JreRead {
  readonly fact: string;
  private readonly keys: readonly string[] | null;
  /** The fact is a name plain objects inherit (`constructor`…): only an own key counts. */
  private readonly inherited: boolean;
  constructor(r: JreFactRead) {
    this.fact = r.fact;
    this.keys = r.path;
    this.inherited = r.fact in Object.prototype;
  }

  /** The value json-rules-engine's almanac gives for this fact and path (undefined: none). */
  read(fields: FieldMap): unknown {
    const f = this.fact;
    const v: unknown = this.inherited ? (hasOwn.call(fields, f) ? fields[f] : undefined) : fields[f];
    if (v === null || typeof v !== 'object') return v;
    const keys = this.keys;
    return keys === null ? plainOf(v) : follow(plainOf(v), keys);
  }
}

/** A path followed from a fact value, as jsonpath-plus does (after json-rules-engine applies it to objects only). */
function follow(v: unknown, keys: readonly string[]): unknown {
  if (v === null || typeof v !== 'object') return v;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (!v || !hasOwn.call(v, k)) return undefined;
    v = plainOf((v as Record<string, unknown>)[k]);
  }
  return v;
}
