// What a session is given and what it counts: the options of a run (chaining, limits, ids
// of created facts, where firings and finished facts go) and the statistics it keeps.
// Types only; session.ts exports them beside Session.

import type { Fact } from '../model/fact.js';
import type { Firing } from '../model/types.js';
import type { NodeMemoryStats } from './beta-network.js';
import type { FiringLog } from './firing-log.js';
import type { Mismatches } from './predicates.js';

export interface SessionOptions {
  /** Re-propagate changed and created facts (default true). False: the reference engine's behaviour. */
  chain?: boolean;
  /** Stop with a LimitError when firings, or facts created, pass this many. 0 = no limit. */
  maxFirings?: number;
  /** Stop with a LimitError when the JS heap in use passes this many bytes (checked now and then). 0 = no limit. */
  maxHeapBytes?: number;
  /** The time of a fact without a timestamp, for time windows (ms since the epoch). Default: now. */
  runStartMs?: number;
  /**
   * Ids of facts that rules create: `first`, `first + step`, ... Default: from 9·10^15 in
   * steps of 1, a range input facts may not use, so created ids never collide with input ids.
   */
  createdIds?: { readonly first: number; readonly step: number };
  /** Called for each firing, in firing order. The record may be kept: it is not reused. */
  onFiring?: (firing: Firing) => void;
  /**
   * Keeps each firing, in firing order, compactly (no record objects): the output writer and
   * the bench read firings from here. May be given with onFiring or instead of it.
   */
  log?: FiringLog;
  /**
   * Hold back writes to fields that no rule reads, and apply them to a fact's field map when
   * its `fields` are next read (default true; see model/field-writes.ts for why). False:
   * every write goes into the map at once, for callers that keep the map objects they made
   * facts with and read them directly.
   */
  holdWrites?: boolean;
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
  /** Type mismatches per test slot of the network (see AlphaTest.mismatchTotal). */
  mismatches: Mismatches;
  /**
   * What each alpha memory and beta node of the multi-fact rules held at the end of the
   * run, and at most (filled in by end(); empty without multi-fact rules).
   */
  memoryNodes: NodeMemoryStats[];
}
