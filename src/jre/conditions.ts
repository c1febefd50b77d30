// Translates the conditions of a json-rules-engine rule file into rete-eval conditions, with
// json-rules-engine's meaning: `all` → And, `any` → Or (an empty `any` holds, as there),
// `not` → Not, a fact condition → a JreCondition, `{"condition": name}` → the shared condition
// it names. Whatever json-rules-engine would refuse or rete-eval cannot honour is an error at
// its JSON path, with the reason; whatever json-rules-engine ignores is a warning.

import { JRE_OPERATORS, type Condition, type JreCondition, type JreFactRead, type JreOperator } from '../model/types.js';
import { closest, didYouMean, jsonPathKey, warnUnknownKeys } from '../model/suggest.js';
import { parseJrePath } from './path.js';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function has(o: Obj, k: string): boolean {
  return Object.hasOwn(o, k);
}

export function typeName(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v).slice(0, 40)}`;
}

/** Where problems go: errors make the rule invalid, warnings do not. */
export interface Issues {
  error(path: string, message: string): void;
  warn(path: string, message: string): void;
  /** Also warn about conditions that are valid but likely not what was meant (validate). */
  readonly lint: boolean;
}

/** In json-rules-engine's order of precedence: with several present, the first one found is used. */
const BOOLEAN_KEYS = ['any', 'all', 'not'] as const;
const FACT_KEYS = ['fact', 'operator', 'value', 'path', 'params'];
const FACT_CONDITION_KEYS = [...FACT_KEYS, 'priority', 'name'];
const BOOLEAN_CONDITION_KEYS = [...BOOLEAN_KEYS, 'priority', 'name'];
const REFERENCE_KEYS = ['condition', 'priority', 'name'];
const DECORATORS = ['someFact', 'someValue', 'everyFact', 'everyValue', 'swap', 'not'];

const PARAMS_REASON =
  'params are passed to facts computed by functions (engine.addFact with a function), which a rule file cannot carry; here the facts are the keys of each record';

/**
 * Checks that every number of a JSON value is held exactly: JSON.parse rounds integers past
 * ±(2^53−1) and turns 1e400 into Infinity, silently; such a value is refused, never used.
 */
export function checkNumbers(v: unknown, path: string, issues: Issues): boolean {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) {
      issues.error(path, 'a number beyond the range of a 64-bit float (JSON.parse makes it Infinity); write it as a string');
      return false;
    }
    if (Number.isInteger(v) && Math.abs(v) > Number.MAX_SAFE_INTEGER) {
      issues.error(
        path,
        `the number ${v} is an integer beyond ±(2^53−1), which JSON.parse cannot hold exactly (it may already be rounded); write it as a string`,
      );
      return false;
    }
    return true;
  }
  if (v === null || typeof v !== 'object') return true;
  let ok = true;
  if (Array.isArray(v)) for (let i = 0; i < v.length; i++) ok = checkNumbers(v[i], `${path}[${i}]`, issues) && ok;
  else for (const k of Object.keys(v)) ok = checkNumbers((v as Obj)[k], jsonPathKey(path, k), issues) && ok;
  return ok;
}

/** The shared conditions of a file (`{"conditions": {name: …}, "rules": […]}`), translated once each, on first use. */
export class SharedConditions {
  private readonly defs: Obj | null;
  private readonly resolved = new Map<string, Condition | null>();
  /** Names being translated, in order, to find a condition that refers to itself. */
  private readonly resolving: string[] = [];
  constructor(
    defs: Obj | null,
    private readonly issues: Issues,
  ) {
    this.defs = defs;
  }

  /** The condition named `name`, translated (null after reporting why it cannot be). */
  get(name: string, refPath: string): Condition | null {
    const defs = this.defs;
    if (defs === null || !has(defs, name)) {
      const where = defs === null ? 'the file defines no shared conditions ({"conditions": {name: …}, "rules": […]})' : `it is not in "conditions"`;
      this.issues.error(refPath, `no shared condition named ${JSON.stringify(name)}${defs === null ? '' : didYouMean(name, Object.keys(defs))}: ${where}`);
      return null;
    }
    const known = this.resolved.get(name);
    if (known !== undefined) return known;
    const at = this.resolving.indexOf(name);
    if (at >= 0) {
      const cycle = [...this.resolving.slice(at), name].map((n) => JSON.stringify(n)).join(' → ');
      this.issues.error(
        refPath,
        `shared condition ${JSON.stringify(name)} refers to itself (${cycle}); json-rules-engine would recurse until the stack overflows`,
      );
      return null;
    }
    this.resolving.push(name);
    const c = root(defs[name], jsonPathKey('$.conditions', name), this, this.issues);
    this.resolving.pop();
    this.resolved.set(name, c);
    return c;
  }

  /** Translates every shared condition, also those no rule refers to (json-rules-engine checks each as it is set). */
  checkAll(): void {
    if (this.defs !== null) for (const name of Object.keys(this.defs)) this.get(name, jsonPathKey('$.conditions', name));
  }
}

/**
 * A root condition (a rule's `conditions`, or a shared one): json-rules-engine requires one
 * of all, any, not or condition there. Returns the rule's list of conditions (And-ed).
 */
export function rootConditions(raw: unknown, path: string, shared: SharedConditions, issues: Issues): Condition[] | null {
  const c = root(raw, path, shared, issues);
  if (c === null) return null;
  return c.kind === 'and' ? [...c.conditions] : [c];
}

function root(raw: unknown, path: string, shared: SharedConditions, issues: Issues): Condition | null {
  if (!isObj(raw) || !(has(raw, 'all') || has(raw, 'any') || has(raw, 'not') || has(raw, 'condition'))) {
    const hint = Array.isArray(raw)
      ? ' (an array of conditions is rete-eval\'s own format; write {"all": [...]})'
      : isObj(raw) && has(raw, 'fact')
        ? ' (wrap a single fact condition: {"all": [ ... ]})'
        : '';
    issues.error(
      path,
      `expected {"all": [...]}, {"any": [...]}, {"not": {...}} or {"condition": "name"}: json-rules-engine requires one at the root, got ${typeName(raw)}${hint}`,
    );
    return null;
  }
  return condition(raw, path, shared, issues);
}

/** Any condition below the root. */
function condition(raw: unknown, path: string, shared: SharedConditions, issues: Issues): Condition | null {
  if (!isObj(raw)) {
    issues.error(path, `expected a condition object, got ${typeName(raw)}`);
    return null;
  }
  const bool = BOOLEAN_KEYS.find((k) => has(raw, k)) ?? null;
  if (has(raw, 'condition')) {
    if (bool !== null || has(raw, 'fact')) {
      issues.error(
        path,
        `a reference {"condition": …} must stand alone; this one also has ${JSON.stringify(bool ?? 'fact')}, which json-rules-engine would mix with the referenced condition`,
      );
      return null;
    }
    warnUnknownKeys(raw, REFERENCE_KEYS, path, 'condition reference', (p, m) => issues.warn(p, m));
    const name = raw.condition;
    if (typeof name !== 'string' || name === '') {
      issues.error(`${path}.condition`, `expected the name of a shared condition, got ${typeName(name)}`);
      return null;
    }
    return shared.get(name, `${path}.condition`);
  }
  if (bool !== null) return boolean(raw, bool, path, shared, issues);
  return fact(raw, path, issues);
}

function boolean(raw: Obj, op: (typeof BOOLEAN_KEYS)[number], path: string, shared: SharedConditions, issues: Issues): Condition | null {
  for (const k of BOOLEAN_KEYS) {
    if (k !== op && has(raw, k))
      issues.warn(
        jsonPathKey(path, k),
        `${JSON.stringify(k)} is ignored: with ${JSON.stringify(op)} present, json-rules-engine uses only ${JSON.stringify(op)}`,
      );
  }
  for (const k of FACT_KEYS) {
    if (has(raw, k))
      issues.warn(jsonPathKey(path, k), `${JSON.stringify(k)} is ignored: json-rules-engine reads a condition with ${JSON.stringify(op)} as ${op} only`);
  }
  warnUnknownKeys(raw, [...BOOLEAN_CONDITION_KEYS, ...FACT_KEYS], path, 'condition', (p, m) => issues.warn(p, m));
  const p = `${path}.${op}`;
  const body = raw[op];
  if (op === 'not') {
    if (!isObj(body)) {
      issues.error(p, `expected one condition object (json-rules-engine: "not" cannot be an array), got ${typeName(body)}`);
      return null;
    }
    const c = condition(body, p, shared, issues);
    return c === null ? null : { kind: 'not', conditions: [c] };
  }
  if (!Array.isArray(body)) {
    issues.error(p, `expected an array of conditions, got ${typeName(body)}`);
    return null;
  }
  let ok = true;
  const children: Condition[] = [];
  body.forEach((x, i) => {
    const c = condition(x, `${p}[${i}]`, shared, issues);
    if (c === null) ok = false;
    else children.push(c);
  });
  if (!ok) return null;
  if (op === 'any' && children.length === 0) {
    if (issues.lint) issues.warn(p, 'an empty "any" holds for every record in json-rules-engine (as an empty "all" does)');
    return { kind: 'and', conditions: [] };
  }
  return { kind: op === 'all' ? 'and' : 'or', conditions: children };
}

/** A fact read (`fact` and `path`, of a condition or of a `{"fact": …}` value). */
function factRead(raw: Obj, path: string, issues: Issues): JreFactRead | null {
  let ok = true;
  const f = raw.fact;
  if (typeof f !== 'string' || f === '') {
    const why = f === '' ? ' (json-rules-engine refuses an empty fact id, so no record key "" is ever a fact)' : '';
    issues.error(`${path}.fact`, `expected a fact name: a non-empty string, the record key to read${why}; got ${typeName(f)}`);
    ok = false;
  }
  if (has(raw, 'params')) {
    issues.error(`${path}.params`, PARAMS_REASON);
    ok = false;
  }
  let keys: string[] | null = null;
  let pathText: string | null = null;
  const p = raw.path;
  if (p !== undefined && p !== '' && p !== null) {
    if (typeof p !== 'string') {
      issues.error(`${path}.path`, `expected a JSONPath string such as "$.a.b", got ${typeName(p)}`);
      ok = false;
    } else {
      const parsed = parseJrePath(p);
      if ('error' in parsed) {
        issues.error(`${path}.path`, parsed.error);
        ok = false;
      } else {
        pathText = p;
        // `$` alone reads the fact whole, as no path does.
        keys = parsed.keys.length === 0 ? null : parsed.keys;
      }
    }
  }
  return ok ? { fact: f as string, path: keys, pathText: keys === null ? null : pathText } : null;
}

function operatorProblem(op: unknown): string {
  if (typeof op === 'string' && op.includes(':')) {
    const decorators = op.split(':').slice(0, -1);
    if (decorators.every((d) => DECORATORS.includes(d))) {
      return `operator decorators (${decorators.map((d) => `${d}:`).join(' ')}) are not supported; the operators are ${JRE_OPERATORS.join(', ')}`;
    }
  }
  const known = typeof op === 'string' ? closest(op, JRE_OPERATORS) : null;
  const custom =
    typeof op === 'string' && known === null
      ? ': a custom operator (engine.addOperator) is JavaScript code, which a rule file cannot carry, so rete-eval cannot run it'
      : '';
  return `expected one of json-rules-engine's operators ${JRE_OPERATORS.join(', ')}; got ${typeName(op)}${known !== null ? ` (did you mean ${JSON.stringify(known)}?)` : custom}`;
}

function fact(raw: Obj, path: string, issues: Issues): JreCondition | null {
  const missing = ['fact', 'operator', 'value'].filter((k) => !has(raw, k));
  if (missing.length > 0) {
    const typos = Object.keys(raw)
      .filter((k) => !FACT_CONDITION_KEYS.includes(k))
      .map((k) => {
        const c = closest(k, [...FACT_CONDITION_KEYS, ...BOOLEAN_KEYS, 'condition']);
        return c === null ? `unknown key ${JSON.stringify(k)}` : `${JSON.stringify(k)} (did you mean ${JSON.stringify(c)}?)`;
      });
    issues.error(
      path,
      `expected a fact condition {fact, operator, value} (missing ${missing.join(', ')}), {"all"|"any": [...]}, {"not": {...}} or {"condition": "name"}` +
        (typos.length > 0 ? `; found ${typos.join(', ')}` : ''),
    );
    return null;
  }
  warnUnknownKeys(raw, FACT_CONDITION_KEYS, path, 'condition', (p, m) => issues.warn(p, m));
  const read = factRead(raw, path, issues);
  const op = raw.operator;
  let ok = read !== null;
  if (typeof op !== 'string' || !(JRE_OPERATORS as readonly string[]).includes(op)) {
    issues.error(`${path}.operator`, operatorProblem(op));
    ok = false;
  }
  const value = raw.value;
  const vp = `${path}.value`;
  let ref: JreFactRead | null = null;
  if (isObj(value) && has(value, 'fact')) {
    // json-rules-engine reads any object value with a "fact" key as another fact's value.
    warnUnknownKeys(value, ['fact', 'path', 'params'], vp, 'fact value', (p, m) => issues.warn(p, m));
    ref = factRead(value, vp, issues);
    if (ref === null) ok = false;
  } else {
    if (!checkNumbers(value, vp, issues)) ok = false;
    if ((op === 'in' || op === 'notIn') && !Array.isArray(value) && typeof value !== 'string') {
      issues.error(
        vp,
        `expected an array (or a string) for ${op}: json-rules-engine calls value.indexOf(fact), which throws a TypeError on ${typeName(value)}`,
      );
      ok = false;
    }
    if (issues.lint && value !== null && typeof value === 'object' && ['equal', 'notEqual', 'contains', 'doesNotContain'].includes(op as string)) {
      issues.warn(
        vp,
        `json-rules-engine compares with ===, so ${op === 'equal' || op === 'contains' ? 'no' : 'every'} record matches: ${Array.isArray(value) ? 'an array' : 'an object'} written in the rule is never the same object as a record's value`,
      );
    }
  }
  if (!ok) return null;
  return { kind: 'jre', ...read!, operator: op as JreOperator, value: ref === null ? value : undefined, ref };
}
