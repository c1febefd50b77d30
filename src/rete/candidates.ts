// The facts an end-of-input rule may fire on: every fact that passed the rule's other
// conditions when it settled, in insertion order, with its tokens of the rule's end-of-input
// conditions (which group or window it fell in), kept until the end decides them.
//
// A candidate keeps its fact's record (Wme) only when something may still happen to that
// record before the end (a delete, a re-match, a join). Otherwise it keeps the fact and its
// insertion order alone: on bench aggregate 1M, a record per candidate held to the end was
// 128 MB of the heap promoted and collected, the run's largest cost. The lists grow in chunks
// (column.ts): as plain arrays, their copies on growth were the next largest.

import type { Fact } from '../model/fact.js';
import { Column, List } from './column.js';
import type { Wme } from './wme.js';

export class Candidates {
  /** The candidates' records (plan.reuseRecord false), else empty. */
  readonly records = new List<Wme>();
  /** The candidates' facts and insertion orders (plan.reuseRecord), else empty. */
  readonly facts = new List<Fact>();
  readonly seqs = new Column(Float64Array);
  /** Per candidate, its token of each of the rule's end-of-input conditions, in their order (tokens may be times: not 32-bit). */
  readonly tokens = new Column(Float64Array);
}
