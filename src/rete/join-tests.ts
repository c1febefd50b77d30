// Join tests: the conditions of a pattern that compare its fact with an earlier pattern's
// fact through a Ref (`{"Ref":"e.dept_id"}`), compiled once. A test reads the right fact
// (the pattern's own) and the left token (the earlier patterns' facts).
//
// Semantics, as for constants (formats.md §6), with the Ref's value in the constant's
// place; a missing Ref'd field counts like a missing field: every operator is false
// except NotEqual, which is true.
//
// Hash joins: an Equal against a Ref is not a test but an index lookup. joinKey() maps a
// value to the key both sides are indexed under; values that may be Equal always share a
// key (numbers by value across int/float; dates and date strings by instant; arrays and
// objects in one bucket), and every candidate a lookup returns is confirmed with
// valuesEqual, so keys only need to be a sound over-approximation.

import { compilePath, rootField, type FieldReader } from '../model/path.js';
import type { Condition, Operator, SimpleCondition } from '../model/types.js';
import { compareValues, DateValue, FloatValue, parseRfc3339, valuesEqual, type FieldMap, type Value } from '../model/value.js';
import { compileCondition, type AlphaTest } from './tests.js';
import { fieldsAt, type Token } from './token.js';

export type JoinKey = string | number | boolean | null;

/** The bucket of arrays and objects (compared one by one with valuesEqual). */
const COMPLEX_KEY = '\u0000complex';

/**
 * The hash key of a join value, or undefined when the value can equal nothing (missing,
 * NaN). Strings that read as RFC 3339 date-times share the key of their instant with
 * dates, because a date equals such a string (two such strings are still compared as text).
 */
export function joinKey(v: Value | undefined): JoinKey | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return Number.isNaN(v) ? undefined : v;
  if (typeof v === 'string') {
    // Cheap pre-check before the date regex: "YYYY-MM-DD..." has '-' at 4 and 7.
    if (v.length >= 20 && v.charCodeAt(4) === 45 && v.charCodeAt(7) === 45) {
      const ms = parseRfc3339(v);
      if (!Number.isNaN(ms)) return `\u0000date:${ms}`;
    }
    return v;
  }
  if (v === null || typeof v === 'boolean') return v;
  if (v instanceof FloatValue) return Number.isNaN(v.value) ? undefined : v.value;
  if (v instanceof DateValue) return `\u0000date:${v.ms}`;
  return COMPLEX_KEY;
}

/** Where a Ref points: a field of the fact bound `steps` patterns above the left token. */
export interface LeftRef {
  /** Alias and pattern number of the Ref'd pattern, as the first rule that compiled it names it. */
  readonly alias: string;
  readonly pattern: number;
  readonly path: string;
  readonly steps: number;
  readonly read: FieldReader;
}

export abstract class JoinTest {
  /** Identity for sharing join nodes: Refs are named by pattern number, not alias. */
  readonly key: string;
  readonly label: string;
  /** Root fields read on the pattern's own fact and on the Ref'd facts. */
  readonly reads: readonly string[];
  mismatches = 0;
  constructor(key: string, label: string, reads: readonly string[]) {
    this.key = key;
    this.label = label;
    this.reads = reads;
  }
  /** `left`: the token of the earlier patterns; `right`: the fields of the pattern's candidate fact. */
  abstract test(left: Token, right: FieldMap): boolean;
  mismatchTotal(): number {
    return this.mismatches;
  }
}

enum Op {
  Equal,
  NotEqual,
  Greater,
  GreaterEq,
  Less,
  LessEq,
  Contains,
  StartsWith,
  EndsWith,
}

function opCode(op: Operator): Op {
  switch (op) {
    case 'Equal':
      return Op.Equal;
    case 'NotEqual':
      return Op.NotEqual;
    case 'GreaterThan':
      return Op.Greater;
    case 'GreaterThanOrEqual':
      return Op.GreaterEq;
    case 'LessThan':
      return Op.Less;
    case 'LessThanOrEqual':
      return Op.LessEq;
    case 'Contains':
      return Op.Contains;
    case 'StartsWith':
      return Op.StartsWith;
    case 'EndsWith':
      return Op.EndsWith;
  }
}

/** A Simple condition whose value is a Ref. */
export class RefTest extends JoinTest {
  readonly path: string;
  readonly operator: Operator;
  readonly ref: LeftRef;
  private readonly read: FieldReader;
  private readonly op: Op;
  constructor(c: SimpleCondition, ref: LeftRef) {
    super(
      // The Ref by pattern number and distance from the left token (tests of patterns at
      // different positions read different links, so they are different tests).
      `${c.field}|${c.operator}|@${ref.pattern}.${ref.path}^${ref.steps}`,
      `${c.field} ${c.operator} ${ref.alias}.${ref.path}`,
      [rootField(c.field), rootField(ref.path)],
    );
    this.path = c.field;
    this.operator = c.operator;
    this.ref = ref;
    this.read = compilePath(c.field);
    this.op = opCode(c.operator);
  }
  test(left: Token, right: FieldMap): boolean {
    const ref = this.ref;
    const k = ref.read(fieldsAt(left, ref.steps));
    const v = this.read(right);
    if (v === undefined || k === undefined) return this.op === Op.NotEqual;
    switch (this.op) {
      case Op.Equal:
        return valuesEqual(v, k);
      case Op.NotEqual:
        return !valuesEqual(v, k);
      case Op.Contains:
        if (typeof v === 'string') {
          if (typeof k === 'string') return v.includes(k);
          this.mismatches++;
          return false;
        }
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) if (valuesEqual(v[i]!, k)) return true;
          return false;
        }
        this.mismatches++;
        return false;
      case Op.StartsWith:
      case Op.EndsWith:
        if (typeof v !== 'string' || typeof k !== 'string') {
          this.mismatches++;
          return false;
        }
        return this.op === Op.StartsWith ? v.startsWith(k) : v.endsWith(k);
    }
    const d = compareValues(v, k);
    if (Number.isNaN(d)) {
      this.mismatches++;
      return false;
    }
    switch (this.op) {
      case Op.Greater:
        return d > 0;
      case Op.GreaterEq:
        return d >= 0;
      case Op.Less:
        return d < 0;
      default:
        return d <= 0;
    }
  }
}

/** A constant condition inside an And/Or/Not that also holds a Ref: tested on the right fact. */
class ConstantTest extends JoinTest {
  readonly inner: AlphaTest;
  constructor(inner: AlphaTest) {
    super(inner.key, inner.label, inner.reads);
    this.inner = inner;
  }
  test(_left: Token, right: FieldMap): boolean {
    return this.inner.test(right);
  }
  override mismatchTotal(): number {
    return this.inner.mismatchTotal();
  }
}

class LogicalJoinTest extends JoinTest {
  private readonly kind: 'and' | 'or' | 'not';
  private readonly children: readonly JoinTest[];
  constructor(kind: 'and' | 'or' | 'not', children: JoinTest[]) {
    const name = kind === 'and' ? 'And' : kind === 'or' ? 'Or' : 'Not';
    super(`${name}(${children.map((c) => c.key).join(';')})`, `${name}(${children.map((c) => c.label).join(', ')})`, [
      ...new Set(children.flatMap((c) => c.reads)),
    ]);
    this.kind = kind;
    this.children = children;
  }
  test(left: Token, right: FieldMap): boolean {
    const cs = this.children;
    if (this.kind === 'and') {
      for (let i = 0; i < cs.length; i++) if (!cs[i]!.test(left, right)) return false;
      return true;
    }
    for (let i = 0; i < cs.length; i++) if (cs[i]!.test(left, right)) return this.kind === 'or';
    return this.kind === 'not';
  }
  override mismatchTotal(): number {
    let n = this.mismatches;
    for (const c of this.children) n += c.mismatchTotal();
    return n;
  }
}

/** Whether a condition holds a Ref anywhere (then it is a join test, not an alpha test). */
export function hasRef(c: Condition): boolean {
  if (c.kind === 'simple') return c.ref !== null;
  if (c.kind === 'and' || c.kind === 'or' || c.kind === 'not') return c.conditions.some(hasRef);
  return false;
}

/** Resolves a Ref's alias to a LeftRef for a pattern at position `pattern` (> the Ref'd one). */
export type RefResolver = (alias: string, path: string) => LeftRef;

/** Compiles a condition holding a Ref into a join test. */
export function compileJoinTest(c: Condition, resolve: RefResolver): JoinTest {
  if (c.kind === 'simple') {
    if (c.ref === null) return new ConstantTest(compileCondition(c));
    return new RefTest(c, resolve(c.ref.alias, c.ref.field));
  }
  if (c.kind === 'aggregation' || c.kind === 'stream') throw new Error(`${c.kind} conditions cannot stand in a pattern`);
  if (!hasRef(c)) return new ConstantTest(compileCondition(c));
  const children = c.conditions.map((x) => compileJoinTest(x, resolve));
  if (children.length === 1 && c.kind !== 'not') return children[0]!;
  return new LogicalJoinTest(c.kind, children);
}
