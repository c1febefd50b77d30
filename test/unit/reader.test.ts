// Tests for fact input (src/io): the structure splitter fed in every kind of chunking,
// structural errors, format detection, locateJsonError, and the FactReader over real temp
// files (NDJSON, arrays, the wrapper, streams of JSON values, gzip, the stream-json
// fallback, several files, skip and fail modes), run with both decoders: whole records and
// projected (the fields the tests look at), which must read alike.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { SpanList, SplitError, StructureSplitter, type SplitMode } from '../../src/io/splitters.js';
import { detectFormat, FactReader, type ReaderOptions, type Reject } from '../../src/io/reader.js';
import { locateJsonError, locateValue } from '../../src/io/json-error.js';
import { streamSource } from '../../src/io/source.js';
import { FactError } from '../../src/model/errors.js';
import { DateValue, FloatValue } from '../../src/model/value.js';
import type { Fact } from '../../src/model/fact.js';

// ---------------------------------------------------------------------------
// Splitter helpers.

/**
 * Feeds the pieces to a splitter as a growing buffer, as the chunker does; with `drop`,
 * the bytes before the record in progress are dropped after each piece (offsets move).
 * Returns each record's text, or the SplitError and its offset in the whole text.
 */
function feed(mode: SplitMode, pieces: (string | Buffer)[], drop = false): { texts: string[]; error: { message: string; offset: number } | null } {
  const splitter = new StructureSplitter(mode);
  const spans = new SpanList();
  let buf = Buffer.alloc(0);
  let dropped = 0;
  const texts: string[] = [];
  const take = () => {
    for (let i = 0; i < spans.count; i++) texts.push(buf.toString('utf8', spans.spans[2 * i]!, spans.spans[2 * i + 1]!));
    spans.clear();
  };
  try {
    pieces.forEach((piece, k) => {
      buf = Buffer.concat([buf, Buffer.from(piece)]);
      const final = k === pieces.length - 1;
      splitter.scan(buf, buf.length, spans, final);
      if (final) splitter.finish(buf.length);
      take();
      if (drop && !final) {
        const keep = splitter.keepFrom();
        buf = buf.subarray(keep);
        dropped += keep;
        splitter.shift(keep);
      }
    });
    if (pieces.length === 0) splitter.finish(0);
  } catch (e) {
    if (!(e instanceof SplitError)) throw e;
    take();
    return { texts, error: { message: e.message, offset: dropped + e.offset } };
  }
  return { texts, error: null };
}

/** Cuts the UTF-8 bytes of text into pieces at the given sizes (cycled): multi-byte characters get split too. */
function cut(text: string, sizes: number[]): Buffer[] {
  const bytes = Buffer.from(text);
  const out: Buffer[] = [];
  let i = 0;
  let k = 0;
  while (i < bytes.length) {
    const n = Math.max(1, sizes[k++ % sizes.length]!);
    out.push(bytes.subarray(i, i + n));
    i += n;
  }
  return out.length > 0 ? out : [Buffer.alloc(0)];
}

const ones = (text: string) => cut(text, [1]);

/** 1-based line and column of an offset in text. */
function lineCol(text: string, offset: number): [number, number] {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return [line, offset - (before.lastIndexOf('\n') + 1) + 1];
}

// ---------------------------------------------------------------------------

describe('StructureSplitter', () => {
  const elements: unknown[] = [
    { a: 1 },
    { b: 'x"y]}', c: 'back\\slash\\', d: '\\"' },
    { c: [1, [2, { d: '\\' }]], e: '[{' },
    { s: '"', t: '\\\\"\\', u: '}\u00e9\u{1F600}' },
    [1, 2, [3]],
    'a string, with ] and "quotes"',
    42,
    -1.5e3,
    true,
    null,
    {},
  ];
  const doc = '[\n  ' + elements.map((e, i) => JSON.stringify(e, null, i % 3 === 0 ? 2 : undefined)).join(',\n  ') + '\n]\n';
  const parsed = (texts: string[]) => texts.map((t) => JSON.parse(t) as unknown);

  it('cuts the elements of an array, escapes and nesting included', () => {
    const r = feed('array', [doc]);
    expect(r.error).toBeNull();
    expect(parsed(r.texts)).toEqual(elements);
  });

  it('gives the same result fed one character at a time, split anywhere, or in random sizes, dropping what it read or not (property)', () => {
    const whole = feed('array', [doc]).texts;
    expect(feed('array', ones(doc)).texts).toEqual(whole);
    expect(feed('array', ones(doc), true).texts).toEqual(whole);
    const bytes = Buffer.from(doc);
    for (let i = 0; i <= bytes.length; i++) expect(feed('array', [bytes.subarray(0, i), bytes.subarray(i)], true).texts, `split at ${i}`).toEqual(whole);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }), fc.boolean(), (sizes, drop) => {
        expect(feed('array', cut(doc, sizes), drop).texts).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });

  it('cuts arbitrary JSON arrays and value streams, laid out with arbitrary whitespace, in arbitrary chunks (property)', () => {
    const tricky = fc.string({ unit: fc.constantFrom('"', '\\', '[', ']', '{', '}', ',', ' ', '\n', 'a', 'é', '\u{1F600}') });
    const json = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        tricky,
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(tricky, tie('v'), { maxKeys: 3 }),
      ),
    })).v;
    const ws = fc.string({ unit: fc.constantFrom(' ', '\n', '\t', '\r\n'), maxLength: 3 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(json, ws, ws, fc.boolean()), { maxLength: 6 }),
        ws,
        fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom<SplitMode>('array', 'facts', 'values'),
        fc.boolean(),
        (items, lead, sizes, mode, drop) => {
          let text = mode === 'facts' ? `{${lead}"facts"${lead}:${lead}[` : mode === 'array' ? `${lead}[` : lead;
          items.forEach(([v, before, after, pretty], i) => {
            // Values in a stream need whitespace between scalars that would run together.
            const sep = mode === 'values' ? ' ' : i < items.length - 1 ? ',' : '';
            text += before + JSON.stringify(v, null, pretty ? 2 : undefined) + after + sep;
          });
          text += mode === 'values' ? '' : lead + ']' + (mode === 'facts' ? `${lead},"more":{"x":["]"]}${lead}}` : '') + lead;
          const r = feed(mode, cut(text, sizes), drop);
          expect(r.error).toBeNull();
          expect(parsed(r.texts)).toEqual(items.map(([v]) => JSON.parse(JSON.stringify(v)) as unknown));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads the {"facts":[...]} wrapper, with other keys after the array', () => {
    const text = '{ "facts" : [ {"id":1}, {"id":2,"s":"}]"} ] , "meta": {"x":[1,"]}"]}, "n": "}" }\n';
    expect(parsed(feed('facts', [text]).texts)).toEqual([{ id: 1 }, { id: 2, s: '}]' }]);
    expect(feed('facts', ones(text), true).texts).toEqual(feed('facts', [text]).texts);
    expect(feed('facts', ['{"facts":[]}'])).toEqual({ texts: [], error: null });
  });

  it('reads an empty array and an empty stream', () => {
    expect(feed('array', ['[]'])).toEqual({ texts: [], error: null });
    expect(feed('array', [' [ \n ] \n'])).toEqual({ texts: [], error: null });
    expect(feed('values', ['  \n '])).toEqual({ texts: [], error: null });
  });

  it('cuts a stream of values: pretty-printed objects one after another, or run together', () => {
    const text = '{\n  "a": 1,\n  "b": {"c": "}"}\n}\n{\n  "a": 2\n}{"a":3}  [4] "five" 6\n';
    expect(parsed(feed('values', [text]).texts)).toEqual([{ a: 1, b: { c: '}' } }, { a: 2 }, { a: 3 }, [4], 'five', 6]);
    expect(feed('values', ones(text), true).texts).toEqual(feed('values', [text]).texts);
  });

  describe('broken structure', () => {
    // [text, mode, message fragment, offset of the error]
    const cases: [string, SplitMode, string, number][] = [
      ['x', 'array', 'expected "[" starting a JSON array', 0],
      ['\n\n  {"a":1}', 'array', 'expected "[" starting a JSON array', 4],
      ['[{"a":1} {"b":2}]', 'array', 'expected "," or "]" after an array element', 9],
      ['[\n  {"a":1}\n  {"b":2}\n]', 'array', 'expected "," or "]" after an array element', 14],
      ['[{"a":1},,{"b":2}]', 'array', 'expected an array element, found ","', 9],
      ['[{"a":1}, {"b":2}] x', 'array', 'after the end of the JSON document', 19],
      ['{"fact":[]}', 'facts', 'expected {"facts": [...]}', 6],
      ['{"facts":[{"a":1}] x', 'facts', 'expected "," or "}" after the facts array', 19],
      ['[{"a":1},\n {"b":2}\n{"c":3}]', 'array', 'expected "," or "]"', 19],
      ['{"a":1}\n}\n{"b":2}', 'values', 'unexpected "}" between JSON values', 8],
      ['{"a":1},{"b":2}', 'values', 'unexpected "," between JSON values', 7],
    ];
    for (const [text, mode, fragment, offset] of cases) {
      it(`${JSON.stringify(text)}: error at its offset, fed whole or one character at a time`, () => {
        for (const pieces of [[text], ones(text)]) {
          const r = feed(mode, pieces, true);
          expect(r.error?.message).toContain(fragment);
          expect(r.error?.offset).toBe(offset);
        }
      });
    }

    // [text, mode, message fragment]: the error is at the end of the input.
    const truncated: [string, SplitMode, string][] = [
      ['', 'array', 'expected a JSON array'],
      ['  \n', 'facts', 'expected {"facts": [...]}'],
      ['[{"a":1}', 'array', 'expected "," or "]"'],
      ['[{"a":1},\n {"b":', 'array', 'expected the rest of the element'],
      ['[{"a":"unterminated]', 'array', 'expected the rest of the element'],
      ['{"facts":[{"a":1}]', 'facts', '"}" closing the {"facts": [...]} object'],
      ['{"a":1}\n{"b":\n', 'values', 'expected the rest of the value'],
    ];
    it('reports unexpected end of input at the end of the input, fed whole or in pieces', () => {
      for (const [text, mode, fragment] of truncated) {
        for (const pieces of [[text], ones(text)]) {
          const r = feed(mode, pieces, true);
          expect(r.error?.message).toContain('unexpected end of input');
          expect(r.error?.message).toContain(fragment);
          expect(r.error?.offset, `${JSON.stringify(text)} in ${pieces.length} pieces`).toBe(Buffer.byteLength(text));
        }
      }
    });
  });
});

describe('detectFormat', () => {
  it('returns null for empty or blank input', () => {
    expect(detectFormat('', 'auto')).toBeNull();
    expect(detectFormat(' \n\t', 'auto')).toBeNull();
    expect(detectFormat('', 'json')).toBeNull();
  });

  it('recognises arrays and the wrapper', () => {
    expect(detectFormat('[', 'auto')).toBe('json-array');
    expect(detectFormat('\n  [{"a":1}]', 'auto')).toBe('json-array');
    expect(detectFormat('{"facts":[', 'auto')).toBe('json-facts');
    expect(detectFormat('{\n  "facts" : [\n', 'auto')).toBe('json-facts');
  });

  it('recognises NDJSON', () => {
    expect(detectFormat('{"a":1}\n{"a":2}\n', 'auto')).toBe('ndjson');
    expect(detectFormat('{"a":1}', 'auto')).toBe('ndjson');
    expect(detectFormat('\n\n{"a":1}\n', 'auto')).toBe('ndjson');
    // A broken first record that leaves nothing open is still NDJSON (its error is reported per line).
    expect(detectFormat('{"a":}\n', 'auto')).toBe('ndjson');
    expect(detectFormat('{"a":1}}\n{"a":2}\n', 'auto')).toBe('ndjson');
    // A broken first record whose next line starts a record: NDJSON, not a pretty-printed value.
    expect(detectFormat('{"a":1,\n{"a":2}\n', 'auto')).toBe('ndjson');
    // A record that happens to hold a "facts" array, followed by more records.
    expect(detectFormat('{"meta":1,"facts":[]}\n{"a":2}\n', 'auto')).toBe('ndjson');
    expect(detectFormat('garbage\n', 'auto')).toBe('ndjson');
  });

  it('reads a long first record to its end, however long, and calls it NDJSON', () => {
    const big = `{"a":2,"pad":"${'x'.repeat(3 << 20)}"}\n{"a":3}\n`;
    expect(detectFormat(big, 'auto')).toBe('ndjson');
    expect(detectFormat(big.slice(0, 2 << 20), 'auto')).toBe('ndjson');
  });

  it('recognises a stream of JSON values (pretty-printed, as jq prints them) and a single pretty-printed object', () => {
    expect(detectFormat('{\n  "a": 1\n}\n{\n  "a": 2\n}\n', 'auto')).toBe('json-values');
    expect(detectFormat('{\n  "a": 1,\n  "b": {"c": [1,\n 2]}\n}\n', 'auto')).toBe('json-values');
    expect(detectFormat('{"a":\n1}', 'auto')).toBe('json-values');
  });

  it('sends other pretty-printed object documents to stream-json', () => {
    expect(detectFormat('{\n  "meta": 1,\n  "facts": []\n}', 'auto')).toBe('json-stream');
    expect(detectFormat('{"meta": {\n "x": 1 },\n "facts": [] }', 'auto')).toBe('json-stream');
    expect(detectFormat('{"meta": [\n1],\n "facts": [] }', 'auto')).toBe('json-stream');
    expect(detectFormat('{"meta": 1, "facts": [\n{"id":1}]}', 'auto')).toBe('json-stream');
    // The wrapper written on one line, "facts" not first.
    expect(detectFormat('{"meta":1,"facts":[{"id":1}]}', 'auto')).toBe('json-stream');
    expect(detectFormat('{"meta":1,"facts":[{"id":1}]}\n\n', 'auto')).toBe('json-stream');
  });

  it('honours a forced format', () => {
    expect(detectFormat('[1]', 'ndjson')).toBe('ndjson');
    expect(detectFormat('[1]', 'json')).toBe('json-array');
    expect(detectFormat('{"facts":[]}', 'json')).toBe('json-facts');
    expect(detectFormat('{"a":1}\n{"a":2}', 'json')).toBe('json-stream');
  });
});

describe('locateJsonError', () => {
  it('returns null for valid JSON', () => {
    for (const ok of ['{}', '[]', ' {"a":[1,2.5e-3,"x\\u00e9\\n",true,false,null]} ', '"s"', '-0', '0.5']) {
      expect(locateJsonError(ok), ok).toBeNull();
    }
  });

  it('locates the first error with its offset, line and column', () => {
    // [text, offset, message fragment]
    const cases: [string, number, string][] = [
      ['{"a":}', 5, 'expected a JSON value, found "}"'],
      ['{"a":1,}', 7, 'expected a property name in double quotes'],
      ['{"a" 1}', 5, 'expected ":"'],
      ['{"a":1 "b":2}', 7, 'expected "," or "}"'],
      ['[1,]', 3, 'expected a JSON value'],
      ['[1 2]', 3, 'expected "," or "]"'],
      ['{"a":1}\n{"b":2}', 8, 'expected end of input'],
      ['{\n  "a": tru\n}', 9, 'expected a JSON value'],
      ['{\n  "a": 1,\n  "b": [1, 2,, 3]\n}', 25, 'expected a JSON value, found ","'],
      ['"abc', 4, 'expected a closing quote'],
      ['"a\\qb"', 3, 'expected a valid escape'],
      ['"\\u12G4"', 3, 'expected 4 hex digits'],
      ['"a\nb"', 2, 'control characters must be escaped'],
      ['{"a":', 5, 'found end of input'],
      ['', 0, 'expected a JSON value'],
      ['01', 1, 'expected end of input'],
      ['-', 0, 'expected a JSON value'],
      ['{"a":NaN}', 5, 'expected a JSON value'],
    ];
    for (const [text, offset, fragment] of cases) {
      const p = locateJsonError(text);
      expect(p, text).not.toBeNull();
      expect(p!.offset, text).toBe(offset);
      expect([p!.line, p!.column], text).toEqual(lineCol(text, offset));
      expect(p!.message, text).toContain(fragment);
    }
  });

  it('reports nesting past a limit at the bracket that passes it, iteratively at any depth', () => {
    const deep = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    expect(locateJsonError(deep)).toBeNull();
    const p = locateJsonError(deep, 1000);
    expect(p?.offset).toBe(1000 * 5);
    expect(p?.message).toContain('nesting deeper than 1000 levels');
    expect(locateJsonError('[[[]]]', 3)).toBeNull();
    expect(locateJsonError('[[[[]]]]', 3)?.offset).toBe(3);
  });

  it('finds the value at a JSON path (last duplicate key wins)', () => {
    const text = '{"a": {"b": [10, {"c": 1}]}, "x": 1, "x": 2, "\\u0079": 3}';
    expect(text.slice(locateValue(text, ['a', 'b', 1, 'c']))).toMatch(/^1\}/);
    expect(text.slice(locateValue(text, ['x']))).toMatch(/^2,/);
    expect(text.slice(locateValue(text, ['y']))).toMatch(/^3\}/);
    expect(locateValue(text, ['a', 'z'])).toBe(-1);
    expect(locateValue(text, ['a', 'b', 5])).toBe(-1);
  });

  it('finds an error wherever JSON.parse finds one (property)', () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', 'x', '\\'), (json, at, junk) => {
        const i = at % (json.length + 1);
        const text = json.slice(0, i) + junk + json.slice(i);
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(locateJsonError(text) === null, text).toBe(valid);
      }),
      { numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------------------
// FactReader over real files.

let dir = '';
let counter = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rete-eval-reader-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function file(content: string | Buffer, name = `f${counter++}`): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** The fields the FactReader tests look at: read projected, facts hold just these (and ids). */
const TEST_FIELDS = ['id', 'a', 'b', 'c', 's', 't', 'x', 'amount', 'when', 'w', 'pad'];
let mode: 'whole' | 'projected' = 'whole';

async function readAll(paths: (string | ReturnType<typeof streamSource>)[], options: ReaderOptions = {}): Promise<{ facts: Fact[]; reader: FactReader }> {
  const reader = new FactReader(paths, { fields: mode === 'projected' ? TEST_FIELDS : null, workers: 0, ...options });
  const facts: Fact[] = [];
  for await (const batch of reader.batches()) facts.push(...batch);
  return { facts, reader };
}

async function readError(paths: (string | ReturnType<typeof streamSource>)[], options: ReaderOptions = {}): Promise<FactError> {
  try {
    await readAll(paths, options);
  } catch (e) {
    if (e instanceof FactError) return e;
    throw e;
  }
  throw new Error('expected a FactError');
}

const plain = (facts: Fact[]) => facts.map((f) => JSON.parse(JSON.stringify(f.fields)) as unknown);

for (const m of ['whole', 'projected'] as const) {
  describe(`FactReader (${m})`, () => {
    beforeAll(() => {
      mode = m;
    });

    it('reads NDJSON with blank lines and CRLF', async () => {
      const p = file('{"id":3,"a":1}\r\n\r\n   \n{"b":"x"}\r\n\n{"id":9,"c":{"Float":2}}');
      const { facts, reader } = await readAll([p]);
      expect(facts.map((f) => f.id)).toEqual([3, 1, 9]);
      expect(plain(facts)).toEqual([{ id: 3, a: 1 }, { b: 'x' }, { id: 9, c: 2 }]);
      expect(facts[2]!.fields.c).toBeInstanceOf(FloatValue);
      expect(reader.stats.files).toEqual([{ name: p, format: 'ndjson', gzip: false, records: 3, skipped: 0, reader: m }]);
      expect(reader.stats.records).toBe(3);
      expect(reader.stats.facts).toBe(3);
    });

    it('reads reference-shaped facts', async () => {
      const p = file(
        JSON.stringify({
          id: 7,
          external_id: 'emp-7',
          timestamp: '2025-01-01T00:00:00Z',
          data: { fields: { amount: { Float: 1500.0 }, when: { Date: '2025-01-02T00:00:00Z' } } },
        }) + '\n',
      );
      const { facts } = await readAll([p]);
      expect(facts).toHaveLength(1);
      expect(facts[0]!.id).toBe(7);
      expect(facts[0]!.externalId).toBe('emp-7');
      expect(facts[0]!.timestamp).toBe('2025-01-01T00:00:00Z');
      expect(facts[0]!.fields.amount).toBeInstanceOf(FloatValue);
      expect(facts[0]!.fields.when).toBeInstanceOf(DateValue);
    });

    it('reads a JSON array', async () => {
      const p = file(JSON.stringify([{ id: 1, a: 'x' }, { a: 'y' }, { id: 5 }], null, 2));
      const { facts, reader } = await readAll([p]);
      expect(facts.map((f) => f.id)).toEqual([1, 1, 5]);
      expect(plain(facts)).toEqual([{ id: 1, a: 'x' }, { a: 'y' }, { id: 5 }]);
      expect(reader.stats.files[0]!.format).toBe('json-array');
    });

    it('reads the {"facts":[...]} wrapper, keys after the array included', async () => {
      const p = file('{"facts": [{"id":1},\n{"id":2}], "meta": {"source": "x"}}');
      const { facts, reader } = await readAll([p]);
      expect(facts.map((f) => f.id)).toEqual([1, 2]);
      expect(reader.stats.files[0]!.format).toBe('json-facts');
    });

    it('reads gzip-compressed files transparently, whatever their name', async () => {
      const p = file(gzipSync('{"id":1}\n{"id":2}\n'), 'facts.ndjson');
      const { facts, reader } = await readAll([p]);
      expect(facts.map((f) => f.id)).toEqual([1, 2]);
      expect(reader.stats.files[0]!.gzip).toBe(true);
      expect(reader.stats.files[0]!.format).toBe('ndjson');
      const arr = file(gzipSync(JSON.stringify([{ id: 4 }])), 'plain.json');
      expect((await readAll([arr])).facts.map((f) => f.id)).toEqual([4]);
    });

    it('falls back to stream-json for other object documents', async () => {
      const p = file(JSON.stringify({ meta: 1, facts: [{ id: 1, a: { Integer: 2 } }, { b: 'x' }], after: [1, 2] }, null, 2));
      const { facts, reader } = await readAll([p]);
      expect(reader.stats.files[0]!.format).toBe('json-stream');
      expect(facts.map((f) => f.id)).toEqual([1, 1]);
      expect(plain(facts)).toEqual([{ id: 1, a: 2 }, { b: 'x' }]);
    });

    it('reads a one-line object document whose "facts" is not the first key', async () => {
      const p = file('{"meta":{"n":2},"facts":[{"id":4},{"id":5,"a":"x"}]}\n');
      const { facts, reader } = await readAll([p]);
      expect(reader.stats.files[0]!.format).toBe('json-stream');
      expect(facts.map((f) => f.id)).toEqual([4, 5]);
    });

    it('reads a pretty-printed object without "facts" as one record, and refuses it as a document (--format json)', async () => {
      const p = file(JSON.stringify({ a: 1, x: [] }, null, 2));
      const { facts, reader } = await readAll([p]);
      expect(reader.stats.files[0]!.format).toBe('json-values');
      expect(plain(facts)).toEqual([{ a: 1, x: [] }]);
      const e = await readError([p], { format: 'json' });
      expect(e.reason).toContain('without "facts"');
    });

    it('reads a stream of pretty-printed JSON values (as jq prints them), with errors at their line and column', async () => {
      const values = [{ id: 1, a: 'x' }, { b: { c: '}' } }, { id: 5 }];
      const text = values.map((v) => JSON.stringify(v, null, 2)).join('\n') + '\n';
      const { facts, reader } = await readAll([file(text)]);
      expect(reader.stats.files[0]!.format).toBe('json-values');
      expect(facts.map((f) => f.id)).toEqual([1, 1, 5]);
      const bad = '{\n  "id": 1\n}\n{\n  "id": 2,\n  "a": tru\n}\n{\n  "id": 3\n}\n';
      const rejects: Reject[] = [];
      const r = await readAll([file(bad)], { onError: 'skip', onReject: (x) => rejects.push(x) });
      expect(r.facts.map((f) => f.id)).toEqual([1, 3]);
      expect(rejects.map((x) => [x.line, x.column])).toEqual([lineCol(bad, bad.indexOf('tru'))]);
      const broken = '{\n  "id": 1\n}\n}\n{"id": 2}\n';
      const e = await readError([file(broken)]);
      expect([e.line, e.column]).toEqual([4, 1]);
      expect(e.reason).toContain('unexpected "}" between JSON values');
    });

    it('reads records from any byte stream (a Source), in pieces of any size', async () => {
      const text = '{"id":1,"s":"é😀"}\n{"id":2,"s":"x"}\n';
      const bytes = Buffer.from(text);
      for (const size of [1, 2, 3, 7, 1000]) {
        const pieces: Buffer[] = [];
        for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
        const { facts } = await readAll([streamSource('pipe', Readable.from(pieces))]);
        expect(facts.map((f) => f.fields.s)).toEqual(['é😀', 'x']);
      }
    });

    it('locates a syntax error in a stream-json document', async () => {
      const text = '{\n  "meta": 1,\n  "facts": [\n    {"id": 1},\n    {"id": }\n  ]\n}\n';
      const p = file(text);
      const e = await readError([p]);
      expect(e.code).toBe('E_FACT_JSON');
      expect([e.line, e.column]).toEqual(lineCol(text, text.indexOf('}', text.indexOf('"id": }'))));
    });

    it('assigns missing ids by position across several files', async () => {
      const a = file('{"a":1}\n{"a":2}\n');
      const b = file(JSON.stringify([{ b: 1 }, { id: 100 }, { b: 3 }]));
      const c = file('{"c":1}');
      const { facts, reader } = await readAll([a, b, c]);
      expect(facts.map((f) => f.id)).toEqual([0, 1, 2, 100, 4, 5]);
      expect(reader.stats.files.map((f) => [f.format, f.records])).toEqual([
        ['ndjson', 2],
        ['json-array', 3],
        ['ndjson', 1],
      ]);
    });

    it('reads an empty file as no facts', async () => {
      const { facts, reader } = await readAll([file(''), file('\n  \n')]);
      expect(facts).toEqual([]);
      expect(reader.stats.files.map((f) => f.format)).toEqual([null, null]);
    });

    it('reads records across chunk boundaries with multi-byte characters intact', async () => {
      const n = 30000;
      const lines: string[] = [];
      for (let i = 0; i < n; i++) lines.push(JSON.stringify({ id: i, s: `é${'x'.repeat(i % 50)}\u{1F600}"\\`, t: ['[', ']', '{'] }));
      const nd = file(lines.join('\n'));
      const { facts } = await readAll([nd]);
      expect(facts).toHaveLength(n);
      expect(facts.every((f, i) => f.id === i && f.fields.s === `é${'x'.repeat(i % 50)}\u{1F600}"\\`)).toBe(true);
      const arr = file('[' + lines.join(',\n') + ']');
      const r2 = await readAll([arr]);
      expect(r2.facts).toHaveLength(n);
      expect(r2.facts.every((f, i) => f.id === i && (f.fields.t as string[]).join('') === '[]{')).toBe(true);
      const gz = file(gzipSync('{"facts":[' + lines.join(',') + ']}'));
      const r3 = await readAll([gz]);
      expect(r3.facts.map((f) => f.id)).toEqual(facts.map((f) => f.id));
    });

    describe('skip mode', () => {
      it('skips bad records, counts them and reports each', async () => {
        const text = [
          '{"id":1}',
          '{"id":2,',
          '[1,2]',
          '{"id":3,"when":{"Date":"2024-02-30T00:00:00Z"}}',
          '{"id":4,"data":{"fields":{"x":{"Date":"nope"}}}}',
          '{"id":-1,"data":{"fields":{}}}',
          '{"id":5}',
        ].join('\n');
        const p = file(text);
        const rejects: Reject[] = [];
        const { facts, reader } = await readAll([p], { onError: 'skip', onReject: (r) => rejects.push(r) });
        expect(facts.map((f) => f.id)).toEqual([1, 5]);
        expect(reader.stats.skipped).toBe(5);
        expect(reader.stats.records).toBe(7);
        expect(reader.stats.facts).toBe(2);
        expect(reader.stats.files[0]!.skipped).toBe(5);
        expect(rejects.map((r) => [r.line, r.code, r.jsonPath])).toEqual([
          [2, 'E_FACT_JSON', undefined],
          [3, 'E_FACT_INVALID', '$'],
          [4, 'E_FACT_INVALID', '$.when.Date'],
          [5, 'E_FACT_INVALID', '$.data.fields.x.Date'],
          [6, 'E_FACT_INVALID', '$.id'],
        ]);
        expect(rejects[0]!.column).toBe(9);
        expect(rejects[0]!.raw).toBe('{"id":2,');
        expect(rejects[1]!.reason).toContain('expected a JSON object');
        expect(reader.stats.firstRejects).toEqual(rejects);
      });

      it('gives stream-json rejects a path into the facts array', async () => {
        const p = file(JSON.stringify({ meta: 1, facts: [{ id: 1 }, 5, { id: 2, w: { Date: 'x' } }] }, null, 2));
        const rejects: Reject[] = [];
        const { facts } = await readAll([p], { onError: 'skip', onReject: (r) => rejects.push(r) });
        expect(facts.map((f) => f.id)).toEqual([1]);
        expect(rejects.map((r) => r.jsonPath)).toEqual(['$.facts[1]', '$.facts[2].w.Date']);
      });
    });

    describe('fail mode', () => {
      it('stops at the first bad NDJSON record with file:line:column', async () => {
        const p = file('{"id":1}\n\n{"id":2, "a":}\n{"id":3}\n');
        const e = await readError([p]);
        expect(e.code).toBe('E_FACT_JSON');
        expect([e.line, e.column]).toEqual([3, 14]);
        expect(e.message.startsWith(`${p}:3:14: invalid JSON: `)).toBe(true);
        expect(e.exitCode).toBe(4);
      });

      it('names the JSON path of an invalid fact, and the line and column of the value', async () => {
        const line2 = '{"id":2,"when":{"Date":"2024-13-01T00:00:00Z"}}';
        const p = file(`{"id":1}\n${line2}\n`);
        const e = await readError([p]);
        expect(e.code).toBe('E_FACT_INVALID');
        expect(e.line).toBe(2);
        expect(e.column).toBe(line2.indexOf('"2024') + 1);
        expect(e.jsonPath).toBe('$.when.Date');
        expect(e.message).toContain(`${p}:2:${e.column}: $.when.Date: `);
      });

      it('refuses integers beyond ±(2^53−1) and numbers beyond a double, naming the number as written', async () => {
        const cases: [string, string, string][] = [
          ['{"id":9007199254740993}', '$.id', 'integer 9007199254740993 cannot be held exactly'],
          ['{"a":{"Integer":9007199254740993}}', '$.a.Integer', 'integer 9007199254740993 cannot be held exactly'],
          ['{"a":[1,-12345678901234567890]}', '$.a[1]', 'integer -12345678901234567890 cannot be held exactly'],
          ['{"a":1e400}', '$.a', 'number 1e400 is beyond the range of a 64-bit float'],
          ['{"a":{"Float":-1e400}}', '$.a.Float', 'number -1e400 is beyond the range of a 64-bit float'],
          ['{"a":1.5e300}', '$.a', 'write {"Float": 1.5e300} for a float'],
          ['{"id":9007199254740993,"data":{"fields":{}}}', '$.id', 'integer 9007199254740993 cannot be held exactly'],
          ['{"id":1,"data":{"fields":{"amount":{"Integer":1e20}}}}', '$.data.fields.amount.Integer', 'number 1e20 is an integer beyond'],
        ];
        for (const [text, path, reason] of cases) {
          const e = await readError([file(`{"id":0}\n${text}\n`)]);
          expect(e.code, text).toBe('E_FACT_INVALID');
          expect(e.jsonPath, text).toBe(path);
          expect(e.reason, text).toContain(reason);
          expect(e.reason, text).toContain('quote it as a string');
          expect(e.line, text).toBe(2);
          expect(text.slice(e.column! - 1), text).toMatch(/^[-\d]/);
        }
        // A large float in a Float tag, and the largest exact integers, are kept.
        const { facts } = await readAll([file('{"a":{"Float":1.5e300},"b":9007199254740991,"c":-9007199254740991,"x":0.1}\n')]);
        expect((facts[0]!.fields.a as FloatValue).value).toBe(1.5e300);
        expect(facts[0]!.fields.b).toBe(9007199254740991);
      });

      it('reports a broken array structure with line and column', async () => {
        const text = '[\n  {"id":1}\n  {"id":2}\n]';
        const p = file(text);
        const e = await readError([p]);
        expect(e.code).toBe('E_FACT_JSON');
        expect([e.line, e.column]).toEqual([3, 3]);
        expect(e.reason).toContain('structure is broken');
      });

      it('reports the true column of a broken structure deep into a large one-line array', async () => {
        // Larger than one read chunk (1 MiB), so the splitter has dropped text before the error.
        const items: string[] = [];
        for (let i = 0; i < 2000; i++) items.push(`{"id":${i},"pad":"${'x'.repeat(600)}"}`);
        const text = '[' + items.join(',') + ' {"id":-1}]';
        const e = await readError([file(text)]);
        expect(e.code).toBe('E_FACT_JSON');
        expect([e.line, e.column]).toEqual(lineCol(text, text.indexOf(' {"id":-1}') + 1));
      });

      it('locates a syntax error inside a multi-line array element', async () => {
        const text = '[\n  {"id":1},\n  {\n    "id": 2,\n    "a": }\n]';
        const p = file(text);
        const e = await readError([p]);
        expect([e.line, e.column]).toEqual(lineCol(text, text.indexOf('}', text.indexOf('"a":'))));
      });

      it('gives the file column of a syntax error on the first line of an array element', async () => {
        const text = '[{"id":1}, {"id":}]';
        const e = await readError([file(text)]);
        expect([e.line, e.column]).toEqual(lineCol(text, text.indexOf('}]')));
        const pretty = '[\n  {"id": }\n]';
        const e2 = await readError([file(pretty)]);
        expect([e2.line, e2.column]).toEqual(lineCol(pretty, pretty.indexOf('}')));
      });

      it('reports nesting too deep as an input error with line and column, and skips it in skip mode', async () => {
        const deep = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
        const p = file(`{"id":1}\n{"id":2,"a":${deep}}\n{"id":3}\n`);
        const e = await readError([p]);
        expect(e.exitCode).toBe(4);
        expect(e.line).toBe(2);
        expect(e.column).toBe('{"id":2,"a":'.length + 999 * 5 + 1);
        expect(e.reason).toContain('nesting deeper than 1000 levels');
        const rejects: Reject[] = [];
        const { facts } = await readAll([p], { onError: 'skip', onReject: (r) => rejects.push(r) });
        expect(facts.map((f) => f.id)).toEqual([1, 3]);
        expect(rejects.map((r) => r.line)).toEqual([2]);
      });

      it('refuses UTF-16 input with a message that says so', async () => {
        for (const bom of [
          [0xff, 0xfe],
          [0xfe, 0xff],
        ]) {
          const e = await readError([file(Buffer.concat([Buffer.from(bom), Buffer.from('{"a":1}', 'utf16le')]))]);
          expect(e.reason).toContain('UTF-16');
          expect([e.line, e.column]).toEqual([1, 1]);
        }
      });

      it('names the later file when the error is there', async () => {
        const a = file('{"id":1}\n');
        const b = file('{"id":2}\n{oops}\n');
        const e = await readError([a, b]);
        expect(e.file).toBe(b);
        expect(e.line).toBe(2);
      });
    });
  });
}
