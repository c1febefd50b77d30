// Join tests: the conditions of a pattern that compare its fact with an earlier pattern's
// fact through a Ref (`{"Ref":"e.dept_id"}`), compiled once. A test reads the right fact
// (the pattern's own) and the left partial match (the earlier patterns' facts); it decides
// through the operators of operators.ts, with the Ref'd value in the constant's place, and
// counts type mismatches in the session's counters, as alpha tests do.
//
// An Equal against a Ref is usually not a test but the node's hash join (keys.ts joinKey).

import { compilePath, rootField, type FieldReader } from '../model/path.js';
import type { Condition, SimpleCondition } from '../model/types.js';
import type { FieldMap } from '../model/value.js';
import { shareKey } from './keys.js';
import { applyOperator, opCode, Outcome, type Op } from './operators.js';
import { compileCondition, logicalName, type AlphaTest, type LogicalKind, type Mismatches, type Slots } from './predicates.js';
import type { PartialMatch } from './wme.js';

/** Where a Ref points: a field of the fact an earlier pattern bound. */
export interface LeftRef {
  /** Alias and pattern number of the Ref'd pattern, as the first rule that compiled it names it. */
  readonly alias: string;
  readonly pattern: number;
  readonly path: string;
  readonly read: FieldReader;
}

/** Resolves a Ref's alias to the earlier pattern it names. */
export type RefResolver = (alias: string, path: string) => LeftRef;

export function makeLeftRef(alias: string, pattern: number, path: string): LeftRef {
  return { alias, pattern, path, read: compilePath(path) };
}

export abstract class JoinTest {
  /** Identity for sharing join nodes: Refs are named by pattern number, not alias. */
  readonly key: string;
  readonly label: string;
  /** Root fields read on the pattern's own fact and on the Ref'd facts. */
  readonly reads: readonly string[];
  readonly slot: number;
  constructor(key: string, label: string, reads: readonly string[], slots: Slots) {
    this.key = key;
    this.label = label;
    this.reads = reads;
    this.slot = slots.take();
  }
  /** `left`: the earlier patterns' match; `right`: the fields of the pattern's candidate fact. */
  abstract test(left: PartialMatch, right: FieldMap, m: Mismatches): boolean;
  mismatchTotal(m: readonly number[]): number {
    return m[this.slot] ?? 0;
  }
}

/** A Simple condition whose value is a Ref. */
export class RefTest extends JoinTest {
  readonly ref: LeftRef;
  private readonly read: FieldReader;
  private readonly op: Op;
  constructor(c: SimpleCondition, ref: LeftRef, slots: Slots) {
    super(
      shareKey('ref', c.field, c.operator, ref.pattern, ref.path),
      `${c.field} ${c.operator} ${ref.alias}.${ref.path}`,
      [rootField(c.field), rootField(ref.path)],
      slots,
    );
    this.ref = ref;
    this.read = compilePath(c.field);
    this.op = opCode(c.operator);
  }
  test(left: PartialMatch, right: FieldMap, m: Mismatches): boolean {
    const ref = this.ref;
    const r = applyOperator(this.op, this.read(right), ref.read(left.factAt(ref.pattern)!.fields));
    if (r === Outcome.Mismatch) m[this.slot]!++;
    return r === Outcome.True;
  }
}

/** A constant condition inside an And/Or/Not that also holds a Ref: tested on the right fact. */
class ConstantTest extends JoinTest {
  readonly inner: AlphaTest;
  constructor(inner: AlphaTest, slots: Slots) {
    super(shareKey('constant', inner.key), inner.label, inner.reads, slots);
    this.inner = inner;
  }
  test(_left: PartialMatch, right: FieldMap, m: Mismatches): boolean {
    return this.inner.test(right, m);
  }
  override mismatchTotal(m: readonly number[]): number {
    return this.inner.mismatchTotal(m);
  }
}

class LogicalJoinTest extends JoinTest {
  private readonly kind: LogicalKind;
  private readonly children: readonly JoinTest[];
  constructor(kind: LogicalKind, children: JoinTest[], slots: Slots) {
    super(
      shareKey(
        'join',
        kind,
        children.map((c) => c.key),
      ),
      `${logicalName(kind)}(${children.map((c) => c.label).join(', ')})`,
      [...new Set(children.flatMap((c) => c.reads))],
      slots,
    );
    this.kind = kind;
    this.children = children;
  }
  test(left: PartialMatch, right: FieldMap, m: Mismatches): boolean {
    const cs = this.children;
    if (this.kind === 'and') {
      for (let i = 0; i < cs.length; i++) if (!cs[i]!.test(left, right, m)) return false;
      return true;
    }
    for (let i = 0; i < cs.length; i++) if (cs[i]!.test(left, right, m)) return this.kind === 'or';
    return this.kind === 'not';
  }
  override mismatchTotal(m: readonly number[]): number {
    let n = m[this.slot] ?? 0;
    for (const c of this.children) n += c.mismatchTotal(m);
    return n;
  }
}

/** A constant test of the right fact, as a join test (a pattern's test its shared memory leaves to the node). */
export function constantJoinTest(inner: AlphaTest, slots: Slots): JoinTest {
  return new ConstantTest(inner, slots);
}

/** Whether a condition holds a Ref anywhere (then it is a join test, not an alpha test). */
export function hasRef(c: Condition): boolean {
  if (c.kind === 'simple') return c.ref !== null;
  if (c.kind === 'and' || c.kind === 'or' || c.kind === 'not') return c.conditions.some(hasRef);
  return false;
}

/** Compiles a condition holding a Ref into a join test. */
export function compileJoinTest(c: Condition, resolve: RefResolver, slots: Slots): JoinTest {
  if (c.kind === 'simple') {
    if (c.ref === null) return new ConstantTest(compileCondition(c, slots), slots);
    return new RefTest(c, resolve(c.ref.alias, c.ref.field), slots);
  }
  if (c.kind === 'aggregation' || c.kind === 'stream') throw new Error(`${c.kind} conditions cannot stand in a pattern`);
  if (c.kind === 'jre' || !hasRef(c)) return new ConstantTest(compileCondition(c, slots), slots);
  const children = c.conditions.map((x) => compileJoinTest(x, resolve, slots));
  if (children.length === 1 && c.kind !== 'not') return children[0]!;
  return new LogicalJoinTest(c.kind, children, slots);
}

/** Whether every join test holds for a left match and a right fact. */
export function passes(tests: readonly JoinTest[], left: PartialMatch, right: FieldMap, m: Mismatches): boolean {
  for (let i = 0; i < tests.length; i++) if (!tests[i]!.test(left, right, m)) return false;
  return true;
}
