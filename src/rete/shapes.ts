// Keeps one instance of each class the hot path makes per fact or per session alive for the
// life of the process, so that their hidden classes (V8 maps) stay. A hot-path trick, kept
// here with its measured reason (as pino keeps its own).
//
// Class fields give an object its map one field at a time, through map transitions, and V8
// holds transitions weakly: once every instance of a class has died, a full GC drops those
// maps and, with them, all optimized code that checks for them (`--trace-deopt`: "marking
// dependent code … reason: weak objects"). The next session's objects get new maps and its
// hot path is optimized all over again, inside the run. Measured on bench join 100K
// engine-only, each run after a full GC as the bench does (12 runs in one process): 158
// functions optimized again inside the timed runs → 18, median 44.0 → 24.7 ms; with the firing
// log 254 → 61, 59.6 → 26.0 ms. Keeping a Session as well changed nothing more. One `rete-eval
// run` has no full GC between sessions; the bench, a server and a library caller running
// many sessions do.

import { Fact, FactShape } from '../model/fact.js';
import { Activation } from './agenda.js';
import { Bucket } from './bucket.js';
import { FiringLog } from './firing-log.js';
import type { Network } from './network.js';
import type { Terminal } from './terminal.js';
import { Token, Wme, type TokenOwner } from './wme.js';

let kept: readonly object[] | null = null;

/** Makes the kept instances, once (each Session calls this). */
export function keepShapes(): void {
  if (kept !== null) return;
  const fact = new Fact(0, {}, null, null, FactShape.Flat);
  const wme = new Wme(fact, 0);
  // Never read: only their maps matter. Fields given null here take other objects in real
  // instances, which widens the field's type in place (the map stays).
  const owner = null as unknown as TokenOwner;
  const terminal = null as unknown as Terminal;
  const network = null as unknown as Network;
  kept = [fact, wme, new Token(wme, wme, owner, false), new Activation(terminal, wme, null, 0, null, null), new Bucket(wme, false), new FiringLog(network)];
}

/** The kept instances (empty before the first Session): a test checks that real instances share their maps. */
export function keptShapes(): readonly object[] {
  return kept ?? [];
}
