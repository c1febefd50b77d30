// The firings of a run, in firing order, kept compactly: a firing is a few numbers in typed
// columns (its rule, its fact, where its fact ids and results start), and an action result
// is an object only when it says something the rule and the fact do not (a computed value,
// a created fact's id…); the rest are derived from the action when asked for. A Firing object
// is made only by firing(i); the output serializer writes lines straight from the columns.
//
// Most firings need one number: their rule. The fact is kept once per run of firings on
// the same fact (one fact matching many rules fires them in a row), and where a firing has
// anything else (bound fact ids, a result record, an action on another fact) it is listed
// apart. Rules that fire as one block (TerminalBlock) are one entry for all their firings;
// a reader steps through the block's terminals. Measured on bench simple 1M engine-only
// (250K firings, records kept): building a record of five objects per firing cost more than
// matching and writing every fact; on enterprise 1M (1.6M firings on 32K facts) the log was
// 32 bytes a firing in doubling arrays, about half of the run's time, then 4, and is now
// 12 bytes a block of 50 (see column.ts for why bytes are time).

import type { ActionResult, Firing } from '../model/types.js';
import { Column } from './column.js';
import type { Network } from './network.js';
import type { TerminalBlock } from './terminal-block.js';

/**
 * Entry code bits: the entry starts a run of firings on one fact; the firing has extras; the
 * entry is a block (TerminalBlock): the firings of its terminals in turn, each with derived
 * results only, all on the run's fact.
 */
const NEW_RUN = 1;
const EXTRA = 2;
const BLOCK = 4;
const FLAG_BITS = 3;

/**
 * Where a reader stands in a log: the firing read last and what it needs to write it. Made
 * by FiringLog.cursor(), moved by next() (in order) or read() (any firing).
 */
export class FiringCursor {
  /** The firing read last (-1 before the first). */
  index = -1;
  /** Its terminal's index. */
  terminal = 0;
  /** Its fact's id (a multi-fact rule's: its first pattern's). */
  fact = 0;
  /** Where its bound fact ids start in the log (idAt), -1 when it has none (single-fact rules). */
  idsStart = -1;
  /**
   * Where its results start (resultRefAt, resultFactAt), or -1 when they follow from its
   * terminal's actions alone: one derived result per action, each on `fact`.
   */
  resultsStart = -1;
  /** Where its results end (-1 when resultsStart is). */
  resultsEnd = -1;
  /** The run of firings on one fact it belongs to, and the last firing with extras at or before it. */
  run = -1;
  extra = -1;
  /** Its entry in the log, and when that is a block: the block, the firing's place in it, and the firings after it there. */
  entry = -1;
  block: TerminalBlock | null = null;
  blockPos = 0;
  blockLeft = 0;
}

export class FiringLog {
  readonly network: Network;
  /** Firings logged (since the last clear()); a firing counts once commit() closes it. */
  length = 0;
  /** Per entry (a firing, or a block of firings): its terminal's or block's index << FLAG_BITS | flags. */
  private readonly code = new Column(Int32Array);
  /** Per block entry: its first firing and its entry (for read(): firing i's entry). */
  private readonly blockFiring = new Column(Int32Array);
  private readonly blockEntry = new Column(Int32Array);
  /** Per run of consecutive firings on one fact: the fact's id and the run's first firing. */
  private readonly runFact = new Column(Float64Array);
  private readonly runStart = new Column(Int32Array);
  /** Per firing with extras: the firing, where its ids start (-1: none), where its results start. */
  private readonly extraFiring = new Column(Int32Array);
  private readonly extraIds = new Column(Int32Array);
  private readonly extraResults = new Column(Int32Array);
  /** Fact ids of multi-fact firings, in pattern order. */
  private readonly ids = new Column(Float64Array);
  /**
   * Per stored result: an index into `records` (≥ 0), or for a record that follows from the
   * action and the fact it acted on, -1 − the action's position in its rule.
   */
  private readonly resultRef = new Column(Int32Array);
  /** Per stored result: the id of the fact the action acted on. */
  private readonly resultFact = new Column(Float64Array);
  /** The result records actions made. */
  readonly records: ActionResult[] = [];
  /** The firing begun and not yet committed (a limit may stop it: the next begin() drops it). */
  private open = false;
  private openFact = 0;
  private openExtra = false;
  /** The fact id of the last committed run (NaN: none, so the next firing starts one). */
  private runFactId = NaN;

  constructor(network: Network) {
    this.network = network;
  }

  /** Starts a firing of terminal `t` on fact `factId`; its ids and results follow, then commit(). */
  begin(t: number, factId: number): void {
    if (this.open) this.dropOpen();
    this.open = true;
    this.openFact = factId;
    this.openExtra = false;
    this.code.push((t << FLAG_BITS) | this.runFlag(factId));
  }

  /** Logs the firings of a block's terminals on one fact, in order, each with derived results only. */
  fireBlock(b: TerminalBlock, factId: number): void {
    if (this.open) this.dropOpen();
    this.blockFiring.push(this.length);
    this.blockEntry.push(this.code.length);
    this.code.push((b.id << FLAG_BITS) | BLOCK | this.runFlag(factId));
    this.length += b.indexes.length;
    this.runFactId = factId;
  }

  /** NEW_RUN, after starting a run at the next firing, when it is on another fact than the last run's; else 0. */
  private runFlag(factId: number): number {
    if (factId === this.runFactId) return 0;
    this.runFact.push(factId);
    this.runStart.push(this.length);
    return NEW_RUN;
  }

  /** The current firing's bound fact ids (multi-fact rules), in pattern order. */
  boundId(id: number): void {
    if (!this.openExtra) this.startExtra(0);
    const e = this.extraIds.length - 1;
    if (this.extraIds.at(e) === -1) this.extraIds.set(e, this.ids.length);
    this.ids.push(id);
  }

  /**
   * The result of the current firing's action at `position`: its record, or null when the
   * record follows from the action and the id of the fact it acted on.
   */
  result(r: ActionResult | null, position: number, targetId: number): void {
    if (!this.openExtra) {
      if (r === null && targetId === this.openFact) return;
      this.startExtra(position);
    }
    this.resultRef.push(r === null ? -1 - position : this.records.push(r) - 1);
    this.resultFact.push(targetId);
  }

  /** Closes the firing begun last: it counts from now on. */
  commit(): void {
    this.open = false;
    this.length++;
    this.runFactId = this.openFact;
  }

  /** A reader before the first firing. */
  cursor(): FiringCursor {
    return new FiringCursor();
  }

  /** Moves the cursor to the next firing; false after the last. */
  next(c: FiringCursor): boolean {
    const i = c.index + 1;
    if (i >= this.length) return false;
    c.index = i;
    if (c.blockLeft > 0) {
      c.blockLeft--;
      c.terminal = c.block!.indexes[++c.blockPos]!;
      return true;
    }
    const code = this.code.at(++c.entry);
    if ((code & NEW_RUN) !== 0) c.fact = this.runFact.at(++c.run);
    if ((code & BLOCK) !== 0) this.enterBlock(c, code, 0);
    else {
      c.block = null;
      c.terminal = code >> FLAG_BITS;
      if ((code & EXTRA) !== 0) this.readExtra(c, ++c.extra);
      else c.idsStart = c.resultsStart = c.resultsEnd = -1;
    }
    return true;
  }

  /** Moves the cursor to firing i (< length). */
  read(c: FiringCursor, i: number): void {
    c.index = i;
    c.run = lastAtOrBefore(this.runStart, this.runStart.length, i);
    c.fact = this.runFact.at(c.run);
    c.extra = lastAtOrBefore(this.extraFiring, this.extraFiring.length, i);
    // Firing i's entry: the block holding it, or as many entries past the last block before it as firings.
    const b = lastAtOrBefore(this.blockFiring, this.blockFiring.length, i);
    let entry = i;
    if (b >= 0) {
      const first = this.blockFiring.at(b);
      entry = this.blockEntry.at(b);
      const code = this.code.at(entry);
      const size = this.network.blocks[code >> FLAG_BITS]!.indexes.length;
      if (i < first + size) {
        c.entry = entry;
        this.enterBlock(c, code, i - first);
        return;
      }
      entry += 1 + i - (first + size);
    }
    c.entry = entry;
    c.block = null;
    c.blockLeft = 0;
    const code = this.code.at(entry);
    c.terminal = code >> FLAG_BITS;
    if ((code & EXTRA) !== 0) this.readExtra(c, c.extra);
    else c.idsStart = c.resultsStart = c.resultsEnd = -1;
  }

  /** Puts the cursor on firing `pos` of the block entry with this code. */
  private enterBlock(c: FiringCursor, code: number, pos: number): void {
    const b = this.network.blocks[code >> FLAG_BITS]!;
    c.block = b;
    c.blockPos = pos;
    c.blockLeft = b.indexes.length - 1 - pos;
    c.terminal = b.indexes[pos]!;
    c.idsStart = c.resultsStart = c.resultsEnd = -1;
  }

  /** Bound fact id k (from a cursor's idsStart on). */
  idAt(k: number): number {
    return this.ids.at(k);
  }

  /** Stored result k: an index into `records`, or −1 − the position of the action whose record is derived. */
  resultRefAt(k: number): number {
    return this.resultRef.at(k);
  }

  /** The id of the fact stored result k acted on. */
  resultFactAt(k: number): number {
    return this.resultFact.at(k);
  }

  /** Firing i as a record, in wire shape. */
  firing(i: number): Firing {
    const c = new FiringCursor();
    this.read(c, i);
    const t = this.network.terminals[c.terminal]!;
    const results: ActionResult[] = [];
    if (c.resultsStart < 0) for (const a of t.actions) results.push(a.derivedResult(c.fact));
    else {
      for (let k = c.resultsStart; k < c.resultsEnd; k++) {
        const ref = this.resultRef.at(k);
        results.push(ref >= 0 ? this.records[ref]! : t.actions[-1 - ref]!.derivedResult(this.resultFact.at(k)));
      }
    }
    const base = { rule_id: t.rule.id, rule_name: t.rule.name, fact_id: c.fact };
    if (t.patterns === null) return { ...base, actions_executed: results };
    return { ...base, fact_ids: this.factIds(c), actions_executed: results };
  }

  /** The bound fact ids of the cursor's (multi-fact) firing. */
  factIds(c: FiringCursor): number[] {
    if (c.idsStart < 0) return [];
    const n = this.network.terminals[c.terminal]!.patterns!.bound.length;
    const out = new Array<number>(n);
    for (let j = 0; j < n; j++) out[j] = this.ids.at(c.idsStart + j);
    return out;
  }

  /** Forgets the firings logged so far (after they were written), keeping the columns. */
  clear(): void {
    this.length = 0;
    this.open = false;
    this.runFactId = NaN;
    this.truncate(0, 0, 0, 0, 0, 0);
    this.records.length = 0;
  }

  /** The open firing gets extras: results before `position` were derived on its fact. */
  private startExtra(position: number): void {
    this.openExtra = true;
    const e = this.code.length - 1;
    this.code.set(e, this.code.at(e) | EXTRA);
    this.extraFiring.push(this.length);
    this.extraIds.push(-1);
    this.extraResults.push(this.resultRef.length);
    for (let p = 0; p < position; p++) {
      this.resultRef.push(-1 - p);
      this.resultFact.push(this.openFact);
    }
  }

  /** Drops the firing begun and not committed. */
  private dropOpen(): void {
    this.open = false;
    const runs = this.runStart.length > 0 && this.runStart.at(this.runStart.length - 1) === this.length ? this.runStart.length - 1 : this.runStart.length;
    const extras = this.openExtra ? this.extraFiring.length - 1 : this.extraFiring.length;
    let ids = this.ids.length;
    let results = this.resultRef.length;
    if (this.openExtra) {
      const idsStart = this.extraIds.at(extras);
      if (idsStart >= 0) ids = idsStart;
      results = this.extraResults.at(extras);
      for (let k = results; k < this.resultRef.length; k++) {
        const ref = this.resultRef.at(k);
        if (ref >= 0) {
          this.records.length = ref;
          break;
        }
      }
    }
    this.truncate(this.code.length - 1, this.blockFiring.length, runs, extras, ids, results);
  }

  private truncate(entries: number, blocks: number, runs: number, extras: number, ids: number, results: number): void {
    this.code.truncate(entries);
    this.blockFiring.truncate(blocks);
    this.blockEntry.truncate(blocks);
    this.runFact.truncate(runs);
    this.runStart.truncate(runs);
    this.extraFiring.truncate(extras);
    this.extraIds.truncate(extras);
    this.extraResults.truncate(extras);
    this.ids.truncate(ids);
    this.resultRef.truncate(results);
    this.resultFact.truncate(results);
  }

  private readExtra(c: FiringCursor, e: number): void {
    c.idsStart = this.extraIds.at(e);
    c.resultsStart = this.extraResults.at(e);
    c.resultsEnd = e + 1 < this.extraFiring.length ? this.extraResults.at(e + 1) : this.resultRef.length;
  }
}

/** The last index j < n with column[j] ≤ i (columns of firing indexes are increasing); -1 if none. */
function lastAtOrBefore(column: Column<Int32Array>, n: number, i: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (column.at(mid) <= i) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
