// The output byte writer (src/io/byte-writer.ts): numbers as JSON writes them, UTF-8 text,
// cached byte pieces, and chunks handed over whole across chunk boundaries.

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ByteWriter } from '../../src/io/byte-writer.js';

const text = (w: ByteWriter) => Buffer.concat(w.take()).toString('utf8');

describe('ByteWriter', () => {
  it('writes numbers as JSON does, by hand below 2^30 and through JSON above', () => {
    const w = new ByteWriter();
    const ns = [0, 7, 9, 10, 99, 100, 123456789, 2 ** 30 - 1, 2 ** 30, 2 ** 31, 9_000_000_000_000_001, -1, -0, 1.5, 1e21, 5e-7];
    for (const n of ns) {
      w.number(n);
      w.byte(32);
    }
    expect(text(w)).toBe(ns.map((n) => `${JSON.stringify(n)} `).join(''));
  });

  it('agrees with JSON.stringify on any integer and any string, across chunk boundaries (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer(), fc.maxSafeNat(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), { maxLength: 50 }),
        (items) => {
          const w = new ByteWriter();
          const piece = Buffer.from('|');
          for (const x of items) {
            if (typeof x === 'number') w.number(x);
            else w.text(JSON.stringify(x));
            w.bytes(piece);
          }
          expect(text(w)).toBe(items.map((x) => `${JSON.stringify(x)}|`).join(''));
        },
      ),
    );
  });

  it('hands over every chunk it filled, in order, and starts afresh', () => {
    const w = new ByteWriter();
    const long = 'é'.repeat(100_000);
    for (let i = 0; i < 5; i++) w.text(long);
    const chunks = w.take();
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(long.repeat(5));
    expect(w.take()).toEqual([]);
    w.number(42);
    expect(text(w)).toBe('42');
  });

  it('begins with a small chunk and doubles up to 256 KiB, losing nothing between chunks', () => {
    const w = new ByteWriter();
    let expected = '';
    for (let i = 0; i < 100_000; i++) {
      w.number(i);
      w.byte(10);
      expected += `${i}\n`;
    }
    const chunks = w.take();
    expect(chunks[0]!.length).toBeLessThanOrEqual(4096);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(1 << 18);
    expect(Buffer.concat(chunks).toString('latin1')).toBe(expected);
  });
});
