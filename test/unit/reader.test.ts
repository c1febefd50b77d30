// Tests for fact input (src/io): the NDJSON and JSON-array splitters fed in every kind of
// chunking, structural errors with line and column, format detection, the FactReader over
// real temp files (NDJSON, arrays, the wrapper, gzip, the stream-json fallback, several
// files, skip and fail modes), and locateJsonError.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ArraySplitter, NdjsonSplitter, SplitError, TextBatch, type Splitter } from '../../src/io/splitters.js';
import { detectFormat, FactReader, type ReaderOptions, type Reject } from '../../src/io/reader.js';
import { locateJsonError } from '../../src/io/json-error.js';
import { FactError } from '../../src/model/errors.js';
import { DateValue, FloatValue } from '../../src/model/value.js';
import type { Fact } from '../../src/model/fact.js';

// ---------------------------------------------------------------------------
// Splitter helpers.

interface Split {
  texts: string[];
  lines: number[];
}

/** Feeds chunks to a splitter and collects every record text with its line. */
function feed(splitter: Splitter, chunks: string[]): Split {
  const out: Split = { texts: [], lines: [] };
  const batch = new TextBatch();
  const take = () => {
    out.texts.push(...batch.texts);
    out.lines.push(...batch.lines);
    batch.clear();
  };
  for (const c of chunks) {
    splitter.push(c, batch);
    take();
  }
  splitter.end(batch);
  take();
  return out;
}

/** Cuts text into pieces at the given sizes (cycled). */
function cut(text: string, sizes: number[]): string[] {
  const out: string[] = [];
  let i = 0;
  let k = 0;
  while (i < text.length) {
    const n = Math.max(1, sizes[k++ % sizes.length]!);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

const ones = (text: string) => cut(text, [1]);

function splitError(make: () => Splitter, chunks: string[]): SplitError {
  try {
    feed(make(), chunks);
  } catch (e) {
    if (e instanceof SplitError) return e;
    throw e;
  }
  throw new Error(`expected a SplitError for ${JSON.stringify(chunks.join(''))}`);
}

/** 1-based line and column of an offset in text. */
function lineCol(text: string, offset: number): [number, number] {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return [line, offset - (before.lastIndexOf('\n') + 1) + 1];
}

// ---------------------------------------------------------------------------

describe('NdjsonSplitter', () => {
  const text = '{"a":1}\n\n{"b":"x\\ny"}\r\n   \r\n\t\n{"c":[1,\n{"d":2}';
  const expected: Split = { texts: ['{"a":1}', '{"b":"x\\ny"}', '{"c":[1,', '{"d":2}'], lines: [1, 3, 6, 7] };

  it('cuts lines, skipping blank ones, accepting CRLF, with 1-based line numbers', () => {
    expect(feed(new NdjsonSplitter(), [text])).toEqual(expected);
  });

  it('gives the same records in any chunking', () => {
    expect(feed(new NdjsonSplitter(), ones(text))).toEqual(expected);
    for (let i = 0; i <= text.length; i++) {
      expect(feed(new NdjsonSplitter(), [text.slice(0, i), text.slice(i)]), `split at ${i}`).toEqual(expected);
    }
  });

  it('keeps leading whitespace lines that have content', () => {
    expect(feed(new NdjsonSplitter(), ['  {"a":1}\n'])).toEqual({ texts: ['  {"a":1}'], lines: [1] });
  });

  it('handles a trailing newline, a missing one and empty input', () => {
    expect(feed(new NdjsonSplitter(), ['{"a":1}\n'])).toEqual({ texts: ['{"a":1}'], lines: [1] });
    expect(feed(new NdjsonSplitter(), ['{"a":1}\r\n'])).toEqual({ texts: ['{"a":1}'], lines: [1] });
    expect(feed(new NdjsonSplitter(), [])).toEqual({ texts: [], lines: [] });
    expect(feed(new NdjsonSplitter(), ['\n\n\r\n'])).toEqual({ texts: [], lines: [] });
  });
});

describe('ArraySplitter', () => {
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

  function parsed(s: Split): unknown[] {
    return s.texts.map((t) => JSON.parse(t) as unknown);
  }

  it('cuts the elements of an array, escapes and nesting included', () => {
    const s = feed(new ArraySplitter(false), [doc]);
    expect(parsed(s)).toEqual(elements);
    // Each element starts on the line where its first character is.
    const starts = s.texts.map((t) => doc.indexOf(t));
    expect(s.lines).toEqual(starts.map((o) => lineCol(doc, o)[0]));
  });

  it('gives the same result fed one character at a time', () => {
    const whole = feed(new ArraySplitter(false), [doc]);
    expect(feed(new ArraySplitter(false), ones(doc))).toEqual(whole);
  });

  it('gives the same result split in two at every offset', () => {
    const whole = feed(new ArraySplitter(false), [doc]);
    for (let i = 0; i <= doc.length; i++) {
      expect(feed(new ArraySplitter(false), [doc.slice(0, i), doc.slice(i)]), `split at ${i}`).toEqual(whole);
    }
  });

  it('gives the same result in random chunk sizes (property)', () => {
    const whole = feed(new ArraySplitter(false), [doc]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }), (sizes) => {
        expect(feed(new ArraySplitter(false), cut(doc, sizes))).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });

  it('cuts arbitrary JSON arrays, laid out with arbitrary whitespace, in arbitrary chunks (property)', () => {
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
        fc.array(fc.tuple(json, ws, ws), { maxLength: 6 }),
        ws,
        fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        (items, lead, sizes, wrapped) => {
          let text = wrapped ? `{${lead}"facts"${lead}:${lead}[` : `${lead}[`;
          const starts: number[] = [];
          items.forEach(([v, before, after], i) => {
            text += before;
            starts.push(text.length);
            text += JSON.stringify(v) + after + (i < items.length - 1 ? ',' : '');
          });
          text += lead + ']' + (wrapped ? `${lead},"more":{"x":["]"]}${lead}}` : '') + lead;
          const s = feed(new ArraySplitter(wrapped), cut(text, sizes));
          expect(s.texts.map((t) => JSON.parse(t) as unknown)).toEqual(items.map(([v]) => JSON.parse(JSON.stringify(v)) as unknown));
          expect(s.lines).toEqual(starts.map((o) => lineCol(text, o)[0]));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("cuts a long one-line array like the same array over many lines, with each element's column", () => {
    // Minified arrays are common. Every element start needs its column; the splitter keeps
    // the last newline as it goes rather than searching back (which was quadratic on one line).
    const items: string[] = [];
    for (let i = 0; i < 20000; i++) items.push(`{"id":${i}}`);
    const oneLine = new TextBatch();
    const splitter = new ArraySplitter(false);
    splitter.push('[' + items.join(','), oneLine);
    splitter.push(']', oneLine);
    splitter.end(oneLine);
    expect(oneLine.texts).toEqual(feed(new ArraySplitter(false), ['[' + items.join(',\n') + ']']).texts);
    expect(new Set(oneLine.lines)).toEqual(new Set([1]));
    let column = 2;
    items.forEach((item, k) => {
      expect(oneLine.columns[k]).toBe(column);
      column += item.length + 1;
    });
  });

  it('reads the {"facts":[...]} wrapper, with other keys after the array', () => {
    const text = '{ "facts" : [ {"id":1}, {"id":2,"s":"}]"} ] , "meta": {"x":[1,"]}"]}, "n": "}" }\n';
    const expected = feed(new ArraySplitter(true), [text]);
    expect(parsed(expected)).toEqual([{ id: 1 }, { id: 2, s: '}]' }]);
    expect(feed(new ArraySplitter(true), ones(text))).toEqual(expected);
    expect(parsed(feed(new ArraySplitter(true), ['{"facts":[]}']))).toEqual([]);
  });

  it('reads an empty array', () => {
    expect(feed(new ArraySplitter(false), ['[]'])).toEqual({ texts: [], lines: [] });
    expect(feed(new ArraySplitter(false), [' [ \n ] \n'])).toEqual({ texts: [], lines: [] });
  });

  describe('broken structure', () => {
    // [text, wrapped, message fragment, offset of the error]
    const cases: [string, boolean, string, number][] = [
      ['x', false, 'expected "[" starting a JSON array', 0],
      ['\n\n  {"a":1}', false, 'expected "[" starting a JSON array', 4],
      ['[{"a":1} {"b":2}]', false, 'expected "," or "]" after an array element', 9],
      ['[\n  {"a":1}\n  {"b":2}\n]', false, 'expected "," or "]" after an array element', 14],
      ['[{"a":1},,{"b":2}]', false, 'expected an array element, found ","', 9],
      ['[{"a":1}, {"b":2}] x', false, 'after the end of the JSON document', 19],
      ['{"fact":[]}', true, 'expected {"facts": [...]}', 6],
      ['{"facts":[{"a":1}] x', true, 'expected "," or "}" after the facts array', 19],
      ['[{"a":1},\n {"b":2}\n{"c":3}]', false, 'expected "," or "]"', 19],
    ];
    for (const [text, wrapped, fragment, offset] of cases) {
      it(`${JSON.stringify(text)}: error with line and column`, () => {
        const e = splitError(() => new ArraySplitter(wrapped), [text]);
        expect(e.message).toContain(fragment);
        expect([e.line, e.column]).toEqual(lineCol(text, offset));
      });
    }

    it('gives the same line and column when the input comes one character at a time', () => {
      for (const [text, wrapped, fragment, offset] of cases) {
        const e = splitError(() => new ArraySplitter(wrapped), ones(text));
        expect(e.message).toContain(fragment);
        expect([e.line, e.column], text).toEqual(lineCol(text, offset));
      }
    });

    // [text, wrapped, message fragment]: the error is at the end of the input.
    const truncated: [string, boolean, string][] = [
      ['', false, 'expected a JSON array'],
      ['  \n', true, 'expected {"facts": [...]}'],
      ['[{"a":1}', false, 'expected "," or "]"'],
      ['[{"a":1},\n {"b":', false, 'expected the rest of the element'],
      ['[{"a":"unterminated]', false, 'expected the rest of the element'],
      ['{"facts":[{"a":1}]', true, '"}" closing the {"facts": [...]} object'],
    ];
    it('reports unexpected end of input at the end of the input, fed whole or in pieces', () => {
      for (const [text, wrapped, fragment] of truncated) {
        for (const chunks of [[text], ones(text)]) {
          const e = splitError(() => new ArraySplitter(wrapped), chunks);
          expect(e.message).toContain('unexpected end of input');
          expect(e.message).toContain(fragment);
          expect([e.line, e.column], `${JSON.stringify(text)} in ${chunks.length} chunks`).toEqual(lineCol(text, text.length));
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
    // A record that happens to hold a "facts" array, followed by more records.
    expect(detectFormat('{"meta":1,"facts":[]}\n{"a":2}\n', 'auto')).toBe('ndjson');
    expect(detectFormat('garbage\n', 'auto')).toBe('ndjson');
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

async function readAll(paths: string[], options: ReaderOptions = {}): Promise<{ facts: Fact[]; reader: FactReader }> {
  const reader = new FactReader(paths, options);
  const facts: Fact[] = [];
  for await (const batch of reader.batches()) facts.push(...batch);
  return { facts, reader };
}

async function readError(paths: string[], options: ReaderOptions = {}): Promise<FactError> {
  try {
    await readAll(paths, options);
  } catch (e) {
    if (e instanceof FactError) return e;
    throw e;
  }
  throw new Error('expected a FactError');
}

const plain = (facts: Fact[]) => facts.map((f) => JSON.parse(JSON.stringify(f.fields)) as unknown);

describe('FactReader', () => {
  it('reads NDJSON with blank lines and CRLF', async () => {
    const p = file('{"id":3,"a":1}\r\n\r\n   \n{"b":"x"}\r\n\n{"id":9,"c":{"Float":2}}');
    const { facts, reader } = await readAll([p]);
    expect(facts.map((f) => f.id)).toEqual([3, 1, 9]);
    expect(plain(facts)).toEqual([{ id: 3, a: 1 }, { b: 'x' }, { id: 9, c: 2 }]);
    expect(facts[2]!.fields.c).toBeInstanceOf(FloatValue);
    expect(reader.stats.files).toEqual([{ name: p, format: 'ndjson', gzip: false, records: 3, skipped: 0 }]);
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

  it('rejects an object document without "facts"', async () => {
    const p = file(JSON.stringify({ meta: 1, items: [] }, null, 2));
    const e = await readError([p]);
    expect(e.reason).toContain('without "facts"');
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

    it('names the JSON path of an invalid fact', async () => {
      const p = file('{"id":1}\n{"id":2,"when":{"Date":"2024-13-01T00:00:00Z"}}\n');
      const e = await readError([p]);
      expect(e.code).toBe('E_FACT_INVALID');
      expect(e.line).toBe(2);
      expect(e.jsonPath).toBe('$.when.Date');
      expect(e.message).toContain(`${p}:2: $.when.Date: `);
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

    it('names the later file when the error is there', async () => {
      const a = file('{"id":1}\n');
      const b = file('{"id":2}\n{oops}\n');
      const e = await readError([a, b]);
      expect(e.file).toBe(b);
      expect(e.line).toBe(2);
    });
  });
});
