// Action executors: each rule action compiled once into an object whose run() applies
// its effect to working memory and returns the result record (formats.md §4). A failed
// action returns a Logged result with the reason; it never throws.

import { compilePath, rootField, writePath, type FieldReader } from '../model/path.js';
import type { Fact } from '../model/fact.js';
import type { Action, ActionResult, Rule } from '../model/types.js';
import { cloneValue, describeValue, isFloat, kindOf, makeNumber, toNumber, type FieldMap, type Value } from '../model/value.js';
import { getCalculator, type Calculator } from './calculators.js';
import { compileFormula, type CompiledFormula } from './formula/index.js';

/** What actions may do to working memory; implemented by the session. */
export interface WorkingMemoryOps {
  /** Records that a root field of a fact changed (the fact may need to re-propagate). */
  changed(fact: Fact, rootField: string): void;
  /**
   * Says, before the write, that a field some pattern of a multi-fact rule reads is about
   * to change on this fact (the beta network takes the fact out, or under --no-chain
   * keeps its old values).
   */
  willChange(fact: Fact): void;
  /** Inserts a new fact with the next free id and returns it. */
  create(fields: FieldMap, parent: Fact): Fact;
  /** The live fact with this id, if working memory holds it. */
  lookup(id: number): Fact | undefined;
  retract(fact: Fact): void;
}

export abstract class CompiledAction {
  /** Alias of the pattern whose fact this acts on; null = the first pattern's fact. */
  readonly target: string | null;
  /** Whether a field this action writes is read by some condition (else changes need no notice). */
  protected notify = true;
  /** Whether a field this action writes is read by a pattern of a multi-fact rule (warn before writing). */
  protected guard = false;
  constructor(target: string | null) {
    this.target = target;
  }
  /**
   * Told which root fields the network's conditions read, and which of them patterns of
   * multi-fact rules read, once, after compilation.
   */
  bindReads(reads: ReadonlySet<string>, patternReads: ReadonlySet<string> = EMPTY): void {
    this.notify = this.writes().some((w) => reads.has(w));
    this.guard = this.writes().some((w) => patternReads.has(w));
  }
  abstract run(wm: WorkingMemoryOps, fact: Fact): ActionResult;
  /** Root fields this action may write on some fact (for chaining analysis). */
  writes(): readonly string[] {
    return [];
  }
}

const EMPTY: ReadonlySet<string> = new Set();

function logged(message: string): ActionResult {
  return { Logged: { message } };
}

class LogAction extends CompiledAction {
  constructor(
    target: string | null,
    private readonly message: string,
  ) {
    super(target);
  }
  run(): ActionResult {
    return { Logged: { message: this.message } };
  }
}

class SetFieldAction extends CompiledAction {
  private readonly root: string;
  /** A plain field name: one property store, no path walk. */
  private readonly plain: boolean;
  /** The value is an array or object: each fact gets its own copy. */
  private readonly mutable: boolean;
  constructor(
    target: string | null,
    private readonly field: string,
    private readonly value: Value,
  ) {
    super(target);
    this.root = rootField(field);
    this.plain = field.indexOf('.') < 0 && !(field in Object.prototype);
    this.mutable = cloneValue(value) !== value;
  }
  run(wm: WorkingMemoryOps, fact: Fact): ActionResult {
    const value = this.mutable ? cloneValue(this.value) : this.value;
    if (this.guard) wm.willChange(fact);
    if (this.plain) fact.fields[this.field] = value;
    else if (!writePath(fact.fields, this.field, value)) {
      return logged(`SetField: cannot set "${this.field}" on fact ${fact.id}: a non-object value is in the way`);
    }
    if (this.notify) wm.changed(fact, this.root);
    return { FieldSet: { fact_id: fact.id, field: this.field, value: this.value } };
  }
  override writes(): readonly string[] {
    return [this.root];
  }
}

class IncrementFieldAction extends CompiledAction {
  private readonly read: FieldReader;
  private readonly root: string;
  private readonly by: number;
  private readonly byFloat: boolean;
  constructor(
    target: string | null,
    private readonly field: string,
    increment: Value,
  ) {
    super(target);
    this.read = compilePath(field);
    this.root = rootField(field);
    this.by = toNumber(increment)!;
    this.byFloat = isFloat(increment);
  }
  run(wm: WorkingMemoryOps, fact: Fact): ActionResult {
    const old = this.read(fact.fields);
    const oldValue: Value = old === undefined ? 0 : old;
    const n = toNumber(oldValue);
    if (n === undefined) {
      return logged(`IncrementField: field "${this.field}" of fact ${fact.id} is ${kindOf(oldValue)} ${describeValue(oldValue)}, not a number`);
    }
    const next = makeNumber(n + this.by, this.byFloat || isFloat(oldValue));
    if (this.guard) wm.willChange(fact);
    if (!writePath(fact.fields, this.field, next)) {
      return logged(`IncrementField: cannot set "${this.field}" on fact ${fact.id}: a non-object value is in the way`);
    }
    if (this.notify) wm.changed(fact, this.root);
    return { FieldIncremented: { fact_id: fact.id, field: this.field, old_value: oldValue, new_value: next } };
  }
  override writes(): readonly string[] {
    return [this.root];
  }
}

class AppendToArrayAction extends CompiledAction {
  private readonly read: FieldReader;
  private readonly root: string;
  constructor(
    target: string | null,
    private readonly field: string,
    private readonly value: Value,
  ) {
    super(target);
    this.read = compilePath(field);
    this.root = rootField(field);
  }
  run(wm: WorkingMemoryOps, fact: Fact): ActionResult {
    let arr = this.read(fact.fields);
    if (this.guard && (arr === undefined || Array.isArray(arr))) wm.willChange(fact);
    if (arr === undefined) {
      arr = [];
      if (!writePath(fact.fields, this.field, arr)) {
        return logged(`AppendToArray: cannot create "${this.field}" on fact ${fact.id}: a non-object value is in the way`);
      }
    } else if (!Array.isArray(arr)) {
      return logged(`AppendToArray: field "${this.field}" of fact ${fact.id} is ${kindOf(arr)}, not an array`);
    }
    arr.push(cloneValue(this.value));
    if (this.notify) wm.changed(fact, this.root);
    return { ArrayAppended: { fact_id: fact.id, field: this.field, appended_value: this.value, new_length: arr.length } };
  }
  override writes(): readonly string[] {
    return [this.root];
  }
}

class CreateFactAction extends CompiledAction {
  constructor(
    target: string | null,
    private readonly fields: FieldMap,
  ) {
    super(target);
  }
  run(wm: WorkingMemoryOps, fact: Fact): ActionResult {
    const created = wm.create(cloneValue(this.fields) as FieldMap, fact);
    return { FactCreated: { fact_id: created.id, fact_data: { fields: this.fields } } };
  }
}

/** Reads the id of another fact from a field of the matched one. */
function targetId(fact: Fact, read: FieldReader, field: string, kind: string): number | string {
  const v = read(fact.fields);
  const n = toNumber(v);
  if (n === undefined || !Number.isSafeInteger(n) || n < 0) {
    return v === undefined
      ? `${kind}: field "${field}" of fact ${fact.id} is missing; it should hold a fact id`
      : `${kind}: field "${field}" of fact ${fact.id} holds ${describeValue(v)}, not a fact id`;
  }
  return n;
}

class UpdateFactAction extends CompiledAction {
  private readonly read: FieldReader;
  private readonly entries: [string, string, Value][];
  constructor(
    target: string | null,
    private readonly idField: string,
    private readonly updates: FieldMap,
  ) {
    super(target);
    this.read = compilePath(idField);
    this.entries = Object.keys(updates).map((k) => [k, rootField(k), updates[k]!]);
  }
  run(wm: WorkingMemoryOps, fact: Fact): ActionResult {
    const id = targetId(fact, this.read, this.idField, 'UpdateFact');
    if (typeof id === 'string') return logged(id);
    const other = wm.lookup(id);
    if (other === undefined) return logged(`UpdateFact: no fact with id ${id} in working memory`);
    if (this.guard) wm.willChange(other);
    for (const [path, root, value] of this.entries) {
      if (!writePath(other.fields, path, cloneValue(value))) {
        return logged(`UpdateFact: cannot set "${path}" on fact ${id}: a non-object value is in the way`);
      }
      if (this.notify) wm.changed(other, root);
    }
    return { FactUpdated: { fact_id: id, updated_fields: this.updates } };
  }
  override writes(): readonly string[] {
    return this.entries.map((e) => e[1]);
  }
}

class DeleteFactAction extends CompiledAction {
  private readonly read: FieldReader;
  constructor(
    target: string | null,
    private readonly idField: string,
  ) {
    super(target);
    this.read = compilePath(idField);
  }
  run(wm: WorkingMemoryOps, fact: Fact): ActionResult {
    const id = targetId(fact, this.read, this.idField, 'DeleteFact');
    if (typeof id === 'string') return logged(id);
    const other = wm.lookup(id);
    if (other === undefined) return logged(`DeleteFact: no fact with id ${id} in working memory`);
    wm.retract(other);
    return { FactDeleted: { fact_id: id } };
  }
}

class TriggerAlertAction extends CompiledAction {
  private readonly result: ActionResult;
  constructor(target: string | null, action: Extract<Action, { kind: 'TriggerAlert' }>) {
    super(target);
    this.result = { AlertTriggered: { alert_type: action.alertType, severity: action.severity, message: action.message } };
  }
  run(): ActionResult {
    return this.result;
  }
}

class SendNotificationAction extends CompiledAction {
  private readonly result: ActionResult;
  constructor(target: string | null, action: Extract<Action, { kind: 'SendNotification' }>) {
    super(target);
    this.result = {
      NotificationSent: { recipient: action.recipient, notification_type: action.notificationType, subject: action.subject },
    };
  }
  run(): ActionResult {
    return this.result;
  }
}

class CalculatorAction extends CompiledAction {
  private readonly calc: Calculator;
  private readonly inputs: [string, FieldReader][];
  private readonly root: string;
  constructor(
    target: string | null,
    name: string,
    mapping: Readonly<Record<string, string>>,
    private readonly outputField: string,
  ) {
    super(target);
    this.calc = getCalculator(name)!;
    this.inputs = Object.keys(mapping).map((arg) => [arg, compilePath(mapping[arg]!)]);
    this.root = rootField(outputField);
  }
  run(wm: WorkingMemoryOps, fact: Fact): ActionResult {
    const args: Record<string, Value | undefined> = {};
    for (const [arg, read] of this.inputs) args[arg] = read(fact.fields);
    const out = this.calc.run(args);
    if (!out.ok) return logged(out.message);
    if (this.guard) wm.willChange(fact);
    if (!writePath(fact.fields, this.outputField, out.value)) {
      return logged(`${this.calc.name}: cannot set "${this.outputField}" on fact ${fact.id}: a non-object value is in the way`);
    }
    if (this.notify) wm.changed(fact, this.root);
    const v = out.value;
    return {
      CalculatorResult: {
        calculator: this.calc.name,
        result: typeof v === 'string' ? v : JSON.stringify(v),
        output_field: this.outputField,
        parsed_value: v,
      },
    };
  }
  override writes(): readonly string[] {
    return [this.root];
  }
}

class FormulaAction extends CompiledAction {
  private readonly formula: CompiledFormula;
  private readonly root: string;
  constructor(
    target: string | null,
    expression: string,
    private readonly outputField: string,
  ) {
    super(target);
    this.formula = compileFormula(expression);
    this.root = rootField(outputField);
  }
  run(wm: WorkingMemoryOps, fact: Fact): ActionResult {
    const out = this.formula.evaluate(fact.fields);
    if (!out.ok) return logged(`Formula "${this.formula.source}" on fact ${fact.id}: ${out.message}`);
    if (this.guard) wm.willChange(fact);
    if (!writePath(fact.fields, this.outputField, out.value)) {
      return logged(`Formula: cannot set "${this.outputField}" on fact ${fact.id}: a non-object value is in the way`);
    }
    if (this.notify) wm.changed(fact, this.root);
    return { FieldSet: { fact_id: fact.id, field: this.outputField, value: out.value } };
  }
  override writes(): readonly string[] {
    return [this.root];
  }
}

/** Compiles one validated action. */
export function compileAction(a: Action): CompiledAction {
  switch (a.kind) {
    case 'Log':
      return new LogAction(a.target, a.message);
    case 'SetField':
      return new SetFieldAction(a.target, a.field, a.value);
    case 'IncrementField':
      return new IncrementFieldAction(a.target, a.field, a.increment);
    case 'AppendToArray':
      return new AppendToArrayAction(a.target, a.field, a.value);
    case 'CreateFact':
      return new CreateFactAction(a.target, a.fields);
    case 'UpdateFact':
      return new UpdateFactAction(a.target, a.factIdField, a.updates);
    case 'DeleteFact':
      return new DeleteFactAction(a.target, a.factIdField);
    case 'TriggerAlert':
      return new TriggerAlertAction(a.target, a);
    case 'SendNotification':
      return new SendNotificationAction(a.target, a);
    case 'CallCalculator':
      return new CalculatorAction(a.target, a.calculator, a.inputMapping, a.outputField);
    case 'Formula':
      return new FormulaAction(a.target, a.expression, a.outputField);
  }
}

export function compileActions(rule: Rule): CompiledAction[] {
  return rule.actions.map(compileAction);
}
