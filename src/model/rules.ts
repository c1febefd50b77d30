// Rule-file validation: turns the wire JSON of formats.md §3 (a JSON array of rules or
// {"rules":[...]}) into typed Rules, collecting every problem with its JSON path.

import { decodeValue, setOwn, toNumber, ValueDecodeError, type FieldMap, type Value } from './value.js';
import {
  OPERATORS,
  type Action,
  type ActionValue,
  type Condition,
  type NotificationType,
  type Operator,
  type Pattern,
  type Rule,
  type Severity,
} from './types.js';
import type { RuleIssue } from './errors.js';
import { validateAggregation, validateStream } from './deferred-rules.js';
import { crossProductHint, dateStringHint } from './rule-lint.js';
import { closest, didYouMean, jsonPathKey as key, warnUnknownKeys } from './suggest.js';

/**
 * Checks the validator asks of the action compilers (which the model does not import):
 * calculator names and arguments, and Formula syntax.
 */
export interface RuleChecks {
  /** Checks a calculator name and its mapped arguments; returns an error message or null. */
  calculator(name: string, mappedArgs: readonly string[]): string | null;
  /** Parses a formula: the field names it reads, or an error message (with position). */
  formula(expression: string): { readonly fields: readonly string[] } | { readonly error: string };
}

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

const SEVERITIES: readonly Severity[] = ['Low', 'Medium', 'High', 'Critical'];
const NOTIFICATION_TYPES: readonly NotificationType[] = ['Email', 'Sms', 'Push', 'Webhook', 'Slack', 'Teams', 'InApp'];
const RULE_KEYS = ['id', 'name', 'conditions', 'actions', 'salience', 'patterns', 'description', 'enabled', 'tags', 'priority'];
const SIMPLE_KEYS = ['field', 'operator', 'value'];
const COMPLEX_KEYS = ['operator', 'conditions'];
const PATTERN_KEYS = ['alias', 'conditions', 'not', 'exists'];
const ACTION_KEYS = ['action_type', 'target'];
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
/** The members of each action kind's body. */
const ACTION_BODY_KEYS: Record<string, readonly string[]> = {
  Log: ['message'],
  SetField: ['field', 'value'],
  CreateFact: ['data'],
  CallCalculator: ['calculator_name', 'input_mapping', 'output_field'],
  Formula: ['expression', 'output_field'],
  TriggerAlert: ['alert_type', 'message', 'severity', 'metadata'],
  SendNotification: ['recipient', 'subject', 'message', 'notification_type', 'metadata'],
  UpdateFact: ['fact_id_field', 'updates'],
  DeleteFact: ['fact_id_field'],
  IncrementField: ['field', 'increment'],
  AppendToArray: ['field', 'value'],
};
const ACTION_KINDS = Object.keys(ACTION_BODY_KEYS);
const VALUE_TAGS = ['String', 'Integer', 'Float', 'Boolean', 'Array', 'Object', 'Date', 'Null'];

type Json = unknown;
type Obj = Record<string, Json>;

/** A did-you-mean for a value that should have been one of `known`; '' for non-strings. */
function suggest(v: Json, known: readonly string[]): string {
  return typeof v === 'string' ? didYouMean(v, known) : '';
}

function isObj(v: Json): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function typeName(v: Json): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v).slice(0, 40)}`;
}

class Validator {
  readonly errors: RuleIssue[] = [];
  readonly warnings: RuleIssue[] = [];
  private ruleId: number | undefined;
  private ruleName: string | undefined;

  constructor(
    private readonly checks: RuleChecks,
    private readonly lint: boolean,
  ) {}

  error(path: string, message: string): void {
    this.errors.push({ path, message, ruleId: this.ruleId, ruleName: this.ruleName });
  }

  warn(path: string, message: string): void {
    this.warnings.push({ path, message, ruleId: this.ruleId, ruleName: this.ruleName });
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
        const action = this.action(a, `${path}.actions[${i}]`, aliases, patterns);
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

  /** Decodes a value; undefined (after recording an error) when it is malformed. */
  private value(raw: Json, path: string): Value | undefined {
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

  private fieldMap(raw: Json, path: string): FieldMap | undefined {
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

  /**
   * An action's value: a constant, or in a multi-fact rule `{"Ref":"alias.field"}` naming a
   * pattern that binds a fact. In a single-fact rule such an object is a constant (with a warning).
   */
  private actionValue(raw: Json, path: string, patterns: Pattern[] | null): ActionValue | undefined {
    const refText = isObj(raw) && Object.keys(raw).length === 1 && typeof raw.Ref === 'string' ? raw.Ref : null;
    if (refText !== null && patterns === null) {
      this.warn(path, `{"Ref": ${JSON.stringify(refText)}} is written as that object: Refs are read only in the actions of multi-fact rules`);
    }
    if (refText === null || patterns === null) {
      const value = this.value(raw, path);
      return value === undefined ? undefined : { ref: null, value };
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\.(.+)$/.exec(refText);
    if (!m) {
      this.error(`${path}.Ref`, `expected "alias.field", got ${typeName(refText)}`);
      return undefined;
    }
    const pattern = patterns.find((x) => x.alias === m[1]);
    if (!pattern) {
      this.error(`${path}.Ref`, `Ref "${refText}" names unknown alias "${m[1]}"; expected one of ${patterns.map((x) => x.alias).join(', ')}`);
      return undefined;
    }
    if (pattern.not || pattern.exists) {
      this.error(`${path}.Ref`, `Ref "${refText}" names alias "${m[1]}" of a not/exists pattern, which binds no fact`);
      return undefined;
    }
    return { ref: { alias: m[1]!, field: m[2]! }, value: null };
  }

  private actionValues(raw: Json, path: string, patterns: Pattern[] | null): Record<string, ActionValue> | undefined {
    if (!isObj(raw)) {
      this.error(path, `expected an object of field values, got ${typeName(raw)}`);
      return undefined;
    }
    const out: Record<string, ActionValue> = {};
    let ok = true;
    for (const k of Object.keys(raw)) {
      const v = this.actionValue(raw[k], key(path, k), patterns);
      if (v === undefined) ok = false;
      else setOwn(out, k, v);
    }
    return ok ? out : undefined;
  }

  /**
   * A field name an action reads (a Formula name, a calculator input): in a multi-fact rule
   * `alias.field` reads that pattern's fact, so the alias must bind one.
   */
  private boundName(name: string, patterns: Pattern[] | null, path: string): void {
    if (patterns === null) return;
    const dot = name.indexOf('.');
    if (dot < 0) return;
    const pattern = patterns.find((x) => x.alias === name.slice(0, dot));
    if (pattern && (pattern.not || pattern.exists)) {
      this.error(path, `"${name}" reads alias "${pattern.alias}" of a not/exists pattern, which binds no fact`);
    }
  }

  private str(obj: Obj, k: string, path: string, nonEmpty = false): string | undefined {
    const v = obj[k];
    if (typeof v !== 'string' || (nonEmpty && v === '')) {
      this.error(key(path, k), `expected ${nonEmpty ? 'a non-empty string' : 'a string'}, got ${v === undefined ? 'nothing' : typeName(v)}`);
      return undefined;
    }
    return v;
  }

  private action(raw: Json, path: string, aliases: string[] | null, patterns: Pattern[] | null): Action | null {
    if (!isObj(raw) || !isObj(raw.action_type)) {
      const typo = isObj(raw) && raw.action_type === undefined ? Object.keys(raw).find((k) => closest(k, ACTION_KEYS) === 'action_type') : undefined;
      const bare = isObj(raw) ? Object.keys(raw).find((k) => ACTION_KINDS.includes(k)) : undefined;
      const hint =
        typo !== undefined
          ? `; found ${JSON.stringify(typo)} (did you mean "action_type"?)`
          : bare !== undefined
            ? `; found the kind ${JSON.stringify(bare)} unwrapped: write {"action_type": {${JSON.stringify(bare)}: {...}}}`
            : '';
      this.error(path, `expected {"action_type": {"<Kind>": {...}}}, got ${typeName(isObj(raw) ? raw.action_type : raw)}${hint}`);
      return null;
    }
    warnUnknownKeys(raw, ACTION_KEYS, path, 'action', (p, m) => this.warn(p, m));
    let target: string | null = null;
    if (raw.target !== undefined && raw.target !== null) {
      if (aliases === null) {
        this.error(`${path}.target`, '"target" is only allowed in a multi-fact rule (with patterns)');
        return null;
      }
      const t = raw.target;
      const pattern = patterns?.find((p) => p.alias === t);
      if (typeof t !== 'string' || !pattern) {
        this.error(`${path}.target`, `expected one of the rule's aliases (${aliases.join(', ')}), got ${typeName(t)}`);
        return null;
      }
      if (pattern.not || pattern.exists) {
        this.error(`${path}.target`, `alias "${t}" is a not/exists pattern, which binds no fact`);
        return null;
      }
      target = t;
    }
    const kinds = Object.keys(raw.action_type);
    if (kinds.length !== 1) {
      this.error(`${path}.action_type`, `expected exactly one action kind, got ${kinds.length === 0 ? 'none' : kinds.join(', ')}`);
      return null;
    }
    const kind = kinds[0]!;
    const p = `${path}.action_type.${kind}`;
    const body = raw.action_type[kind];
    if (!isObj(body)) {
      this.error(p, `expected an object, got ${typeName(body)}`);
      return null;
    }
    const before = this.errors.length;
    const known = ACTION_BODY_KEYS[kind];
    if (known) warnUnknownKeys(body, known, p, `${kind} action`, (wp, m) => this.warn(wp, m));
    let action: Action | null = null;
    switch (kind) {
      case 'Log': {
        const message = this.str(body, 'message', p);
        if (message !== undefined) action = { kind, message, target };
        break;
      }
      case 'SetField': {
        const field = this.str(body, 'field', p, true);
        const value = this.actionValue(body.value, `${p}.value`, patterns);
        if (field !== undefined && value !== undefined) action = { kind, field, value, target };
        break;
      }
      case 'CreateFact': {
        const data = body.data;
        if (isObj(data)) warnUnknownKeys(data, ['fields'], `${p}.data`, 'CreateFact data', (wp, m) => this.warn(wp, m));
        const fields = isObj(data) ? this.actionValues(data.fields, `${p}.data.fields`, patterns) : undefined;
        if (!isObj(data)) this.error(`${p}.data`, `expected {"fields":{...}}, got ${typeName(data)}`);
        if (fields) action = { kind, fields, target };
        break;
      }
      case 'CallCalculator': {
        const calculator = this.str(body, 'calculator_name', p, true);
        const outputField = this.str(body, 'output_field', p, true);
        const mapping = body.input_mapping;
        const inputMapping: Record<string, string> = {};
        if (!isObj(mapping)) this.error(`${p}.input_mapping`, `expected an object {argument: field}, got ${typeName(mapping)}`);
        else {
          for (const [arg, field] of Object.entries(mapping)) {
            if (typeof field !== 'string' || field === '') this.error(key(`${p}.input_mapping`, arg), `expected a field name, got ${typeName(field)}`);
            else inputMapping[arg] = field;
          }
        }
        if (calculator !== undefined && isObj(mapping)) {
          const problem = this.checks.calculator(calculator, Object.keys(inputMapping));
          if (problem) this.error(`${p}.calculator_name`, problem);
          for (const [arg, field] of Object.entries(inputMapping)) this.boundName(field, patterns, key(`${p}.input_mapping`, arg));
        }
        if (this.errors.length === before) action = { kind, calculator: calculator!, inputMapping, outputField: outputField!, target };
        break;
      }
      case 'Formula': {
        const expression = this.str(body, 'expression', p, true);
        const outputField = this.str(body, 'output_field', p, true);
        if (expression !== undefined) {
          const parsed = this.checks.formula(expression);
          if ('error' in parsed) this.error(`${p}.expression`, parsed.error);
          else for (const name of parsed.fields) this.boundName(name, patterns, `${p}.expression`);
        }
        if (this.errors.length === before) action = { kind, expression: expression!, outputField: outputField!, target };
        break;
      }
      case 'TriggerAlert': {
        const alertType = this.str(body, 'alert_type', p);
        const message = this.str(body, 'message', p);
        const severity = body.severity;
        if (!SEVERITIES.includes(severity as Severity)) {
          this.error(`${p}.severity`, `expected one of ${SEVERITIES.join(', ')}; got ${typeName(severity)}${suggest(severity, SEVERITIES)}`);
        }
        const metadata = body.metadata === undefined || body.metadata === null ? {} : this.fieldMap(body.metadata, `${p}.metadata`);
        if (this.errors.length === before) {
          action = { kind, alertType: alertType!, message: message!, severity: severity as Severity, metadata: metadata!, target };
        }
        break;
      }
      case 'SendNotification': {
        const recipient = this.str(body, 'recipient', p);
        const subject = this.str(body, 'subject', p);
        const message = this.str(body, 'message', p);
        const nt = body.notification_type;
        if (!NOTIFICATION_TYPES.includes(nt as NotificationType)) {
          this.error(`${p}.notification_type`, `expected one of ${NOTIFICATION_TYPES.join(', ')}; got ${typeName(nt)}${suggest(nt, NOTIFICATION_TYPES)}`);
        }
        const metadata = body.metadata === undefined || body.metadata === null ? {} : this.fieldMap(body.metadata, `${p}.metadata`);
        if (this.errors.length === before) {
          action = {
            kind,
            recipient: recipient!,
            subject: subject!,
            message: message!,
            notificationType: nt as NotificationType,
            metadata: metadata!,
            target,
          };
        }
        break;
      }
      case 'UpdateFact': {
        const factIdField = this.str(body, 'fact_id_field', p, true);
        const updates = this.actionValues(body.updates, `${p}.updates`, patterns);
        if (factIdField !== undefined && updates) action = { kind, factIdField, updates, target };
        break;
      }
      case 'DeleteFact': {
        const factIdField = this.str(body, 'fact_id_field', p, true);
        if (factIdField !== undefined) action = { kind, factIdField, target };
        break;
      }
      case 'IncrementField': {
        const field = this.str(body, 'field', p, true);
        const increment = this.actionValue(body.increment, `${p}.increment`, patterns);
        if (increment !== undefined && increment.ref === null && toNumber(increment.value) === undefined) {
          this.error(`${p}.increment`, `expected a number, got ${typeName(body.increment)}`);
        } else if (field !== undefined && increment !== undefined) action = { kind, field, increment, target };
        break;
      }
      case 'AppendToArray': {
        const field = this.str(body, 'field', p, true);
        const value = this.actionValue(body.value, `${p}.value`, patterns);
        if (field !== undefined && value !== undefined) action = { kind, field, value, target };
        break;
      }
      default:
        this.error(
          `${path}.action_type`,
          `unknown action kind ${JSON.stringify(kind)}${didYouMean(kind, ACTION_KINDS)}; expected one of ${ACTION_KINDS.join(', ')}`,
        );
    }
    return this.errors.length === before ? action : null;
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
