// The compact firing log (src/rete/firing-log.ts) and the writer that serializes it
// (FiringWriter in src/io/serialize.ts): for the same session, every logged firing must come
// back as the record onFiring gets, and its line must be the bytes firingLine writes, plain
// and tagged, for single- and multi-fact rules, derived and computed results, across many
// growths of the columns and across clear().

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { compileRules } from '../../src/engine.js';
import { FiringWriter, firingLine } from '../../src/io/serialize.js';
import { decodeFact } from '../../src/model/fact.js';
import { LimitError } from '../../src/model/errors.js';
import type { Firing } from '../../src/model/types.js';
import { FiringLog } from '../../src/rete/firing-log.js';
import { Session } from '../../src/rete/session.js';
import { factList, ruleSet } from './rule-arbitraries.js';

type Json = Record<string, unknown>;

/** Runs facts through one session with both an onFiring listener and a log; checks they agree. */
function agree(rules: Json[], facts: Json[], clearEvery = Infinity): number {
  const { network } = compileRules(structuredClone(rules));
  const records: Firing[] = [];
  const log = new FiringLog(network);
  const session = new Session(network, { onFiring: (f) => records.push(f), log, maxFirings: Math.max(200, facts.length * 3) });
  const plain = new FiringWriter('plain');
  const tagged = new FiringWriter('tagged');
  let seen = 0;
  const check = () => {
    for (let i = 0; i < log.length; i++) expect(log.firing(i)).toEqual(records[seen + i]);
    const expected = records.slice(seen, seen + log.length);
    expect(plain.lines(log)).toBe(expected.map((f) => firingLine(f, 'plain')).join(''));
    expect(tagged.lines(log)).toBe(expected.map((f) => firingLine(f, 'tagged')).join(''));
    seen += log.length;
    log.clear();
  };
  try {
    facts.forEach((raw, i) => {
      session.insert(decodeFact(structuredClone(raw), i));
      if ((i + 1) % clearEvery === 0) check();
    });
    session.end();
  } catch (e) {
    if (!(e instanceof LimitError)) throw e;
  }
  check();
  expect(seen).toBe(records.length);
  return seen;
}

describe('FiringLog', () => {
  it('keeps thousands of firings through many column growths, with one to three results each', () => {
    const rules = [
      {
        id: 1,
        name: 'set',
        conditions: [{ field: 'k', operator: 'Equal', value: 0 }],
        actions: [{ action_type: { SetField: { field: 'a', value: { Float: 2 } } } }],
      },
      {
        id: 2,
        name: 'two',
        conditions: [{ field: 'k', operator: 'LessThan', value: 2 }],
        actions: [
          { action_type: { Log: { message: 'x' } } },
          { action_type: { IncrementField: { field: 'n', increment: 1 } } },
          { action_type: { SetField: { field: 'when', value: { Date: '2024-01-01T00:00:00Z' } } } },
        ],
      },
      { id: 3, name: 'none', conditions: [{ field: 'k', operator: 'Equal', value: 3 }], actions: [] },
    ];
    const facts = Array.from({ length: 9000 }, (_, i) => ({ id: i, k: i % 4 }));
    expect(agree(rules, facts)).toBe(9000 / 4 + 9000 / 2 + 9000 / 4);
    expect(agree(rules, facts, 700)).toBe(9000);
  });

  it('agrees with the records on random rule sets (joins, not/exists, targets, Refs, creates, deletes)', () => {
    fc.assert(
      fc.property(ruleSet, factList, fc.integer({ min: 1, max: 4 }), (rules, facts, every) => {
        agree(rules, facts, every);
      }),
      { numRuns: 100 },
    );
  });
});
