// Rule-file validation: turns the wire JSON of docs/rules.md (a JSON array of rules or
// {"rules":[...]}) into typed Rules, collecting every problem with its JSON path.

import { ActionValidator, type RuleChecks } from './action-rules.js';
import { validateAggregation, validateStream } from './deferred-rules.js';
import type { RuleIssue } from './errors.js';
import { type Json, type Obj, isObj, RuleIssueLog, suggest, typeName } from './rule-issues.js';
import { crossProductHint, dateStringHint } from './rule-lint.js';
import { closest, warnUnknownKeys } from './suggest.js';
import { OPERATORS, type Action, type Condition, type Operator, type Pattern, type Rule } from './types.js';

export type { RuleChecks } from './action-rules.js';

export interface RuleValidation {
  readonly rules: Rule[];
  readonly errors: RuleIssue[];
  readonly warnings: RuleIssue[];
  /** Entries in the document's rule list, valid or not (0 when it has no list). */
  readonly entries: number;
}

export interface ValidationOptions {
  /**
   * Also warn where a valid rule will likely not do what it looks like (`validate`): a
   * field compared with a date written as a plain string, a join without a hash key.
   */
  readonly lint?: boolean;
}

const RULE_KEYS = ['id', 'name', 'conditions', 'actions', 'salience', 'patterns', 'description', 'enabled', 'tags', 'priority'];
const SIMPLE_KEYS = ['field', 'operator', 'value'];
const COMPLEX_KEYS = ['operator', 'conditions'];
const PATTERN_KEYS = ['alias', 'conditions', 'not', 'exists'];
/** Every key some condition shape has, for suggestions when a condition has none of its shapes. */
const CONDITION_KEYS = [
  ...SIMPLE_KEYS,
  'conditions',
  'aggregation_type',
  'source_field',
  'group_by',
  'having',
  'alias',
  'window',
  'window_spec',
  'aggregation',
  'filter',
];
class Validator extends RuleIssueLog {
  private readonly actions: ActionValidator;
  private readonly lint: boolean;

  constructor(checks: RuleChecks, lint: boolean) {
    super();
    this.actions = new ActionValidator(this, checks);
    this.lint = lint;
  }

  /** Entries of the rule list. */
  entries = 0;

  file(doc: Json): Rule[] {
    let list: Json;
    let base: string;
    if (Array.isArray(doc)) {
      list = doc;
      base = '$';
    } else if (isObj(doc) && Array.isArray(doc.rules)) {
      list = doc.rules;
      base = '$.rules';
    } else {
      this.error('$', `expected a JSON array of rules or {"rules":[...]}, got ${typeName(doc)}`);
      return [];
    }
    const rules: Rule[] = [];
    const seen = new Map<number, string>();
    this.entries = (list as Json[]).length;
    if (this.entries === 0) this.warn(base, 'the file holds no rules: nothing will ever fire');
    (list as Json[]).forEach((raw, i) => {
      const path = `${base}[${i}]`;
      const rule = this.rule(raw, path);
      // Duplicate ids are reported even for rules with other errors.
      const id = isObj(raw) ? raw.id : undefined;
      if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) {
        const prior = seen.get(id);
        if (prior !== undefined) {
          this.error(`${path}.id`, `duplicate rule id ${id} (also at ${prior})`);
          return;
        }
        seen.set(id, path);
      }
      if (rule !== null) rules.push(rule);
    });
    return rules;
  }

  private rule(raw: Json, path: string): Rule | null {
    this.ruleId = undefined;
    this.ruleName = undefined;
    if (!isObj(raw)) {
      this.error(path, `expected a rule object, got ${typeName(raw)}`);
      return null;
    }
    const before = this.errors.length;
    const id = raw.id;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
      this.error(`${path}.id`, `expected a non-negative integer rule id, got ${typeName(id)}`);
    } else this.ruleId = id;
    const name = raw.name;
    if (typeof name !== 'string') this.error(`${path}.name`, `expected a string rule name, got ${typeName(name)}`);
    else this.ruleName = name;
    let salience = 0;
    if (raw.salience !== undefined && raw.salience !== null) {
      if (typeof raw.salience !== 'number' || !Number.isSafeInteger(raw.salience)) {
        this.error(`${path}.salience`, `expected an integer salience, got ${typeName(raw.salience)}`);
      } else salience = raw.salience;
    }
    warnUnknownKeys(raw, RULE_KEYS, path, 'rule', (p, m) => this.warn(p, m));
    if (raw.enabled === false) this.warn(`${path}.enabled`, '"enabled": false is not honoured: the rule runs; remove the rule to turn it off');

    let patterns: Pattern[] | null = null;
    let conditions: Condition[] = [];
    if (raw.patterns !== undefined && raw.patterns !== null) {
      patterns = this.patterns(raw.patterns, `${path}.patterns`);
      if (Array.isArray(raw.conditions) && raw.conditions.length > 0) {
        this.error(`${path}.conditions`, 'a rule with patterns keeps its conditions inside the patterns; leave "conditions" out or empty');
      }
    } else if (raw.conditions === undefined) {
      this.error(`${path}.conditions`, 'expected "conditions" (an array; may be empty) or "patterns"');
    } else {
      conditions = this.conditionList(raw.conditions, `${path}.conditions`, null, true);
    }

    const aliases = patterns ? patterns.map((p) => p.alias) : null;
    const actions: Action[] = [];
    if (!Array.isArray(raw.actions)) {
      this.error(`${path}.actions`, `expected an array of actions, got ${typeName(raw.actions)}`);
    } else {
      raw.actions.forEach((a, i) => {
        const action = this.actions.action(a, `${path}.actions[${i}]`, aliases, patterns);
        if (action) actions.push(action);
      });
    }
    if (this.errors.length > before) return null;
    return { id: id as number, name: name as string, salience, conditions, patterns, actions, path };
  }

  private patterns(raw: Json, path: string): Pattern[] {
    if (!Array.isArray(raw) || raw.length === 0) {
      this.error(path, `expected a non-empty array of patterns, got ${typeName(raw)}`);
      return [];
    }
    const out: Pattern[] = [];
    const seen = new Set<string>();
    /** Aliases of not/exists patterns: they bind no fact, so nothing can Ref them. */
    const unbound = new Set<string>();
    raw.forEach((p, i) => {
      const pp = `${path}[${i}]`;
      if (!isObj(p)) {
        this.error(pp, `expected a pattern object, got ${typeName(p)}`);
        return;
      }
      warnUnknownKeys(p, PATTERN_KEYS, pp, 'pattern', (wp, m) => this.warn(wp, m));
      const alias = p.alias;
      if (typeof alias !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(alias)) {
        this.error(`${pp}.alias`, `expected an alias (letters, digits, _), got ${typeName(alias)}`);
        return;
      }
      if (seen.has(alias)) this.error(`${pp}.alias`, `duplicate alias "${alias}"`);
      const not = p.not === true;
      const exists = p.exists === true;
      for (const flag of ['not', 'exists'] as const) {
        if (p[flag] !== undefined && typeof p[flag] !== 'boolean') this.error(`${pp}.${flag}`, `expected true or false, got ${typeName(p[flag])}`);
      }
      if (not && exists) this.error(pp, 'a pattern cannot be both "not" and "exists"');
      if (i === 0 && (not || exists)) this.error(pp, 'the first pattern cannot be "not" or "exists": actions act on its fact');
      const conditions = this.conditionList(p.conditions ?? [], `${pp}.conditions`, { earlier: new Set(seen), unbound: new Set(unbound), self: alias });
      if (this.lint && i > 0) {
        const hint = crossProductHint(
          conditions,
          alias,
          not || exists,
          [...seen].filter((a) => !unbound.has(a)),
        );
        if (hint) this.warn(`${pp}.conditions`, hint);
      }
      seen.add(alias);
      if (not || exists) unbound.add(alias);
      out.push({ alias, conditions, not, exists });
    });
    return out;
  }

  /** `topLevel`: the rule's own condition list, where end-of-input conditions may stand. */
  private conditionList(raw: Json, path: string, scope: RefScope | null, topLevel = false): Condition[] {
    if (!Array.isArray(raw)) {
      this.error(path, `expected an array of conditions, got ${typeName(raw)}`);
      return [];
    }
    const out: Condition[] = [];
    raw.forEach((c, i) => {
      const cond = this.condition(c, `${path}[${i}]`, scope, topLevel);
      if (cond) out.push(cond);
    });
    return out;
  }

  private condition(raw: Json, path: string, scope: RefScope | null, topLevel = false): Condition | null {
    if (!isObj(raw)) {
      this.error(path, `expected a condition object, got ${typeName(raw)}`);
      return null;
    }
    if ('field' in raw && 'operator' in raw && 'value' in raw) return this.simple(raw, path, scope);
    if ('conditions' in raw) {
      warnUnknownKeys(raw, COMPLEX_KEYS, path, 'complex condition', (p, m) => this.warn(p, m));
      const op = raw.operator ?? 'And';
      if (op !== 'And' && op !== 'Or' && op !== 'Not') {
        this.error(`${path}.operator`, `expected "And", "Or" or "Not" for a complex condition, got ${typeName(op)}${suggest(op, ['And', 'Or', 'Not'])}`);
        return null;
      }
      const kind = op === 'And' ? 'and' : op === 'Or' ? 'or' : 'not';
      return { kind, conditions: this.conditionList(raw.conditions, `${path}.conditions`, scope) };
    }
    if ('aggregation_type' in raw || 'window_spec' in raw) {
      const what = 'aggregation_type' in raw ? 'an Aggregation' : 'a Stream';
      if (!topLevel) {
        this.error(
          path,
          `${what} condition is decided at end of input and may only stand in a rule's own "conditions" list, not inside And/Or/Not, a pattern, a filter or a having`,
        );
        return null;
      }
      const error = (p: string, m: string) => this.error(p, m);
      const warn = (p: string, m: string) => this.warn(p, m);
      const nested = (r: unknown, p: string) => this.condition(r, p, null);
      return 'aggregation_type' in raw ? validateAggregation(raw, path, error, nested, warn) : validateStream(raw, path, error, nested, warn);
    }
    const missing = SIMPLE_KEYS.filter((k) => !(k in raw));
    // Name the keys that are probably typos of the missing ones.
    const typos = Object.keys(raw)
      .filter((k) => !CONDITION_KEYS.includes(k))
      .map((k) => {
        const c = closest(k, CONDITION_KEYS);
        return c === null ? `unknown key ${JSON.stringify(k)}` : `${JSON.stringify(k)} (did you mean ${JSON.stringify(c)}?)`;
      });
    this.error(
      path,
      `expected a Simple condition {field, operator, value} (missing ${missing.join(', ')}), a Complex {operator, conditions}, an Aggregation or a Stream condition` +
        (typos.length > 0 ? `; found ${typos.join(', ')}` : ''),
    );
    return null;
  }

  private simple(raw: Obj, path: string, scope: RefScope | null): Condition | null {
    warnUnknownKeys(raw, SIMPLE_KEYS, path, 'condition', (p, m) => this.warn(p, m));
    const field = raw.field;
    let ok = true;
    if (typeof field !== 'string' || field === '') {
      this.error(`${path}.field`, `expected a non-empty field name, got ${typeName(field)}`);
      ok = false;
    }
    const op = raw.operator;
    if (typeof op !== 'string' || !(OPERATORS as readonly string[]).includes(op)) {
      this.error(`${path}.operator`, `expected one of ${OPERATORS.join(', ')}; got ${typeName(op)}${suggest(op, OPERATORS)}`);
      ok = false;
    }
    const rawValue = raw.value;
    if (isObj(rawValue) && 'Ref' in rawValue && Object.keys(rawValue).length === 1) {
      const ref = this.ref(rawValue.Ref, `${path}.value.Ref`, scope);
      if (!ref || !ok) return null;
      return { kind: 'simple', field: field as string, operator: op as Operator, value: null, ref };
    }
    const value = this.value(rawValue, `${path}.value`);
    if (value === undefined || !ok) return null;
    if (this.lint) {
      const hint = dateStringHint(value, op as Operator);
      if (hint) this.warn(`${path}.value`, hint);
    }
    return { kind: 'simple', field: field as string, operator: op as Operator, value, ref: null };
  }

  private ref(raw: Json, path: string, scope: RefScope | null): { alias: string; field: string } | null {
    if (scope === null) {
      this.error(path, 'a Ref is only allowed inside a pattern of a multi-fact rule');
      return null;
    }
    const m = typeof raw === 'string' ? /^([A-Za-z_][A-Za-z0-9_]*)\.(.+)$/.exec(raw) : null;
    if (!m) {
      this.error(path, `expected "alias.field", got ${typeName(raw)}`);
      return null;
    }
    const alias = m[1]!;
    if (alias === scope.self) {
      this.error(path, `Ref "${raw as string}" names the pattern's own alias; a Ref must name an earlier pattern`);
      return null;
    }
    if (!scope.earlier.has(alias)) {
      this.error(path, `Ref "${raw as string}" names unknown or later alias "${alias}"; a Ref must name an earlier pattern`);
      return null;
    }
    if (scope.unbound.has(alias)) {
      this.error(path, `Ref "${raw as string}" names alias "${alias}" of a not/exists pattern, which binds no fact`);
      return null;
    }
    return { alias, field: m[2]! };
  }
}

interface RefScope {
  readonly earlier: ReadonlySet<string>;
  readonly unbound: ReadonlySet<string>;
  readonly self: string;
}

/** Validates a parsed rule document. Never throws for bad input: problems are returned. */
export function validateRules(doc: unknown, checks: RuleChecks, options: ValidationOptions = {}): RuleValidation {
  const v = new Validator(checks, options.lint === true);
  const rules = v.file(doc);
  return { rules, errors: v.errors, warnings: v.warnings, entries: v.entries };
}
