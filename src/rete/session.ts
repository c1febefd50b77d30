// A session runs facts through a compiled network: it inserts each fact, fires the agenda
// until it is empty, applies actions to working memory, re-propagates changed facts
// (forward chaining) with refraction, and keeps only the facts it must. Multi-fact rules
// run in the session's beta network: its complete matches come back as activations of the
// same agenda. All run state is the session's own; the network is only read. Its options
// and statistics are in session-types.ts, the agenda-free firing order in firing-order.ts.

import { getHeapStatistics } from 'node:v8';
import type { Bound, WorkingMemoryOps } from '../actions/execute.js';
import { Fact, FactShape, FIRST_CREATED_ID } from '../model/fact.js';
import { LimitError } from '../model/errors.js';
import { HeldStores, WriteBuffer } from '../model/field-writes.js';
import type { ActionResult, Firing } from '../model/types.js';
import { plural } from '../model/words.js';
import type { FieldMap, Value } from '../model/value.js';
import { Activation, Agenda } from './agenda.js';
import { collect, reach, terminalsOf, type AlphaNode } from './alpha-node.js';
import type { BetaSink } from './beta-node.js';
import { BetaNetwork } from './beta-network.js';
import { Candidates } from './candidates.js';
import type { DeferredCondition } from './deferred/index.js';
import { comboKey, sortApart, sortByRank } from './firing-order.js';
import type { FiringLog } from './firing-log.js';
import type { Network } from './network.js';
import { planRun, type RunPlan } from './session-plan.js';
import type { SessionOptions, SessionStats } from './session-types.js';
import { keepShapes } from './shapes.js';
import type { Terminal } from './terminal.js';
import type { TerminalBlock } from './terminal-block.js';
import type { Token } from './wme.js';
import { Wme } from './wme.js';

export type { SessionOptions, SessionStats } from './session-types.js';

/** How often (in insertions, firings and creations) the heap is checked against maxHeapBytes. */
const HEAP_CHECK_EVERY = 1 << 14;

export class Session implements WorkingMemoryOps<Wme>, BetaSink {
  readonly network: Network;
  readonly plan: RunPlan;
  readonly stats: SessionStats;
  private readonly agenda = new Agenda();
  private readonly maxFirings: number;
  private readonly maxHeapBytes: number;
  private readonly onFiring: ((firing: Firing) => void) | null;
  private readonly log: FiringLog | null;
  private readonly onFactDone: ((fact: Fact) => void) | null;
  private readonly byId = new Map<number, Wme>();
  private readonly retained: Wme[] = [];
  /** Facts inserted while the current input fact settles (emitted together when not retaining). */
  private readonly settling: Wme[] = [];
  private settlingCount = 0;
  private readonly changedFacts: Wme[] = [];
  private readonly matched: Terminal[] = [];
  /** Scratch: the alpha nodes with terminals a fact reached. */
  private readonly reached: AlphaNode[] = [];
  /** Per terminal: scratch marks for set operations during re-propagation (no allocation). */
  private readonly marks: Int32Array;
  private readonly pendingMarks: Int32Array;
  private stamp = 0;
  /** Per terminal with end-of-input conditions: its candidate facts and their observation tokens. */
  private readonly candidates = new Map<Terminal, Candidates>();
  private readonly tokens: number[] = [];
  /** This session's instances of the network's end-of-input conditions (they hold its groups and windows). */
  private readonly deferred: readonly DeferredCondition[];
  /** The multi-fact rules' memories and nodes; null when the network has none. */
  private readonly beta: BetaNetwork | null;
  /** Per terminal (by index): the combinations its multi-fact rule fired on (plan.comboRefraction). */
  private readonly firedCombos: (Set<string> | undefined)[] | null;
  /** Facts taken out of the beta network before a change, to insert again after the firing. */
  private readonly reinsert = new Set<Wme>();
  private seq = 0;
  private nextCreatedId: number;
  private readonly createdIdStep: number;
  private work = 0;
  private ended = false;
  /** The record of the last input fact when nothing took it: the next input fact's (plan.recycleRecords). */
  private spare: Wme | null = null;
  /** Stores of the network's held writers, each made at its first write (null: it has none). */
  private readonly heldStores: HeldStores | null;
  /** Writes held back (SessionOptions.holdWrites); null: written at once. */
  private readonly heldWrites: WriteBuffer | null;

  constructor(network: Network, options: SessionOptions = {}) {
    keepShapes();
    this.network = network;
    this.onFiring = options.onFiring ?? null;
    this.log = options.log ?? null;
    this.onFactDone = options.onFactDone ?? null;
    const plan = planRun(network, { chain: options.chain ?? true, emitsFacts: this.onFactDone !== null });
    this.plan = plan;
    this.maxFirings = options.maxFirings ?? 0;
    this.maxHeapBytes = options.maxHeapBytes ?? 0;
    this.nextCreatedId = options.createdIds?.first ?? FIRST_CREATED_ID;
    this.createdIdStep = options.createdIds?.step ?? 1;
    const n = network.terminals.length;
    this.stats = {
      factsInserted: 0,
      factsCreated: 0,
      factsDeleted: 0,
      firings: 0,
      firingsByRule: new Array<number>(n).fill(0),
      duplicateIds: 0,
      peakWorkingMemory: 0,
      mismatches: new Array<number>(network.slots).fill(0),
      memoryNodes: [],
    };
    this.marks = new Int32Array(n);
    this.pendingMarks = new Int32Array(n);
    for (const t of network.deferredTerminals) this.candidates.set(t, new Candidates());
    const run = { runStartMs: options.runStartMs ?? Date.now(), m: this.stats.mismatches };
    this.deferred = network.deferred.map((d) => d.instantiate(run));
    this.beta = network.beta === null ? null : new BetaNetwork(network.beta, this, this.stats.mismatches, plan.betaRetracts, plan.linkTokens);
    this.firedCombos = plan.comboRefraction ? [] : null;
    this.heldStores = network.heldWriters.length === 0 ? null : new HeldStores(network.heldWriters);
    this.heldWrites = options.holdWrites === false || this.heldStores === null ? null : new WriteBuffer(this.heldStores, network.blocks);
  }

  /** Inserts one input fact and fires the agenda until it is empty. */
  insert(fact: Fact): void {
    if (this.ended) throw new Error('Session.insert after end()');
    if (fact.id >= FIRST_CREATED_ID) {
      throw new RangeError(`fact id ${fact.id} is in the range reserved for facts created by rules (from ${FIRST_CREATED_ID})`);
    }
    this.stats.factsInserted++;
    if (this.maxHeapBytes > 0 && ++this.work % HEAP_CHECK_EVERY === 0) this.checkHeap();
    const w = this.add(fact);
    if (this.plan.direct) this.fireDirect(w);
    else {
      this.match(w);
      this.fireAll();
    }
    this.settle();
  }

  /**
   * Ends the input: decides the end-of-input conditions on working memory as it stands,
   * fires their rules in agenda order, then emits the facts kept to the end.
   */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.fireAll();
    // Not-patterns are decided on all of the input: their nodes open now.
    if (this.beta !== null) this.beta.open();
    if (this.plan.hasDeferred) {
      if (this.plan.observeAtEnd) for (const w of this.retained) if (!w.retracted) this.observe(w);
      if (this.plan.direct) this.fireCandidates();
      else {
        for (const [t, c] of this.candidates) {
          for (let i = 0; i < c.records.length; i++) {
            const w = c.records.at(i);
            if (!w.retracted && this.holds(t, c, i, w.fact)) this.activate(t, w);
          }
        }
      }
      this.candidates.clear();
    }
    this.fireAll();
    if (this.beta !== null) this.stats.memoryNodes = this.beta.memoryStats();
    if (this.onFactDone !== null) {
      if (this.plan.retainFacts) {
        for (const w of this.retained) if (!w.retracted) this.onFactDone(w.fact);
      } else {
        // Facts created by end-of-input firings.
        const s = this.settling;
        for (let i = 0; i < this.settlingCount; i++) if (!s[i]!.retracted) this.onFactDone(s[i]!.fact);
      }
    }
    this.settlingCount = 0;
  }

  // --- WorkingMemoryOps -----------------------------------------------------

  changed(w: Wme, rootField: string): void {
    if (this.plan.chain && !w.dirty && !w.retracted && this.network.readFields.has(rootField)) {
      w.dirty = true;
      this.changedFacts.push(w);
    }
  }

  holdWrite(w: Wme, writer: number, value: Value | undefined): void {
    if (this.heldWrites !== null) this.heldWrites.add(w.fact, writer, value);
    else this.heldStores!.write(writer, w.fact.fields, value);
  }

  willChange(w: Wme): void {
    const beta = this.beta;
    if (beta === null || w.retracted) return;
    if (this.plan.chain) {
      // Out now (when in), with the values it was indexed by; back in after the firing,
      // with the new values (a fact no pattern took may now be taken).
      beta.retract(w);
      this.reinsert.add(w);
    } else beta.freeze(w);
  }

  create(fields: FieldMap, parent: Wme): Wme {
    if (this.maxFirings > 0 && this.stats.factsCreated >= this.maxFirings) {
      throw new LimitError(
        `more than ${plural(this.maxFirings, 'fact')} created (--max-firings); ${this.busiestRules()} fired most: a rule may be creating facts that make it fire again`,
      );
    }
    if (this.maxHeapBytes > 0 && ++this.work % HEAP_CHECK_EVERY === 0) this.checkHeap();
    this.stats.factsCreated++;
    const id = this.nextCreatedId;
    this.nextCreatedId += this.createdIdStep;
    // A flat record's id is one of its fields: give a created flat fact its id there too.
    const shape = parent.fact.shape;
    if (shape === FactShape.Flat && fields.id === undefined) fields.id = id;
    const w = this.add(new Fact(id, fields, null, null, shape));
    if (this.plan.chain) this.match(w);
    return w;
  }

  lookup(id: number): Wme | undefined {
    const w = this.byId.get(id);
    return w === undefined || w.retracted ? undefined : w;
  }

  retract(w: Wme): void {
    if (w.retracted) return;
    w.retracted = true;
    this.stats.factsDeleted++;
    if (this.byId.get(w.fact.id) === w) this.byId.delete(w.fact.id);
    const pending = w.pending;
    if (pending !== null) {
      for (const a of pending) a.cancelled = true;
      w.pending = null;
    }
    if (this.beta !== null) this.beta.retract(w);
  }

  // --- BetaSink ---------------------------------------------------------------

  /** A complete match of a multi-fact rule: an activation, unless the combination already fired. */
  activateMatch(t: Terminal, match: Wme | Token): void {
    const p = t.patterns!;
    const facts: Bound<Wme> = match instanceof Wme ? [match] : match.facts;
    if (this.firedCombos !== null) {
      const fired = this.firedCombos[t.index];
      if (fired?.has(comboKey(facts, p.bound))) return;
    }
    const bound = p.bound;
    const order = new Array<number>(bound.length);
    for (let i = 0; i < bound.length; i++) {
      // Insertion sort, most recent first: a handful of facts.
      const s = facts[bound[i]!]!.seq;
      let j = i - 1;
      while (j >= 0 && order[j]! < s) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = s;
    }
    this.agenda.push(new Activation(t, facts[0]!, facts, order[0]!, match, order));
  }

  // --- internals --------------------------------------------------------------

  private add(fact: Fact): Wme {
    let w: Wme;
    // An input fact (nothing settling yet) may take the last one's record (plan.recycleRecords).
    const spare = this.spare;
    if (spare !== null && this.settlingCount === 0) {
      this.spare = null;
      w = spare;
      w.reuse(fact, this.seq++);
    } else w = new Wme(fact, this.seq++);
    // Slots are reused; the few facts they still point to after a cycle are harmless.
    this.settling[this.settlingCount++] = w;
    if (this.plan.retainFacts) {
      if (this.byId.has(fact.id)) this.stats.duplicateIds++;
      this.byId.set(fact.id, w);
      this.retained.push(w);
      if (this.retained.length > this.stats.peakWorkingMemory) this.stats.peakWorkingMemory = this.retained.length;
    } else if (this.settlingCount > this.stats.peakWorkingMemory) this.stats.peakWorkingMemory = this.settlingCount;
    return w;
  }

  /** The current input fact and the facts it led to have settled: observe and emit them. */
  private settle(): void {
    const s = this.settling;
    if (this.plan.hasDeferred && !this.plan.observeAtEnd) {
      for (let i = 0; i < this.settlingCount; i++) if (!s[i]!.retracted) this.observe(s[i]!);
    }
    if (!this.plan.retainFacts && this.onFactDone !== null) {
      for (let i = 0; i < this.settlingCount; i++) if (!s[i]!.retracted) this.onFactDone(s[i]!.fact);
    }
    if (this.plan.recycleRecords && this.settlingCount > 0 && s[0]!.free) this.spare = s[0]!;
    this.settlingCount = 0;
  }

  /**
   * Shows a fact, with its final values, to every end-of-input condition, and records it
   * as a candidate of each end-of-input rule whose other conditions it passes.
   */
  private observe(w: Wme): void {
    const all = this.deferred;
    const tokens = this.tokens;
    for (let i = 0; i < all.length; i++) tokens[i] = all[i]!.observe(w.fact);
    const matched = this.matched;
    const n = collect(this.network.root, w.fact.fields, matched, this.reached, this.stats.mismatches);
    for (let i = 0; i < n; i++) {
      const t = matched[i]!;
      if (t.deferred === null) continue;
      const c = this.candidates.get(t)!;
      // Without a record: nothing can happen to it before the end (see Candidates).
      if (this.plan.reuseRecord) {
        c.facts.push(w.fact);
        c.seqs.push(w.seq);
      } else c.records.push(w);
      for (const k of t.deferred) c.tokens.push(tokens[k]!);
    }
  }

  /** Whether candidate i of terminal t passes t's end-of-input conditions. */
  private holds(t: Terminal, c: Candidates, i: number, fact: Fact): boolean {
    const ks = t.deferred!;
    const base = i * ks.length;
    for (let j = 0; j < ks.length; j++) if (!this.deferred[ks[j]!]!.holds(fact, c.tokens.at(base + j))) return false;
    return true;
  }

  /**
   * End-of-input firings when no firing can add or cancel an activation (plan.direct): in
   * agenda order without the agenda (rules by rank, each rule's candidates in insertion
   * order); candidates kept without a record fire on one record made for them. A verdict
   * depends only on the values observed (DeferredCondition.holds reads its token, not the
   * fact), so deciding a candidate just before it fires is deciding it at the end.
   */
  private fireCandidates(): void {
    const byRank = [...this.candidates.keys()].sort((a, b) => a.rank - b.rank);
    let record: Wme | null = null;
    for (const t of byRank) {
      const c = this.candidates.get(t)!;
      for (let i = 0; i < c.records.length; i++) {
        const w = c.records.at(i);
        if (!w.retracted && this.holds(t, c, i, w.fact)) this.fire(t, w, null);
      }
      for (let i = 0; i < c.facts.length; i++) {
        const fact = c.facts.at(i);
        if (!this.holds(t, c, i, fact)) continue;
        if (record === null) record = new Wme(fact, c.seqs.at(i));
        else {
          record.fact = fact;
          record.seq = c.seqs.at(i);
          record.fields = fact.fields;
        }
        this.fire(t, record, null);
      }
    }
  }

  /** Matches a fact and puts an activation on the agenda for every rule it satisfies. */
  private match(w: Wme): void {
    const matched = this.matched;
    const n = collect(this.network.root, w.fact.fields, matched, this.reached, this.stats.mismatches);
    for (let i = 0; i < n; i++) {
      const t = matched[i]!;
      if (t.deferred === null) this.activate(t, w);
    }
    if (this.beta?.insert(w) && !this.plan.retainFacts) {
      // Facts in the beta network stay in working memory: later facts may join them.
      const held = this.beta.held + this.settlingCount - 1;
      if (held > this.stats.peakWorkingMemory) this.stats.peakWorkingMemory = held;
    }
  }

  /**
   * The agenda-free path: the fact's matches fire in turn, by rank. Each node's terminals are
   * in rank order already, so when the nodes' ranks do not interleave (the usual case: rules
   * sharing their tests are neighbours in the rule file) the nodes fire one after another,
   * a block at a time where they can (TerminalBlock); else the matches are sorted.
   */
  private fireDirect(w: Wme): void {
    const nodes = this.reached;
    const k = reach(this.network.root, w.fact.fields, nodes, 0, this.stats.mismatches);
    if (k === 0) return;
    if (k > 1 && !sortApart(nodes, k)) {
      const matched = this.matched;
      const n = terminalsOf(nodes, k, matched);
      sortByRank(matched, n);
      for (let i = 0; i < n; i++) if (matched[i]!.deferred === null) this.fire(matched[i]!, w, null);
      return;
    }
    for (let i = 0; i < k; i++) {
      const node = nodes[i]!;
      if (node.block !== null && this.blockFits(node.block.indexes.length)) this.fireBlock(node.block, w);
      else {
        const ts = node.terminals;
        for (let j = 0; j < ts.length; j++) if (ts[j]!.deferred === null) this.fire(ts[j]!, w, null);
      }
    }
  }

  /**
   * Whether k firings may go as one block: firing records are not wanted, writes are held,
   * and no limit can stop the run inside the block (else the firings go one by one, so a
   * limit stops at the same firing either way).
   */
  private blockFits(k: number): boolean {
    if (this.onFiring !== null || this.heldWrites === null) return false;
    if (this.maxFirings > 0 && this.stats.firings + k > this.maxFirings) return false;
    if (this.maxHeapBytes > 0) {
      const before = this.work;
      this.work += k;
      if (Math.floor(before / HEAP_CHECK_EVERY) !== Math.floor(this.work / HEAP_CHECK_EVERY)) this.checkHeap();
    }
    return true;
  }

  /** Fires a block of rules on a fact: as firing each in turn would, without a call per firing. */
  private fireBlock(b: TerminalBlock, w: Wme): void {
    const ts = b.terminals;
    const byRule = this.stats.firingsByRule;
    for (let i = 0; i < ts.length; i++) byRule[ts[i]!.index]!++;
    this.stats.firings += ts.length;
    if (this.log !== null) this.log.fireBlock(b, w.fact.id);
    this.heldWrites!.addGroup(w.fact, b.id);
  }

  private activate(t: Terminal, w: Wme): void {
    const a = new Activation(t, w, null, w.seq, null, null);
    this.agenda.push(a);
    if (this.plan.trackActivations) {
      if (w.pending === null) w.pending = [a];
      else w.pending.push(a);
    }
  }

  private fireAll(): void {
    for (;;) {
      const a = this.agenda.pop();
      if (a === undefined) return;
      if (a.facts !== null) {
        if (a.live) this.fireMatch(a);
        continue;
      }
      const w = a.wme;
      if (w.retracted) continue;
      if (this.plan.trackActivations) {
        const pending = w.pending!;
        const i = pending.indexOf(a);
        if (i >= 0) {
          pending[i] = pending[pending.length - 1]!;
          pending.pop();
        }
        if (w.fired === null) w.fired = [a.terminal.index];
        else w.fired.push(a.terminal.index);
      }
      this.fire(a.terminal, w, null);
    }
  }

  /** Fires a multi-fact rule on a combination, remembering it when it could form again. */
  private fireMatch(a: Activation): void {
    const t = a.terminal;
    const facts = a.facts!;
    if (this.firedCombos !== null) {
      let fired = this.firedCombos[t.index];
      if (fired === undefined) this.firedCombos[t.index] = fired = new Set();
      fired.add(comboKey(facts, t.patterns!.bound));
    }
    this.fire(t, facts[0]!, facts);
  }

  /**
   * Fires a rule: runs its actions (a single-fact rule's on its fact; a multi-fact rule's
   * each on its target pattern's fact), reports the firing, then lets changed facts match again.
   */
  private fire(t: Terminal, w: Wme, facts: Bound<Wme> | null): void {
    if (this.maxFirings > 0 && this.stats.firings >= this.maxFirings) {
      throw new LimitError(
        `more than ${plural(this.maxFirings, 'rule firing')} (--max-firings); ${this.busiestRules()} fired most: raise the limit or check for rules that keep re-matching`,
      );
    }
    if (this.maxHeapBytes > 0 && ++this.work % HEAP_CHECK_EVERY === 0) this.checkHeap();
    this.stats.firings++;
    this.stats.firingsByRule[t.index]!++;
    const actions = t.actions;
    const log = this.log;
    if (log !== null) {
      log.begin(t.index, w.fact.id);
      if (facts !== null) for (const b of t.patterns!.bound) log.boundId(facts[b]!.fact.id);
    }
    // Records are made only for an onFiring listener; the log keeps results compactly.
    const results: ActionResult[] | null = this.onFiring === null ? null : new Array<ActionResult>(actions.length);
    const targets = facts === null ? null : t.patterns!.targets;
    for (let i = 0; i < actions.length; i++) {
      const a = actions[i]!;
      const target = targets === null ? w : facts![targets[i]!]!;
      const r = a.run(this, target, facts);
      if (log !== null) log.result(r, i, target.fact.id);
      if (results !== null) results[i] = r ?? a.derivedResult(target.fact.id);
    }
    log?.commit();
    if (results !== null) {
      if (facts === null) this.onFiring!({ rule_id: t.rule.id, rule_name: t.rule.name, fact_id: w.fact.id, actions_executed: results });
      else {
        const bound = t.patterns!.bound;
        const ids = new Array<number>(bound.length);
        for (let i = 0; i < bound.length; i++) ids[i] = facts[bound[i]!]!.fact.id;
        this.onFiring!({ rule_id: t.rule.id, rule_name: t.rule.name, fact_id: w.fact.id, fact_ids: ids, actions_executed: results });
      }
    }
    if (this.changedFacts.length > 0) this.repropagateChanged();
    if (this.beta !== null && this.reinsert.size > 0) this.reinsertChanged();
  }

  /** The rules with the most firings so far, for limit messages: `rule 3 "Loop" (1,204,112 firings)`. */
  private busiestRules(): string {
    const byRule = this.stats.firingsByRule;
    const top = this.network.terminals
      .filter((t) => byRule[t.index]! > 0)
      .sort((a, b) => byRule[b.index]! - byRule[a.index]!)
      .slice(0, 3)
      .map((t) => `rule ${t.rule.id} ${JSON.stringify(t.rule.name)} (${plural(byRule[t.index]!, 'firing')})`);
    return top.length === 0 ? 'no rule' : top.join(', ');
  }

  /** Stops the run when the heap in use passes maxHeapBytes: a runaway rule, or more input than memory. */
  private checkHeap(): void {
    // (v8's heap statistics, not process.memoryUsage(): that one also reads the RSS from the
    // OS, and cost 140 ms over bench payroll 1M's 150 checks.)
    const used = getHeapStatistics().used_heap_size;
    if (used <= this.maxHeapBytes) return;
    const mb = (b: number) => `${Math.round(b / (1 << 20))} MB`;
    throw new LimitError(
      `working memory passed the heap limit (${mb(used)} in use, limit ${mb(this.maxHeapBytes)}) holding ${plural(this.stats.peakWorkingMemory, 'fact')}; ` +
        `${this.busiestRules()} fired most`,
    );
  }

  /** Facts changed in fields patterns read go back into the beta network with their new values. */
  private reinsertChanged(): void {
    const beta = this.beta!;
    for (const w of this.reinsert) if (!w.retracted) beta.insert(w);
    this.reinsert.clear();
  }

  private repropagateChanged(): void {
    const list = this.changedFacts;
    for (let i = 0; i < list.length; i++) {
      const w = list[i]!;
      w.dirty = false;
      if (!w.retracted) this.repropagate(w);
    }
    list.length = 0;
  }

  /**
   * Matches a changed fact again: activations whose rule no longer matches are cancelled,
   * rules that now match and have neither fired on the fact nor are pending get activations.
   */
  private repropagate(w: Wme): void {
    const stamp = ++this.stamp;
    const marks = this.marks;
    const pendingMarks = this.pendingMarks;
    const matched = this.matched;
    const n = collect(this.network.root, w.fact.fields, matched, this.reached, this.stats.mismatches);
    for (let i = 0; i < n; i++) marks[matched[i]!.index] = stamp;

    const pending = w.pending;
    if (pending !== null) {
      let keep = 0;
      for (let i = 0; i < pending.length; i++) {
        const a = pending[i]!;
        if (marks[a.terminal.index] === stamp) {
          pendingMarks[a.terminal.index] = stamp;
          pending[keep++] = a;
        } else a.cancelled = true;
      }
      pending.length = keep;
    }
    const fired = w.fired;
    if (fired !== null) for (let i = 0; i < fired.length; i++) pendingMarks[fired[i]!] = stamp;
    for (let i = 0; i < n; i++) {
      const t = matched[i]!;
      if (pendingMarks[t.index] !== stamp && t.deferred === null) this.activate(t, w);
    }
  }
}
