// `rete-eval split`: reads the input once (every format `run` reads, streaming, with its
// checks and error policy) and writes N gzip NDJSON shards, each record's text unchanged
// to the shard its key hashes to (or in contiguous blocks when no key is needed), in input
// order, each carrying its position in the whole input when it does not follow the
// previous record of its shard. Shard files are written whole or not at all.

import { mkdirSync, openSync, readdirSync, readSync, closeSync, statSync, fstatSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { compileRuleFiles } from '../engine.js';
import { FactReader, PROJECT_MIN_BYTES, type FileReadInfo, type InputFormat, type Reject } from '../io/reader.js';
import { checkOutputTargets, OutputSink } from '../io/output.js';
import { describeIoError, PartitionError, UsageError } from '../model/errors.js';
import { checkRejects } from '../io/reject-limit.js';
import { plural } from '../model/words.js';
import { Placed, ShardKeys } from './key.js';
import { analyzePartition, partitionSignature, type Partition } from './partition.js';
import { describePartition } from './describe.js';
import { shardFileName, shardHeaderLine, SHARD_FILE_PATTERN, type ShardIdentity } from './format.js';

export interface SplitOptions {
  rulesFiles: readonly string[];
  inputs: readonly string[];
  shards: number;
  outDir: string;
  format?: InputFormat;
  onError?: 'fail' | 'skip';
  rejectsFile?: string | undefined;
  maxErrors?: number | undefined;
  reportFile?: string | undefined;
  /** Gzip level of the shard files (default 1: fastest; the shards are read once). */
  gzipLevel?: number;
  /** Records of an input of unknown size go to shards in turn in blocks of this many (no key needed). */
  blockRecords?: number;
}

export interface SplitReport {
  split: string;
  rules: { files: string[]; count: number };
  inputs: FileReadInfo[];
  /** How facts were placed, in words (explain says the same). */
  partition: string[];
  shards: { file: string; records: number; bytes: number }[];
  facts: { records: number; read: number; skipped: number };
  rejects: { count: number; file: string | null; first: Reject[] };
  timings: { readMs: number; writeMs: number; totalMs: number };
}

const DEFAULT_BLOCK_RECORDS = 1 << 16;

/** Splits the inputs; throws PartitionError when the rules (or the input) do not partition. */
export async function splitInput(opts: SplitOptions): Promise<SplitReport> {
  const started = performance.now();
  const n = opts.shards;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`-n: expected a shard count ≥ 1, got ${n}`);
  const compiled = compileRuleFiles(opts.rulesFiles);
  const partition = analyzePartition(compiled.rules, compiled.network);
  if (!partition.partitions) {
    const [first, ...more] = partition.problems;
    throw new PartitionError(
      `the rules do not partition: ${first!.message}${more.length > 0 ? ` (and ${plural(more.length, 'more reason')}: rete-eval explain -r … says all)` : ''}`,
    );
  }
  for (const path of opts.inputs) {
    if (path === '-') continue;
    try {
      if (statSync(path).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    } catch (e) {
      throw describeIoError(e, path, 'read');
    }
  }
  const files = prepareDir(opts.outDir, n);
  checkOutputTargets(
    [
      ...files.map((path) => ({ option: '--out-dir', path })),
      ...(opts.rejectsFile !== undefined ? [{ option: '--rejects', path: opts.rejectsFile }] : []),
      ...(opts.reportFile !== undefined ? [{ option: '--report', path: opts.reportFile }] : []),
    ],
    [...opts.inputs.map((path) => ({ option: 'input', path })), ...opts.rulesFiles.map((path) => ({ option: '-r', path }))],
  );

  const sinks: OutputSink[] = [];
  try {
    for (const f of files) sinks.push(OutputSink.file(f, { gzipLevel: opts.gzipLevel ?? 1 }));
    const rejectSink = opts.rejectsFile === undefined ? null : opts.rejectsFile === '-' ? OutputSink.stdout() : OutputSink.file(opts.rejectsFile);
    if (rejectSink) sinks.push(rejectSink);
    const reportSink = opts.reportFile === undefined ? null : opts.reportFile === '-' ? OutputSink.stdout() : OutputSink.file(opts.reportFile);
    if (reportSink) sinks.push(reportSink);

    const id = randomUUID();
    const signature = partitionSignature(partition);
    const shardSinks = sinks.slice(0, n);
    for (let k = 0; k < n; k++) shardSinks[k]!.write(shardHeaderLine({ split: id, shard: k, shards: n, partition: signature } satisfies ShardIdentity));
    const reader = new FactReader(opts.inputs, {
      format: opts.format ?? 'auto',
      onError: opts.onError ?? 'fail',
      onReject: rejectSink ? (r: Reject) => rejectSink.write(r.raw + '\n') : undefined,
      fields: readFields(partition),
      projectMinBytes: PROJECT_MIN_BYTES,
      records: 'text',
    });
    const placer = new Placer(partition, n, opts.inputs, opts.blockRecords ?? DEFAULT_BLOCK_RECORDS);
    const writer = new ShardWriter(n);
    const times = { readMs: 0, writeMs: 0, totalMs: 0 };
    const batches = reader.batches();
    for (;;) {
      let t = performance.now();
      const next = await batches.next();
      times.readMs += performance.now() - t;
      if (next.done) break;
      if (opts.onError === 'skip') checkRejects(reader.stats, opts.maxErrors, false);
      t = performance.now();
      const batch = next.value;
      const br = reader.batchRecords!;
      const shardOf = new Int32Array(batch.length);
      for (let i = 0; i < batch.length; i++) shardOf[i] = placer.place(batch[i]!, br.positions[i]!, br.ends[i]! - br.starts[i]! + 1);
      const out = writer.write(br, shardOf);
      for (let k = 0; k < n; k++) if (out[k] !== null) shardSinks[k]!.write(out[k]!);
      for (const s of sinks) await s.flush();
      times.writeMs += performance.now() - t;
    }
    // As run does: too many rejects, or an input all of whose records were rejected.
    if (opts.onError === 'skip') checkRejects(reader.stats, opts.maxErrors, true);
    placer.checkAddressing();
    const t = performance.now();
    for (const s of sinks) if (s !== reportSink) await s.finish();
    times.writeMs += performance.now() - t;
    times.totalMs = performance.now() - started;
    const report: SplitReport = {
      split: id,
      rules: { files: [...opts.rulesFiles], count: compiled.rules.length },
      inputs: reader.stats.files,
      partition: describePartition(partition),
      shards: files.map((file, k) => ({ file, records: writer.records[k]!, bytes: writer.bytes[k]! })),
      facts: { records: reader.stats.records, read: reader.stats.facts, skipped: reader.stats.skipped },
      rejects: { count: reader.stats.skipped, file: opts.rejectsFile ?? null, first: reader.stats.firstRejects },
      timings: times,
    };
    if (reportSink) {
      reportSink.write(JSON.stringify(report, null, 2) + '\n');
      await reportSink.finish();
    }
    for (const s of sinks) s.commit();
    return report;
  } catch (e) {
    for (const s of sinks) s.abort();
    throw e;
  }
}

/** The top-level keys split reads: those of the key classes' tests and keys, with their dotted prefixes. */
function readFields(p: Partition): string[] {
  const out = new Set<string>();
  const add = (path: string) => {
    for (let dot = path.indexOf('.'); dot >= 0; dot = path.indexOf('.', dot + 1)) out.add(path.slice(0, dot));
    out.add(path);
  };
  if (p.partitions && p.kind === 'keyed') {
    for (const c of p.classes) {
      for (const g of c.guard) add(g.path);
      if (c.key.kind === 'fields') for (const k of c.key.paths) add(k);
    }
  }
  return [...out];
}

/** Creates the output directory if needed; refuses one holding shard files of another split. */
function prepareDir(dir: string, n: number): string[] {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw describeIoError(e, dir, 'create the directory');
  }
  const files = Array.from({ length: n }, (_, k) => shardFileName(k, n));
  let present: string[];
  try {
    present = readdirSync(dir);
  } catch (e) {
    throw describeIoError(e, dir, 'read');
  }
  const stale = present.filter((f) => SHARD_FILE_PATTERN.test(f) && !files.includes(f));
  if (stale.length > 0) {
    throw new UsageError(
      `${join(dir, stale[0]!)} is a shard of another split (this one writes ${files[0]}${n > 1 ? ` … ${files[n - 1]}` : ''}): remove it, or split into an empty directory`,
    );
  }
  return files.map((f) => join(dir, f));
}

/** Where each fact goes: by key (keyed partitions), or in contiguous blocks (any cut works). */
class Placer {
  private readonly keys: ShardKeys | null;
  private readonly n: number;
  /** Content bytes of the whole input, when known (block placement by bytes). */
  private readonly total: number | null;
  private readonly blockRecords: number;
  private consumed = 0;
  /** Id addressing: ids of facts keyed by fields (not by their id), and the ids facts address. */
  private readonly keyedAway: Set<number> | null;
  private readonly addressed: Set<number> | null;
  private readonly partition: Partition;

  constructor(partition: Partition, n: number, inputs: readonly string[], blockRecords: number) {
    this.partition = partition;
    this.n = n;
    this.blockRecords = blockRecords;
    const keyed = partition.partitions && partition.kind === 'keyed' ? partition : null;
    this.keys = keyed === null ? null : new ShardKeys(keyed.classes, keyed.otherwise, n);
    this.total = keyed === null ? contentSize(inputs) : null;
    // One shard holds every fact: nothing can be addressed across shards.
    const addressing = keyed !== null && keyed.addressing.length > 0 && n > 1;
    this.keyedAway = addressing ? new Set() : null;
    this.addressed = addressing ? new Set() : null;
  }

  place(fact: import('../model/fact.js').Fact, position: number, bytes: number): number {
    const keys = this.keys;
    if (keys === null) {
      if (this.total === null) return Math.floor(position / this.blockRecords) % this.n;
      const k = Math.min(this.n - 1, Math.floor((this.consumed * this.n) / this.total));
      this.consumed += bytes;
      return k;
    }
    const shard = keys.shardOf(fact, position);
    if (this.keyedAway !== null && keys.placed === Placed.ByFields) {
      if (keys.keyText !== `n${fact.id}`) this.keyedAway.add(fact.id);
      if (keys.addresses && keys.keyText.charCodeAt(0) === 110 /* n */) this.addressed!.add(Number(keys.keyText.slice(1)));
    }
    return shard;
  }

  /** Rules address facts by id: no addressed fact may have been keyed by anything but its id. */
  checkAddressing(): void {
    if (this.keyedAway === null) return;
    for (const id of this.addressed!) {
      if (!this.keyedAway.has(id)) continue;
      const p = this.partition as Extract<Partition, { kind: 'keyed' }>;
      throw new PartitionError(
        `the input does not partition: rule ${p.addressing[0]} addresses fact ${id} by id, but fact ${id} is itself keyed by a field (${describePartition(p)[0]}), so it may be in another shard`,
      );
    }
  }
}

/**
 * The content size of the inputs when every one is a file: its size, or for gzip the size
 * its trailer gives (mod 2^32; only the balance of blocks depends on it). Null with stdin.
 */
function contentSize(inputs: readonly string[]): number | null {
  let total = 0;
  for (const path of inputs.length === 0 ? ['-'] : inputs) {
    if (path === '-') return null;
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const head = Buffer.alloc(4);
      if (readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b && size >= 4) {
        readSync(fd, head, 0, 4, size - 4);
        total += head.readUInt32LE(0);
      } else total += size;
    } finally {
      closeSync(fd);
    }
  }
  return total > 0 ? total : null;
}

/**
 * Writes a batch's records to their shards' buffers: each record's text as read (a newline
 * inside a pretty-printed record becomes a space, the same JSON), then its position when it
 * does not follow the shard's previous record, then a newline.
 */
class ShardWriter {
  readonly records: number[];
  readonly bytes: number[];
  /** Per shard: the position the next record takes without saying so. */
  private readonly next: number[];

  constructor(n: number) {
    this.records = new Array<number>(n).fill(0);
    this.bytes = new Array<number>(n).fill(0);
    this.next = new Array<number>(n).fill(0);
  }

  write(br: { positions: number[]; buf: Buffer; starts: number[]; ends: number[] }, shardOf: Int32Array): (Buffer | null)[] {
    const n = this.next.length;
    const size = new Array<number>(n).fill(0);
    const next = this.next.slice();
    const ends = new Int32Array(shardOf.length);
    for (let i = 0; i < shardOf.length; i++) {
      // The record's text without the whitespace (a CR of CRLF) that may follow it.
      let e = br.ends[i]!;
      while (e > br.starts[i]! && (br.buf[e - 1] === 32 || br.buf[e - 1] === 9 || br.buf[e - 1] === 13 || br.buf[e - 1] === 10)) e--;
      ends[i] = e;
      const k = shardOf[i]!;
      const pos = br.positions[i]!;
      size[k]! += e - br.starts[i]! + 1 + (pos === next[k] ? 0 : 1 + String(pos).length);
      next[k] = pos + 1;
    }
    const out = size.map((s) => (s === 0 ? null : Buffer.allocUnsafe(s)));
    const at = new Array<number>(n).fill(0);
    // The next newline in the batch's bytes at or after the record at hand (records come in
    // order, so the search runs over the bytes once).
    let nl = -1;
    for (let i = 0; i < shardOf.length; i++) {
      const k = shardOf[i]!;
      const b = out[k]!;
      const s = br.starts[i]!;
      const e = ends[i]!;
      let p = at[k]!;
      const start = p;
      p += br.buf.copy(b, p, s, e);
      if (nl < s && nl !== -2) nl = br.buf.indexOf(10, s);
      if (nl === -1) nl = -2;
      // A pretty-printed record: line ends between its tokens become spaces (one record, one line).
      if (nl >= 0 && nl < e) for (let q = start; q < p; q++) if (b[q] === 10 || b[q] === 13) b[q] = 32;
      const pos = br.positions[i]!;
      if (pos !== this.next[k]) p += b.write(` ${pos}`, p, 'latin1');
      b[p++] = 10;
      at[k] = p;
      this.next[k] = pos + 1;
      this.records[k]!++;
    }
    for (let k = 0; k < n; k++) this.bytes[k]! += at[k]!;
    return out;
  }
}
