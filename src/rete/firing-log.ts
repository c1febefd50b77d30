// The firings of a run, in firing order, kept compactly: a firing is a few numbers in typed
// columns (its rule, its fact, where its fact ids and results start), and an action result
// is an object only when it says something the rule and the fact do not (a computed value,
// a created fact's id…); the rest are derived from the action when asked for. A Firing object
// is made only by firing(i); the output serializer writes lines straight from the columns.
//
// Measured on bench simple 1M engine-only (250K firings, records kept): building a record of
// five objects per firing cost more than matching and writing every fact; see the README.

import type { CompiledAction } from '../actions/execute.js';
import type { ActionResult, Firing } from '../model/types.js';
import type { Network } from './network.js';

// Columns start small and double: a server session of one fact logs a firing or two. Eight
// elements (64 bytes) keep a column in V8's heap; a larger typed array gets a backing store
// of its own, whose allocation and finalization made creating a log 2% of a server's time.
const FIRST_CAPACITY = 8;

function grow<T extends Int32Array | Float64Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  let n = a.length * 2;
  while (n < need) n *= 2;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

export class FiringLog {
  readonly network: Network;
  /** Firings logged (since the last clear()); a firing counts once commit() closes it. */
  length = 0;
  /** Per firing: the terminal's index, the fact id, and where its fact ids (-1: none) and results start. */
  terminal = new Int32Array(FIRST_CAPACITY);
  fact = new Float64Array(FIRST_CAPACITY);
  idsStart = new Int32Array(FIRST_CAPACITY);
  resultsStart = new Int32Array(FIRST_CAPACITY + 1);
  /** Fact ids of multi-fact firings, in pattern order. */
  ids = new Float64Array(FIRST_CAPACITY);
  idCount = 0;
  /**
   * Per result: an index into `records` (≥ 0), or for a record that follows from the action
   * and the fact it acted on, -1 − the action's position in its rule (no object is kept: an
   * array of 1.6M object pointers cost more than the rest of the log, bench enterprise 1M).
   */
  resultRef = new Int32Array(FIRST_CAPACITY);
  /** Per result: the id of the fact the action acted on. */
  resultFact = new Float64Array(FIRST_CAPACITY);
  resultCount = 0;
  /** The result records actions made. */
  records: ActionResult[] = [];
  /** What the committed firings use of `ids` and `records` (a firing cut short by a limit is dropped). */
  private committedIds = 0;
  private committedRecords = 0;

  constructor(network: Network) {
    this.network = network;
  }

  /**
   * Starts a firing of terminal `t` on fact `factId`; its ids and results follow, then
   * commit(). A firing begun but not committed (a limit stopped it) is overwritten.
   */
  begin(t: number, factId: number): void {
    const i = this.length;
    this.idCount = this.committedIds;
    this.resultCount = this.resultsStart[i]!;
    if (this.records.length !== this.committedRecords) this.records.length = this.committedRecords;
    if (i >= this.terminal.length) {
      this.terminal = grow(this.terminal, i + 1);
      this.fact = grow(this.fact, i + 1);
      this.idsStart = grow(this.idsStart, i + 1);
    }
    // One entry more than firings: each firing's results end where the next one's start.
    if (i + 2 > this.resultsStart.length) this.resultsStart = grow(this.resultsStart, i + 2);
    this.terminal[i] = t;
    this.fact[i] = factId;
    this.idsStart[i] = -1;
    this.resultsStart[i + 1] = this.resultCount;
  }

  /** Closes the firing begun last: it counts from now on. */
  commit(): void {
    this.length++;
    this.committedIds = this.idCount;
    this.committedRecords = this.records.length;
  }

  /** The current firing's bound fact ids (multi-fact rules). */
  boundId(id: number): void {
    const i = this.length;
    if (this.idsStart[i] === -1) this.idsStart[i] = this.idCount;
    if (this.idCount >= this.ids.length) this.ids = grow(this.ids, this.idCount + 1);
    this.ids[this.idCount++] = id;
  }

  /**
   * The result of the current firing's action at `position`: its record, or null when the
   * record follows from the action and the id of the fact it acted on.
   */
  result(r: ActionResult | null, position: number, targetId: number): void {
    const k = this.resultCount++;
    if (k >= this.resultFact.length) {
      this.resultFact = grow(this.resultFact, k + 1);
      this.resultRef = grow(this.resultRef, k + 1);
    }
    this.resultRef[k] = r === null ? -1 - position : this.records.push(r) - 1;
    this.resultFact[k] = targetId;
    this.resultsStart[this.length + 1] = this.resultCount;
  }

  /** The action of firing i whose record is derived, for result k (resultRef[k] < 0). */
  derivedAction(i: number, k: number): CompiledAction {
    return this.network.terminals[this.terminal[i]!]!.actions[-1 - this.resultRef[k]!]!;
  }

  /** Result k of firing i as a record (a derived one made now). */
  resultAt(i: number, k: number): ActionResult {
    const ref = this.resultRef[k]!;
    return ref >= 0 ? this.records[ref]! : this.derivedAction(i, k).derivedResult(this.resultFact[k]!);
  }

  /** Firing i as a record, in wire shape. */
  firing(i: number): Firing {
    const t = this.network.terminals[this.terminal[i]!]!;
    const results: ActionResult[] = [];
    for (let k = this.resultsStart[i]!; k < this.resultsStart[i + 1]!; k++) results.push(this.resultAt(i, k));
    const base = { rule_id: t.rule.id, rule_name: t.rule.name, fact_id: this.fact[i]! };
    if (t.patterns === null) return { ...base, actions_executed: results };
    return { ...base, fact_ids: this.factIds(i), actions_executed: results };
  }

  /** The bound fact ids of multi-fact firing i. */
  factIds(i: number): number[] {
    const start = this.idsStart[i]!;
    if (start < 0) return [];
    const n = this.network.terminals[this.terminal[i]!]!.patterns!.bound.length;
    return Array.from(this.ids.subarray(start, start + n));
  }

  /** Forgets the firings logged so far (after they were written), keeping the columns. */
  clear(): void {
    this.length = 0;
    this.idCount = 0;
    this.committedIds = 0;
    this.records.length = 0;
    this.committedRecords = 0;
    this.resultCount = 0;
    this.resultsStart[0] = 0;
  }
}
