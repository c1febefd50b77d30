// The problems a rule file has, each with its JSON path and the rule it is in, and the checks
// that rules, conditions and actions share: JSON shapes, strings and values (a value whose
// tag is misspelt is read as an object, so that gets a warning).

import type { RuleIssue } from './errors.js';
import { closest, didYouMean, jsonPathKey as key } from './suggest.js';
import { decodeValue, ValueDecodeError, type FieldMap, type Value } from './value.js';

export type Json = unknown;
export type Obj = Record<string, Json>;

const VALUE_TAGS = ['String', 'Integer', 'Float', 'Boolean', 'Array', 'Object', 'Date', 'Null'];

/** A did-you-mean for a value that should have been one of `known`; '' for non-strings. */
export function suggest(v: Json, known: readonly string[]): string {
  return typeof v === 'string' ? didYouMean(v, known) : '';
}

export function isObj(v: Json): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function typeName(v: Json): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v).slice(0, 40)}`;
}

/**
 * Whether decodeValue would change this parsed value in place: it rewrites the elements of
 * arrays and the members of objects that are objects themselves or the string "Null".
 */
function decodeChanges(raw: Json): boolean {
  if (raw === null || typeof raw !== 'object') return false;
  if (Array.isArray(raw)) return true;
  for (const k in raw) {
    const v = (raw as Obj)[k];
    if ((v !== null && typeof v === 'object') || v === 'Null') return true;
  }
  return false;
}

export class RuleIssueLog {
  readonly errors: RuleIssue[] = [];
  readonly warnings: RuleIssue[] = [];
  /** The rule being read, named in each issue. */
  protected ruleId: number | undefined;
  protected ruleName: string | undefined;

  error(path: string, message: string): void {
    this.errors.push({ path, message, ruleId: this.ruleId, ruleName: this.ruleName });
  }

  warn(path: string, message: string): void {
    this.warnings.push({ path, message, ruleId: this.ruleId, ruleName: this.ruleName });
  }

  str(obj: Obj, k: string, path: string, nonEmpty = false): string | undefined {
    const v = obj[k];
    if (typeof v !== 'string' || (nonEmpty && v === '')) {
      this.error(key(path, k), `expected ${nonEmpty ? 'a non-empty string' : 'a string'}, got ${v === undefined ? 'nothing' : typeName(v)}`);
      return undefined;
    }
    return v;
  }

  /** Decodes a value; undefined (after recording an error) when it is malformed. */
  value(raw: Json, path: string): Value | undefined {
    if (raw === undefined) {
      this.error(path, 'expected a value');
      return undefined;
    }
    this.misspelledTag(raw, path);
    try {
      // decodeValue works in place: objects it would change are copied, so the caller's
      // document is left as it was. Most values are tagged scalars (`{"Float": 10}`), which
      // it does not change: cloning each of bench enterprise's 400 took ~1 ms.
      return decodeValue(decodeChanges(raw) ? structuredClone(raw) : raw);
    } catch (e) {
      if (e instanceof ValueDecodeError) {
        this.error(path + e.path, e.message);
        return undefined;
      }
      throw e;
    }
  }

  /** Warns about `{"Strng": …}` and the like, which would be read as a plain object. */
  private misspelledTag(raw: Json, path: string): void {
    if (!isObj(raw)) return;
    // The object's one key, counted as decodeValue counts them (for-in: no key array made).
    let only: string | undefined;
    for (const k in raw) {
      if (only !== undefined) return;
      only = k;
    }
    if (only === undefined || VALUE_TAGS.includes(only) || only === 'Ref') return;
    const tag = closest(only, [...VALUE_TAGS, 'Ref']);
    if (tag !== null) {
      this.warn(path, `${JSON.stringify(only)} is not a value tag, so this value is an object with one key; did you mean ${JSON.stringify(tag)}?`);
    }
  }

  fieldMap(raw: Json, path: string): FieldMap | undefined {
    if (!isObj(raw)) {
      this.error(path, `expected an object of field values, got ${typeName(raw)}`);
      return undefined;
    }
    const out: FieldMap = {};
    let ok = true;
    for (const k of Object.keys(raw)) {
      const v = this.value(raw[k], key(path, k));
      if (v === undefined) ok = false;
      else out[k] = v;
    }
    return ok ? out : undefined;
  }
}
