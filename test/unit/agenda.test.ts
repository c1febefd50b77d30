// Tests for the agenda (src/rete/agenda.ts): a heap ordered by (terminal rank, fact seq),
// with cancelled activations dropped lazily when they reach the top.

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Activation, Agenda } from '../../src/rete/agenda.js';
import { Terminal } from '../../src/rete/terminal.js';
import { Fact, FactShape } from '../../src/model/fact.js';
import type { Rule } from '../../src/model/types.js';
import { Wme } from '../../src/rete/wme.js';

function terminal(rank: number): Terminal {
  const rule: Rule = { id: rank, name: `r${rank}`, salience: 0, conditions: [], patterns: null, actions: [], path: '$' };
  return new Terminal(rule, rank, rank, [], null, null);
}

function act(rank: number, seq: number, terminals = new Map<number, Terminal>()): Activation {
  let t = terminals.get(rank);
  if (!t) terminals.set(rank, (t = terminal(rank)));
  const w = new Wme(new Fact(seq, {}, null, null, FactShape.Flat), seq);
  return new Activation(t, w, null, seq, null, null);
}

function drain(a: Agenda): Activation[] {
  const out: Activation[] = [];
  for (let x = a.pop(); x !== undefined; x = a.pop()) out.push(x);
  return out;
}

const key = (a: Activation) => [a.terminal.rank, a.seq];

describe('Agenda', () => {
  it('is empty at first', () => {
    const a = new Agenda();
    expect(a.size).toBe(0);
    expect(a.pop()).toBeUndefined();
  });

  it('pops by rank first, then by fact seq', () => {
    const a = new Agenda();
    for (const [rank, seq] of [
      [2, 0],
      [0, 5],
      [1, 1],
      [0, 2],
      [2, 3],
      [1, 0],
    ] as const) {
      a.push(act(rank, seq));
    }
    expect(a.size).toBe(6);
    expect(drain(a).map(key)).toEqual([
      [0, 2],
      [0, 5],
      [1, 0],
      [1, 1],
      [2, 0],
      [2, 3],
    ]);
    expect(a.size).toBe(0);
  });

  it('lets a later push with a better key go first', () => {
    const a = new Agenda();
    a.push(act(3, 0));
    a.push(act(2, 0));
    expect(key(a.pop()!)).toEqual([2, 0]);
    a.push(act(1, 7));
    a.push(act(3, 1));
    expect(drain(a).map(key)).toEqual([
      [1, 7],
      [3, 0],
      [3, 1],
    ]);
  });

  it('skips cancelled activations, wherever they sit in the heap', () => {
    const a = new Agenda();
    const all = [act(0, 0), act(0, 1), act(1, 0), act(2, 2), act(1, 1)];
    for (const x of all) a.push(x);
    all[0]!.cancelled = true;
    all[3]!.cancelled = true;
    expect(drain(a)).toEqual([all[1], all[2], all[4]]);
  });

  it('cancels lazily: a cancelled activation still counts in size until it is dropped', () => {
    const a = new Agenda();
    const x = act(0, 0);
    const y = act(1, 0);
    a.push(x);
    a.push(y);
    x.cancelled = true;
    expect(a.size).toBe(2);
    expect(a.pop()).toBe(y);
    expect(a.size).toBe(0);
  });

  it('returns undefined when everything left is cancelled', () => {
    const a = new Agenda();
    const xs = [act(0, 0), act(1, 1), act(2, 2)];
    for (const x of xs) a.push(x);
    for (const x of xs) x.cancelled = true;
    expect(a.pop()).toBeUndefined();
    expect(a.size).toBe(0);
  });

  it('pops any interleaving of pushes, pops and cancellations in (rank, seq) order (property)', () => {
    type Op = { kind: 'push'; rank: number; seq: number } | { kind: 'pop' } | { kind: 'cancel'; pick: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), rank: fc.integer({ min: 0, max: 5 }), seq: fc.integer({ min: 0, max: 50 }) }),
      fc.record({ kind: fc.constant('pop' as const) }),
      fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const agenda = new Agenda();
        const model: Activation[] = [];
        const terminals = new Map<number, Terminal>();
        const popped: Activation[] = [];
        const smallest = () => {
          let best = -1;
          for (let i = 0; i < model.length; i++) {
            const m = model[i]!;
            if (m.cancelled) continue;
            const b = best < 0 ? null : model[best]!;
            if (b === null || m.terminal.rank < b.terminal.rank || (m.terminal.rank === b.terminal.rank && m.seq < b.seq)) best = i;
          }
          return best;
        };
        for (const o of ops) {
          if (o.kind === 'push') {
            const x = act(o.rank, o.seq, terminals);
            agenda.push(x);
            model.push(x);
          } else if (o.kind === 'cancel') {
            const live = model.filter((m) => !m.cancelled);
            if (live.length > 0) live[o.pick % live.length]!.cancelled = true;
          } else {
            const i = smallest();
            const got = agenda.pop();
            if (i < 0) expect(got).toBeUndefined();
            else {
              // Equal keys may come out in any order: any live activation with the smallest key.
              expect(got).toBeDefined();
              expect(key(got!)).toEqual(key(model[i]!));
              expect(got!.cancelled).toBe(false);
              const j = model.indexOf(got!);
              expect(j).toBeGreaterThanOrEqual(0);
              model.splice(j, 1);
              popped.push(got!);
            }
          }
        }
        // Drain the rest.
        const rest = drain(agenda);
        const live = model.filter((m) => !m.cancelled).sort((a, b) => a.terminal.rank - b.terminal.rank || a.seq - b.seq);
        expect(rest.map(key)).toEqual(live.map(key));
        expect(new Set([...popped, ...rest]).size).toBe(popped.length + rest.length);
      }),
      { numRuns: 300 },
    );
  });
});
