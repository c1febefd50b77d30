// The fact reader: reads inputs (paths or open Sources) in order, detects each one's format
// from its content, cuts it into chunks of whole records, and decodes them into Facts in
// input order, applying the error policy (fail, or skip+reject). Two decoders: projected
// (only the keys the rules read, by the byte scanner, in worker threads for large inputs)
// and whole (JSON.parse + decodeFact per record). Both give the same facts and errors.
// What it is asked and what it reports (options, rejects, statistics) are in reader-types.ts;
// where projected chunks are scanned (main thread or workers) is chunk-scans.ts.

import { decodeFact, Fact } from '../model/fact.js';
import { FactError, UsageError } from '../model/errors.js';
import { setOwn, type FieldMap } from '../model/value.js';
import { recordError } from './record-error.js';
import { streamJsonFacts } from './stream-json.js';
import { openSource, type Source } from './source.js';
import { BufferPool, Chunker, type Chunk } from './chunker.js';
import { chunkLines, LineTracker, type ChunkLines } from './chunk-stats.js';
import { scanPlanFor, type ScanPlan } from './scan-plan.js';
import { BatchMaterializer, type SlowRecords } from './materialize.js';
import { ChunkScans, type Scanned } from './chunk-scans.js';
import type { ScannedBatch } from './batch.js';
import type { InputFormat } from './detect.js';
import { positionSuffix, suffix } from './position-suffix.js';
import type { BatchRecords, FileReadInfo, ReaderOptions, ReaderStats, Reject } from './reader-types.js';

export { detectFormat, type DetectedFormat, type InputFormat } from './detect.js';
export type { BatchRecords, FileReadInfo, ReaderInfo, ReaderKind, ReaderOptions, ReaderStats, Reject } from './reader-types.js';

const MAX_KEPT_REJECTS = 20;
const PROJECTED_REASON = 'reads only the fields the rules use';
/**
 * The size from which `projectMinBytes: auto` callers (rete-eval run) project: at 10K
 * records (1.6 MB) the whole-record reader was faster, at 50K (8 MB) they were even.
 */
export const PROJECT_MIN_BYTES = 4 << 20;
export class FactReader implements SlowRecords {
  readonly stats: ReaderStats;
  private readonly inputs: readonly (string | Source)[];
  private readonly format: InputFormat;
  private readonly skip: boolean;
  private readonly onReject: ((r: Reject) => void) | null;
  private readonly plan: ScanPlan | null;
  private readonly workers: number | 'auto';
  private readonly projectMinBytes: number;
  private readonly shardFiles: boolean;
  /** The source being read is a shard file: its lines may end in positions. */
  private positioned = false;
  /** Set when ReaderOptions.records: the records of the batch being made. */
  readonly batchRecords: BatchRecords | null;
  /** Batch records keep the records' text too. */
  private readonly recordText: boolean;
  /** Rows of the current chunk that were rejected (records mode, projected path). */
  private readonly rejectedRows: number[] = [];
  /** The projected path is materializing: slow() leaves the batch records to decodeScanned. */
  private materializing = false;
  private readonly buffers: BufferPool;
  private readonly sources: Source[] = [];
  private scans: ChunkScans | null = null;
  private materializer: BatchMaterializer | null = null;
  private ordinal = 0;
  private file: FileReadInfo | null = null;
  // The chunk being decoded (for slow records and error locations): its bytes, the line
  // count before it, and how a record's line is found.
  private curBuf: Buffer = Buffer.alloc(0);
  private curLines = new LineTracker();
  private curMode: 'batch-lines' | 'whole-lines' | 'spans' = 'spans';
  /** batch-lines: each record's line within the chunk, from the scanner. */
  private curBatchLines: Int32Array = new Int32Array(0);
  /** whole-lines: the line (within the chunk) of the record being decoded. */
  private curLine = 0;

  constructor(inputs: readonly (string | Source)[], options: ReaderOptions = {}) {
    this.inputs = inputs.length === 0 ? ['-'] : inputs;
    this.format = options.format ?? 'auto';
    this.skip = options.onError === 'skip';
    this.onReject = options.onReject ?? null;
    const fields = options.fields ?? null;
    this.plan = fields === null ? null : scanPlanFor(fields);
    this.workers = options.workers ?? 'auto';
    this.projectMinBytes = options.projectMinBytes ?? 0;
    this.buffers = options.buffers ?? new BufferPool();
    this.shardFiles = options.shardFiles === true;
    this.batchRecords = options.records === undefined ? null : { positions: [], buf: Buffer.alloc(0), starts: [], ends: [] };
    this.recordText = options.records === 'text';
    this.stats = {
      shard: null,
      records: 0,
      facts: 0,
      skipped: 0,
      firstRejects: [],
      files: [],
      reader: {
        kind: fields === null ? 'whole' : 'projected',
        fields: fields ?? [],
        reason: fields === null ? (options.wholeReason ?? 'whole records were asked for') : PROJECTED_REASON,
        workers: 0,
        slowRecords: 0,
      },
    };
  }

  /** Raw bytes read so far from every input (compressed bytes for gzip), for progress. */
  get bytesRead(): number {
    let n = 0;
    for (const s of this.sources) n += s.rawBytes;
    return n;
  }

  /** Facts in input order, a batch per chunk read. Throws FactError or InputError. */
  async *batches(): AsyncGenerator<Fact[]> {
    try {
      for (const input of this.inputs) {
        const source = typeof input === 'string' ? openSource(input) : input;
        this.sources.push(source);
        const info: FileReadInfo = { name: source.name, format: null, gzip: false, records: 0, skipped: 0, reader: null };
        this.stats.files.push(info);
        this.file = info;
        try {
          yield* this.readSource(source, info);
        } finally {
          info.gzip = source.gzip;
          await source.close();
        }
      }
    } finally {
      this.settleReaderInfo();
      await this.close();
    }
  }

  /** Stops the worker threads (also done when batches() ends). */
  async close(): Promise<void> {
    await this.scans?.close();
  }

  private async *readSource(source: Source, info: FileReadInfo): AsyncGenerator<Fact[]> {
    const chunker = new Chunker(source, this.buffers);
    const format = await chunker.detect(this.format);
    info.gzip = source.gzip;
    info.format = format;
    if (format === null) return; // empty input
    this.positioned = format === 'shard';
    if (format === 'shard') await this.readShardHeader(chunker, source);
    if (format === 'json-stream') {
      info.reader = 'stream-json';
      this.note(`${source.name} is a JSON document whose "facts" array is not its first key (read whole by stream-json)`);
      yield* this.readWithStreamJson(source, chunker);
      return;
    }
    this.curLines = new LineTracker();
    // The header line of a shard file was taken off its start.
    if (format === 'shard') this.curLines.advance({ newlines: 1, tailUnits: 0 });
    const small = source.size !== null && !source.gzip && source.size < this.projectMinBytes;
    if (this.plan === null || small) {
      info.reader = 'whole';
      if (small && this.plan !== null) this.note(`${source.name} is small (under ${this.projectMinBytes >> 20} MB): projection pays off on larger inputs`);
      yield* this.readWhole(chunker, source.name);
    } else {
      info.reader = 'projected';
      yield* this.readProjected(chunker, source, this.plan);
    }
  }

  /**
   * A shard file's first line: its header, kept in stats.shard. Refused unless shard files
   * were asked for (then only as the one input), or when it is not a JSON object.
   */
  private async readShardHeader(chunker: Chunker, source: Source): Promise<void> {
    if (!this.shardFiles || this.inputs.length > 1 || this.stats.shard !== null) {
      throw new UsageError(
        `${source.name} is a shard written by rete-eval split: run each shard alone, as a file ` +
          `(rete-eval run -r RULES ${source.path ?? 'SHARD'} -o OUT), then rete-eval merge the outputs`,
      );
    }
    const line = (await chunker.takeLine()).toString('utf8');
    let header: unknown;
    try {
      header = JSON.parse(line);
    } catch (e) {
      throw recordError(e, source.name, 1, line);
    }
    const inner = (header as Record<string, unknown>).rete_eval_shard;
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) {
      throw new FactError('E_FACT_INVALID', source.name, 1, 'the shard header\'s "rete_eval_shard" member is not an object', undefined, '$.rete_eval_shard');
    }
    this.stats.shard = inner as Record<string, unknown>;
  }

  /**
   * The reader line of the report: projected when any file was (its reason notes files
   * read whole), else whole with the first reason why.
   */
  private note(why: string): void {
    const r = this.stats.reader;
    if (this.plan === null) return;
    r.reason = r.reason === PROJECTED_REASON ? why : r.reason;
  }

  /** Settles the reader line once the files are read. */
  private settleReaderInfo(): void {
    const r = this.stats.reader;
    if (this.plan === null) return;
    const projected = this.stats.files.some((f) => f.reader === 'projected');
    r.kind = projected ? 'projected' : 'whole';
    if (projected && r.reason !== PROJECTED_REASON) r.reason = `${PROJECTED_REASON}; ${r.reason}`;
  }

  // -------------------------------------------------------------------------
  // Whole records: JSON.parse + decodeFact on the main thread.

  private async *readWhole(chunker: Chunker, file: string): AsyncGenerator<Fact[]> {
    for (;;) {
      const chunk = await chunker.next();
      if (chunk === null) return;
      const out: Fact[] = [];
      this.curBuf = chunk.buf;
      this.beginRecords(chunk.buf, chunk.length);
      let lines: ChunkLines;
      if (chunk.spans === null) lines = this.wholeLines(chunk, out);
      else {
        const spans = chunk.spans;
        this.curMode = 'spans';
        for (let i = 0; i < chunk.spanCount; i++) this.slow(i, spans[2 * i]!, spans[2 * i + 1]!, this.ordinal++, out);
        this.count(chunk.spanCount, out.length);
        lines = chunkLines(chunk.buf, chunk.length);
      }
      this.endChunk(chunk.error, lines, file);
      this.buffers.release(chunk.buf.buffer as ArrayBuffer);
      if (out.length > 0) yield out;
    }
  }

  /** The records of an NDJSON chunk: one a line, blank lines skipped, a CR before the newline dropped. */
  private wholeLines(chunk: Chunk, out: Fact[]): ChunkLines {
    const b = chunk.buf;
    const end = chunk.length;
    this.curMode = 'whole-lines';
    let line = 0;
    let records = 0;
    let p = 0;
    let newlines = 0;
    let lastNl = -1;
    const before = out.length;
    while (p < end) {
      let nl = b.indexOf(10, p);
      if (nl < 0 || nl >= end) nl = end;
      let e = nl;
      if (e > p && b[e - 1] === 13) e--;
      let q = p;
      while (q < e && (b[q] === 32 || b[q] === 9 || b[q] === 13)) q++;
      if (q < e) {
        this.curLine = line;
        // A shard file's line may end in the record's position: the record is what precedes it.
        const pos = this.positioned ? positionSuffix(b, p, e) : -1;
        if (pos >= 0) this.ordinal = pos;
        this.slow(records++, p, pos >= 0 ? suffix.recordEnd : e, this.ordinal++, out);
      }
      if (nl < end) {
        line++;
        newlines++;
        lastNl = nl;
      }
      p = nl + 1;
    }
    this.count(records, out.length - before);
    return { newlines, tailUnits: lastNl === end - 1 ? 0 : chunkLines(b, end).tailUnits };
  }

  /**
   * Decodes record `r` of the current chunk whole (JSON.parse + decodeFact), as the whole
   * reader does for every record; the projected reader sends here the records its scanner
   * left alone. Keeps only the projected fields. Rejects a bad record (or throws, in fail mode).
   */
  slow(r: number, start: number, end: number, ordinal: number, out: Fact[]): void {
    if (this.plan !== null) this.stats.reader.slowRecords++;
    const text = this.curBuf.toString('utf8', start, end);
    let fact: Fact;
    try {
      fact = decodeFact(JSON.parse(text), ordinal);
    } catch (e) {
      let line: number;
      let column = 1;
      if (this.curMode === 'spans') ({ line, column } = this.curLines.locate(this.curBuf, start));
      else line = this.curLines.line + 1 + (this.curMode === 'batch-lines' ? this.curBatchLines[r]! : this.curLine);
      if (this.batchRecords !== null) this.rejectedRows.push(r);
      this.reject(e, this.file!.name, line, text, column);
      return;
    }
    out.push(this.plan === null ? fact : projected(fact, this.plan.fields));
    const br = this.batchRecords;
    if (br !== null && !this.materializing) {
      br.positions.push(ordinal);
      if (this.recordText) {
        br.starts.push(start);
        br.ends.push(end);
      }
    }
  }

  private count(records: number, facts: number): void {
    this.stats.records += records;
    this.stats.facts += facts;
    this.file!.records += records;
  }

  /** After a chunk's records: move the line count past it; throw a structural error found at its end. */
  private endChunk(error: string | null, lines: ChunkLines, file: string): void {
    this.curLines.advance(lines);
    if (error !== null) {
      throw new FactError(
        'E_FACT_JSON',
        file,
        this.curLines.line + 1,
        `${error} (the JSON structure is broken; records after this point cannot be read)`,
        this.curLines.units + 1,
      );
    }
  }

  // -------------------------------------------------------------------------
  // Projected records: the byte scanner, in worker threads for large inputs.

  private async *readProjected(chunker: Chunker, source: Source, plan: ScanPlan): AsyncGenerator<Fact[]> {
    this.materializer ??= new BatchMaterializer(plan);
    const scans = (this.scans ??= new ChunkScans(plan, this.workers));
    scans.beginSource(source);
    const pending: Promise<Scanned>[] = [];
    let done = false;
    for (;;) {
      const limit = scans.inFlight;
      while (!done && pending.length < limit) {
        const chunk = await chunker.next();
        if (chunk === null) done = true;
        else pending.push(scans.scan(chunk, this.positioned));
      }
      this.stats.reader.workers = scans.workerCount;
      const next = pending.shift();
      if (next === undefined) return;
      const s = await next;
      const out = this.decodeScanned(s, source.name);
      if (out.length > 0) yield out;
    }
  }

  private decodeScanned(s: Scanned, file: string): Fact[] {
    const out: Fact[] = [];
    this.curBuf = Buffer.from(s.buffer);
    this.curMode = s.ndjson ? 'batch-lines' : 'spans';
    this.curBatchLines = s.batch.lines;
    const first = this.ordinal;
    if (this.batchRecords !== null) this.beginRecords(this.curBuf, s.length);
    this.materializing = true;
    this.ordinal = this.materializer!.materialize(s.batch, this.curBuf, this.ordinal, out, this);
    this.materializing = false;
    if (this.batchRecords !== null) this.recordRows(s.batch, first);
    this.count(s.batch.count, out.length);
    this.endChunk(s.error, s.lines, file);
    this.buffers.release(s.buffer);
    this.scans!.recycle(s);
    return out;
  }

  // -------------------------------------------------------------------------
  // The records behind a batch (ReaderOptions.records).

  /** Starts the batch records of a chunk. */
  private beginRecords(buf: Buffer, length: number): void {
    const br = this.batchRecords;
    if (br === null) return;
    br.positions.length = 0;
    br.starts.length = 0;
    br.ends.length = 0;
    // The chunk's own bytes: its buffer goes back to the pool once decoded, but is filled
    // again only when the next batch is asked for (the reader reads on only then).
    if (this.recordText) br.buf = buf.subarray(0, length);
    this.rejectedRows.length = 0;
  }

  /** The records of a materialized batch that became facts, numbered as the materializer numbered them. */
  private recordRows(batch: ScannedBatch, first: number): void {
    const br = this.batchRecords!;
    const rejected = this.rejectedRows;
    let k = 0;
    let ordinal = first;
    for (let r = 0; r < batch.count; r++, ordinal++) {
      if (batch.positions[r]! >= 0) ordinal = batch.positions[r]!;
      if (k < rejected.length && rejected[k] === r) {
        k++;
        continue;
      }
      br.positions.push(ordinal);
      if (this.recordText) {
        br.starts.push(batch.starts[r]!);
        br.ends.push(batch.ends[r]!);
      }
    }
  }

  // -------------------------------------------------------------------------
  // Errors.

  /**
   * Turns a record's failure into a FactError; throws it, or (skip mode) records the reject.
   * `line`/`column`: where the record's text starts (1-based).
   */
  private reject(e: unknown, file: string, line: number | undefined, raw: string, column = 1, prefix?: string): void {
    const err = recordError(e, file, line, raw, column, prefix);
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

  // -------------------------------------------------------------------------
  // The general `{..., "facts": [...], ...}` document, through stream-json.

  private async *readWithStreamJson(source: Source, chunker: Chunker): AsyncGenerator<Fact[]> {
    for await (const { values, first } of streamJsonFacts(source, chunker)) yield this.decodeValues(values, first, source.name);
  }

  private decodeValues(values: unknown[], first: number, file: string): Fact[] {
    const out: Fact[] = [];
    const br = this.batchRecords;
    // Records mode: values have no text of their own here; each is written anew (the same value).
    const texts: string[] = [];
    if (br !== null) this.beginRecords(Buffer.alloc(0), 0);
    let i = 0;
    while (i < values.length) {
      try {
        for (; i < values.length; i++) {
          // Written before decodeFact, which decodes tagged values in place.
          const text = br === null || !this.recordText ? '' : JSON.stringify(values[i]);
          const fact = decodeFact(values[i], this.ordinal++);
          out.push(this.plan === null ? fact : projected(fact, this.plan.fields));
          if (br !== null) {
            br.positions.push(this.ordinal - 1);
            texts.push(text);
          }
        }
      } catch (e) {
        let raw: string;
        try {
          raw = JSON.stringify(values[i]) ?? 'undefined';
        } catch {
          raw = '(too deeply nested to show)';
        }
        this.reject(e, file, undefined, raw, 1, `$.facts[${first + i}]`);
        i++;
      }
    }
    this.count(values.length, out.length);
    if (br !== null && this.recordText) {
      let at = 0;
      for (const t of texts) {
        br.starts.push(at);
        at += Buffer.byteLength(t);
        br.ends.push(at);
      }
      br.buf = Buffer.from(texts.join(''));
    }
    return out;
  }
}

/** A whole record's fields cut down to the projected keys (those present), in slot order. */
function project(fields: FieldMap, names: readonly string[]): FieldMap {
  const out: FieldMap = {};
  for (const name of names) if (Object.hasOwn(fields, name)) setOwn(out, name, fields[name]);
  return out;
}

/** A fact decoded whole, holding only the projected fields, as the scanner would have made it. */
function projected(fact: Fact, names: readonly string[]): Fact {
  return new Fact(fact.id, project(fact.fields, names), fact.timestamp, fact.externalId, fact.shape);
}
