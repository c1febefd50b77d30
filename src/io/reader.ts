// The fact reader: reads files (or stdin) in order, detects each one's format from its
// content, cuts it into records with the fastest correct reader for that format, and
// decodes records into Facts in batches, applying the error policy (fail, or skip+reject).

import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { parser } from 'stream-json';
import { pick } from 'stream-json/filters/pick.js';
import { streamArray } from 'stream-json/streamers/stream-array.js';
import chain from 'stream-chain';
import { Readable } from 'node:stream';
import { decodeFact, describeDecodeFailure, type Fact } from '../model/fact.js';
import { FactError } from '../model/errors.js';
import { locateJsonError } from './json-error.js';
import { openSource, type Source } from './source.js';
import { ArraySplitter, NdjsonSplitter, SplitError, TextBatch, type Splitter } from './splitters.js';

export type InputFormat = 'auto' | 'ndjson' | 'json';
/** How a file was read: which reader served it. */
export type DetectedFormat = 'ndjson' | 'json-array' | 'json-facts' | 'json-stream';

export interface Reject {
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly jsonPath: string | undefined;
  readonly code: string;
  readonly reason: string;
  /** The record's text as it was read (newlines folded to spaces so it stays one line). */
  readonly raw: string;
}

export interface ReaderOptions {
  format?: InputFormat;
  /** `fail` (default): the first malformed record stops the read with a FactError. */
  onError?: 'fail' | 'skip';
  /** Receives every skipped record (skip mode). */
  onReject?: (r: Reject) => void;
  /** Raw bytes read from disk or stdin (before gunzip), for progress. */
  onBytes?: (n: number) => void;
}

export interface FileReadInfo {
  readonly name: string;
  format: DetectedFormat | null;
  gzip: boolean;
  records: number;
  skipped: number;
}

export interface ReaderStats {
  records: number;
  facts: number;
  skipped: number;
  /** The first skipped records, for the report. */
  readonly firstRejects: Reject[];
  readonly files: FileReadInfo[];
}

const MAX_KEPT_REJECTS = 20;
/** How much text detection looks at before deciding on the first character alone. */
const DETECT_LIMIT = 1 << 20;
/** The stream-json fallback decodes in batches of this many records. */
const STREAM_BATCH = 2048;

export class FactReader {
  readonly stats: ReaderStats = { records: 0, facts: 0, skipped: 0, firstRejects: [], files: [] };
  private readonly paths: readonly string[];
  private readonly format: InputFormat;
  private readonly skip: boolean;
  private readonly onReject: ((r: Reject) => void) | null;
  private readonly onBytes: ((n: number) => void) | undefined;
  private ordinal = 0;
  private file: FileReadInfo | null = null;

  constructor(paths: readonly string[], options: ReaderOptions = {}) {
    this.paths = paths.length === 0 ? ['-'] : paths;
    this.format = options.format ?? 'auto';
    this.skip = options.onError === 'skip';
    this.onReject = options.onReject ?? null;
    this.onBytes = options.onBytes;
  }

  /** Facts in input order, a batch per chunk read. Throws FactError or InputError. */
  async *batches(): AsyncGenerator<Fact[]> {
    for (const path of this.paths) {
      const source = openSource(path);
      const info: FileReadInfo = { name: source.name, format: null, gzip: false, records: 0, skipped: 0 };
      this.stats.files.push(info);
      this.file = info;
      yield* this.readSource(source, info);
      info.gzip = source.gzip;
    }
  }

  private async *readSource(source: Source, info: FileReadInfo): AsyncGenerator<Fact[]> {
    const chunks = source.text(this.onBytes);
    // Gather enough text to detect the format.
    let head = '';
    let done = false;
    while (!done && !decidable(head)) {
      const r = await chunks.next();
      if (r.done) done = true;
      else head += r.value;
    }
    info.gzip = source.gzip;
    const format = detectFormat(head, this.format);
    info.format = format;
    if (format === null) return; // empty input
    if (format === 'json-stream') {
      yield* this.readWithStreamJson(source, head, chunks, done);
      return;
    }
    const splitter: Splitter = format === 'ndjson' ? new NdjsonSplitter() : new ArraySplitter(format === 'json-facts');
    const texts = new TextBatch();
    let pending: string | null = head;
    for (;;) {
      let chunk: string;
      if (pending !== null) {
        chunk = pending;
        pending = null;
      } else if (done) break;
      else {
        const r = await chunks.next();
        if (r.done) {
          done = true;
          break;
        }
        chunk = r.value;
      }
      texts.clear();
      this.split(splitter, chunk, texts, source.name);
      if (texts.texts.length > 0) yield this.decodeTexts(texts, source.name);
    }
    texts.clear();
    this.split(splitter, null, texts, source.name);
    if (texts.texts.length > 0) yield this.decodeTexts(texts, source.name);
  }

  private split(splitter: Splitter, chunk: string | null, out: TextBatch, file: string): void {
    try {
      if (chunk === null) splitter.end(out);
      else splitter.push(chunk, out);
    } catch (e) {
      if (e instanceof SplitError) {
        throw new FactError('E_FACT_JSON', file, e.line, `${e.message} (the JSON structure is broken; records after this point cannot be read)`, e.column);
      }
      throw e;
    }
  }

  /** Parses and decodes a batch of record texts. One try per batch, not per record. */
  private decodeTexts(batch: TextBatch, file: string): Fact[] {
    const texts = batch.texts;
    const n = texts.length;
    const out: Fact[] = [];
    let i = 0;
    while (i < n) {
      try {
        for (; i < n; i++) {
          const ordinal = this.ordinal++;
          out.push(decodeFact(JSON.parse(texts[i]!), ordinal));
        }
      } catch (e) {
        this.reject(e, file, batch.lines[i]!, texts[i]!, undefined, batch.columns[i]!);
        i++;
      }
    }
    this.count(n, out.length);
    return out;
  }

  private count(records: number, facts: number): void {
    this.stats.records += records;
    this.stats.facts += facts;
    this.file!.records += records;
  }

  /** Turns a record's failure into a FactError; throws it, or (skip mode) records the reject. */
  /** `column`: where the record's text starts on its first line (1-based). */
  private reject(e: unknown, file: string, line: number | undefined, raw: string, prefix: string | undefined, column = 1): void {
    let err: FactError;
    if (e instanceof SyntaxError) {
      const where = locateJsonError(raw);
      err = where
        ? new FactError(
            'E_FACT_JSON',
            file,
            line === undefined ? undefined : line + where.line - 1,
            `invalid JSON: ${where.message}`,
            where.line === 1 ? column + where.column - 1 : where.column,
          )
        : new FactError('E_FACT_JSON', file, line, `invalid JSON: ${e.message}`);
    } else {
      const d = describeDecodeFailure(e);
      const path = prefix ? prefix + d.jsonPath.slice(1) : d.jsonPath;
      err = new FactError('E_FACT_INVALID', file, line, d.message, undefined, path);
    }
    if (!this.skip) throw err;
    this.stats.skipped++;
    this.file!.skipped++;
    const r: Reject = {
      file,
      line: err.line,
      column: err.column,
      jsonPath: err.jsonPath,
      code: err.code,
      reason: err.reason,
      raw: raw.replace(/\r?\n/g, ' '),
    };
    if (this.stats.firstRejects.length < MAX_KEPT_REJECTS) this.stats.firstRejects.push(r);
    this.onReject?.(r);
  }

  /** The general `{..., "facts": [...], ...}` document, through stream-json. */
  private async *readWithStreamJson(source: Source, head: string, rest: AsyncGenerator<string>, done: boolean): AsyncGenerator<Fact[]> {
    let sawFacts = false;
    const text = async function* () {
      yield head;
      if (!done) yield* rest;
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
          yield this.decodeValues(values, first, source.name);
          first += values.length;
          values = [];
        }
      }
    } catch (e) {
      if (e instanceof FactError) throw e;
      throw await this.locateStreamError(source, e);
    }
    if (values.length > 0) yield this.decodeValues(values, first, source.name);
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

  private decodeValues(values: unknown[], first: number, file: string): Fact[] {
    const out: Fact[] = [];
    let i = 0;
    while (i < values.length) {
      try {
        for (; i < values.length; i++) out.push(decodeFact(values[i], this.ordinal++));
      } catch (e) {
        this.reject(e, file, undefined, JSON.stringify(values[i]) ?? 'undefined', `$.facts[${first + i}]`);
        i++;
      }
    }
    this.count(values.length, out.length);
    return out;
  }

  /** A stream-json syntax error carries no position: find it by re-reading the file, where possible. */
  private async locateStreamError(source: Source, e: unknown): Promise<Error> {
    if (!(e instanceof Error) || (e as NodeJS.ErrnoException).code !== undefined) return e as Error;
    if (source.size !== null && source.size <= 512 * 1024 * 1024) {
      const buf = await readFile(source.name);
      const text = (source.gzip ? gunzipSync(buf) : buf).toString('utf8');
      const where = locateJsonError(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
      if (where) return new FactError('E_FACT_JSON', source.name, where.line, `invalid JSON: ${where.message}`, where.column);
    }
    return new FactError('E_FACT_JSON', source.name, undefined, `invalid JSON: ${e.message.replace(/^Parser cannot parse input: /, '')}`);
  }
}

/** Whether enough of the input is here to choose a reader. */
function decidable(head: string): boolean {
  if (head.length >= DETECT_LIMIT) return true;
  const m = /\S/.exec(head);
  if (!m) return false;
  if (head[m.index] !== '{') return true;
  return head.indexOf('\n', m.index) >= 0;
}

/**
 * Chooses a reader from the start of the text: `[` is a JSON array and `{"facts": [` the
 * wrapper, both cut by the array splitter; another `{` is NDJSON when the first line is a
 * complete JSON value (or does not look like the start of a pretty-printed document), and
 * any other object document goes to stream-json. Returns null for empty input.
 */
export function detectFormat(head: string, forced: InputFormat): DetectedFormat | null {
  const m = /\S/.exec(head);
  if (!m) return null;
  const first = head[m.index];
  const factsFirst = /^\s*\{\s*"facts"\s*:\s*\[/.test(head);
  if (forced === 'ndjson') return 'ndjson';
  if (forced === 'json') return first === '[' ? 'json-array' : factsFirst ? 'json-facts' : 'json-stream';
  if (first === '[') return 'json-array';
  if (factsFirst) return 'json-facts';
  if (first !== '{') return 'ndjson';
  const nl = head.indexOf('\n', m.index);
  const firstLine = (nl < 0 ? head.slice(m.index) : head.slice(m.index, nl)).trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(firstLine);
  } catch {
    // Not a complete value: the start of a pretty-printed document when the line leaves a
    // brace or bracket open (`{"meta": 1, "facts": [`), else a broken NDJSON record.
    return openDepth(firstLine) > 0 ? 'json-stream' : 'ndjson';
  }
  // A complete object holding a "facts" array is a wrapper document, written on one line.
  const facts = (parsed as Record<string, unknown> | null)?.facts;
  if (Array.isArray(facts) && (nl < 0 || head.slice(nl).trim() === '')) return 'json-stream';
  return 'ndjson';
}

/** Nesting depth left open at the end of a line of JSON text (strings and escapes skipped). */
function openDepth(line: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) depth--;
  }
  return depth;
}
