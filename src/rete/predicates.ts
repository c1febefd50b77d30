// Alpha tests: a condition on one fact compiled once into a test over its fields, with an
// injective key (identical tests are shared between rules), a cost rank (cheap and
// selective tests go first) and a mismatch slot. Tests hold no run state: a session
// passes its own mismatch counters in, and a test counts its type mismatches there.

import { compilePath, rootField, type FieldReader } from '../model/path.js';
import type { Condition, JreCondition, SimpleCondition } from '../model/types.js';
import { DateValue, FloatValue, hashKey, valuesEqual, type FieldMap, type Value } from '../model/value.js';
import { canonical, canonicalKey, equalityKey, shareKey, type HashKey } from './keys.js';
import { affixOutcome, containsOutcome, type Op, opCode, orderHolds, orderOutcome, Outcome } from './operators.js';
import { JreOp } from '../jre/operators.js';
import { JrePredicate } from '../jre/predicate.js';

/** Cost classes, cheapest and most selective first. */
export const enum Rank {
  HashEqual = 0,
  Equal = 1,
  InSet = 2,
  Order = 3,
  Affix = 4,
  Contains = 5,
  NotEqual = 6,
  Logical = 7,
}

/** A session's type-mismatch counts, one per test slot of its network. */
export type Mismatches = number[];

/** Hands out mismatch slots while a network compiles. */
export class Slots {
  count = 0;
  take(): number {
    return this.count++;
  }
}

/**
 * How a Rank.HashEqual test joins a hash group: the groups's identity (tests with one group
 * read the same value the same way), what it reads (for explain, and the reader itself), and
 * the key a value read must have for the test to hold.
 */
export interface HashDispatch {
  readonly group: string;
  readonly label: string;
  readonly read: FieldReader;
  readonly key: HashKey;
}

export abstract class AlphaTest {
  /** Identity for sharing: two tests with the same key accept exactly the same facts. */
  readonly key: string;
  readonly rank: Rank;
  /** Human form, as in `salary GreaterThan 100000`. */
  readonly label: string;
  /** Root fields the test reads (for deciding whether a change can alter its outcome). */
  readonly reads: readonly string[];
  /** Where this test counts its type mismatches in a session's Mismatches. */
  readonly slot: number;
  constructor(key: string, rank: Rank, label: string, reads: readonly string[], slots: Slots) {
    this.key = key;
    this.rank = rank;
    this.label = label;
    this.reads = reads;
    this.slot = slots.take();
  }
  abstract test(fields: FieldMap, m: Mismatches): boolean;
  /** Mismatches met by this test and the tests inside it. */
  mismatchTotal(m: readonly number[]): number {
    return m[this.slot] ?? 0;
  }
  /** For a Rank.HashEqual test: its hash group and key. */
  dispatch(): HashDispatch | null {
    return null;
  }
}

export function valueLabel(v: Value): string {
  if (v instanceof DateValue) return `Date(${JSON.stringify(v.toJSON())})`;
  const s = JSON.stringify(v);
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}

/** The sharing key of a condition comparing a field with a constant. */
function fieldTestKey(c: SimpleCondition): string {
  return shareKey('field', c.field, c.operator, canonical(c.value));
}

abstract class FieldTest extends AlphaTest {
  readonly path: string;
  /** The constant the field is compared with. */
  readonly value: Value;
  protected readonly read: FieldReader;
  constructor(c: SimpleCondition, key: string, rank: Rank, slots: Slots) {
    super(key, rank, `${c.field} ${c.operator} ${valueLabel(c.value)}`, [rootField(c.field)], slots);
    this.path = c.field;
    this.value = c.value;
    this.read = compilePath(c.field);
  }
}

export class EqualTest extends FieldTest {
  constructor(c: SimpleCondition, key: string, slots: Slots) {
    super(c, key, equalityKey(c.value) === undefined ? Rank.Equal : Rank.HashEqual, slots);
  }
  test(fields: FieldMap): boolean {
    const v = this.read(fields);
    return v !== undefined && valuesEqual(v, this.value);
  }
  override dispatch(): HashDispatch | null {
    const key = equalityKey(this.value);
    return key === undefined ? null : { group: shareKey('field', this.path), label: this.path, read: this.read, key };
  }
}

export class NotEqualTest extends FieldTest {
  constructor(c: SimpleCondition, key: string, slots: Slots) {
    super(c, key, Rank.NotEqual, slots);
  }
  test(fields: FieldMap): boolean {
    const v = this.read(fields);
    return v === undefined || !valuesEqual(v, this.value);
  }
}

export class OrderTest extends FieldTest {
  private readonly op: Op;
  /** The constant as a plain number when it is one: numbers compare without the general path. */
  private readonly num: number | undefined;
  constructor(c: SimpleCondition, key: string, slots: Slots) {
    super(c, key, Rank.Order, slots);
    this.op = opCode(c.operator);
    this.num = typeof c.value === 'number' ? c.value : c.value instanceof FloatValue ? c.value.value : undefined;
  }
  test(fields: FieldMap, m: Mismatches): boolean {
    const v = this.read(fields);
    if (v === undefined) return false;
    if (typeof v === 'number' && this.num !== undefined) return orderHolds(this.op, v - this.num);
    const r = orderOutcome(this.op, v, this.value);
    if (r === Outcome.Mismatch) m[this.slot]!++;
    return r === Outcome.True;
  }
}

export class ContainsTest extends FieldTest {
  constructor(c: SimpleCondition, key: string, slots: Slots) {
    super(c, key, Rank.Contains, slots);
  }
  test(fields: FieldMap, m: Mismatches): boolean {
    const v = this.read(fields);
    if (v === undefined) return false;
    const r = containsOutcome(v, this.value);
    if (r === Outcome.Mismatch) m[this.slot]!++;
    return r === Outcome.True;
  }
}

export class AffixTest extends FieldTest {
  private readonly starts: boolean;
  constructor(c: SimpleCondition, key: string, slots: Slots) {
    super(c, key, Rank.Affix, slots);
    this.starts = c.operator === 'StartsWith';
  }
  test(fields: FieldMap, m: Mismatches): boolean {
    const v = this.read(fields);
    if (v === undefined) return false;
    const r = affixOutcome(this.starts, v, this.value);
    if (r === Outcome.Mismatch) m[this.slot]!++;
    return r === Outcome.True;
  }
}

/** An Or of Equal tests on one field against hashable constants: one set lookup. */
export class InSetTest extends AlphaTest {
  private readonly read: FieldReader;
  private readonly set: ReadonlySet<HashKey>;
  constructor(path: string, keys: HashKey[], values: Value[], slots: Slots) {
    const sorted = values.map(canonicalKey).sort();
    super(shareKey('in', path, sorted), Rank.InSet, `${path} In [${values.map(valueLabel).join(', ')}]`, [rootField(path)], slots);
    this.read = compilePath(path);
    this.set = new Set(keys);
  }
  test(fields: FieldMap): boolean {
    const k = hashKey(this.read(fields));
    return k !== undefined && this.set.has(k);
  }
}

/** A json-rules-engine condition (src/jre/): its own reads and operators behind the alpha-test interface. */
export class JreTest extends AlphaTest {
  private readonly p: JrePredicate;
  constructor(c: JreCondition, slots: Slots) {
    const p = new JrePredicate(c);
    super(p.key, p.hashKey !== undefined ? Rank.HashEqual : jreRank(p.op), p.label, p.reads, slots);
    this.p = p;
  }
  test(fields: FieldMap, m: Mismatches): boolean {
    const r = this.p.evaluate(fields);
    if (r === Outcome.Mismatch) m[this.slot]!++;
    return r === Outcome.True;
  }
  override dispatch(): HashDispatch | null {
    const p = this.p;
    return p.hashKey === undefined ? null : { group: p.readKey, label: p.readLabel, read: p.reader(), key: p.hashKey };
  }
}

function jreRank(op: JreOp): Rank {
  switch (op) {
    case JreOp.Equal:
      return Rank.Equal;
    case JreOp.In:
      return Rank.InSet;
    case JreOp.Contains:
      return Rank.Contains;
    case JreOp.NotEqual:
    case JreOp.NotIn:
    case JreOp.DoesNotContain:
      return Rank.NotEqual;
    default:
      return Rank.Order;
  }
}

export type LogicalKind = 'and' | 'or' | 'not';

export function logicalName(kind: LogicalKind): string {
  return kind === 'and' ? 'And' : kind === 'or' ? 'Or' : 'Not';
}

export class LogicalTest extends AlphaTest {
  private readonly kind: LogicalKind;
  private readonly children: readonly AlphaTest[];
  constructor(kind: LogicalKind, children: AlphaTest[], slots: Slots) {
    super(
      shareKey(
        kind,
        children.map((c) => c.key),
      ),
      Rank.Logical,
      `${logicalName(kind)}(${children.map((c) => c.label).join(', ')})`,
      [...new Set(children.flatMap((c) => c.reads))],
      slots,
    );
    this.kind = kind;
    this.children = children;
  }
  test(fields: FieldMap, m: Mismatches): boolean {
    const cs = this.children;
    if (this.kind === 'and') {
      for (let i = 0; i < cs.length; i++) if (!cs[i]!.test(fields, m)) return false;
      return true;
    }
    for (let i = 0; i < cs.length; i++) {
      if (cs[i]!.test(fields, m)) return this.kind === 'or';
    }
    return this.kind === 'not';
  }
  override mismatchTotal(m: readonly number[]): number {
    let n = m[this.slot] ?? 0;
    for (const c of this.children) n += c.mismatchTotal(m);
    return n;
  }
}

/**
 * Tests by key while a network compiles, so that a condition whose test exists already is not
 * built again (bench enterprise: 200 rules, 4 distinct tests). Only for tests of facts:
 * aggregation and window tests keep their own (their mismatches are counted apart).
 */
export type TestCache = Map<string, AlphaTest>;

function simpleTest(c: SimpleCondition, slots: Slots, cache: TestCache | null): AlphaTest {
  const key = fieldTestKey(c);
  const known = cache === null ? undefined : cache.get(key);
  if (known !== undefined) return known;
  const t = fieldTest(c, key, slots);
  if (cache !== null) cache.set(key, t);
  return t;
}

function fieldTest(c: SimpleCondition, key: string, slots: Slots): AlphaTest {
  switch (c.operator) {
    case 'Equal':
      return new EqualTest(c, key, slots);
    case 'NotEqual':
      return new NotEqualTest(c, key, slots);
    case 'Contains':
      return new ContainsTest(c, key, slots);
    case 'StartsWith':
    case 'EndsWith':
      return new AffixTest(c, key, slots);
    default:
      return new OrderTest(c, key, slots);
  }
}

/** Compiles a condition of a single fact (no Refs) into a test (one from `cache` when it has the same). */
export function compileCondition(c: Condition, slots: Slots, cache: TestCache | null = null): AlphaTest {
  if (c.kind === 'simple') return simpleTest(c, slots, cache);
  if (c.kind === 'jre') return new JreTest(c, slots);
  if (c.kind === 'aggregation' || c.kind === 'stream') {
    throw new Error(`${c.kind} conditions are decided at end of input, not by an alpha test`);
  }
  if (c.kind === 'or') {
    const set = asInSet(c.conditions, slots);
    if (set) return set;
  }
  const children = c.conditions.map((x) => compileCondition(x, slots, cache));
  if (children.length === 1 && c.kind !== 'not') return children[0]!;
  return new LogicalTest(c.kind, children, slots);
}

/** An Or whose children are all hashable Equals on the same field becomes a set test. */
function asInSet(conds: readonly Condition[], slots: Slots): AlphaTest | null {
  if (conds.length < 2) return null;
  let path: string | null = null;
  const keys: HashKey[] = [];
  const values: Value[] = [];
  for (const c of conds) {
    if (c.kind !== 'simple' || c.operator !== 'Equal' || c.ref !== null) return null;
    const k = equalityKey(c.value);
    if (k === undefined || (path !== null && c.field !== path)) return null;
    path = c.field;
    keys.push(k);
    values.push(c.value);
  }
  return new InSetTest(path!, keys, values, slots);
}

/** Drops later entries whose key was seen before (the same test twice is tested once). */
export function dedupeByKey<T extends { readonly key: string }>(list: readonly T[]): T[] {
  const seen = new Set<string>();
  return list.filter((t) => {
    if (seen.has(t.key)) return false;
    seen.add(t.key);
    return true;
  });
}

/**
 * Flattens a rule's top-level conditions into conjuncts: nested Ands are spliced in, and
 * an empty And (always true) disappears. End-of-input conditions are left out (the rule's
 * terminal decides them). Returns the tests to chain, unordered.
 */
export function conjuncts(conds: readonly Condition[], slots: Slots, cache: TestCache | null = null): AlphaTest[] {
  const out: AlphaTest[] = [];
  const walk = (list: readonly Condition[]) => {
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!;
      if (c.kind === 'and') walk(c.conditions);
      else if (c.kind !== 'aggregation' && c.kind !== 'stream') out.push(compileCondition(c, slots, cache));
    }
  };
  walk(conds);
  return dedupeByKey(out);
}
