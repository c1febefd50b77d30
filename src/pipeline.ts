// One batch run, end to end: compile the rules, check every input and output before any
// work, stream facts from the inputs through a session a batch at a time, write firings (or
// final facts), rejects and the report, and time each stage. Outputs are put in place
// together, only when the whole run succeeded; a run stopped by a limit still writes its report.
// The read-evaluate-write loop (StreamRun) is shared with `serve`, which writes to HTTP responses.

import { accessSync, constants, statSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { compileRuleFiles, type RulesFormatOption } from './engine.js';
import type { BufferPool } from './io/chunker.js';
import { FactReader, PROJECT_MIN_BYTES, type InputFormat, type Reject } from './io/reader.js';
import type { Source } from './io/source.js';
import type { RuleReads } from './model/reads.js';
import { checkOutputTargets, OutputSink } from './io/output.js';
import { checkRejects } from './io/reject-limit.js';
import { ByteWriter } from './io/byte-writer.js';
import { FiringWriter, factLine, type ValueStyle } from './io/serialize.js';
import { describeIoError, InputError, LimitError, RejectLimitError, type RuleIssue } from './model/errors.js';
import type { Fact } from './model/fact.js';
import { buildReport, MemorySampler, type RunReport, type StageTimes } from './report/report.js';
import { FiringLog } from './rete/firing-log.js';
import type { Network } from './rete/network.js';
import { Session } from './rete/session.js';
import { ShardRun } from './shard/shard-run.js';

export interface RunOptions {
  /** One rules file; or give several as `rulesFiles` (they load as one rule set). */
  rulesFile?: string;
  rulesFiles?: readonly string[];
  /** The rule files' format: `auto` (default, detected per file), `rete` or `json-rules-engine`. */
  rulesFormat?: RulesFormatOption;
  inputs: readonly string[];
  format?: InputFormat;
  /** File to write; stdout when undefined or `-`. */
  output?: string | undefined;
  emit?: 'firings' | 'facts';
  values?: ValueStyle;
  chain?: boolean;
  maxFirings?: number;
  /**
   * Stop (LimitError) when the JS heap in use passes this many bytes, naming the rules firing
   * most: a rule that keeps creating facts ends with a message, not a crash. 0 = no limit.
   * Default: 85% of V8's heap limit.
   */
  maxHeapBytes?: number | undefined;
  onError?: 'fail' | 'skip';
  /** Skipped records, one a line as read; `-` is stdout. */
  rejectsFile?: string | undefined;
  /** The report as JSON; `-` is stdout. Written also when a limit stopped the run. */
  reportFile?: string | undefined;
  /**
   * With onError 'skip': fail (RejectLimitError) once more than this many records were
   * rejected. Undefined: fail only when every record of an input file was rejected.
   */
  maxErrors?: number | undefined;
  /** Rule warnings count as errors. */
  strict?: boolean;
  /**
   * `projected`: facts hold only the fields the rules read, where that gives the same
   * results (not with --emit facts, which writes whole facts); `whole`: every record is
   * parsed whole; `auto` (default): projected, but files under a few MB are read whole.
   */
  reader?: 'auto' | 'projected' | 'whole';
  /** Worker threads for the projected reader (default `auto`: by input size and cores). */
  readerWorkers?: number | 'auto';
  /** Raw input bytes read and records decoded so far, after each batch (progress). */
  onProgress?: (bytes: number, records: number) => void;
  /** Called once the rules are compiled, with their warnings (each names its file and line). */
  onRulesLoaded?: (warnings: readonly RuleIssue[]) => void;
}

/**
 * Runs a batch. Throws a RuleEvalError for bad input; on any throw no output file is put in
 * place, except the report when a limit (LimitError, RejectLimitError) stopped the run.
 */
export async function runBatch(opts: RunOptions): Promise<RunReport> {
  const started = performance.now();
  const emit = opts.emit ?? 'firings';
  const style: ValueStyle = opts.values ?? 'plain';
  const rulesFiles = opts.rulesFiles ?? (opts.rulesFile !== undefined ? [opts.rulesFile] : []);
  if (rulesFiles.length === 0) throw new InputError('no rules file given');

  const compiled = compileRuleFiles(rulesFiles, { strict: opts.strict === true, format: opts.rulesFormat });
  const compileMs = performance.now() - started;
  opts.onRulesLoaded?.(compiled.warnings);

  // Everything that can be checked before reading: inputs exist, outputs can be created and
  // do not write over each other or over an input.
  checkInputs(opts.inputs);
  const requests = [
    { option: '-o', path: opts.output },
    ...(opts.rejectsFile !== undefined ? [{ option: '--rejects', path: opts.rejectsFile }] : []),
    ...(opts.reportFile !== undefined ? [{ option: '--report', path: opts.reportFile }] : []),
  ];
  checkOutputTargets(requests, [...opts.inputs.map((path) => ({ option: 'input', path })), ...rulesFiles.map((path) => ({ option: '-r', path }))]);
  // A shard file (rete-eval split) is run as a shard: ids created apart, firings marked for merge.
  const shard = await ShardRun.open(opts.inputs, compiled.rules, compiled.network, { emit, values: style, chain: opts.chain ?? true });
  const sinks: OutputSink[] = [];
  const open = (path: string | undefined): OutputSink => {
    const sink = path === undefined || path === '-' ? OutputSink.stdout() : OutputSink.file(path);
    sinks.push(sink);
    return sink;
  };
  let out: OutputSink;
  let rejectSink: OutputSink | null;
  let reportSink: OutputSink | null;
  try {
    out = open(opts.output);
    rejectSink = opts.rejectsFile !== undefined ? open(opts.rejectsFile) : null;
    reportSink = opts.reportFile !== undefined ? open(opts.reportFile) : null;
  } catch (e) {
    for (const s of sinks) s.abort();
    throw e;
  }

  const core = new StreamRun(
    {
      network: compiled.network,
      reads: compiled.network.reads,
      inputs: opts.inputs,
      format: opts.format,
      emit,
      values: style,
      chain: opts.chain,
      maxFirings: opts.maxFirings,
      maxHeapBytes: opts.maxHeapBytes,
      onError: opts.onError,
      maxErrors: opts.maxErrors,
      onReject: rejectSink ? (r: Reject) => rejectSink.write(r.raw + '\n') : undefined,
      reader: opts.reader,
      projectMinBytes: (opts.reader ?? 'auto') === 'auto' ? PROJECT_MIN_BYTES : 0,
      readerWorkers: opts.readerWorkers ?? 'auto',
      onProgress: opts.onProgress,
      shard,
      rulesFiles,
      warnings: compiled.warnings.length,
      rejectsFile: opts.rejectsFile ?? null,
      started,
      compileMs,
    },
    out,
    rejectSink,
  );

  try {
    await core.run();
    // Everything written and synced first; then the report; then all put in place.
    await out.finish();
    if (rejectSink) await rejectSink.finish();
    const result = core.report(null);
    if (reportSink) {
      reportSink.write(JSON.stringify(result, null, 2) + '\n');
      await reportSink.finish();
    }
    for (const s of sinks) s.commit();
    return result;
  } catch (e) {
    out.abort();
    rejectSink?.abort();
    if (reportSink && (e instanceof LimitError || e instanceof RejectLimitError)) {
      // The run stopped on a limit: its report says how far it got and why.
      try {
        reportSink.write(JSON.stringify(core.report({ code: e.code, exitCode: e.exitCode, message: e.message }), null, 2) + '\n');
        await reportSink.close();
      } catch {
        // The limit is what the user must hear about; a report that cannot be written is left out.
        reportSink.abort();
      }
    } else reportSink?.abort();
    throw e;
  }
}

/** Where a run's lines go: an OutputSink (a file, stdout) or an HTTP response. */
export interface LineSink {
  /** The name the report gives the output. */
  readonly name: string;
  /** Queues text. */
  write(text: string): void;
  /** Queues encoded whole lines, as bytes. */
  writeBytes(chunks: readonly Buffer[]): void;
  /** Writes what is queued; may wait while too much is unwritten (backpressure). Throws on a write failure. */
  flush(): Promise<void>;
  /** True once the reader has gone away (a closed stdout): the run stops reading, quietly. */
  readonly closed: boolean;
}

/** What the read-evaluate-write loop of a run needs: compiled rules, inputs, and how to run. */
export interface StreamRunOptions {
  network: Network;
  /** What the rules read (Network.reads): the projected reader's fields, or why records are read whole. */
  reads: RuleReads;
  inputs: readonly (string | Source)[];
  format?: InputFormat | undefined;
  emit: 'firings' | 'facts';
  values: ValueStyle;
  chain?: boolean | undefined;
  maxFirings?: number | undefined;
  /** As RunOptions.maxHeapBytes (default: 85% of V8's heap limit). */
  maxHeapBytes?: number | undefined;
  onError?: 'fail' | 'skip' | undefined;
  maxErrors?: number | undefined;
  onReject?: ((r: Reject) => void) | undefined;
  reader?: 'auto' | 'projected' | 'whole' | undefined;
  /** Inputs smaller than this (when their size is known) are read whole (ReaderOptions.projectMinBytes). */
  projectMinBytes: number;
  readerWorkers: number | 'auto';
  /** Chunk buffers shared with other runs (ReaderOptions.buffers); default: the reader's own. */
  buffers?: BufferPool | undefined;
  onProgress?: ((bytes: number, records: number) => void) | undefined;
  /**
   * Called after each batch is written and before the end-of-input rules: throw to abandon
   * the run at once (an HTTP client gone, a deadline passed).
   */
  checkpoint?: (() => void) | undefined;
  /** The run is over a shard file (ShardRun.open): its positions, created ids and markers. */
  shard?: ShardRun | null | undefined;
  /** For the report: the rule files, their warnings, the rejects file, when the run started, compile time. */
  rulesFiles: readonly string[];
  warnings: number;
  rejectsFile: string | null;
  started: number;
  compileMs: number;
}

/**
 * The core of a run, shared by `run` and `serve`: reads facts from the inputs a batch at a
 * time, inserts them into a session of its own, and writes firing lines (or final facts)
 * to a LineSink after each batch, timing each stage. Opening and committing the outputs is
 * the caller's.
 */
export class StreamRun {
  readonly reader: FactReader;
  readonly session: Session;
  /** Lines written so far. */
  lines = 0;
  private readonly opts: StreamRunOptions;
  private readonly out: LineSink;
  private readonly rejects: LineSink | null;
  private readonly memory = new MemorySampler();
  private readonly times = { compileMs: 0, readParseMs: 0, evaluateMs: 0, writeMs: 0, totalMs: 0 };
  private readonly log: FiringLog | null;
  private readonly writer: FiringWriter;
  private readonly bytes = new ByteWriter();
  private readonly done: Fact[] = [];
  private stoppedEarly: string | null = null;

  constructor(opts: StreamRunOptions, out: LineSink, rejects: LineSink | null = null) {
    this.opts = opts;
    this.out = out;
    this.rejects = rejects;
    this.times.compileMs = opts.compileMs;
    const reads = opts.reads;
    const wholeReason =
      opts.reader === 'whole' ? '--reader whole' : opts.emit === 'facts' ? '--emit facts writes whole facts' : reads.whole ? reads.reason : undefined;
    this.reader = new FactReader(opts.inputs, {
      format: opts.format ?? 'auto',
      onError: opts.onError ?? 'fail',
      onReject: opts.onReject,
      fields: wholeReason === undefined && !reads.whole ? reads.fields : null,
      wholeReason,
      projectMinBytes: opts.projectMinBytes,
      workers: opts.readerWorkers,
      buffers: opts.buffers,
      shardFiles: opts.shard != null,
      records: opts.shard != null ? 'positions' : undefined,
    });
    // Firings (in the session's compact log) and finished facts are gathered per batch and
    // serialized after it, so the evaluate and write stages are timed apart. Result records
    // never alias live facts.
    this.log = opts.emit === 'firings' ? new FiringLog(opts.network) : null;
    this.writer = new FiringWriter(opts.values);
    const done = this.done;
    this.session = new Session(opts.network, {
      chain: opts.chain ?? true,
      maxFirings: opts.maxFirings ?? 0,
      maxHeapBytes: opts.maxHeapBytes ?? Math.floor(0.85 * getHeapStatistics().heap_size_limit),
      log: this.log ?? undefined,
      createdIds: opts.shard?.createdIds,
      onFactDone: opts.emit === 'facts' ? (f) => done.push(f) : undefined,
    });
  }

  /** Reads, evaluates and writes everything, end-of-input rules included. Throws RuleEvalError for bad input or a limit. */
  async run(): Promise<void> {
    const { reader, session, times, opts, out } = this;
    const shard = opts.shard ?? null;
    const skipping = opts.onError === 'skip';
    const batches = reader.batches();
    try {
      for (;;) {
        let t = performance.now();
        const next = await batches.next();
        times.readParseMs += performance.now() - t;
        if (next.done) break;
        if (skipping) checkRejects(reader.stats, opts.maxErrors, false);
        t = performance.now();
        const batch = next.value;
        if (shard !== null) shard.insert(session, batch, reader.batchRecords!.positions, this.log!);
        else for (let i = 0; i < batch.length; i++) session.insert(batch[i]!);
        times.evaluateMs += performance.now() - t;
        await this.write();
        this.memory.sample();
        opts.onProgress?.(reader.bytesRead, reader.stats.records);
        // Only stdout closes (its reader left); other sinks fail instead.
        if (out.closed) {
          this.stoppedEarly = 'stdout was closed';
          break;
        }
        opts.checkpoint?.();
      }
    } finally {
      // Stops reading (closes the inputs) when the loop did not reach the end.
      await batches.return(undefined);
    }
    if (skipping) checkRejects(reader.stats, opts.maxErrors, this.stoppedEarly === null);
    opts.checkpoint?.();
    const t = performance.now();
    shard?.endInput();
    session.end();
    times.evaluateMs += performance.now() - t;
    await this.write();
    if (shard !== null) {
      out.write(shard.trailer(session));
      await out.flush();
    }
    this.memory.sample();
  }

  /** Serializes the batch's firings (or finished facts) and hands them to the sink. */
  private async write(): Promise<void> {
    const t = performance.now();
    const { log, out, done } = this;
    const shard = this.opts.shard ?? null;
    if (shard !== null && log !== null) {
      // A shard's firings go with the markers merge needs (and its header, before any).
      shard.write(this.writer, log, this.bytes);
      out.writeBytes(this.bytes.take());
      this.lines += log.length;
      log.clear();
    } else if (log !== null && log.length > 0) {
      this.writer.write(log, this.bytes);
      out.writeBytes(this.bytes.take());
      this.lines += log.length;
      log.clear();
    }
    for (let i = 0; i < done.length; i++) out.write(factLine(done[i]!, this.opts.values));
    this.lines += done.length;
    done.length = 0;
    await out.flush();
    if (this.rejects) await this.rejects.flush();
    this.times.writeMs += performance.now() - t;
  }

  /** Time spent so far in each stage (ms). */
  timings(): StageTimes {
    return { ...this.times, totalMs: performance.now() - this.opts.started };
  }

  /** The run report as things stand (`error`: the limit that stopped the run, if one did). */
  report(error: RunReport['error']): RunReport {
    const opts = this.opts;
    return buildReport({
      rulesFiles: opts.rulesFiles,
      warnings: opts.warnings,
      network: opts.network,
      reader: this.reader.stats,
      session: this.session.stats,
      timings: this.timings(),
      output: { target: this.out.name, emit: opts.emit, lines: this.lines },
      shard: opts.shard?.identity,
      memory: this.memory,
      rejectsFile: opts.rejectsFile,
      stoppedEarly: error?.message ?? this.stoppedEarly,
      error,
    });
  }
}

/** Fails early, before any output is created, on an input that cannot be read. */
function checkInputs(inputs: readonly string[]): void {
  for (const path of inputs) {
    if (path === '-') continue;
    try {
      if (statSync(path).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      accessSync(path, constants.R_OK);
    } catch (e) {
      throw describeIoError(e, path, 'read');
    }
  }
}
