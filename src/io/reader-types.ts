// The fact reader's contract, apart from how it reads: what it is asked (ReaderOptions) and
// what it reports (rejected records, per-file and reader statistics, the records behind a
// batch). Types only; reader.ts exports them beside FactReader.

import type { BufferPool } from './chunker.js';
import type { DetectedFormat, InputFormat } from './detect.js';

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
  /**
   * The top-level keys to read (see ruleReads): facts hold only these fields (plus the id,
   * timestamp and external id), and everything else is validated and skipped. Undefined or
   * null: whole records.
   */
  fields?: readonly string[] | null;
  /** Why whole records are read, for the report (when `fields` is not given). */
  wholeReason?: string;
  /** Worker threads for the projected reader: a count, or `auto` (by input size and cores). */
  workers?: number | 'auto';
  /**
   * Files smaller than this (when their size is known) are read whole even when `fields`
   * is given: below a few MB the scanner's warm-up costs more than it saves. Default 0.
   */
  projectMinBytes?: number;
  /**
   * Chunk buffers to share with other readers (a server's requests): a fresh 1 MiB buffer
   * costs about 0.25 ms to allocate and zero, more than reading a small request. Default:
   * the reader's own.
   */
  buffers?: BufferPool | undefined;
  /**
   * Whether a shard file (written by `rete-eval split`) may be read. A shard is read alone:
   * its header is kept in `stats.shard`, and its records take the positions they carry.
   * Default false: a shard among the inputs is refused with a message saying how to run it.
   */
  shardFiles?: boolean;
  /**
   * Keep, for each batch, the records behind its facts (`batchRecords`): their input
   * positions, and with `text` the records' text as read too.
   */
  records?: 'positions' | 'text';
}

/**
 * The records behind the facts of the batch yielded last (ReaderOptions.records), one per
 * fact, in the same order; valid until the next batch is asked for. `buf`, `starts` and
 * `ends` are filled only when the text was asked for.
 */
export interface BatchRecords {
  /** Each fact's position in the whole input: the ordinal that numbers flat records without an id. */
  readonly positions: number[];
  /** The records' text, as read: record i is buf[starts[i], ends[i]) (UTF-8). */
  buf: Buffer;
  readonly starts: number[];
  readonly ends: number[];
}

/** Which decoder read a file. */
export type ReaderKind = 'projected' | 'whole' | 'stream-json';

export interface FileReadInfo {
  readonly name: string;
  format: DetectedFormat | null;
  gzip: boolean;
  records: number;
  skipped: number;
  reader: ReaderKind | null;
}

/** How the records were decoded, for the report. */
export interface ReaderInfo {
  /** `projected`, or `whole` (also when some file needed stream-json). */
  kind: 'projected' | 'whole';
  /** The keys read (projected). */
  readonly fields: readonly string[];
  /** Why the reader is what it is. */
  reason: string;
  /** Worker threads used (0: all on the main thread). */
  workers: number;
  /** Projected: records the scanner left to the whole-record decoder (invalid or unusual ones). */
  slowRecords: number;
}

export interface ReaderStats {
  records: number;
  facts: number;
  skipped: number;
  /** The first skipped records, for the report. */
  readonly firstRejects: Reject[];
  readonly files: FileReadInfo[];
  readonly reader: ReaderInfo;
  /** The header object of the shard file read (ReaderOptions.shardFiles), else null. */
  shard: Record<string, unknown> | null;
}
