// Reads a json-rules-engine rule file (one rule, an array of rules, {"rules": […]}, or
// {"conditions": {name: …}, "rules": […]} with shared conditions) into rete-eval Rules: each
// rule keeps its conditions (conditions.ts), `priority` becomes salience, `name` the rule
// name, and its event becomes the one action, written on every firing as the rule has it.
// Every problem carries its JSON path; the result has the shape rule validation returns.

import type { RuleIssue } from '../model/errors.js';
import type { RuleValidation } from '../model/rules.js';
import { warnUnknownKeys } from '../model/suggest.js';
import type { JreEvent, Rule } from '../model/types.js';
import { checkNumbers, has, isObj, type Issues, rootConditions, SharedConditions, typeName } from './conditions.js';

export interface JreTranslateOptions {
  /** The rule id of the file's first rule (the rest follow in file order). Default 0. */
  readonly firstId?: number;
  /** Also warn about conditions that are valid but likely not what was meant (validate). */
  readonly lint?: boolean;
}

const RULE_KEYS = ['conditions', 'event', 'name', 'priority', 'onSuccess', 'onFailure'];

class Collector implements Issues {
  readonly errors: RuleIssue[] = [];
  readonly warnings: RuleIssue[] = [];
  ruleId: number | undefined;
  ruleName: string | undefined;
  constructor(readonly lint: boolean) {}
  error(path: string, message: string): void {
    this.errors.push({ path, message, ruleId: this.ruleId, ruleName: this.ruleName });
  }
  warn(path: string, message: string): void {
    this.warnings.push({ path, message, ruleId: this.ruleId, ruleName: this.ruleName });
  }
}

/** The event as json-rules-engine emits it: its type, and its params when they are truthy. */
function event(raw: unknown, path: string, issues: Issues): JreEvent | null {
  if (!isObj(raw)) {
    issues.error(path, `expected an event {"type": …, "params": {…}}, got ${typeName(raw)}`);
    return null;
  }
  if (!has(raw, 'type')) {
    issues.error(path, 'expected an event with a "type" (json-rules-engine requires one)');
    return null;
  }
  warnUnknownKeys(raw, ['type', 'params'], path, 'event', (p, m) => issues.warn(p, m));
  const ok = checkNumbers(raw.type, `${path}.type`, issues) && checkNumbers(raw.params, `${path}.params`, issues);
  if (!ok) return null;
  return raw.params ? { type: raw.type, params: raw.params } : { type: raw.type };
}

/** `priority` as json-rules-engine reads it (missing or falsy: 1; else parseInt, which must be > 0). */
function priority(raw: unknown, path: string, issues: Issues): number | null {
  if (!raw) return 1;
  const n = typeof raw === 'number' || typeof raw === 'string' ? Number.parseInt(String(raw), 10) : Number.NaN;
  if (!Number.isSafeInteger(n) || n <= 0) {
    const why = n <= 0 ? ' (json-rules-engine refuses priorities below 1)' : '';
    issues.error(path, `expected a positive integer priority, got ${typeName(raw)}${why}`);
    return null;
  }
  return n;
}

function rule(raw: unknown, path: string, id: number, shared: SharedConditions, issues: Collector): Rule | null {
  issues.ruleId = id;
  issues.ruleName = undefined;
  if (!isObj(raw)) {
    issues.error(path, `expected a json-rules-engine rule {"conditions": {...}, "event": {...}}, got ${typeName(raw)}`);
    return null;
  }
  const before = issues.errors.length;
  // json-rules-engine names a rule only when its name is truthy or 0.
  const named = raw.name || raw.name === 0;
  const name = !named ? `rule ${id}` : typeof raw.name === 'string' ? raw.name : JSON.stringify(raw.name);
  if (named) issues.ruleName = name;
  warnUnknownKeys(raw, RULE_KEYS, path, 'rule', (p, m) => issues.warn(p, m));
  if (has(raw, 'actions'))
    issues.warn(`${path}.actions`, 'json-rules-engine rules have no actions (this looks like a rete-eval rule; a file holds rules of one format)');
  for (const k of ['onSuccess', 'onFailure']) {
    if (has(raw, k))
      issues.error(`${path}.${k}`, `${k} is a JavaScript callback, which a rule file cannot carry; rete-eval writes the rule's event on each firing instead`);
  }
  if (named && typeof raw.name !== 'string') {
    if (!checkNumbers(raw.name, `${path}.name`, issues)) return null;
  }
  const salience = priority(raw.priority, `${path}.priority`, issues);
  let conditions = null;
  if (!has(raw, 'conditions')) issues.error(`${path}.conditions`, 'expected "conditions" (json-rules-engine requires them)');
  else conditions = rootConditions(raw.conditions, `${path}.conditions`, shared, issues);
  let ev = null;
  if (!has(raw, 'event')) issues.error(`${path}.event`, 'expected an "event" {"type": …} (json-rules-engine requires one)');
  else ev = event(raw.event, `${path}.event`, issues);
  if (issues.errors.length > before || conditions === null || ev === null || salience === null) return null;
  return { id, name, salience, conditions, patterns: null, actions: [{ kind: 'Event', event: ev, target: null }], path };
}

/**
 * Translates a parsed json-rules-engine rule file. Never throws for bad input: problems are
 * returned, each with its JSON path. Rule ids are the rules' positions from `firstId` on.
 */
export function translateJreRules(doc: unknown, options: JreTranslateOptions = {}): RuleValidation {
  const issues = new Collector(options.lint === true);
  const firstId = options.firstId ?? 0;
  let list: unknown[];
  let single = false;
  let base = '$';
  let defs: Record<string, unknown> | null = null;
  if (Array.isArray(doc)) list = doc;
  else if (isObj(doc) && has(doc, 'rules')) {
    warnUnknownKeys(doc, ['rules', 'conditions'], '$', 'top-level', (p, m) => issues.warn(p, m));
    if (!Array.isArray(doc.rules)) {
      issues.error('$.rules', `expected an array of rules, got ${typeName(doc.rules)}`);
      return { rules: [], errors: issues.errors, warnings: issues.warnings, entries: 0 };
    }
    list = doc.rules;
    base = '$.rules';
    if (has(doc, 'conditions')) {
      if (isObj(doc.conditions)) defs = doc.conditions;
      else issues.error('$.conditions', `expected shared conditions {"name": {"all": [...]}, …}, got ${typeName(doc.conditions)}`);
    }
  } else if (isObj(doc)) {
    list = [doc];
    single = true;
  } else {
    issues.error('$', `expected a json-rules-engine rule, an array of rules or {"rules": [...]}, got ${typeName(doc)}`);
    return { rules: [], errors: issues.errors, warnings: issues.warnings, entries: 0 };
  }
  const shared = new SharedConditions(defs, issues);
  // Every shared condition first, each reported at its own path and for no rule in particular.
  shared.checkAll();
  if (list.length === 0) issues.warn(base, 'the file holds no rules: nothing will ever fire');
  const rules: Rule[] = [];
  list.forEach((raw, i) => {
    const r = rule(raw, single ? '$' : `${base}[${i}]`, firstId + i, shared, issues);
    if (r !== null) rules.push(r);
  });
  return { rules, errors: issues.errors, warnings: issues.warnings, entries: list.length };
}
