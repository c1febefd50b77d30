// Alpha tests: a condition compiled once into a test over one fact's fields, with a
// canonical key (identical tests are shared between rules), a cost rank (cheap and
// selective tests go first) and a per-test count of type mismatches for the report.

import { compilePath, rootField, type FieldReader } from '../model/path.js';
import type { Condition, Operator, SimpleCondition } from '../model/types.js';
import { compareValues, DateValue, FloatValue, hashKey, parseRfc3339, valuesEqual, type FieldMap, type Value } from '../model/value.js';

/** Cost classes, cheapest and most selective first. */
export enum Rank {
  HashEqual = 0,
  Equal = 1,
  InSet = 2,
  Order = 3,
  Affix = 4,
  Contains = 5,
  NotEqual = 6,
  Logical = 7,
}

export type HashKey = string | number | boolean | null;

export abstract class AlphaTest {
  /** Identity for sharing: two tests with the same key accept exactly the same facts. */
  readonly key: string;
  readonly rank: Rank;
  /** Human form, as in `salary GreaterThan 100000`. */
  readonly label: string;
  /** Root fields the test reads (for deciding whether a change can alter its outcome). */
  readonly reads: readonly string[];
  /** Facts on which the test met a value of an unrelated type (counted, then false). */
  mismatches = 0;
  constructor(key: string, rank: Rank, label: string, reads: readonly string[]) {
    this.key = key;
    this.rank = rank;
    this.label = label;
    this.reads = reads;
  }
  abstract test(fields: FieldMap): boolean;
  /** Mismatches met by this test and the tests inside it. */
  mismatchTotal(): number {
    return this.mismatches;
  }
}

/** Canonical text of a value for test keys: numbers by value across int/float, types kept apart. */
export function canonicalValue(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'number':
      return `n${v}`;
    case 'boolean':
      return `b${v}`;
    case 'string':
      return JSON.stringify(v);
  }
  if (v instanceof FloatValue) return `n${v.value}`;
  if (v instanceof DateValue) return `d${v.ms}`;
  if (Array.isArray(v)) return `[${v.map(canonicalValue).join(',')}]`;
  const o = v as FieldMap;
  return `{${Object.keys(o)
    .map((k) => `${JSON.stringify(k)}:${canonicalValue(o[k]!)}`)
    .join(',')}}`;
}

export function valueLabel(v: Value): string {
  if (v instanceof DateValue) return `Date(${JSON.stringify(v.toJSON())})`;
  const s = JSON.stringify(v);
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}

/**
 * The hash-index key of an Equal constant, or undefined when the constant must be tested
 * by comparison: dates (and strings that read as dates, which equal date fields) and
 * arrays/objects.
 */
export function equalityKey(value: Value): HashKey | undefined {
  const k = hashKey(value);
  if (typeof k === 'string' && !Number.isNaN(parseRfc3339(k))) return undefined;
  return k;
}

abstract class FieldTest extends AlphaTest {
  readonly path: string;
  /** The constant the field is compared with. */
  readonly value: Value;
  protected readonly read: FieldReader;
  constructor(c: SimpleCondition, rank: Rank) {
    super(`${c.field}|${c.operator}|${canonicalValue(c.value)}`, rank, `${c.field} ${c.operator} ${valueLabel(c.value)}`, [rootField(c.field)]);
    this.path = c.field;
    this.value = c.value;
    this.read = compilePath(c.field);
  }
}

export class EqualTest extends FieldTest {
  constructor(c: SimpleCondition) {
    super(c, equalityKey(c.value) === undefined ? Rank.Equal : Rank.HashEqual);
  }
  test(fields: FieldMap): boolean {
    const v = this.read(fields);
    return v !== undefined && valuesEqual(v, this.value);
  }
}

export class NotEqualTest extends FieldTest {
  constructor(c: SimpleCondition) {
    super(c, Rank.NotEqual);
  }
  test(fields: FieldMap): boolean {
    const v = this.read(fields);
    return v === undefined || !valuesEqual(v, this.value);
  }
}

export class OrderTest extends FieldTest {
  private readonly op: 0 | 1 | 2 | 3;
  private readonly num: number | undefined;
  constructor(c: SimpleCondition) {
    super(c, Rank.Order);
    this.op = c.operator === 'GreaterThan' ? 0 : c.operator === 'GreaterThanOrEqual' ? 1 : c.operator === 'LessThan' ? 2 : 3;
    this.num = typeof c.value === 'number' ? c.value : c.value instanceof FloatValue ? c.value.value : undefined;
  }
  test(fields: FieldMap): boolean {
    const v = this.read(fields);
    if (v === undefined) return false;
    let d: number;
    if (typeof v === 'number' && this.num !== undefined) d = v - this.num;
    else {
      d = compareValues(v, this.value);
      if (Number.isNaN(d)) {
        this.mismatches++;
        return false;
      }
    }
    switch (this.op) {
      case 0:
        return d > 0;
      case 1:
        return d >= 0;
      case 2:
        return d < 0;
      default:
        return d <= 0;
    }
  }
}

export class ContainsTest extends FieldTest {
  constructor(c: SimpleCondition) {
    super(c, Rank.Contains);
  }
  test(fields: FieldMap): boolean {
    const v = this.read(fields);
    if (v === undefined) return false;
    if (typeof v === 'string') {
      if (typeof this.value === 'string') return v.includes(this.value);
      this.mismatches++;
      return false;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (valuesEqual(v[i]!, this.value)) return true;
      return false;
    }
    this.mismatches++;
    return false;
  }
}

export class AffixTest extends FieldTest {
  private readonly starts: boolean;
  constructor(c: SimpleCondition) {
    super(c, Rank.Affix);
    this.starts = c.operator === 'StartsWith';
  }
  test(fields: FieldMap): boolean {
    const v = this.read(fields);
    if (v === undefined) return false;
    if (typeof v !== 'string' || typeof this.value !== 'string') {
      this.mismatches++;
      return false;
    }
    return this.starts ? v.startsWith(this.value) : v.endsWith(this.value);
  }
}

/** An Or of Equal tests on one field against hashable constants: one set lookup. */
export class InSetTest extends AlphaTest {
  private readonly read: FieldReader;
  private readonly set: ReadonlySet<HashKey>;
  constructor(path: string, keys: HashKey[], values: Value[]) {
    const sorted = values.map(canonicalValue).sort();
    super(`${path}|In|${sorted.join(',')}`, Rank.InSet, `${path} In [${values.map(valueLabel).join(', ')}]`, [rootField(path)]);
    this.read = compilePath(path);
    this.set = new Set(keys);
  }
  test(fields: FieldMap): boolean {
    const k = hashKey(this.read(fields));
    return k !== undefined && this.set.has(k);
  }
}

export class LogicalTest extends AlphaTest {
  private readonly kind: 'and' | 'or' | 'not';
  private readonly children: readonly AlphaTest[];
  constructor(kind: 'and' | 'or' | 'not', children: AlphaTest[]) {
    const name = kind === 'and' ? 'And' : kind === 'or' ? 'Or' : 'Not';
    super(`${name}(${children.map((c) => c.key).join(';')})`, Rank.Logical, `${name}(${children.map((c) => c.label).join(', ')})`, [
      ...new Set(children.flatMap((c) => c.reads)),
    ]);
    this.kind = kind;
    this.children = children;
  }
  test(fields: FieldMap): boolean {
    const cs = this.children;
    if (this.kind === 'and') {
      for (let i = 0; i < cs.length; i++) if (!cs[i]!.test(fields)) return false;
      return true;
    }
    for (let i = 0; i < cs.length; i++) {
      if (cs[i]!.test(fields)) return this.kind === 'or';
    }
    return this.kind === 'not';
  }
  override mismatchTotal(): number {
    let n = this.mismatches;
    for (const c of this.children) n += c.mismatchTotal();
    return n;
  }
}

function simpleTest(c: SimpleCondition): AlphaTest {
  const op: Operator = c.operator;
  switch (op) {
    case 'Equal':
      return new EqualTest(c);
    case 'NotEqual':
      return new NotEqualTest(c);
    case 'Contains':
      return new ContainsTest(c);
    case 'StartsWith':
    case 'EndsWith':
      return new AffixTest(c);
    default:
      return new OrderTest(c);
  }
}

/** Compiles a condition of a single fact (no Refs) into a test. */
export function compileCondition(c: Condition): AlphaTest {
  if (c.kind === 'simple') return simpleTest(c);
  if (c.kind === 'aggregation' || c.kind === 'stream') {
    throw new Error(`${c.kind} conditions are decided at end of input, not by an alpha test`);
  }
  const children = c.conditions.map(compileCondition);
  if (c.kind === 'or') {
    const set = asInSet(c.conditions);
    if (set) return set;
  }
  if (children.length === 1 && c.kind !== 'not') return children[0]!;
  return new LogicalTest(c.kind, children);
}

/** An Or whose children are all hashable Equals on the same field becomes a set test. */
function asInSet(conds: readonly Condition[]): AlphaTest | null {
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
  return new InSetTest(path!, keys, values);
}

/**
 * Flattens a rule's top-level conditions into conjuncts: nested Ands are spliced in, and
 * an empty And (always true) disappears. End-of-input conditions are left out (the rule's
 * terminal decides them). Returns the tests to chain, unordered.
 */
export function conjuncts(conds: readonly Condition[]): AlphaTest[] {
  const out: AlphaTest[] = [];
  const walk = (list: readonly Condition[]) => {
    for (const c of list) {
      if (c.kind === 'and') walk(c.conditions);
      else if (c.kind !== 'aggregation' && c.kind !== 'stream') out.push(compileCondition(c));
    }
  };
  walk(conds);
  // The same test twice in one rule is tested once.
  const seen = new Set<string>();
  return out.filter((t) => {
    if (seen.has(t.key)) return false;
    seen.add(t.key);
    return true;
  });
}
