// A json-rules-engine condition compiled once for the alpha network (src/rete/predicates.ts
// wraps it as an AlphaTest): its fact reads, its operator, its label, and an injective
// sharing key built from structured parts (two conditions with one key accept the same records).

import { shareKey } from '../rete/keys.js';
import type { Outcome } from '../rete/operators.js';
import type { JreCondition, JreFactRead } from '../model/types.js';
import type { FieldMap, Value } from '../model/value.js';
import { applyJre, type JreOp, jreOpCode } from './operators.js';
import { JreRead } from './path.js';

function readLabel(r: JreFactRead): string {
  return r.pathText === null ? r.fact : `${r.fact} ${r.pathText}`;
}

function constantLabel(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}

export class JrePredicate {
  /** Sharing identity: the fact, path keys, operator, and the constant as JSON or the other read. */
  readonly key: string;
  /** As `age greaterThan 30`, `account $.type in {fact: allowed}`. */
  readonly label: string;
  /** The record keys (facts) read. */
  readonly reads: readonly string[];
  readonly op: JreOp;
  /**
   * For `equal` against a string, number, boolean or null: the constant, as the key of a hash
   * dispatch (a Map finds exactly the values === it); undefined otherwise.
   */
  readonly hashKey: string | number | boolean | null | undefined;
  /** Identity of the fact read (fact and path keys), for hash groups. */
  readonly readKey: string;
  /** The fact read as written: `account $.type`. */
  readonly readLabel: string;
  private readonly lhs: JreRead;
  private readonly rhs: JreRead | null;
  private readonly constant: unknown;

  constructor(c: JreCondition) {
    const other = c.ref === null ? ['value', c.value] : ['fact', c.ref.fact, c.ref.path];
    this.key = shareKey('jre', c.fact, c.path, c.operator, other);
    this.label = `${readLabel(c)} ${c.operator} ${c.ref === null ? constantLabel(c.value) : `{fact: ${readLabel(c.ref)}}`}`;
    this.reads = c.ref === null || c.ref.fact === c.fact ? [c.fact] : [c.fact, c.ref.fact];
    this.op = jreOpCode(c.operator);
    this.lhs = new JreRead(c);
    this.rhs = c.ref === null ? null : new JreRead(c.ref);
    this.constant = c.ref === null ? c.value : undefined;
    const v = this.constant;
    const primitive = v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
    this.hashKey = c.operator === 'equal' && c.ref === null && primitive ? (v as string | number | boolean | null) : undefined;
    this.readKey = shareKey('jre', c.fact, c.path);
    this.readLabel = readLabel(c);
  }

  /** The fact read as a function (for a hash group's lookup). */
  reader(): (fields: FieldMap) => Value | undefined {
    const lhs = this.lhs;
    return (fields) => lhs.read(fields) as Value | undefined;
  }

  /** The condition on one record: true, false, or a mismatch (false, counted). */
  evaluate(fields: FieldMap): Outcome {
    const a = this.lhs.read(fields);
    const b = this.rhs === null ? this.constant : this.rhs.read(fields);
    return applyJre(this.op, a, b);
  }
}
