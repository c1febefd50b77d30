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
      // decodeValue works in place: copy objects so the caller's document is left as it was.
      return decodeValue(raw !== null && typeof raw === 'object' ? structuredClone(raw) : raw);
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
    const keys = Object.keys(raw);
    if (keys.length !== 1 || VALUE_TAGS.includes(keys[0]!) || keys[0] === 'Ref') return;
    const tag = closest(keys[0]!, [...VALUE_TAGS, 'Ref']);
    if (tag !== null) {
      this.warn(path, `${JSON.stringify(keys[0])} is not a value tag, so this value is an object with one key; did you mean ${JSON.stringify(tag)}?`);
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
