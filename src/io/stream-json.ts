// The general `{..., "facts": [...], ...}` document (facts not the first key), read by
// stream-json: the elements of its top-level facts array as parsed values, in batches.
// Whole records only; its syntax errors are located by re-reading the file when possible.

import { readFile } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { parser } from 'stream-json';
import { pick } from 'stream-json/filters/pick.js';
import { streamArray } from 'stream-json/streamers/stream-array.js';
import chain from 'stream-chain';
import { FactError } from '../model/errors.js';
import type { Chunker } from './chunker.js';
import { locateJsonError } from './json-error.js';
import type { Source } from './source.js';

/** Values are handed on in batches of this many. */
const STREAM_BATCH = 2048;

/** The facts array's elements, a batch at a time, with the index of each batch's first. Throws FactError. */
export async function* streamJsonFacts(source: Source, chunker: Chunker): AsyncGenerator<{ values: unknown[]; first: number }> {
  let sawFacts = false;
  const text = async function* () {
    const decoder = new StringDecoder('utf8');
    for await (const b of chunker.bytes()) yield decoder.write(b);
    const tail = decoder.end();
    if (tail.length > 0) yield tail;
  };
  const pipeline = chain([
    Readable.from(text()),
    parser(),
    pick({
      filter: (stack: readonly (string | number | null)[]) => {
        if (stack.length === 1 && stack[0] === 'facts') {
          sawFacts = true;
          return true;
        }
        return false;
      },
    }),
    streamArray(),
  ]);
  let values: unknown[] = [];
  let first = 0;
  try {
    for await (const item of pipeline as AsyncIterable<{ key: number; value: unknown }>) {
      values.push(item.value);
      if (values.length >= STREAM_BATCH) {
        yield { values, first };
        first += values.length;
        values = [];
      }
    }
  } catch (e) {
    if (e instanceof FactError) throw e;
    throw await locateStreamError(source, e);
  }
  if (values.length > 0) yield { values, first };
  if (!sawFacts) {
    throw new FactError(
      'E_FACT_INVALID',
      source.name,
      1,
      'expected NDJSON, a JSON array of facts or an object with a "facts" array; found an object without "facts"',
      1,
      '$',
    );
  }
}

/** A stream-json syntax error carries no position: find it by re-reading the file, where it is one. */
async function locateStreamError(source: Source, e: unknown): Promise<Error> {
  if (!(e instanceof Error) || (e as NodeJS.ErrnoException).code !== undefined) return e as Error;
  if (source.path !== null && source.size !== null && source.size <= 512 * 1024 * 1024) {
    const buf = await readFile(source.path);
    const text = (source.gzip ? gunzipSync(buf) : buf).toString('utf8');
    const where = locateJsonError(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    if (where) return new FactError('E_FACT_JSON', source.name, where.line, `invalid JSON: ${where.message}`, where.column);
  }
  return new FactError('E_FACT_JSON', source.name, undefined, `invalid JSON: ${e.message.replace(/^Parser cannot parse input: /, '')}`);
}
