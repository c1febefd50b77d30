// What the rules read from a fact: the top-level keys of a record that conditions, joins,
// aggregations, windows and actions can look at, worked out from the validated rules alone.
// The projected fact reader extracts only these keys; everything else is validated and skipped.

import { compileFormula } from '../actions/formula/index.js';
import type { Action, Condition, Pattern, Rule } from './types.js';
import { DateValue, FloatValue } from './value.js';

/** The keys the rules read, or why whole records are needed instead. */
export type RuleReads = { readonly whole: false; readonly fields: readonly string[] } | { readonly whole: true; readonly reason: string };

/**
 * The top-level keys of a fact's field map that can change what the rules do, in order of
 * first appearance. A dotted path `a.b.c` keeps `a`, `a.b` and `a.b.c`: at every level a
 * read takes the longest dotted key present, so each of them can matter. A write to a
 * dotted path reads its prefixes (it fails when a non-object is in the way); a write to a
 * plain name reads nothing. In a multi-fact rule, an `alias.`-prefixed name in an action
 * (Formula, calculator mapping, `{"Ref":…}` value) reads the field after the alias; the
 * name is also kept as a plain path, so the answer is right whichever it means. `id`,
 * `timestamp` and `external_id` are not listed: the fact decoder always reads them.
 */
export function ruleReads(rules: readonly Rule[]): RuleReads {
  const out = new Collector();
  // Indexed loops: this runs over every rule as a network compiles, in the interpreter.
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r]!;
    const aliases = rule.patterns === null ? NO_ALIASES : rule.patterns.map((p) => p.alias);
    if (rule.patterns === null) for (let i = 0; i < rule.conditions.length; i++) out.condition(rule.conditions[i]!);
    else for (let i = 0; i < rule.patterns.length; i++) out.pattern(rule.patterns[i]!);
    for (let i = 0; i < rule.actions.length; i++) {
      const a = rule.actions[i]!;
      const why = out.action(a, aliases);
      if (why !== null) return { whole: true, reason: `rule ${rule.id} ${why}` };
      out.refs(a, aliases);
    }
  }
  return { whole: false, fields: out.list };
}

const hasOwn = Object.prototype.hasOwnProperty;
const NO_ALIASES: readonly string[] = [];

/** Whether `key` is the object's one own key. */
function onlyKey(o: object, key: string): boolean {
  let n = 0;
  for (const k in o) if (hasOwn.call(o, k) && (++n > 1 || k !== key)) return false;
  return n === 1;
}

class Collector {
  readonly list: string[] = [];
  private readonly seen = new Set<string>();

  /** A path read as a value: the path and each of its dotted prefixes. */
  read(path: string): void {
    let dot = path.indexOf('.');
    while (dot >= 0) {
      this.add(path.slice(0, dot));
      dot = path.indexOf('.', dot + 1);
    }
    this.add(path);
  }

  /** A path written: a dotted one reads its prefixes and itself (writePath checks the whole key). */
  write(path: string): void {
    if (path.indexOf('.') >= 0) this.read(path);
  }

  /** A name in an action of a multi-fact rule: `alias.field` reads `field` of that pattern's facts. */
  readName(name: string, aliases: readonly string[]): void {
    this.read(name);
    const dot = name.indexOf('.');
    if (dot > 0 && dot < name.length - 1 && aliases.includes(name.slice(0, dot))) this.read(name.slice(dot + 1));
  }

  private add(key: string): void {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push(key);
  }

  pattern(p: Pattern): void {
    for (const c of p.conditions) this.condition(c);
  }

  condition(c: Condition): void {
    switch (c.kind) {
      case 'simple':
        this.read(c.field);
        if (c.ref !== null) this.read(c.ref.field);
        return;
      case 'and':
      case 'or':
      case 'not':
        for (const x of c.conditions) this.condition(x);
        return;
      case 'jre':
        // A json-rules-engine fact is a whole top-level key, whatever its path reads inside it.
        this.add(c.fact);
        if (c.ref !== null) this.add(c.ref.fact);
        return;
      case 'aggregation':
        // `having` tests the aggregate record ({alias: value}), not a fact.
        this.read(c.sourceField);
        for (const g of c.groupBy) this.read(g);
        return;
      case 'stream':
        if (c.aggregation.kind !== 'Count' && c.aggregation.kind !== 'Rate') this.read(c.aggregation.field);
        if (c.filter !== null) this.condition(c.filter);
        return;
    }
  }

  /** Records what an action reads; returns why whole records are needed, or null. */
  action(a: Action, aliases: readonly string[]): string | null {
    switch (a.kind) {
      case 'Log':
      case 'TriggerAlert':
      case 'SendNotification':
      case 'CreateFact':
      case 'Event':
        return null;
      case 'SetField':
        this.write(a.field);
        return null;
      case 'IncrementField':
      case 'AppendToArray':
        this.read(a.field);
        return null;
      case 'UpdateFact':
        this.read(a.factIdField);
        for (const k of Object.keys(a.updates)) this.write(k);
        return null;
      case 'DeleteFact':
        this.read(a.factIdField);
        return null;
      case 'CallCalculator':
        for (const arg of Object.keys(a.inputMapping)) this.readName(a.inputMapping[arg]!, aliases);
        this.write(a.outputField);
        return null;
      case 'Formula':
        for (const f of compileFormula(a.expression).fields) this.readName(f, aliases);
        this.write(a.outputField);
        return null;
      default:
        // An action this analysis does not know may read anything.
        return `uses the action ${(a as { kind: string }).kind}, which may read any field`;
    }
  }

  /**
   * References to other facts' fields anywhere inside an action (its values included): a
   * `{"Ref":"alias.field"}` value, or a resolved reference `{alias, field}`. Reading more
   * keys than needed never changes a result, so anything shaped like one counts.
   */
  refs(v: unknown, aliases: readonly string[]): void {
    // Numbers and dates boxed as values hold no reference. (This walk runs over every action
    // of every rule while a network compiles: it allocates nothing.)
    if (v === null || typeof v !== 'object' || v instanceof FloatValue || v instanceof DateValue) return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) this.refs(v[i], aliases);
      return;
    }
    const o = v as Record<string, unknown>;
    if (typeof o.Ref === 'string' && onlyKey(o, 'Ref')) {
      this.readName(o.Ref, aliases);
      return;
    }
    if (typeof o.alias === 'string' && typeof o.field === 'string') this.read(o.field);
    for (const k in o) if (hasOwn.call(o, k)) this.refs(o[k], aliases);
  }
}
