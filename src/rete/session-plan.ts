// How a session runs, decided in one place from the network and the run's options: which
// bookkeeping it keeps (and so what it costs), and why. A reader of session.ts can look
// here to see which mode a run is in.

import type { Network } from './network.js';

export interface RunPlan {
  /** Changed and created facts are matched again (forward chaining); false under --no-chain. */
  readonly chain: boolean;
  /**
   * Every fact is kept to the end: rules address facts by id (UpdateFact, DeleteFact), or
   * final facts are emitted and end-of-input rules or later joins may still change them.
   */
  readonly retainFacts: boolean;
  /**
   * Per-fact pending activations and fired rules are kept: a fact can be matched again
   * (a change to a field a condition reads, an update by id) or deleted with activations pending.
   */
  readonly trackActivations: boolean;
  /**
   * No firing can add or cancel activations (no re-matching, no created facts matched, no
   * deletes, no multi-fact rules): a fact's matches fire at once in rank order, without the agenda.
   */
  readonly direct: boolean;
  /** The network has end-of-input conditions (aggregations, stream windows). */
  readonly hasDeferred: boolean;
  /**
   * End-of-input conditions see facts at end of input (rules may change any fact by id until
   * then), rather than each fact once it settles.
   */
  readonly observeAtEnd: boolean;
  /** Facts can leave the beta network: deleted, or changed in a field a pattern reads. */
  readonly betaRetracts: boolean;
  /** Beta tokens keep their links: matches can be taken back (retraction, not/exists counts). */
  readonly linkTokens: boolean;
  /** Fired combinations of multi-fact rules are remembered: the same combination can form again. */
  readonly comboRefraction: boolean;
  /**
   * Nothing keeps an input fact's record (Wme) past its own insertion (the direct path, no
   * facts kept; end-of-input candidates then keep the fact, not its record): the session
   * reuses one record for every input fact instead of making one each. Measured on bench
   * simple 1M engine-only, 20 runs: median 449 ms with a record per fact, 310 ms reusing one
   * (the old Fact-only engine: 331 ms).
   */
  readonly reuseRecord: boolean;
  /**
   * An input fact's record is handed to the next input fact when nothing took it while the
   * fact settled: reuseRecord, or facts not kept and no end-of-input candidates, where the
   * only holders are the beta network (Wme.active) and per-fact activation marks (Wme.links).
   * Bench join 100K: 87% of the facts are employees below the salary test and reach no
   * memory; a record each was 7.6 of the 14.1 MB a run allocated.
   */
  readonly recycleRecords: boolean;
}

export interface PlanOptions {
  readonly chain: boolean;
  /** Final facts are handed out (`--emit facts`, SessionOptions.onFactDone). */
  readonly emitsFacts: boolean;
}

export function planRun(network: Network, options: PlanOptions): RunPlan {
  const { chain, emitsFacts } = options;
  const beta = network.beta;
  const hasDeferred = network.deferredTerminals.length > 0;
  const trackActivations = network.hasDelete || (chain && (network.writesReadFields || network.hasUpdate));
  const betaRetracts = beta !== null && (network.hasDelete || (chain && network.patternWrites));
  const retainFacts = network.addressesFactsById || ((hasDeferred || beta !== null) && emitsFacts);
  const direct = beta === null && !trackActivations && !(chain && network.hasCreate);
  const reuseRecord = direct && !retainFacts;
  return {
    chain,
    retainFacts,
    trackActivations,
    direct,
    hasDeferred,
    observeAtEnd: network.addressesFactsById,
    betaRetracts,
    linkTokens: betaRetracts || beta?.hasNegation === true,
    comboRefraction: betaRetracts,
    reuseRecord,
    recycleRecords: reuseRecord || (!retainFacts && !hasDeferred),
  };
}
