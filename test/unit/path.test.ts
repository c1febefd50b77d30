// Tests for field paths (src/model/path.ts): dotted paths into nested objects, keys that
// themselves contain dots (matched whole first, docs/input.md), and writing at a path.

import { describe, it, expect } from 'vitest';
import { compilePath, compileSetter, readPath, rootField, writePath } from '../../src/model/path.js';
import { DateValue, FloatValue, type FieldMap } from '../../src/model/value.js';

/** Reads through both entry points and checks they agree. */
function read(fields: FieldMap, path: string) {
  const a = compilePath(path)(fields);
  const b = readPath(fields, path);
  expect(b).toEqual(a);
  return a;
}

describe('reading paths', () => {
  it('reads a plain field', () => {
    expect(read({ status: 'active' }, 'status')).toBe('active');
    expect(read({ n: 0 }, 'n')).toBe(0);
    expect(read({ n: null }, 'n')).toBeNull();
    expect(read({}, 'status')).toBeUndefined();
  });

  it('reads a dotted path into nested objects', () => {
    const fields: FieldMap = { customer: { address: { country: 'NL', zip: null } } };
    expect(read(fields, 'customer.address.country')).toBe('NL');
    expect(read(fields, 'customer.address.zip')).toBeNull();
    expect(read(fields, 'customer.address')).toEqual({ country: 'NL', zip: null });
    expect(read(fields, 'customer.address.city')).toBeUndefined();
    expect(read(fields, 'customer.phone.number')).toBeUndefined();
  });

  it('does not walk into non-objects', () => {
    expect(read({ a: 5 }, 'a.b')).toBeUndefined();
    expect(read({ a: 'str' }, 'a.length')).toBeUndefined();
    expect(read({ a: null }, 'a.b')).toBeUndefined();
    expect(read({ a: [{ b: 1 }] }, 'a.0')).toBeUndefined();
    expect(read({ a: [{ b: 1 }] }, 'a.0.b')).toBeUndefined();
  });

  it('does not walk into the Float and Date boxes (they are scalars)', () => {
    expect(read({ a: new FloatValue(1) }, 'a.value')).toBeUndefined();
    expect(read({ a: new DateValue(0) }, 'a.ms')).toBeUndefined();
  });

  it('matches a key containing a dot whole first', () => {
    const fields: FieldMap = { 'a.b': 1, a: { b: 2 } };
    expect(read(fields, 'a.b')).toBe(1);
    expect(read({ a: { b: 2 } }, 'a.b')).toBe(2);
    expect(read({ 'a.b.c': 'whole', a: { b: { c: 'nested' } } }, 'a.b.c')).toBe('whole');
  });

  it('finds dotted keys inside nested objects', () => {
    expect(read({ a: { 'b.c': 3 } }, 'a.b.c')).toBe(3);
    expect(read({ 'a.b': { c: 4 } }, 'a.b.c')).toBe(4);
    expect(read({ x: { 'y.z': { w: 5 } } }, 'x.y.z.w')).toBe(5);
  });

  it('prefers the longest dotted key inside a path (doc comment of walk)', () => {
    // "Each segment may itself be a dotted key: try the longest remaining match first."
    const fields: FieldMap = { a: { b: { c: 'short' } }, 'a.b': { c: 'long' } };
    expect(read(fields, 'a.b.c')).toBe('long');
  });

  it('does not read inherited Object.prototype members as fields', () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
      expect(read({}, name), name).toBeUndefined();
      expect(read({ a: {} }, `a.${name}`), `a.${name}`).toBeUndefined();
    }
  });

  it('rootField is the part before the first dot', () => {
    expect(rootField('a')).toBe('a');
    expect(rootField('a.b.c')).toBe('a');
    expect(rootField('customer.address.country')).toBe('customer');
  });
});

describe('writePath', () => {
  it('writes a plain key', () => {
    const f: FieldMap = { a: 1 };
    expect(writePath(f, 'b', 2)).toBe(true);
    expect(writePath(f, 'a', 'x')).toBe(true);
    expect(f).toEqual({ a: 'x', b: 2 });
  });

  it('creates intermediate objects for a dotted path', () => {
    const f: FieldMap = {};
    expect(writePath(f, 'customer.address.country', 'NL')).toBe(true);
    expect(f).toEqual({ customer: { address: { country: 'NL' } } });
    expect(readPath(f, 'customer.address.country')).toBe('NL');
  });

  it('descends into existing objects, keeping their other keys', () => {
    const f: FieldMap = { customer: { name: 'Ann', address: { zip: '1000' } } };
    expect(writePath(f, 'customer.address.country', 'NL')).toBe(true);
    expect(f).toEqual({ customer: { name: 'Ann', address: { zip: '1000', country: 'NL' } } });
  });

  it('writes an existing dotted key whole', () => {
    const f: FieldMap = { 'a.b': 1 };
    expect(writePath(f, 'a.b', 2)).toBe(true);
    expect(f).toEqual({ 'a.b': 2 });
    expect(readPath(f, 'a.b')).toBe(2);
  });

  it('refuses when a non-object is in the way, leaving the fields alone', () => {
    for (const blocker of [5, 'str', null, true, [1], new FloatValue(2), new DateValue(0)]) {
      const f: FieldMap = { a: blocker };
      expect(writePath(f, 'a.b', 1), String(blocker)).toBe(false);
      expect(f.a).toBe(blocker);
    }
    const deep: FieldMap = { a: { b: 3 } };
    expect(writePath(deep, 'a.b.c', 1)).toBe(false);
    expect(deep).toEqual({ a: { b: 3 } });
  });

  it('reads back what it wrote', () => {
    const f: FieldMap = { x: { y: 1 } };
    for (const [p, v] of [
      ['x.z', 2],
      ['x.y', 3],
      ['p.q.r', 'deep'],
      ['plain', true],
    ] as const) {
      expect(writePath(f, p, v)).toBe(true);
      expect(readPath(f, p)).toBe(v);
    }
  });
});

describe('compileSetter', () => {
  it('stores exactly the named field, whatever characters the name holds', () => {
    const names = [
      'calc_1',
      'a b',
      'quote"name',
      "single'q",
      'back\\slash',
      'line\nbreak',
      '"]; globalThis.pwned = 1; //',
      '\u2028sep',
      '\ud800lone',
      '123',
      'é',
    ];
    for (const name of names) {
      const fields: FieldMap = { keep: 1 };
      compileSetter(name)(fields, 'v');
      expect(Object.keys(fields)).toEqual(name === '123' ? ['123', 'keep'] : ['keep', name]);
      expect(fields[name]).toBe('v');
    }
    expect((globalThis as { pwned?: number }).pwned).toBeUndefined();
  });

  it('is made once per name, and overwrites like an assignment', () => {
    expect(compileSetter('x')).toBe(compileSetter('x'));
    const fields: FieldMap = { x: 1, y: 2 };
    compileSetter('x')(fields, 3);
    expect(fields).toEqual({ x: 3, y: 2 });
    expect(Object.keys(fields)).toEqual(['x', 'y']);
  });

  it('keeps a bounded number of names: a long-running process meeting ever new names does not grow', () => {
    // Names no other test uses; the memo remembers 4096 names at most.
    const name = (i: number) => `bounded_${i}`;
    const first = compileSetter(name(0));
    const firstReader = compilePath(name(0));
    expect(compileSetter(name(0))).toBe(first);
    // Twice the limit of new names: the memo has started again since name 0 went in.
    for (let i = 1; i <= 2 * 4096; i++) {
      compileSetter(name(i));
      compilePath(name(i));
    }
    const again = compileSetter(name(0));
    expect(again).not.toBe(first);
    expect(compilePath(name(0))).not.toBe(firstReader);
    // Functions already handed out keep working, old and new alike.
    const fields: FieldMap = {};
    first(fields, 1);
    again(fields, 2);
    expect(fields).toEqual({ [name(0)]: 2 });
    expect(firstReader(fields)).toBe(2);
  });
});
