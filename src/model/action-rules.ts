// Validation of a rule's actions (docs/rules.md, "Actions"): each kind's body, its values (constants,
// or Refs to bound facts in multi-fact rules), targets, and the calculator and Formula
// checks that the action compilers supply.

import { type Json, isObj, type Obj, type RuleIssueLog, suggest, typeName } from './rule-issues.js';
import { closest, didYouMean, jsonPathKey as key, warnUnknownKeys } from './suggest.js';
import type { Action, ActionValue, NotificationType, Pattern, Severity } from './types.js';
import { type FieldMap, setOwn, toNumber } from './value.js';

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

const SEVERITIES: readonly Severity[] = ['Low', 'Medium', 'High', 'Critical'];
const NOTIFICATION_TYPES: readonly NotificationType[] = ['Email', 'Sms', 'Push', 'Webhook', 'Slack', 'Teams', 'InApp'];
const ACTION_KEYS = ['action_type', 'target'];
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

export class ActionValidator {
  private readonly log: RuleIssueLog;
  private readonly checks: RuleChecks;
  constructor(log: RuleIssueLog, checks: RuleChecks) {
    this.log = log;
    this.checks = checks;
  }

  /**
   * An action's value: a constant, or in a multi-fact rule `{"Ref":"alias.field"}` naming a
   * pattern that binds a fact. In a single-fact rule such an object is a constant (with a warning).
   */
  private actionValue(raw: Json, path: string, patterns: Pattern[] | null): ActionValue | undefined {
    const refText = isObj(raw) && Object.keys(raw).length === 1 && typeof raw.Ref === 'string' ? raw.Ref : null;
    if (refText !== null && patterns === null) {
      this.log.warn(path, `{"Ref": ${JSON.stringify(refText)}} is written as that object: Refs are read only in the actions of multi-fact rules`);
    }
    if (refText === null || patterns === null) {
      const value = this.log.value(raw, path);
      return value === undefined ? undefined : { ref: null, value };
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\.(.+)$/.exec(refText);
    if (!m) {
      this.log.error(`${path}.Ref`, `expected "alias.field", got ${typeName(refText)}`);
      return undefined;
    }
    const pattern = patterns.find((x) => x.alias === m[1]);
    if (!pattern) {
      this.log.error(`${path}.Ref`, `Ref "${refText}" names unknown alias "${m[1]}"; expected one of ${patterns.map((x) => x.alias).join(', ')}`);
      return undefined;
    }
    if (pattern.not || pattern.exists) {
      this.log.error(`${path}.Ref`, `Ref "${refText}" names alias "${m[1]}" of a not/exists pattern, which binds no fact`);
      return undefined;
    }
    return { ref: { alias: m[1]!, field: m[2]! }, value: null };
  }

  private actionValues(raw: Json, path: string, patterns: Pattern[] | null): Record<string, ActionValue> | undefined {
    if (!isObj(raw)) {
      this.log.error(path, `expected an object of field values, got ${typeName(raw)}`);
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
      this.log.error(path, `"${name}" reads alias "${pattern.alias}" of a not/exists pattern, which binds no fact`);
    }
  }

  action(raw: Json, path: string, aliases: string[] | null, patterns: Pattern[] | null): Action | null {
    if (!isObj(raw) || !isObj(raw.action_type)) {
      const typo = isObj(raw) && raw.action_type === undefined ? Object.keys(raw).find((k) => closest(k, ACTION_KEYS) === 'action_type') : undefined;
      const bare = isObj(raw) ? Object.keys(raw).find((k) => ACTION_KINDS.includes(k)) : undefined;
      const hint =
        typo !== undefined
          ? `; found ${JSON.stringify(typo)} (did you mean "action_type"?)`
          : bare !== undefined
            ? `; found the kind ${JSON.stringify(bare)} unwrapped: write {"action_type": {${JSON.stringify(bare)}: {...}}}`
            : '';
      this.log.error(path, `expected {"action_type": {"<Kind>": {...}}}, got ${typeName(isObj(raw) ? raw.action_type : raw)}${hint}`);
      return null;
    }
    warnUnknownKeys(raw, ACTION_KEYS, path, 'action', (p, m) => this.log.warn(p, m));
    let target: string | null = null;
    if (raw.target !== undefined && raw.target !== null) {
      if (aliases === null) {
        this.log.error(`${path}.target`, '"target" is only allowed in a multi-fact rule (with patterns)');
        return null;
      }
      const t = raw.target;
      const pattern = patterns?.find((p) => p.alias === t);
      if (typeof t !== 'string' || !pattern) {
        this.log.error(`${path}.target`, `expected one of the rule's aliases (${aliases.join(', ')}), got ${typeName(t)}`);
        return null;
      }
      if (pattern.not || pattern.exists) {
        this.log.error(`${path}.target`, `alias "${t}" is a not/exists pattern, which binds no fact`);
        return null;
      }
      target = t;
    }
    const kinds = Object.keys(raw.action_type);
    if (kinds.length !== 1) {
      this.log.error(`${path}.action_type`, `expected exactly one action kind, got ${kinds.length === 0 ? 'none' : kinds.join(', ')}`);
      return null;
    }
    const kind = kinds[0]!;
    const p = `${path}.action_type.${kind}`;
    const body = raw.action_type[kind];
    if (!isObj(body)) {
      this.log.error(p, `expected an object, got ${typeName(body)}`);
      return null;
    }
    const before = this.log.errors.length;
    const known = ACTION_BODY_KEYS[kind];
    if (known) warnUnknownKeys(body, known, p, `${kind} action`, (wp, m) => this.log.warn(wp, m));
    // One method a kind: each is compiled on first use, and a rule file uses few kinds.
    let action: Action | null = null;
    switch (kind) {
      case 'Log':
        action = this.logAction(body, p, target);
        break;
      case 'SetField':
        action = this.setField(body, p, target, patterns);
        break;
      case 'CreateFact':
        action = this.createFact(body, p, target, patterns);
        break;
      case 'CallCalculator':
        action = this.callCalculator(body, p, target, patterns);
        break;
      case 'Formula':
        action = this.formula(body, p, target, patterns);
        break;
      case 'TriggerAlert':
        action = this.triggerAlert(body, p, target);
        break;
      case 'SendNotification':
        action = this.sendNotification(body, p, target);
        break;
      case 'UpdateFact':
        action = this.updateFact(body, p, target, patterns);
        break;
      case 'DeleteFact':
        action = this.deleteFact(body, p, target);
        break;
      case 'IncrementField':
        action = this.incrementField(body, p, target, patterns);
        break;
      case 'AppendToArray':
        action = this.appendToArray(body, p, target, patterns);
        break;
      default:
        this.log.error(
          `${path}.action_type`,
          `unknown action kind ${JSON.stringify(kind)}${didYouMean(kind, ACTION_KINDS)}; expected one of ${ACTION_KINDS.join(', ')}`,
        );
    }
    return this.log.errors.length === before ? action : null;
  }

  // Each kind's body, read into its typed action; problems go to the log, and action()
  // drops an action whose reading logged any.

  private logAction(body: Obj, p: string, target: string | null): Action | null {
    const message = this.log.str(body, 'message', p);
    return message === undefined ? null : { kind: 'Log', message, target };
  }

  private setField(body: Obj, p: string, target: string | null, patterns: Pattern[] | null): Action | null {
    const field = this.log.str(body, 'field', p, true);
    const value = this.actionValue(body.value, `${p}.value`, patterns);
    return field === undefined || value === undefined ? null : { kind: 'SetField', field, value, target };
  }

  private createFact(body: Obj, p: string, target: string | null, patterns: Pattern[] | null): Action | null {
    const data = body.data;
    if (isObj(data)) warnUnknownKeys(data, ['fields'], `${p}.data`, 'CreateFact data', (wp, m) => this.log.warn(wp, m));
    const fields = isObj(data) ? this.actionValues(data.fields, `${p}.data.fields`, patterns) : undefined;
    if (!isObj(data)) this.log.error(`${p}.data`, `expected {"fields":{...}}, got ${typeName(data)}`);
    return fields ? { kind: 'CreateFact', fields, target } : null;
  }

  private callCalculator(body: Obj, p: string, target: string | null, patterns: Pattern[] | null): Action | null {
    const before = this.log.errors.length;
    const calculator = this.log.str(body, 'calculator_name', p, true);
    const outputField = this.log.str(body, 'output_field', p, true);
    const mapping = body.input_mapping;
    const inputMapping: Record<string, string> = {};
    if (!isObj(mapping)) this.log.error(`${p}.input_mapping`, `expected an object {argument: field}, got ${typeName(mapping)}`);
    else {
      for (const [arg, field] of Object.entries(mapping)) {
        if (typeof field !== 'string' || field === '') this.log.error(key(`${p}.input_mapping`, arg), `expected a field name, got ${typeName(field)}`);
        else inputMapping[arg] = field;
      }
    }
    if (calculator !== undefined && isObj(mapping)) {
      const problem = this.checks.calculator(calculator, Object.keys(inputMapping));
      if (problem) this.log.error(`${p}.calculator_name`, problem);
      for (const [arg, field] of Object.entries(inputMapping)) this.boundName(field, patterns, key(`${p}.input_mapping`, arg));
    }
    if (this.log.errors.length > before) return null;
    return { kind: 'CallCalculator', calculator: calculator!, inputMapping, outputField: outputField!, target };
  }

  private formula(body: Obj, p: string, target: string | null, patterns: Pattern[] | null): Action | null {
    const before = this.log.errors.length;
    const expression = this.log.str(body, 'expression', p, true);
    const outputField = this.log.str(body, 'output_field', p, true);
    if (expression !== undefined) {
      const parsed = this.checks.formula(expression);
      if ('error' in parsed) this.log.error(`${p}.expression`, parsed.error);
      else for (const name of parsed.fields) this.boundName(name, patterns, `${p}.expression`);
    }
    if (this.log.errors.length > before) return null;
    return { kind: 'Formula', expression: expression!, outputField: outputField!, target };
  }

  private triggerAlert(body: Obj, p: string, target: string | null): Action | null {
    const before = this.log.errors.length;
    const alertType = this.log.str(body, 'alert_type', p);
    const message = this.log.str(body, 'message', p);
    const severity = this.oneOf(body.severity, SEVERITIES, `${p}.severity`);
    const metadata = this.metadata(body, p);
    if (this.log.errors.length > before) return null;
    return { kind: 'TriggerAlert', alertType: alertType!, message: message!, severity: severity!, metadata: metadata!, target };
  }

  private sendNotification(body: Obj, p: string, target: string | null): Action | null {
    const before = this.log.errors.length;
    const recipient = this.log.str(body, 'recipient', p);
    const subject = this.log.str(body, 'subject', p);
    const message = this.log.str(body, 'message', p);
    const nt = this.oneOf(body.notification_type, NOTIFICATION_TYPES, `${p}.notification_type`);
    const metadata = this.metadata(body, p);
    if (this.log.errors.length > before) return null;
    return {
      kind: 'SendNotification',
      recipient: recipient!,
      subject: subject!,
      message: message!,
      notificationType: nt!,
      metadata: metadata!,
      target,
    };
  }

  /** One of `allowed`, or undefined with an error naming them (and the likely one). */
  private oneOf<T extends string>(value: Json | undefined, allowed: readonly T[], path: string): T | undefined {
    if ((allowed as readonly unknown[]).includes(value)) return value as T;
    this.log.error(path, `expected one of ${allowed.join(', ')}; got ${typeName(value)}${suggest(value, allowed)}`);
    return undefined;
  }

  /** An alert's or notification's metadata: a field map, `{}` when absent or null. */
  private metadata(body: Obj, p: string): FieldMap | undefined {
    return body.metadata === undefined || body.metadata === null ? {} : this.log.fieldMap(body.metadata, `${p}.metadata`);
  }

  private updateFact(body: Obj, p: string, target: string | null, patterns: Pattern[] | null): Action | null {
    const factIdField = this.log.str(body, 'fact_id_field', p, true);
    const updates = this.actionValues(body.updates, `${p}.updates`, patterns);
    return factIdField !== undefined && updates ? { kind: 'UpdateFact', factIdField, updates, target } : null;
  }

  private deleteFact(body: Obj, p: string, target: string | null): Action | null {
    const factIdField = this.log.str(body, 'fact_id_field', p, true);
    return factIdField === undefined ? null : { kind: 'DeleteFact', factIdField, target };
  }

  private incrementField(body: Obj, p: string, target: string | null, patterns: Pattern[] | null): Action | null {
    const field = this.log.str(body, 'field', p, true);
    const increment = this.actionValue(body.increment, `${p}.increment`, patterns);
    if (increment !== undefined && increment.ref === null && toNumber(increment.value) === undefined) {
      this.log.error(`${p}.increment`, `expected a number, got ${typeName(body.increment)}`);
      return null;
    }
    return field !== undefined && increment !== undefined ? { kind: 'IncrementField', field, increment, target } : null;
  }

  private appendToArray(body: Obj, p: string, target: string | null, patterns: Pattern[] | null): Action | null {
    const field = this.log.str(body, 'field', p, true);
    const value = this.actionValue(body.value, `${p}.value`, patterns);
    return field === undefined || value === undefined ? null : { kind: 'AppendToArray', field, value, target };
  }
}
