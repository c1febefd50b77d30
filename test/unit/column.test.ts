// The chunked columns under the firing log and end-of-input candidates (src/rete/column.ts): whatever sequence of
// appends, overwrites and truncations, it reads back as a plain array would, across the first
// chunk's doublings and the boundaries of whole chunks (16,384 entries).

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Column, List } from '../../src/rete/column.js';

type Op = { kind: 'push'; count: number } | { kind: 'truncate'; to: number } | { kind: 'set'; at: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('push' as const), count: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1_000, max: 40_000 })) }),
  fc.record({ kind: fc.constant('truncate' as const), to: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
);

function replay(col: Column<Int32Array | Float64Array>, ops: Op[], scale: number): void {
  const model: number[] = [];
  let next = 1;
  for (const o of ops) {
    if (o.kind === 'push') {
      for (let k = 0; k < o.count; k++) {
        const v = next++ * scale;
        col.push(v);
        model.push(v);
      }
    } else if (o.kind === 'truncate') {
      const n = Math.floor(o.to * model.length);
      col.truncate(n);
      model.length = n;
    } else if (model.length > 0) {
      const i = Math.min(model.length - 1, Math.floor(o.at * model.length));
      col.set(i, -i);
      model[i] = -i;
    }
    expect(col.length).toBe(model.length);
  }
  for (let i = 0; i < model.length; i++) if (col.at(i) !== model[i]) expect(col.at(i), `entry ${i}`).toBe(model[i]);
}

describe('Column', () => {
  it('reads back what was written, through growth, truncation and reuse of chunks', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 12 }), (ops) => {
        replay(new Column(Int32Array), ops, 1);
        replay(new Column(Float64Array), ops, 1e9 + 0.5);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps entries on both sides of a chunk boundary after truncating to it', () => {
    const col = new Column(Int32Array);
    for (let i = 0; i < 3 * 16_384 + 5; i++) col.push(i);
    col.truncate(16_384);
    col.push(-1);
    col.push(-2);
    expect([col.at(16_383), col.at(16_384), col.at(16_385), col.length]).toEqual([16_383, -1, -2, 16_386]);
  });

  it('List reads back the objects pushed, across chunk boundaries', () => {
    const list = new List<{ i: number }>();
    const n = 2 * 16_384 + 3;
    for (let i = 0; i < n; i++) list.push({ i });
    expect(list.length).toBe(n);
    for (let i = 0; i < n; i++) if (list.at(i).i !== i) expect(list.at(i).i).toBe(i);
  });
});
