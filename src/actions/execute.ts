// Action executors: each rule action compiled once into an object whose run() applies
// its effect to working memory and returns the result record. A failed action returns a
// Logged result with the reason; it never throws. Compiled actions hold no run state: the
// session passes its working memory in, with the fact acted on and the facts the rule bound.

import { HeldWriter } from '../model/field-writes.js';
import { compileSetter, rootField, writePath, type FieldSetter } from '../model/path.js';
import type { Action, ActionResult, ActionValue, JreEvent, Rule } from '../model/types.js';
import { cloneValue, describeValue, isFloat, kindOf, makeNumber, toNumber, type FieldMap, type Value } from '../model/value.js';
import { getCalculator, type Calculator } from './calculators.js';
import { compileFormula, type CompiledFormula } from './formula/index.js';
import { actionScope, type ActionScope, type Bound, type FactHandle, type ScopeInput, type ScopeReader } from './scope.js';

export type { Bound, FactHandle } from './scope.js';

/**
 * What actions may do to working memory; implemented by the session, whose own record of a
 * fact (`H`) stands behind every handle actions are given and give back.
 */
export interface WorkingMemoryOps<H extends FactHandle> {
  /** Records that a root field of a fact changed (the fact may need to re-propagate). */
  changed(w: H, rootField: string): void;
  /**
   * Says, before the write, that a field some pattern of a multi-fact rule reads is about
   * to change on this fact (the beta network takes the fact out, or under --no-chain
   * keeps its old values).
   */
  willChange(w: H): void;
  /**
   * Writes a field that no rule reads with the network's held writer `writer`: its constant
   * (value undefined) or `value`. The session may hold the write back and apply it when the
   * fact's fields are next read (see model/field-writes.ts), or store it at once.
   */
  holdWrite(w: H, writer: number, value: Value | undefined): void;
  /** Inserts a new fact made from `fields` (in the shape of `parent`) and returns it. */
  create(fields: FieldMap, parent: H): H;
  /** The live fact with this id, if working memory holds it. */
  lookup(id: number): H | undefined;
  retract(w: H): void;
}

/** What the network tells its actions while it compiles. */
export interface ActionBinding {
  /** Root fields the network's conditions read. */
  readonly reads: ReadonlySet<string>;
  /** Those of them that patterns of multi-fact rules read. */
  readonly patternReads: ReadonlySet<string>;
  /** Fields actions write that nothing in the rules reads (conditions, joins, aggregations, windows, actions). */
  readonly unread: ReadonlySet<string>;
  /** The network's held writers: an action whose writes may be held back adds itself and keeps its index. */
  readonly writers: HeldWriter[];
}

export abstract class CompiledAction {
  /** Whether a field this action writes is read by some condition (else changes need no notice). */
  protected notify = true;
  /** Whether a field this action writes is read by a pattern of a multi-fact rule (warn before writing). */
  protected guard = false;
  /** Told, once while the network compiles, what the rules read (see ActionBinding). */
  bind(b: ActionBinding): void {
    const writes = this.writes();
    let notify = false;
    let guard = false;
    for (let i = 0; i < writes.length; i++) {
      if (b.reads.has(writes[i]!)) notify = true;
      if (b.patternReads.has(writes[i]!)) guard = true;
    }
    this.notify = notify;
    this.guard = guard;
  }
  /**
   * Applies the action to `target`; `bound` holds the facts of a multi-fact rule's patterns.
   * Returns the result record, or null when the record follows from the action and the id of
   * the fact it acted on alone (derivedResult): then no object is made for it.
   */
  abstract run<H extends FactHandle>(wm: WorkingMemoryOps<H>, target: H, bound: Bound<H> | null): ActionResult | null;
  /** The result record of a run that returned null, on the fact with this id. */
  derivedResult(_factId: number): ActionResult {
    throw new Error(`${this.constructor.name} has no derived result`);
  }
  /** For serializers, when run() returns null: the field and value its FieldSet record holds. */
  get written(): { readonly field: string; readonly value: Value } | null {
    return null;
  }
  /** For serializers, when run() returns null: the one record every run of this action has (else null). */
  get fixed(): ActionResult | null {
    return null;
  }
  /** The network's held writer whose constant this action only writes (see TerminalBlock), or -1. */
  get heldConstant(): number {
    return -1;
  }
  /** Root fields this action may write on some fact (for chaining analysis). */
  writes(): readonly string[] {
    return [];
  }
}

function logged(message: string): ActionResult {
  return { Logged: { message } };
}

/** A copy of a value read from a fact, so that the fact written to and the result record never alias it. */
function owned(v: Value): Value {
  return typeof v === 'object' && v !== null ? cloneValue(v) : v;
}

/** An action's value, compiled: a constant (copied on write when mutable) or a Ref'd field. */
class ValueOf {
  readonly constant: Value;
  private readonly mutable: boolean;
  readonly ref: ScopeReader | null;
  /** `alias.field` of a Ref, for messages. */
  readonly refName: string;
  constructor(v: ActionValue, scope: ActionScope) {
    this.constant = v.ref === null ? v.value : null;
    this.mutable = v.ref === null && cloneValue(v.value) !== v.value;
    this.ref = v.ref === null ? null : scope.refReader(v.ref);
    this.refName = v.ref === null ? '' : `${v.ref.alias}.${v.ref.field}`;
  }
  /** A constant's value to write: the rule's own, or a copy when it is mutable. */
  owned(): Value {
    return this.mutable ? cloneValue(this.constant) : this.constant;
  }
  /** The value to write (owned by the writer), or undefined when a Ref'd field is missing. */
  get(input: ScopeInput): Value | undefined {
    if (this.ref === null) return this.owned();
    const v = this.ref(input);
    return v === undefined ? undefined : owned(v);
  }
  /** The value for the result record: the constant as written in the rule, or a copy of what was written. */
  result(written: Value): Value {
    return this.ref === null ? this.constant : owned(written);
  }
  missing(kind: string, target: FactHandle): ActionResult {
    return logged(`${kind}: the Ref'd field "${this.refName}" is missing (the rule fired on fact ${target.fact.id})`);
  }
}

class LogAction extends CompiledAction {
  private readonly result: ActionResult;
  constructor(message: string) {
    super();
    this.result = { Logged: { message } };
  }
  run(): ActionResult {
    // Result records are serialized, never changed: one object serves every firing.
    return this.result;
  }
}

class SetFieldAction extends CompiledAction {
  private readonly field: string;
  private readonly root: string;
  /** A plain field name (no dots, not inherited): written with one property store, no path walk. */
  private readonly plain: boolean;
  /** A plain field's store when its writes are not held back (set by bind; else null). */
  private store: FieldSetter | null = null;
  private readonly value: ValueOf;
  private readonly scope: ActionScope;
  /** For a plain field nothing reads: its index among the network's held writers (else -1). */
  private writer = -1;
  constructor(field: string, value: ActionValue, scope: ActionScope) {
    super();
    this.field = field;
    this.root = rootField(field);
    this.plain = field.indexOf('.') < 0 && !(field in Object.prototype);
    this.value = new ValueOf(value, scope);
    this.scope = scope;
  }
  override bind(b: ActionBinding): void {
    super.bind(b);
    if (!this.plain) return;
    // A held writer's store is made by the session that first applies one of its writes.
    if (!b.unread.has(this.field)) this.store = compileSetter(this.field);
    else this.writer = b.writers.push(new HeldWriter(this.field, this.value.ref === null ? this.value : null)) - 1;
  }
  run<H extends FactHandle>(wm: WorkingMemoryOps<H>, target: H, bound: Bound<H> | null): ActionResult | null {
    // A constant needs no read: the common case skips the scope.
    const v = this.value;
    if (this.writer >= 0 && v.ref === null) {
      wm.holdWrite(target, this.writer, undefined);
      return null;
    }
    const value = v.ref === null ? v.owned() : v.get(this.scope.input(target, bound));
    if (value === undefined) return v.missing('SetField', target);
    if (this.writer >= 0) {
      wm.holdWrite(target, this.writer, value);
      return { FieldSet: { fact_id: target.fact.id, field: this.field, value: v.result(value) } };
    }
    const fact = target.fact;
    if (this.guard) wm.willChange(target);
    if (this.store !== null) this.store(fact.fields, value);
    else if (!writePath(fact.fields, this.field, value)) {
      return logged(`SetField: cannot set "${this.field}" on fact ${fact.id}: a non-object value is in the way`);
    }
    if (this.notify) wm.changed(target, this.root);
    // A constant's record is the same but for the fact id: derived when asked for.
    if (v.ref === null) return null;
    return { FieldSet: { fact_id: fact.id, field: this.field, value: v.result(value) } };
  }
  override derivedResult(factId: number): ActionResult {
    return { FieldSet: { fact_id: factId, field: this.field, value: this.value.constant } };
  }
  override get heldConstant(): number {
    return this.value.ref === null ? this.writer : -1;
  }
  override get written(): { readonly field: string; readonly value: Value } | null {
    return this.value.ref === null ? { field: this.field, value: this.value.constant } : null;
  }
  override writes(): readonly string[] {
    return [this.root];
  }
}

class IncrementFieldAction extends CompiledAction {
  private readonly field: string;
  private readonly read: ScopeReader;
  private readonly root: string;
  private readonly by: ValueOf;
  private readonly scope: ActionScope;
  constructor(field: string, increment: ActionValue, scope: ActionScope) {
    super();
    this.field = field;
    this.read = scope.reader(field);
    this.root = rootField(field);
    this.by = new ValueOf(increment, scope);
    this.scope = scope;
  }
  run<H extends FactHandle>(wm: WorkingMemoryOps<H>, target: H, bound: Bound<H> | null): ActionResult | null {
    const fact = target.fact;
    const input = this.scope.input(target, bound);
    const inc = this.by.get(input);
    if (inc === undefined) return this.by.missing('IncrementField', target);
    const by = toNumber(inc);
    if (by === undefined) return logged(`IncrementField: Ref "${this.by.refName}" holds ${kindOf(inc)} ${describeValue(inc)}, not a number`);
    const old = this.read(input);
    const oldValue: Value = old === undefined ? 0 : old;
    const n = toNumber(oldValue);
    if (n === undefined) {
      return logged(`IncrementField: field "${this.field}" of fact ${fact.id} is ${kindOf(oldValue)} ${describeValue(oldValue)}, not a number`);
    }
    const next = makeNumber(n + by, isFloat(inc) || isFloat(oldValue));
    if (this.guard) wm.willChange(target);
    if (!writePath(fact.fields, this.field, next)) {
      return logged(`IncrementField: cannot set "${this.field}" on fact ${fact.id}: a non-object value is in the way`);
    }
    if (this.notify) wm.changed(target, this.root);
    return { FieldIncremented: { fact_id: fact.id, field: this.field, old_value: oldValue, new_value: next } };
  }
  override writes(): readonly string[] {
    return [this.root];
  }
}

class AppendToArrayAction extends CompiledAction {
  private readonly field: string;
  private readonly read: ScopeReader;
  private readonly root: string;
  private readonly value: ValueOf;
  private readonly scope: ActionScope;
  constructor(field: string, value: ActionValue, scope: ActionScope) {
    super();
    this.field = field;
    this.read = scope.reader(field);
    this.root = rootField(field);
    this.value = new ValueOf(value, scope);
    this.scope = scope;
  }
  run<H extends FactHandle>(wm: WorkingMemoryOps<H>, target: H, bound: Bound<H> | null): ActionResult | null {
    const fact = target.fact;
    const input = this.scope.input(target, bound);
    const item = this.value.get(input);
    if (item === undefined) return this.value.missing('AppendToArray', target);
    let arr = this.read(input);
    if (this.guard && (arr === undefined || Array.isArray(arr))) wm.willChange(target);
    if (arr === undefined) {
      arr = [];
      if (!writePath(fact.fields, this.field, arr)) {
        return logged(`AppendToArray: cannot create "${this.field}" on fact ${fact.id}: a non-object value is in the way`);
      }
    } else if (!Array.isArray(arr)) {
      return logged(`AppendToArray: field "${this.field}" of fact ${fact.id} is ${kindOf(arr)}, not an array`);
    }
    arr.push(item);
    if (this.notify) wm.changed(target, this.root);
    return { ArrayAppended: { fact_id: fact.id, field: this.field, appended_value: this.value.result(item), new_length: arr.length } };
  }
  override writes(): readonly string[] {
    return [this.root];
  }
}

/** A map of field values to write (CreateFact data, UpdateFact updates), compiled. */
class FieldValues {
  readonly entries: readonly (readonly [string, ValueOf])[];
  /** Every value is a constant: the rule's own map serves as the result record. */
  readonly constants: FieldMap | null;
  constructor(values: Readonly<Record<string, ActionValue>>, scope: ActionScope) {
    this.entries = Object.keys(values).map((k) => [k, new ValueOf(values[k]!, scope)] as const);
    let constants: FieldMap | null = {};
    for (const [k, v] of this.entries) {
      if (v.ref !== null) constants = null;
      else if (constants !== null) constants[k] = v.constant;
    }
    this.constants = constants;
  }
  /** The values as written in the result record, or the first Ref found missing. */
  resolve(input: ScopeInput): FieldMap | ValueOf {
    if (this.constants !== null) return this.constants;
    const out: FieldMap = {};
    for (const [k, v] of this.entries) {
      const x = v.get(input);
      if (x === undefined) return v;
      out[k] = x;
    }
    return out;
  }
}

class CreateFactAction extends CompiledAction {
  private readonly fields: FieldValues;
  private readonly scope: ActionScope;
  constructor(fields: Readonly<Record<string, ActionValue>>, scope: ActionScope) {
    super();
    this.fields = new FieldValues(fields, scope);
    this.scope = scope;
  }
  run<H extends FactHandle>(wm: WorkingMemoryOps<H>, target: H, bound: Bound<H> | null): ActionResult | null {
    const data = this.fields.resolve(this.scope.input(target, bound));
    if (data instanceof ValueOf) return data.missing('CreateFact', target);
    const created = wm.create(cloneValue(data) as FieldMap, target);
    return { FactCreated: { fact_id: created.fact.id, fact_data: { fields: data } } };
  }
}

/** Reads the id of another fact from a field of the matched one. */
function targetId(read: ScopeReader, input: ScopeInput, target: FactHandle, field: string, kind: string): number | string {
  const v = read(input);
  const n = toNumber(v);
  if (n === undefined || !Number.isSafeInteger(n) || n < 0) {
    return v === undefined
      ? `${kind}: field "${field}" of fact ${target.fact.id} is missing; it should hold a fact id`
      : `${kind}: field "${field}" of fact ${target.fact.id} holds ${describeValue(v)}, not a fact id`;
  }
  return n;
}

class UpdateFactAction extends CompiledAction {
  private readonly idField: string;
  private readonly read: ScopeReader;
  private readonly updates: FieldValues;
  private readonly roots: readonly string[];
  private readonly scope: ActionScope;
  constructor(idField: string, updates: Readonly<Record<string, ActionValue>>, scope: ActionScope) {
    super();
    this.idField = idField;
    this.read = scope.reader(idField);
    this.updates = new FieldValues(updates, scope);
    this.roots = this.updates.entries.map(([k]) => rootField(k));
    this.scope = scope;
  }
  run<H extends FactHandle>(wm: WorkingMemoryOps<H>, target: H, bound: Bound<H> | null): ActionResult | null {
    const input = this.scope.input(target, bound);
    const id = targetId(this.read, input, target, this.idField, 'UpdateFact');
    if (typeof id === 'string') return logged(id);
    const other = wm.lookup(id);
    if (other === undefined) return logged(`UpdateFact: no fact with id ${id} in working memory`);
    const updates = this.updates.resolve(input);
    if (updates instanceof ValueOf) return updates.missing('UpdateFact', target);
    if (this.guard) wm.willChange(other);
    const entries = this.updates.entries;
    for (let i = 0; i < entries.length; i++) {
      const path = entries[i]![0];
      if (!writePath(other.fact.fields, path, cloneValue(updates[path]!))) {
        return logged(`UpdateFact: cannot set "${path}" on fact ${id}: a non-object value is in the way`);
      }
      if (this.notify) wm.changed(other, this.roots[i]!);
    }
    return { FactUpdated: { fact_id: id, updated_fields: updates } };
  }
  override writes(): readonly string[] {
    return this.roots;
  }
}

class DeleteFactAction extends CompiledAction {
  private readonly idField: string;
  private readonly read: ScopeReader;
  private readonly scope: ActionScope;
  constructor(idField: string, scope: ActionScope) {
    super();
    this.idField = idField;
    this.read = scope.reader(idField);
    this.scope = scope;
  }
  run<H extends FactHandle>(wm: WorkingMemoryOps<H>, target: H, bound: Bound<H> | null): ActionResult | null {
    const id = targetId(this.read, this.scope.input(target, bound), target, this.idField, 'DeleteFact');
    if (typeof id === 'string') return logged(id);
    const other = wm.lookup(id);
    if (other === undefined) return logged(`DeleteFact: no fact with id ${id} in working memory`);
    wm.retract(other);
    return { FactDeleted: { fact_id: id } };
  }
}

/** Actions whose result is the same record every time: it is made once. */
class FixedResultAction extends CompiledAction {
  private readonly result: ActionResult;
  constructor(result: ActionResult) {
    super();
    this.result = result;
  }
  run(): ActionResult {
    return this.result;
  }
}

/**
 * A json-rules-engine rule's event: the same record on every firing, so run() returns null
 * and the firing log keeps no object per firing; serializers write its JSON made once.
 */
class EventAction extends CompiledAction {
  private readonly result: ActionResult;
  constructor(event: JreEvent) {
    super();
    this.result = { Event: event };
  }
  run(): null {
    return null;
  }
  override derivedResult(): ActionResult {
    return this.result;
  }
  override get fixed(): ActionResult {
    return this.result;
  }
}

class CalculatorAction extends CompiledAction {
  private readonly calc: Calculator;
  private readonly inputs: readonly (readonly [string, ScopeReader])[];
  private readonly outputField: string;
  private readonly root: string;
  private readonly scope: ActionScope;
  constructor(name: string, mapping: Readonly<Record<string, string>>, outputField: string, scope: ActionScope) {
    super();
    this.calc = getCalculator(name)!;
    this.inputs = Object.keys(mapping).map((arg) => [arg, scope.reader(mapping[arg]!)] as const);
    this.outputField = outputField;
    this.root = rootField(outputField);
    this.scope = scope;
  }
  run<H extends FactHandle>(wm: WorkingMemoryOps<H>, target: H, bound: Bound<H> | null): ActionResult | null {
    const input = this.scope.input(target, bound);
    const args: Record<string, Value | undefined> = {};
    for (const [arg, read] of this.inputs) args[arg] = read(input);
    const out = this.calc.run(args);
    if (!out.ok) return logged(out.message);
    const fact = target.fact;
    if (this.guard) wm.willChange(target);
    if (!writePath(fact.fields, this.outputField, out.value)) {
      return logged(`${this.calc.name}: cannot set "${this.outputField}" on fact ${fact.id}: a non-object value is in the way`);
    }
    if (this.notify) wm.changed(target, this.root);
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
  private readonly formula: CompiledFormula<ScopeInput>;
  private readonly outputField: string;
  private readonly root: string;
  private readonly scope: ActionScope;
  constructor(expression: string, outputField: string, scope: ActionScope) {
    super();
    this.formula = compileFormula<ScopeInput>(expression, (path) => scope.reader(path));
    this.outputField = outputField;
    this.root = rootField(outputField);
    this.scope = scope;
  }
  run<H extends FactHandle>(wm: WorkingMemoryOps<H>, target: H, bound: Bound<H> | null): ActionResult | null {
    const fact = target.fact;
    const out = this.formula.evaluate(this.scope.input(target, bound));
    if (!out.ok) return logged(`Formula "${this.formula.source}" on fact ${fact.id}: ${out.message}`);
    if (this.guard) wm.willChange(target);
    if (!writePath(fact.fields, this.outputField, out.value)) {
      return logged(`Formula: cannot set "${this.outputField}" on fact ${fact.id}: a non-object value is in the way`);
    }
    if (this.notify) wm.changed(target, this.root);
    return { FieldSet: { fact_id: fact.id, field: this.outputField, value: out.value } };
  }
  override writes(): readonly string[] {
    return [this.root];
  }
}

/** Compiles one validated action, reading as `scope` says. */
export function compileAction(a: Action, scope: ActionScope): CompiledAction {
  switch (a.kind) {
    case 'Log':
      return new LogAction(a.message);
    case 'SetField':
      return new SetFieldAction(a.field, a.value, scope);
    case 'IncrementField':
      return new IncrementFieldAction(a.field, a.increment, scope);
    case 'AppendToArray':
      return new AppendToArrayAction(a.field, a.value, scope);
    case 'CreateFact':
      return new CreateFactAction(a.fields, scope);
    case 'UpdateFact':
      return new UpdateFactAction(a.factIdField, a.updates, scope);
    case 'DeleteFact':
      return new DeleteFactAction(a.factIdField, scope);
    case 'TriggerAlert':
      return new FixedResultAction({ AlertTriggered: { alert_type: a.alertType, severity: a.severity, message: a.message } });
    case 'SendNotification':
      return new FixedResultAction({ NotificationSent: { recipient: a.recipient, notification_type: a.notificationType, subject: a.subject } });
    case 'CallCalculator':
      return new CalculatorAction(a.calculator, a.inputMapping, a.outputField, scope);
    case 'Formula':
      return new FormulaAction(a.expression, a.outputField, scope);
    case 'Event':
      return new EventAction(a.event);
  }
}

/**
 * Compiles a rule's actions; each reads through the scope of the pattern it acts on
 * (`targets`: per action, its pattern's position; null for a single-fact rule).
 */
export function compileActions(rule: Rule, targets: readonly number[] | null): CompiledAction[] {
  return rule.actions.map((a, i) => compileAction(a, actionScope(rule, targets === null ? 0 : targets[i]!)));
}
