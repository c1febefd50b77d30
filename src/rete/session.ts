// A session runs facts through a compiled network: it inserts each fact, fires the agenda
// until it is empty (formats.md §6), applies actions to working memory, re-propagates
// changed facts (forward chaining) with refraction, and keeps only the facts it must.
// Multi-fact rules run in the session's beta network (beta.ts): its complete matches come
// back as activations of the same agenda.

import { Fact, FactShape } from '../model/fact.js';
import { LimitError } from '../model/errors.js';
import type { ActionResult, Firing } from '../model/types.js';
import type { FieldMap } from '../model/value.js';
import type { WorkingMemoryOps } from '../actions/execute.js';
import { collect } from './alpha.js';
import { Activation, Agenda } from './agenda.js';
import { BetaNetwork, type NodeMemoryStats } from './beta.js';
import type { BetaSink } from './beta-node.js';
import type { Network } from './network.js';
import type { Terminal } from './terminal.js';
import type { Token } from './token.js';
import { compileDeferred, type DeferredCondition } from './deferred.js';

export interface SessionOptions {
  /** Re-propagate changed and created facts (default true). False: the reference engine's behaviour. */
  chain?: boolean;
  /** Stop with a LimitError when firings, or facts created, pass this many. 0 = no limit. */
  maxFirings?: number;
  /** The time of a fact without a timestamp, for time windows (ms since the epoch). Default: now. */
  runStartMs?: number;
  /** Called for each firing, in firing order. The record may be kept: it is not reused. */
  onFiring?: (firing: Firing) => void;
  /**
   * Called with each fact once nothing can change it any more, in insertion order, deleted
   * facts left out: right after its insertion settles when no rule can reach it later, else at end().
   */
  onFactDone?: (fact: Fact) => void;
}

export interface SessionStats {
  factsInserted: number;
  factsCreated: number;
  factsDeleted: number;
  firings: number;
  /** Firings per rule, indexed like the network's terminals (rule-file order). */
  firingsByRule: number[];
  /** Facts whose id was already held in working memory (UpdateFact/DeleteFact then address the newer). */
  duplicateIds: number;
  /** Largest number of facts working memory held at once. */
  peakWorkingMemory: number;
  /**
   * What each alpha memory and beta node of the multi-fact rules held at the end of the
   * run, and at most (filled in by end(); empty without multi-fact rules).
   */
  memoryNodes: NodeMemoryStats[];
}

export class Session implements WorkingMemoryOps, BetaSink {
  readonly network: Network;
  readonly stats: SessionStats = {
    factsInserted: 0,
    factsCreated: 0,
    factsDeleted: 0,
    firings: 0,
    firingsByRule: [],
    duplicateIds: 0,
    peakWorkingMemory: 0,
    memoryNodes: [],
  };
  private readonly agenda = new Agenda();
  private readonly chain: boolean;
  private readonly maxFirings: number;
  private readonly onFiring: ((firing: Firing) => void) | null;
  private readonly onFactDone: ((fact: Fact) => void) | null;
  /** Keep every fact until the end: rules address facts by id. */
  private readonly retain: boolean;
  /** Keep per-fact pending activations and fired rules: a fact can re-enter the network. */
  private readonly tracking: boolean;
  /**
   * No firing can add or cancel activations (no re-propagation, no created facts matched,
   * no deletes): a fact's matches fire straight away in rank order, without the agenda.
   */
  private readonly direct: boolean;
  private readonly byId = new Map<number, Fact>();
  private readonly retained: Fact[] = [];
  /** Facts inserted while the current input fact settles (emitted together when not retaining). */
  private readonly settling: Fact[] = [];
  private settlingCount = 0;
  private readonly changedFacts: Fact[] = [];
  private readonly matched: Terminal[] = [];
  /** The network has end-of-input conditions. */
  private readonly hasDeferred: boolean;
  /** Show facts to end-of-input conditions at end (rules may still change them by id) instead of as they settle. */
  private readonly observeAtEnd: boolean;
  /** Per terminal with end-of-input conditions: its candidate facts and their observation tokens. */
  private readonly candidates = new Map<Terminal, { facts: Fact[]; tokens: number[] }>();
  private readonly tokens: number[] = [];
  /** This session's instances of the network's end-of-input conditions (they hold its groups and windows). */
  private readonly deferred: readonly DeferredCondition[];
  /** The multi-fact rules' memories and nodes; null when the network has none. */
  private readonly beta: BetaNetwork | null;
  /**
   * Per terminal (by index): the fact combinations its multi-fact rule fired on, kept when
   * a combination can form again (facts retracted, or changed and re-inserted).
   */
  private readonly firedCombos: (Set<string> | undefined)[] | null;
  /** Facts taken out of the beta network before a change, to insert again after the firing. */
  private readonly reinsert = new Set<Fact>();
  private stamp = 0;
  private seq = 0;
  private nextId = 0;
  private ended = false;

  constructor(network: Network, options: SessionOptions = {}) {
    this.network = network;
    this.chain = options.chain ?? true;
    this.maxFirings = options.maxFirings ?? 0;
    this.onFiring = options.onFiring ?? null;
    this.onFactDone = options.onFactDone ?? null;
    this.hasDeferred = network.deferredTerminals.length > 0;
    this.observeAtEnd = network.addressesFactsById;
    // Facts are kept to the end when rules address them by id, or when final facts are
    // emitted and end-of-input rules or joins with later facts may still change them.
    // (The beta network itself holds the facts that reached some pattern's memory.)
    const plan = network.beta;
    this.retain = network.addressesFactsById || ((this.hasDeferred || plan !== null) && this.onFactDone !== null);
    for (const t of network.deferredTerminals) this.candidates.set(t, { facts: [], tokens: [] });
    const runStartMs = options.runStartMs ?? Date.now();
    this.deferred = network.deferred.map((spec) => compileDeferred(spec, runStartMs));
    this.stats.firingsByRule = new Array<number>(network.terminals.length).fill(0);
    this.tracking = network.hasDelete || (this.chain && (network.writesReadFields || network.hasUpdate));
    this.direct = plan === null && !this.tracking && !(this.chain && network.hasCreate);
    this.beta = plan === null ? null : new BetaNetwork(plan, this, network.hasDelete || network.patternWrites);
    this.firedCombos = plan !== null && (network.hasDelete || (this.chain && network.patternWrites)) ? [] : null;
  }

  /** Inserts one input fact and fires the agenda until it is empty. */
  insert(fact: Fact): void {
    if (this.ended) throw new Error('Session.insert after end()');
    this.stats.factsInserted++;
    this.add(fact);
    if (this.direct) this.fireDirect(fact);
    else {
      this.match(fact);
      this.fireAll();
    }
    this.settle();
  }

  /** The current input fact and the facts it led to have settled: observe and emit them. */
  private settle(): void {
    const s = this.settling;
    if (this.hasDeferred && !this.observeAtEnd) {
      for (let i = 0; i < this.settlingCount; i++) if (!s[i]!.retracted) this.observe(s[i]!);
    }
    if (!this.retain && this.onFactDone !== null) {
      for (let i = 0; i < this.settlingCount; i++) if (!s[i]!.retracted) this.onFactDone(s[i]!);
    }
    this.settlingCount = 0;
  }

  /**
   * Shows a fact, with its final values, to every end-of-input condition, and records it
   * as a candidate of each end-of-input rule whose other conditions it passes.
   */
  private observe(fact: Fact): void {
    const all = this.deferred;
    const tokens = this.tokens;
    for (let i = 0; i < all.length; i++) tokens[i] = all[i]!.observe(fact);
    const matched = this.matched;
    const n = collect(this.network.root, fact.fields, matched, 0);
    for (let i = 0; i < n; i++) {
      const t = matched[i]!;
      if (t.deferred === null) continue;
      const c = this.candidates.get(t)!;
      c.facts.push(fact);
      for (const k of t.deferred) c.tokens.push(tokens[k]!);
    }
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
    if (this.hasDeferred) {
      if (this.observeAtEnd) for (const f of this.retained) if (!f.retracted) this.observe(f);
      for (const [t, c] of this.candidates) {
        const k = t.deferred!.length;
        for (let i = 0; i < c.facts.length; i++) {
          const fact = c.facts[i]!;
          if (fact.retracted) continue;
          let holds = true;
          for (let j = 0; j < k && holds; j++) holds = this.deferred[t.deferred![j]!]!.holds(fact, c.tokens[i * k + j]!);
          if (holds) this.activate(t, fact);
        }
      }
      this.candidates.clear();
    }
    this.fireAll();
    if (this.beta !== null) this.stats.memoryNodes = this.beta.memoryStats();
    if (this.retain) {
      if (this.onFactDone !== null) for (const f of this.retained) if (!f.retracted) this.onFactDone(f);
    } else if (this.onFactDone !== null) {
      // Facts created by end-of-input firings.
      const s = this.settling;
      for (let i = 0; i < this.settlingCount; i++) if (!s[i]!.retracted) this.onFactDone(s[i]!);
    }
    this.settlingCount = 0;
  }

  /** The facts working memory holds now (all live facts when rules address facts by id). */
  facts(): Fact[] {
    return this.retained.filter((f) => !f.retracted);
  }

  // --- WorkingMemoryOps -----------------------------------------------------

  changed(fact: Fact, rootField: string): void {
    if (this.chain && !fact.dirty && !fact.retracted && this.network.readFields.has(rootField)) {
      fact.dirty = true;
      this.changedFacts.push(fact);
    }
  }

  willChange(fact: Fact): void {
    const beta = this.beta;
    if (beta === null || fact.retracted) return;
    if (this.chain) {
      // Out now, with the values it was indexed by; back in after the firing.
      beta.retract(fact);
      this.reinsert.add(fact);
    } else beta.freeze(fact);
  }

  create(fields: FieldMap, parent: Fact): Fact {
    // A flat record's id is one of its fields: give a created flat fact its id there too.
    if (parent.shape === FactShape.Flat && fields.id === undefined) fields.id = this.nextId;
    const fact = new Fact(this.nextId, fields, null, null, parent.shape);
    this.stats.factsCreated++;
    if (this.maxFirings > 0 && this.stats.factsCreated > this.maxFirings) {
      throw new LimitError(`more than ${this.maxFirings} facts created (--max-firings); a rule may be creating facts that make it fire again`);
    }
    this.add(fact);
    if (this.chain) this.match(fact);
    return fact;
  }

  lookup(id: number): Fact | undefined {
    const f = this.byId.get(id);
    return f === undefined || f.retracted ? undefined : f;
  }

  retract(fact: Fact): void {
    if (fact.retracted) return;
    fact.retracted = true;
    this.stats.factsDeleted++;
    if (this.byId.get(fact.id) === fact) this.byId.delete(fact.id);
    const pending = fact.pending as Activation[] | null;
    if (pending !== null) {
      for (const a of pending) a.cancelled = true;
      fact.pending = null;
    }
    if (this.beta !== null) this.beta.retract(fact);
  }

  // --- BetaSink ---------------------------------------------------------------

  /** A complete match of a multi-fact rule: an activation, unless the combination already fired. */
  activateToken(t: Terminal, token: Token): void {
    const p = t.patterns!;
    const facts = new Array<Fact | null>(p.count);
    let cur: Token | null = token;
    for (let i = p.count - 1; i >= 0; i--) {
      const w = cur!.wme;
      facts[i] = w === null ? null : w.fact;
      cur = cur!.parent;
    }
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
    this.agenda.push(new Activation(t, facts[0]!, facts, order[0]!, token, order));
  }

  // --- internals --------------------------------------------------------------

  private add(fact: Fact): void {
    fact.seq = this.seq++;
    if (fact.id >= this.nextId) this.nextId = fact.id + 1;
    // Slots are reused; the few facts they still point to after a cycle are harmless.
    this.settling[this.settlingCount++] = fact;
    if (this.retain) {
      if (this.byId.has(fact.id)) this.stats.duplicateIds++;
      this.byId.set(fact.id, fact);
      this.retained.push(fact);
      if (this.retained.length > this.stats.peakWorkingMemory) this.stats.peakWorkingMemory = this.retained.length;
    } else if (this.settlingCount > this.stats.peakWorkingMemory) this.stats.peakWorkingMemory = this.settlingCount;
  }

  /** Matches a fact and puts an activation on the agenda for every rule it satisfies. */
  private match(fact: Fact): void {
    const matched = this.matched;
    const n = collect(this.network.root, fact.fields, matched, 0);
    for (let i = 0; i < n; i++) {
      const t = matched[i]!;
      if (t.deferred === null) this.activate(t, fact);
    }
    if (this.beta?.insert(fact) && !this.retain) {
      // Facts in the beta network stay in working memory: later facts may join them.
      const held = this.beta.held + this.settlingCount - 1;
      if (held > this.stats.peakWorkingMemory) this.stats.peakWorkingMemory = held;
    }
  }

  /** The agenda-free path: the fact's matches, sorted by rank, fire in turn. */
  private fireDirect(fact: Fact): void {
    const matched = this.matched;
    const n = collect(this.network.root, fact.fields, matched, 0);
    if (n === 0) return;
    if (n > 1) sortByRank(matched, n);
    for (let i = 0; i < n; i++) {
      const t = matched[i]!;
      if (t.deferred === null) this.fire(t, fact);
    }
  }

  private activate(t: Terminal, fact: Fact): void {
    const a = new Activation(t, fact, null, fact.seq);
    this.agenda.push(a);
    if (this.tracking) {
      if (fact.pending === null) fact.pending = [a];
      else fact.pending.push(a);
    }
  }

  private fireAll(): void {
    for (;;) {
      const a = this.agenda.pop();
      if (a === undefined) return;
      if (a.token !== null) {
        if (a.live) this.fireMatch(a);
        continue;
      }
      const fact = a.fact;
      if (fact.retracted) continue;
      if (this.tracking) {
        const pending = fact.pending as Activation[];
        const i = pending.indexOf(a);
        if (i >= 0) {
          pending[i] = pending[pending.length - 1]!;
          pending.pop();
        }
        if (fact.fired === null) fact.fired = [a.terminal.index];
        else fact.fired.push(a.terminal.index);
      }
      this.fire(a.terminal, fact);
    }
  }

  private fire(t: Terminal, fact: Fact): void {
    const n = ++this.stats.firings;
    if (this.maxFirings > 0 && n > this.maxFirings) {
      throw new LimitError(`more than ${this.maxFirings} rule firings (--max-firings); raise the limit or check for rules that keep re-matching`);
    }
    this.stats.firingsByRule[t.index]!++;
    const actions = t.actions;
    let results: ActionResult[];
    if (actions.length === 1) results = [actions[0]!.run(this, fact)];
    else {
      results = new Array(actions.length);
      for (let i = 0; i < actions.length; i++) results[i] = actions[i]!.run(this, fact);
    }
    if (this.onFiring !== null) {
      this.onFiring({ rule_id: t.rule.id, rule_name: t.rule.name, fact_id: fact.id, actions_executed: results });
    }
    if (this.changedFacts.length > 0) this.repropagateChanged();
    if (this.beta !== null && this.reinsert.size > 0) this.reinsertChanged();
  }

  /** Fires a multi-fact rule on a combination: each action on its target pattern's fact. */
  private fireMatch(a: Activation): void {
    const t = a.terminal;
    const p = t.patterns!;
    const facts = a.facts!;
    if (this.firedCombos !== null) {
      let fired = this.firedCombos[t.index];
      if (fired === undefined) this.firedCombos[t.index] = fired = new Set();
      fired.add(comboKey(facts, p.bound));
    }
    const n = ++this.stats.firings;
    if (this.maxFirings > 0 && n > this.maxFirings) {
      throw new LimitError(`more than ${this.maxFirings} rule firings (--max-firings); raise the limit or check for rules that keep re-matching`);
    }
    this.stats.firingsByRule[t.index]!++;
    const actions = t.actions;
    const results: ActionResult[] = new Array(actions.length);
    for (let i = 0; i < actions.length; i++) results[i] = actions[i]!.run(this, facts[p.targets[i]!]!);
    if (this.onFiring !== null) {
      const bound = p.bound;
      const ids = new Array<number>(bound.length);
      for (let i = 0; i < bound.length; i++) ids[i] = facts[bound[i]!]!.id;
      this.onFiring({ rule_id: t.rule.id, rule_name: t.rule.name, fact_id: facts[0]!.id, fact_ids: ids, actions_executed: results });
    }
    if (this.changedFacts.length > 0) this.repropagateChanged();
    if (this.beta !== null && this.reinsert.size > 0) this.reinsertChanged();
  }

  /** Facts changed in fields patterns read go back into the beta network with their new values. */
  private reinsertChanged(): void {
    const beta = this.beta!;
    for (const f of this.reinsert) if (!f.retracted) beta.insert(f);
    this.reinsert.clear();
  }

  private repropagateChanged(): void {
    const list = this.changedFacts;
    for (let i = 0; i < list.length; i++) {
      const f = list[i]!;
      f.dirty = false;
      if (!f.retracted) this.repropagate(f);
    }
    list.length = 0;
  }

  /**
   * Matches a changed fact again: activations whose rule no longer matches are cancelled,
   * rules that now match and have neither fired on the fact nor are pending get activations.
   */
  private repropagate(fact: Fact): void {
    const stamp = ++this.stamp;
    const matched = this.matched;
    const n = collect(this.network.root, fact.fields, matched, 0);
    for (let i = 0; i < n; i++) matched[i]!.mark = stamp;

    const pending = fact.pending as Activation[] | null;
    if (pending !== null) {
      let keep = 0;
      for (let i = 0; i < pending.length; i++) {
        const a = pending[i]!;
        if (a.terminal.mark === stamp) {
          a.terminal.pendingMark = stamp;
          pending[keep++] = a;
        } else a.cancelled = true;
      }
      pending.length = keep;
    }
    const fired = fact.fired;
    if (fired !== null) {
      const terminals = this.network.terminals;
      for (let i = 0; i < fired.length; i++) terminals[fired[i]!]!.pendingMark = stamp;
    }
    for (let i = 0; i < n; i++) {
      const t = matched[i]!;
      if (t.pendingMark !== stamp && t.deferred === null) this.activate(t, fact);
    }
  }
}

/** Insertion sort by rank: matches arrive in nearly sorted runs, usually one or two. */
function sortByRank(ts: Terminal[], n: number): void {
  for (let i = 1; i < n; i++) {
    const t = ts[i]!;
    let j = i - 1;
    while (j >= 0 && ts[j]!.rank > t.rank) {
      ts[j + 1] = ts[j]!;
      j--;
    }
    ts[j + 1] = t;
  }
}

/** A combination's identity for refraction: its bound facts' seqs in pattern order. */
function comboKey(facts: readonly (Fact | null)[], bound: readonly number[]): string {
  let key = String(facts[bound[0]!]!.seq);
  for (let i = 1; i < bound.length; i++) key += ',' + facts[bound[i]!]!.seq;
  return key;
}
