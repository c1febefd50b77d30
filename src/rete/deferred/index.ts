// End-of-input conditions: Aggregation and Stream conditions compiled once into plans
// (immutable, shared by sessions); each session makes its own instance of each, which
// observes every fact once, in insertion order, and then says for each candidate fact
// whether the condition holds. The session decides them at end of input.
//
// Semantics (the README repeats them):
//
// Aggregation conditions
// - Groups: facts whose group_by values are Equal (Integer 5 = Float 5.0; a date and a
//   string holding the same instant are different groups). A fact lacking a group_by
//   field is in the group of facts that lack it too (apart from facts where it is null).
//   No group_by: one group of all facts. Every observed fact is a member of its group;
//   its source value, when present, is offered to the aggregate (aggregators.ts says
//   which values are taken).
// - No window: the aggregate over the whole group. The candidate's own group decides.
// - Sliding {size N}: the last N facts of the group in input order, up to and including
//   the candidate (facts without a usable value still take a place).
// - Tumbling {size N}: the group's facts cut by arrival into blocks of N (the 1st to Nth,
//   the N+1th to 2Nth, ...); the candidate's block decides. The last block may be short.
// - Session {timeout_ms T}: the group's facts ordered by timestamp, cut where two
//   consecutive timestamps are more than T apart (exactly T apart stays one session).
// - Time {duration_ms D}: the group's facts with timestamp in (t − D, t], t the
//   candidate's timestamp: a fact exactly D earlier is out, one at t (even arriving
//   later) is in.
//
// Stream conditions
// - Time windows use fact timestamps (a fact without one: the run's start time). Every
//   fact of the input is judged, whether or not it passes `filter`; only facts passing
//   `filter` feed the aggregates.
// - Tumbling {duration_ms D}: windows [kD, (k+1)D), aligned to the Unix epoch. A fact at
//   exactly (k+1)D is in the next window.
// - Sliding {size_ms S, advance_ms A}: windows [kA, kA + S) for every integer k, aligned to
//   the epoch; a fact is in every window whose interval contains its timestamp (about S/A
//   of them). The condition holds when any of them satisfies `having`.
// - A fact in a tumbling or sliding window that no filtered fact reached is judged on the
//   empty aggregate (Count 0, Sum 0, Average null...): `having n == 0` finds quiet windows.
// - Session {gap_timeout_ms G}: the filtered facts ordered by timestamp, cut where two
//   consecutive timestamps are more than G apart; a session spans [first, last]
//   (inclusive). A fact that failed the filter is judged by the session whose span holds its
//   timestamp, if any; outside every session it does not hold.
// - Out-of-order timestamps go to the window their timestamp says (and can join or bridge
//   sessions): all input is seen before deciding, so there is no lateness cutoff.
// - CountTumbling {count C} / CountSliding {size S, advance A}: over the facts passing
//   `filter`, numbered 0, 1, 2... in input order; windows are positions [kA, kA + S)
//   (CountTumbling: A = S = C). Every window that starts at or before the last position
//   counts, even when the input ends before it fills. A fact that fails `filter` is in no
//   count window and never holds.
// - First/Last: by timestamp in time windows (ties by input order), by input order in
//   count windows. Rate: count × time_unit_ms / span, the span being the window length
//   for Tumbling and Sliding time windows, else last − first timestamp (Rate null when 0).
//
// Both: `having` is tested against `{alias: aggregate}`; without it, the condition holds
// when the aggregate covers at least one value.
//
// Memory: one running aggregate per group / window / session. Percentile keeps every
// value of its group (8 bytes each); Distinct one map entry per distinct value. Sliding
// {size N} keeps the last N values of each group; Time windows keep (timestamp, value) of
// every fact until decided; CountSliding keeps the last S values; time Sliding windows
// touch S/A aggregates per fact (at most 1000, checked by the validator). Decided
// outcomes are one boolean per window, block or session; nothing is kept per fact except
// for Time windows.

import type { AggregationCondition, StreamCondition } from '../../model/types.js';
import type { Slots } from '../predicates.js';
import { compileAggregation } from './aggregation.js';
import type { DeferredPlan } from './shared.js';
import { compileStream } from './stream.js';

export type { DeferredCondition, DeferredPlan, DeferredRun } from './shared.js';
export { Clock } from './shared.js';

export function compileDeferred(c: AggregationCondition | StreamCondition, slots: Slots): DeferredPlan {
  return c.kind === 'aggregation' ? compileAggregation(c, slots) : compileStream(c, slots);
}
