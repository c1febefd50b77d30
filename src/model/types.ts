// The public types of rete-eval: rules, conditions and actions as validated from the
// wire format (docs/rules.md), and the result records a run produces (docs/output.md).

import type { FieldMap, Value } from './value.js';

export const OPERATORS = [
  'Equal',
  'NotEqual',
  'GreaterThan',
  'LessThan',
  'GreaterThanOrEqual',
  'LessThanOrEqual',
  'Contains',
  'StartsWith',
  'EndsWith',
] as const;
export type Operator = (typeof OPERATORS)[number];

/** `{"Ref":"alias.field"}`: a field of the fact a pattern of a multi-fact rule bound. */
export interface FieldRef {
  readonly alias: string;
  readonly field: string;
}

export interface SimpleCondition {
  readonly kind: 'simple';
  readonly field: string;
  readonly operator: Operator;
  readonly value: Value;
  /** Set when the value is `{"Ref":"alias.field"}`. */
  readonly ref: FieldRef | null;
}

export interface LogicalCondition {
  readonly kind: 'and' | 'or' | 'not';
  readonly conditions: readonly Condition[];
}

export type AggregationFunction = 'Sum' | 'Count' | 'Average' | 'Min' | 'Max' | 'StandardDeviation' | 'Percentile';

/** The optional `window` of an Aggregation condition (docs/rules.md). */
export type AggregationWindow =
  | { readonly kind: 'Sliding'; readonly size: number }
  | { readonly kind: 'Tumbling'; readonly size: number }
  | { readonly kind: 'Session'; readonly timeoutMs: number }
  | { readonly kind: 'Time'; readonly durationMs: number };

/** An aggregate over the facts of the current fact's group, decided at end of input. */
export interface AggregationCondition {
  readonly kind: 'aggregation';
  readonly fn: AggregationFunction;
  /** For Percentile: p in 0..100. */
  readonly percentile: number | null;
  readonly sourceField: string;
  readonly groupBy: readonly string[];
  /** Tested against the record `{[alias]: aggregate}`; null = the group has at least one value. */
  readonly having: Condition | null;
  readonly alias: string;
  readonly window: AggregationWindow | null;
}

export type StreamWindow =
  | { readonly kind: 'Tumbling'; readonly durationMs: number }
  | { readonly kind: 'Sliding'; readonly sizeMs: number; readonly advanceMs: number }
  | { readonly kind: 'Session'; readonly gapTimeoutMs: number }
  | { readonly kind: 'CountTumbling'; readonly count: number }
  | { readonly kind: 'CountSliding'; readonly size: number; readonly advance: number };

export type StreamAggregation =
  | { readonly kind: 'Count' }
  | { readonly kind: 'Sum' | 'Average' | 'Min' | 'Max' | 'Distinct' | 'First' | 'Last'; readonly field: string }
  | { readonly kind: 'Rate'; readonly timeUnitMs: number };

/** A window over fact timestamps or input order, decided at end of input. */
export interface StreamCondition {
  readonly kind: 'stream';
  readonly window: StreamWindow;
  readonly aggregation: StreamAggregation;
  readonly filter: Condition | null;
  readonly having: Condition | null;
  readonly alias: string;
}

/** Conditions that need the whole input; allowed only as top-level conditions of a rule. */
export type DeferredConditionSpec = AggregationCondition | StreamCondition;

/** The operators of json-rules-engine that rete-eval runs (their semantics: src/jre/operators.ts). */
export const JRE_OPERATORS = [
  'equal',
  'notEqual',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
] as const;
export type JreOperator = (typeof JRE_OPERATORS)[number];

/** A json-rules-engine fact read: a top-level key of the record, then an optional JSONPath into it. */
export interface JreFactRead {
  readonly fact: string;
  /** The JSONPath's keys and indexes in order (`$.items[0].sku` → items, 0, sku); null: no path. */
  readonly path: readonly string[] | null;
  /** The path as the rule file wrote it, for labels. */
  readonly pathText: string | null;
}

/**
 * A json-rules-engine condition (src/jre/), with json-rules-engine's semantics: a fact read
 * compared by one of its operators with a constant (plain JSON, as written) or another read.
 */
export interface JreCondition extends JreFactRead {
  readonly kind: 'jre';
  readonly operator: JreOperator;
  /** The constant as the rule file wrote it; undefined when `ref` is set. */
  readonly value: unknown;
  /** Set when the value is `{"fact": …, "path": …}`: another value of the same record. */
  readonly ref: JreFactRead | null;
}

export type Condition = SimpleCondition | LogicalCondition | DeferredConditionSpec | JreCondition;

export interface Pattern {
  readonly alias: string;
  readonly conditions: readonly Condition[];
  readonly not: boolean;
  readonly exists: boolean;
}

/**
 * A value an action writes: a constant, or in a multi-fact rule `{"Ref":"alias.field"}`,
 * the field of a bound fact as it is when the action runs.
 */
export type ActionValue = { readonly ref: null; readonly value: Value } | { readonly ref: FieldRef; readonly value: null };

export type Severity = 'Low' | 'Medium' | 'High' | 'Critical';
export type NotificationType = 'Email' | 'Sms' | 'Push' | 'Webhook' | 'Slack' | 'Teams' | 'InApp';

export type Action = (
  | { readonly kind: 'Log'; readonly message: string }
  | { readonly kind: 'SetField'; readonly field: string; readonly value: ActionValue }
  | { readonly kind: 'CreateFact'; readonly fields: Readonly<Record<string, ActionValue>> }
  | {
      readonly kind: 'CallCalculator';
      readonly calculator: string;
      readonly inputMapping: Readonly<Record<string, string>>;
      readonly outputField: string;
    }
  | { readonly kind: 'Formula'; readonly expression: string; readonly outputField: string }
  | {
      readonly kind: 'TriggerAlert';
      readonly alertType: string;
      readonly message: string;
      readonly severity: Severity;
      readonly metadata: FieldMap;
    }
  | {
      readonly kind: 'SendNotification';
      readonly recipient: string;
      readonly subject: string;
      readonly message: string;
      readonly notificationType: NotificationType;
      readonly metadata: FieldMap;
    }
  | { readonly kind: 'UpdateFact'; readonly factIdField: string; readonly updates: Readonly<Record<string, ActionValue>> }
  | { readonly kind: 'DeleteFact'; readonly factIdField: string }
  | { readonly kind: 'IncrementField'; readonly field: string; readonly increment: ActionValue }
  | { readonly kind: 'AppendToArray'; readonly field: string; readonly value: ActionValue }
  /** A json-rules-engine rule's event: reported as it is, changing nothing. */
  | { readonly kind: 'Event'; readonly event: JreEvent }
) & {
  /** Alias of the pattern whose fact the action acts on (multi-pattern rules); null = the first. */
  readonly target: string | null;
};
export type ActionKind = Action['kind'];

export interface Rule {
  readonly id: number;
  readonly name: string;
  readonly salience: number;
  /** Top-level conditions of a single-fact rule (implicitly And-ed). Empty for pattern rules. */
  readonly conditions: readonly Condition[];
  /** The patterns of a multi-fact rule; null for a single-fact rule. */
  readonly patterns: readonly Pattern[] | null;
  readonly actions: readonly Action[];
  /** JSON path of the rule in its file, for messages. */
  readonly path: string;
}

/** A json-rules-engine event as it emits it: its `type`, and its `params` when truthy (plain JSON). */
export interface JreEvent {
  readonly type: unknown;
  readonly params?: unknown;
}

// ---------------------------------------------------------------------------
// Results (docs/output.md). Records are in wire shape so they serialize as they are.

export type ActionResult =
  | { FieldSet: { fact_id: number; field: string; value: Value } }
  | { CalculatorResult: { calculator: string; result: string; output_field: string; parsed_value: Value } }
  | { Logged: { message: string } }
  | { FactCreated: { fact_id: number; fact_data: { fields: FieldMap } } }
  | { FactUpdated: { fact_id: number; updated_fields: FieldMap } }
  | { FactDeleted: { fact_id: number } }
  | { FieldIncremented: { fact_id: number; field: string; old_value: Value; new_value: Value } }
  | { ArrayAppended: { fact_id: number; field: string; appended_value: Value; new_length: number } }
  | { NotificationSent: { recipient: string; notification_type: NotificationType; subject: string } }
  | { AlertTriggered: { alert_type: string; severity: Severity; message: string } }
  | { Event: JreEvent };

/** One rule firing: one output line. */
export interface Firing {
  rule_id: number;
  rule_name: string;
  fact_id: number;
  /** Present for multi-pattern rules: the matched facts' ids in pattern order. */
  fact_ids?: number[];
  actions_executed: ActionResult[];
}
