// Held field writes (src/model/field-writes.ts) and rules that fire as blocks
// (src/rete/terminal-block.ts): a run must give the same firings, the same final facts (values
// and key order) and stop at the same firing under a limit, whether writes are held and
// rules fire as blocks or every write is stored at once and every firing is made one by one.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileRules } from '../../src/engine.js';
import { FiringWriter, firingLine } from '../../src/io/serialize.js';
import { LimitError } from '../../src/model/errors.js';
import { decodeFact, Fact, FactShape } from '../../src/model/fact.js';
import type { Firing } from '../../src/model/types.js';
import { FiringLog } from '../../src/rete/firing-log.js';
import { explainNetwork, formatExplain } from '../../src/rete/explain.js';
import { Session, type SessionOptions } from '../../src/rete/session.js';

type Json = Record<string, unknown>;

const setField = (field: string, value: unknown) => ({ action_type: { SetField: { field, value } } });

interface Outcome {
  firings: Firing[];
  /** Final facts as written out: JSON text, so key order counts. */
  facts: string[];
  limited: boolean;
  log: FiringLog;
}

function run(rules: Json[], records: Json[], options: SessionOptions & { records?: boolean }): Outcome {
  const { network } = compileRules(structuredClone(rules));
  const firings: Firing[] = [];
  const facts: Fact[] = [];
  const log = new FiringLog(network);
  const session = new Session(network, {
    ...options,
    log,
    ...(options.records ? { onFiring: (f: Firing) => firings.push(f) } : {}),
    onFactDone: (f) => facts.push(f),
  });
  let limited = false;
  try {
    for (let i = 0; i < records.length; i++) session.insert(decodeFact(structuredClone(records[i]!), i));
    session.end();
  } catch (e) {
    if (!(e instanceof LimitError)) throw e;
    limited = true;
  }
  if (!options.records) for (let i = 0; i < log.length; i++) firings.push(log.firing(i));
  return { firings, facts: facts.map((f) => JSON.stringify(f.fields)), limited, log };
}

const constant = fc.constantFrom<unknown>(0, 1, 'x', { Float: 2.5 }, true, null, [1, 2], { Object: { a: 1 } });
const condition = fc.oneof(
  fc.record({ field: fc.constantFrom('type', 'k'), operator: fc.constant('Equal'), value: fc.constantFrom<unknown>('a', 'b', 0, 1) }),
  fc.record({ field: fc.constant('k'), operator: fc.constantFrom('GreaterThan', 'LessThan'), value: fc.constantFrom(0, 1, 2) }),
  // Reading a written field: its writes are not held, and chaining sees them.
  fc.record({ field: fc.constant('seen'), operator: fc.constant('Equal'), value: fc.constantFrom<unknown>(1, 'x') }),
);
const action = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom('tag', 'score', 'k2', 'seen'), constant).map(([f, v]) => setField(f, v)) },
  { weight: 1, arbitrary: fc.constant({ action_type: { Log: { message: 'm' } } }) },
  { weight: 1, arbitrary: fc.constant({ action_type: { IncrementField: { field: 'n', increment: 1 } } }) },
  { weight: 1, arbitrary: fc.constant({ action_type: { Formula: { expression: 'k * 2', output_field: 'score' } } }) },
);
/** Single-fact rules that often share their conditions (so blocks form), with saliences that may interleave them. */
const rules = fc
  .tuple(fc.array(fc.array(condition, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 12 }))
  .chain(([conditionSets, n]) =>
    fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        fc
          .record({
            conditions: fc.constantFrom(...conditionSets),
            actions: fc.array(action, { minLength: 0, maxLength: 3 }),
            salience: fc.option(fc.integer({ min: -1, max: 1 }), { nil: undefined }),
          })
          .map(({ conditions, actions, salience }) => ({ id: i + 1, name: `r${i + 1}`, conditions, actions, ...(salience === undefined ? {} : { salience }) })),
      ),
    ),
  )
  .map((rs) => JSON.parse(JSON.stringify(rs)) as Json[]);
const records = fc
  .array(fc.record({ type: fc.constantFrom('a', 'b'), k: fc.constantFrom(0, 1, 2), tag: fc.constantFrom('given', 7) }, { requiredKeys: ['type'] }), {
    maxLength: 12,
  })
  .map((rs) => rs.map((r, i) => ({ id: i, ...r })));

describe('held writes and rule blocks', () => {
  it('give the same firings, final facts (key order too) and limit stops as writing at once, one firing at a time (property)', () => {
    fc.assert(
      fc.property(rules, records, fc.constantFrom(0, 3, 17), (rs, facts, maxFirings) => {
        const reference = run(rs, facts, { holdWrites: false, records: true, maxFirings });
        const held = run(rs, facts, { maxFirings });
        expect(held.firings).toEqual(reference.firings);
        expect(held.facts).toEqual(reference.facts);
        expect(held.limited).toBe(reference.limited);
        // The log read in order (as the output writer reads it) says the same.
        const lines = reference.firings.map((f) => firingLine(f, 'plain')).join('');
        expect(new FiringWriter('plain').lines(held.log)).toBe(lines);
      }),
      { numRuns: 400 },
    );
  });

  it('rules sharing one test fire as one block, read back firing by firing in any order', () => {
    const rs: Json[] = Array.from({ length: 50 }, (_, i) => ({
      id: i + 1,
      name: `calc ${i + 1}`,
      conditions: [{ field: 'type', operator: 'Equal', value: 'basic' }],
      actions: [setField(`calc_${i + 1}`, { Float: i * 10 })],
    }));
    // A rule that fires on its own after the block, on some of the same facts.
    rs.push({ id: 51, name: 'note', conditions: [{ field: 'n', operator: 'Equal', value: 0 }], actions: [{ action_type: { Log: { message: 'n' } } }] });
    const facts = Array.from({ length: 40 }, (_, i) => ({ id: i, type: i % 3 === 0 ? 'basic' : 'other', n: i % 2 }));
    const { network } = compileRules(rs);
    expect(network.blocks).toHaveLength(1);
    const text = formatExplain(network);
    expect(text).toContain('held writes: 50 SetField actions write fields no rule reads');
    expect(text).toContain('⇉ these 50 rules fire as one block');
    expect(explainNetwork(network).hashIndexes[0]!.children[0]!.block).toBe(true);
    const held = run(rs, facts, {});
    const reference = run(rs, facts, { holdWrites: false, records: true });
    expect(held.firings).toHaveLength(14 * 50 + 20);
    expect(held.firings).toEqual(reference.firings);
    expect(held.facts).toEqual(reference.facts);
    // Random access, backwards: inside blocks, on single firings after them, across runs.
    for (let i = held.log.length - 1; i >= 0; i--) expect(held.log.firing(i)).toEqual(reference.firings[i]);
  });

  it('applies a fact’s held writes when its fields are read, not before', () => {
    const rs = [{ id: 1, name: 'flag', conditions: [{ field: 'status', operator: 'Equal', value: 'on' }], actions: [setField('done', true)] }];
    const { network } = compileRules(rs);
    const map = { status: 'on' };
    const fact = new Fact(1, map, null, null, FactShape.Flat);
    const session = new Session(network);
    session.insert(fact);
    session.end();
    expect(map).toEqual({ status: 'on' });
    expect(fact.fields).toEqual({ status: 'on', done: true });
    expect(map).toEqual({ status: 'on', done: true });
    // With holdWrites: false the map is written at once.
    const map2 = { status: 'on' };
    new Session(network, { holdWrites: false }).insert(new Fact(2, map2, null, null, FactShape.Flat));
    expect(map2).toEqual({ status: 'on', done: true });
  });

  it('leaves making a held field’s store to the session that first applies a write to it', () => {
    const odd = 'say "hi"';
    const rs = [
      { id: 1, name: 'flag', conditions: [{ field: 'status', operator: 'Equal', value: 'on' }], actions: [setField('done', true), setField(odd, 'x')] },
    ];
    const { network } = compileRules(rs);
    // The network names the fields; no store (generated code) is made while it compiles.
    expect(network.heldWriters.map((w) => w.field)).toEqual(['done', odd]);
    for (const w of network.heldWriters) {
      expect(Object.values(w).some((v) => typeof v === 'function')).toBe(false);
      Object.freeze(w);
    }
    Object.freeze(network.heldWriters);
    for (const holdWrites of [true, false, true]) {
      const fact = new Fact(1, { status: 'on' }, null, null, FactShape.Flat);
      const session = new Session(network, { holdWrites });
      session.insert(fact);
      session.end();
      expect(JSON.stringify(fact.fields)).toBe(JSON.stringify({ status: 'on', done: true, [odd]: 'x' }));
    }
  });

  it('gives every fact its own copy of a mutable constant', () => {
    const rs = [{ id: 1, name: 'list', conditions: [{ field: 'type', operator: 'Equal', value: 'a' }], actions: [setField('items', [1, 2])] }];
    const { network } = compileRules(rs);
    const facts = [0, 1].map((i) => new Fact(i, { type: 'a' }, null, null, FactShape.Flat));
    const session = new Session(network);
    for (const f of facts) session.insert(f);
    session.end();
    (facts[0]!.fields.items as number[]).push(3);
    expect(facts[1]!.fields.items).toEqual([1, 2]);
  });

  it('holds no write of a field a condition reads: chaining sees it', () => {
    const rs = [
      { id: 1, name: 'set', conditions: [{ field: 'type', operator: 'Equal', value: 'a' }], actions: [setField('stage', 1)] },
      { id: 2, name: 'next', conditions: [{ field: 'stage', operator: 'Equal', value: 1 }], actions: [setField('stage2', 2)] },
    ];
    const { network } = compileRules(rs);
    expect(network.heldWriters).toHaveLength(1);
    const out = run(rs, [{ id: 0, type: 'a' }], {});
    expect(out.firings.map((f) => f.rule_id)).toEqual([1, 2]);
    expect(out.facts).toEqual(['{"id":0,"type":"a","stage":1,"stage2":2}']);
  });

  it('writes interleaved across facts and chunks land in write order', () => {
    // Two patterns: each firing writes to one of two facts in turn, so their held writes interleave.
    const rs = [
      {
        id: 1,
        name: 'pair',
        patterns: [
          { alias: 'a', conditions: [{ field: 'type', operator: 'Equal', value: 'a' }] },
          { alias: 'b', conditions: [{ field: 'type', operator: 'Equal', value: 'b' }] },
        ],
        actions: [
          { action_type: { SetField: { field: 'last', value: { Ref: 'b.id' } } }, target: 'a' },
          { action_type: { SetField: { field: 'last', value: { Ref: 'a.id' } } }, target: 'b' },
        ],
      },
    ];
    const facts = [{ id: 0, type: 'a' }, ...Array.from({ length: 40 }, (_, i) => ({ id: i + 1, type: i % 2 === 0 ? 'b' : 'a' }))];
    const held = run(rs, facts, {});
    const reference = run(rs, facts, { holdWrites: false });
    expect(held.facts).toEqual(reference.facts);
    expect(held.firings).toEqual(reference.firings);
  });
});
