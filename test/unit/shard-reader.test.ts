// The shard input form (docs/input.md, "Shard files"): a header line, then records that may
// carry their position after them. Both readers (whole records, and the projected byte
// scanner on the main thread or in a worker) must cut every line alike, give the same
// facts with the same ids and positions, the same records, and the same errors.

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FactReader } from '../../src/io/reader.js';
import { streamSource } from '../../src/io/source.js';
import { positionSuffix, suffix } from '../../src/io/position-suffix.js';
import { FactError, UsageError } from '../../src/model/errors.js';

const HEADER = '{"rete_eval_shard":{"format":1,"split":"t","shard":0,"shards":2}}\n';

interface Read {
  facts: { id: number; fields: unknown }[];
  positions: number[];
  texts: string[];
  rejects: string[];
  error: string | null;
}

type Mode = 'whole' | 'projected' | 'worker';

async function read(text: string | Buffer, mode: Mode, onError: 'fail' | 'skip' = 'skip', shardFiles = true): Promise<Read> {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  let source: string | ReturnType<typeof streamSource>;
  if (mode === 'worker') {
    // Workers are started for files; a file it is.
    const dir = mkdtempSync(join(tmpdir(), 'shard-reader-'));
    source = join(dir, 'shard.ndjson');
    writeFileSync(source, bytes);
  } else source = streamSource('shard.ndjson', Readable.from([bytes]), bytes.length);
  const out: Read = { facts: [], positions: [], texts: [], rejects: [], error: null };
  const reader = new FactReader([source], {
    fields: mode === 'whole' ? null : ['a', 'id'],
    workers: mode === 'worker' ? 1 : 0,
    onError,
    shardFiles,
    records: 'text',
    onReject: (r) => out.rejects.push(`${r.line}:${r.column}: ${r.jsonPath ?? ''} ${r.reason}`),
  });
  try {
    for await (const batch of reader.batches()) {
      const br = reader.batchRecords!;
      expect(br.positions.length).toBe(batch.length);
      for (let i = 0; i < batch.length; i++) {
        const f = batch[i]!;
        out.facts.push({ id: f.id, fields: { a: f.fields.a } });
        out.positions.push(br.positions[i]!);
        out.texts.push(br.buf.toString('utf8', br.starts[i], br.ends[i]).trimEnd());
      }
    }
  } catch (e) {
    if (!(e instanceof FactError) && !(e instanceof UsageError)) throw e;
    out.error = e.message.replace(/^\S*\/shard\.ndjson/, 'shard.ndjson');
  }
  return out;
}

async function expectAlike(text: string | Buffer, onError: 'fail' | 'skip' = 'skip', worker = true): Promise<Read> {
  const whole = await read(text, 'whole', onError);
  expect(await read(text, 'projected', onError)).toEqual(whole);
  if (worker) expect(await read(text, 'worker', onError)).toEqual(whole);
  return whole;
}

describe('positionSuffix', () => {
  const at = (line: string) => {
    const b = Buffer.from(line);
    const pos = positionSuffix(b, 0, b.length);
    return pos < 0 ? null : { pos, record: line.slice(0, suffix.recordEnd), digits: suffix.digits };
  };
  it('reads digits after whitespace after the closing brace, spaces, tabs and a CR around them', () => {
    expect(at('{"a":1} 12')).toEqual({ pos: 12, record: '{"a":1}', digits: 8 });
    expect(at('{"a":1}\t \t7 \r')).toEqual({ pos: 7, record: '{"a":1}', digits: 10 });
    expect(at('{} 0')).toEqual({ pos: 0, record: '{}', digits: 3 });
  });
  it('finds none where the line is a record as it stands, or the number is not a position', () => {
    for (const line of ['{"a":1}', '{"a":1}12', '{"a": 12', '[1] 2', '{"a":1} x 3', '{"a":1} -3', '{"a":1} 1.5', '{"a":1} 99999999999999999', ' 5', '5'])
      expect(at(line), line).toBeNull();
  });
});

describe('shard files', () => {
  it('skip the header line and number records by the positions they carry, in every reader', async () => {
    const r = await expectAlike(`${HEADER}{"a":1} 5\n{"a":2}\n{"id":70,"a":3}\t 10\n  \n{"a":4} 20\r\n{"b":"x"}\n`);
    expect(r.facts.map((f) => f.id)).toEqual([5, 6, 70, 20, 21]);
    expect(r.positions).toEqual([5, 6, 10, 20, 21]);
    expect(r.texts).toEqual(['{"a":1}', '{"a":2}', '{"id":70,"a":3}', '{"a":4}', '{"b":"x"}']);
    expect(r.rejects).toEqual([]);
  });

  it('are read from gzip alike', async () => {
    const r = await expectAlike(gzipSync(Buffer.from(`${HEADER}{"a":1} 3\n{"a":2} 9\n`)));
    expect(r.facts.map((f) => f.id)).toEqual([3, 9]);
  });

  it('name bad records by their line in the shard (the header is line 1), with the same message in every reader', async () => {
    const r = await expectAlike(`${HEADER}{"a":1} 5\n{"a":  x} 7\n{"a":{"Date":"y"}} 9\n{"a":1} x 11\n{"a":2} 12\n`);
    expect(r.rejects).toEqual([
      '3:8:  invalid JSON: expected a JSON value, found "x"',
      '4:14: $.a.Date expected an RFC 3339 date-time, got "y"',
      '5:9:  invalid JSON: expected end of input, found "x"',
    ]);
    // A record after rejected ones keeps its position.
    expect(r.facts.map((f) => f.id)).toEqual([5, 12]);
    expect((await expectAlike(`${HEADER}{"a":1} 5\n{"a":  x} 7\n`, 'fail')).error).toBe('shard.ndjson:3:8: invalid JSON: expected a JSON value, found "x"');
  });

  it('refuse a header that is not JSON, or whose member is not an object', async () => {
    expect((await read('{"rete_eval_shard":{}\n{"a":1}\n', 'whole')).error).toBe('shard.ndjson:1:22: invalid JSON: expected "," or "}", found end of input');
    expect((await read('{"rete_eval_shard":3}\n', 'projected')).error).toMatch(/^shard\.ndjson:1: \$\.rete_eval_shard: .*not an object/);
  });

  it('are refused unless asked for, saying how to run them', async () => {
    const r = await read(`${HEADER}{"a":1} 5\n`, 'projected', 'fail', false);
    expect(r.error).toMatch(/shard\.ndjson is a shard written by rete-eval split: run each shard alone/);
  });

  it('give both readers the same facts, positions and errors (property)', async () => {
    const record = fc.oneof(
      fc.record({ a: fc.oneof(fc.integer(), fc.string(), fc.constant({ Float: 2 })) }).map((o) => JSON.stringify(o)),
      fc.nat(1000).map((id) => `{"id":${id},"a":"x"}`),
      fc.constantFrom('{"a":', '{"a":1', 'nope', '{"a":{"Date":"bad"}}', '[1,2]'),
    );
    const line = fc.tuple(record, fc.option(fc.nat(1e9), { nil: undefined }), fc.constantFrom(' ', '\t', '  '), fc.constantFrom('\n', '\r\n'));
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 12 }), async (lines) => {
        const text = HEADER + lines.map(([rec, pos, ws, nl]) => (pos === undefined ? rec : `${rec}${ws}${pos}`) + nl).join('');
        await expectAlike(text, 'skip', false);
      }),
      { numRuns: 100 },
    );
  });
});

describe('batch records (ReaderOptions.records)', () => {
  async function records(text: string, fields: readonly string[] | null): Promise<[number, number, string][]> {
    const reader = new FactReader([streamSource('in.json', Readable.from([Buffer.from(text)]), text.length)], {
      fields,
      workers: 0,
      onError: 'skip',
      records: 'text',
    });
    const out: [number, number, string][] = [];
    for await (const batch of reader.batches()) {
      const br = reader.batchRecords!;
      for (let i = 0; i < batch.length; i++) {
        out.push([batch[i]!.id, br.positions[i]!, JSON.stringify(JSON.parse(br.buf.toString('utf8', br.starts[i], br.ends[i])))]);
      }
    }
    return out;
  }
  const layouts: [string, string][] = [
    ['NDJSON', '{"a":1}\n{"a":\n{"id":9,"a":{"Float":2}}\n{"a":3}\n'],
    ['a pretty-printed array', '[\n  {"a": 1},\n  {"a": },\n  {"id": 9, "a": {"Float": 2}},\n  {\n    "a": 3\n  }\n]\n'],
    ['a document read by stream-json', '{"meta": 1, "facts": [{"a": 1}, {"a": {"Date": "x"}}, {"id": 9, "a": {"Float": 2}}, {"a": 3}]}'],
  ];
  for (const [name, text] of layouts) {
    it(`keep each fact's record text and input position: ${name}`, async () => {
      const whole = await records(text, null);
      expect(whole).toEqual([
        [0, 0, '{"a":1}'],
        [9, 2, '{"id":9,"a":{"Float":2}}'],
        [3, 3, '{"a":3}'],
      ]);
      expect(await records(text, ['a'])).toEqual(whole);
    });
  }
});
