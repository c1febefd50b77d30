// Tests for src/rete/shapes.ts: the instances a session keeps for their maps (hidden classes)
// have the very maps the engine's own instances get, before and after every other instance
// has died and a full GC has run; so keeping them keeps the hot path's maps, and the code
// optimized for them, from one session to the next. V8 natives (%HaveSameMap) and gc() are
// switched on for this file only.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { compileRules } from '../../src/engine.js';
import { decodeFact, Fact } from '../../src/model/fact.js';
import { Activation } from '../../src/rete/agenda.js';
import type { BetaSink } from '../../src/rete/beta-node.js';
import { BetaNetwork } from '../../src/rete/beta-network.js';
import { Bucket } from '../../src/rete/bucket.js';
import { FiringLog } from '../../src/rete/firing-log.js';
import { Session } from '../../src/rete/session.js';
import { keptShapes } from '../../src/rete/shapes.js';
import type { Terminal } from '../../src/rete/terminal.js';
import { Token, Wme } from '../../src/rete/wme.js';

setFlagsFromString('--allow-natives-syntax');
setFlagsFromString('--expose-gc');
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
const gc = runInNewContext('gc') as () => void;

const JOIN = [
  {
    id: 1,
    name: 'j',
    patterns: [
      { alias: 'e', conditions: [{ field: 'type', operator: 'Equal', value: 'emp' }] },
      {
        alias: 'd',
        conditions: [
          { field: 'type', operator: 'Equal', value: 'dept' },
          { field: 'dept_id', operator: 'Equal', value: { Ref: 'e.dept_id' } },
        ],
      },
    ],
    actions: [{ action_type: { Log: { message: 'm' } } }],
  },
];

/** Instances the engine itself makes in a run of the join rule, one of each kept class. */
function madeByARun(): object[] {
  const { network } = compileRules(JOIN);
  const facts = [
    { id: 1, type: 'dept', dept_id: 3 },
    { id: 2, type: 'emp', dept_id: 3 },
    { id: 3, type: 'emp', dept_id: 3 },
  ].map((raw, i) => decodeFact(raw, i));
  // A session with a log over the facts: the log as the engine fills it.
  const log = new FiringLog(network);
  const session = new Session(network, { log });
  for (const f of facts) session.insert(f);
  session.end();
  expect(log.length).toBe(2);
  // The beta network alone, for its records, tokens and buckets as the session would make them.
  let token: Token | null = null;
  let terminal: Terminal | null = null;
  const sink: BetaSink = {
    activateMatch(t: Terminal, match: Wme | Token) {
      terminal = t;
      if (match instanceof Token) token = match;
    },
  };
  const beta = new BetaNetwork(network.beta!, sink, new Array<number>(network.slots).fill(0), false, false);
  const records = facts.map((f, i) => new Wme(f, i));
  for (const w of records) beta.insert(w);
  const bucket = beta.memories.flatMap((m) => m.indexes.map((ix) => ix.get(3))).find((b) => b !== undefined)!;
  const activation = new Activation(terminal!, records[1]!, token!.facts, 2, token!, [2, 0]);
  return [facts[0]!, records[0]!, token!, activation, bucket, log];
}

describe('kept shapes', () => {
  it('a session keeps one instance of each hot class, with the maps the engine gives its own, across full GCs', () => {
    new Session(compileRules(JOIN).network);
    const kept = keptShapes();
    expect(kept.map((x) => x.constructor)).toEqual([Fact, Wme, Token, Activation, Bucket, FiringLog]);
    for (let round = 0; round < 3; round++) {
      const made = madeByARun();
      for (let i = 0; i < kept.length; i++) expect(sameMap(kept[i]!, made[i]!), `${made[i]!.constructor.name}, round ${round}`).toBe(true);
      // Everything the run made is garbage now: the next round's instances must find the same maps.
      gc();
    }
  });
});
