// One batch run, end to end: compile the rules, check every input and output before any
// work, stream facts from the inputs through a session a batch at a time, write firings (or
// final facts), rejects and the report, and time each stage. Outputs are put in place
// together, only when the whole run succeeded; a run stopped by a limit still writes its report.

import { accessSync, constants, statSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { compileRuleFiles, type RulesFormatOption } from './engine.js';
import { FactReader, PROJECT_MIN_BYTES, type InputFormat, type Reject } from './io/reader.js';
import { ruleReads } from './model/reads.js';
import { checkOutputTargets, OutputSink } from './io/output.js';
import { FiringWriter, factLine, type ValueStyle } from './io/serialize.js';
import { describeIoError, InputError, LimitError, RejectLimitError, type RuleIssue } from './model/errors.js';
import type { Fact } from './model/fact.js';
import { buildReport, MemorySampler, type RunReport } from './report/report.js';
import { FiringLog } from './rete/firing-log.js';
import { Session } from './rete/session.js';

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
  const memory = new MemorySampler();
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

  const reads = ruleReads(compiled.rules);
  const wholeReason =
    opts.reader === 'whole' ? '--reader whole' : emit === 'facts' ? '--emit facts writes whole facts' : reads.whole ? reads.reason : undefined;
  const reader = new FactReader(opts.inputs, {
    format: opts.format ?? 'auto',
    onError: opts.onError ?? 'fail',
    onReject: rejectSink ? (r: Reject) => rejectSink.write(r.raw + '\n') : undefined,
    fields: wholeReason === undefined && !reads.whole ? reads.fields : null,
    wholeReason,
    projectMinBytes: (opts.reader ?? 'auto') === 'auto' ? PROJECT_MIN_BYTES : 0,
    workers: opts.readerWorkers ?? 'auto',
  });
  const skipping = opts.onError === 'skip';
  // Firings (in the session's compact log) and finished facts are gathered per batch and
  // serialized after it, so the evaluate and write stages are timed apart. Result records
  // never alias live facts.
  const log = emit === 'firings' ? new FiringLog(compiled.network) : null;
  const writer = new FiringWriter(style);
  const done: Fact[] = [];
  const session = new Session(compiled.network, {
    chain: opts.chain ?? true,
    maxFirings: opts.maxFirings ?? 0,
    maxHeapBytes: opts.maxHeapBytes ?? Math.floor(0.85 * getHeapStatistics().heap_size_limit),
    log: log ?? undefined,
    onFactDone: emit === 'facts' ? (f) => done.push(f) : undefined,
  });
  const times = { compileMs, readParseMs: 0, evaluateMs: 0, writeMs: 0, totalMs: 0 };
  let lines = 0;
  let stoppedEarly: string | null = null;
  const report = (error: RunReport['error']) =>
    buildReport({
      rulesFiles,
      warnings: compiled.warnings.length,
      network: compiled.network,
      reader: reader.stats,
      session: session.stats,
      timings: { ...times, totalMs: performance.now() - started },
      output: { target: out.name, emit, lines },
      memory,
      rejectsFile: opts.rejectsFile ?? null,
      stoppedEarly: error?.message ?? stoppedEarly,
      error,
    });

  try {
    const write = async () => {
      const t = performance.now();
      if (log !== null && log.length > 0) {
        out.write(writer.lines(log));
        lines += log.length;
        log.clear();
      }
      for (let i = 0; i < done.length; i++) out.write(factLine(done[i]!, style));
      lines += done.length;
      done.length = 0;
      await out.flush();
      if (rejectSink) await rejectSink.flush();
      times.writeMs += performance.now() - t;
    };

    const batches = reader.batches();
    for (;;) {
      let t = performance.now();
      const next = await batches.next();
      times.readParseMs += performance.now() - t;
      if (next.done) break;
      if (skipping) checkRejects(reader, opts.maxErrors, false);
      t = performance.now();
      const batch = next.value;
      for (let i = 0; i < batch.length; i++) session.insert(batch[i]!);
      times.evaluateMs += performance.now() - t;
      await write();
      memory.sample();
      opts.onProgress?.(reader.bytesRead, reader.stats.records);
      if (out.closed) {
        stoppedEarly = 'stdout was closed';
        await batches.return(undefined);
        break;
      }
    }
    if (skipping) checkRejects(reader, opts.maxErrors, stoppedEarly === null);
    const t = performance.now();
    session.end();
    times.evaluateMs += performance.now() - t;
    await write();
    memory.sample();
    // Everything written and synced first; then the report; then all put in place.
    await out.finish();
    if (rejectSink) await rejectSink.finish();
    const result = report(null);
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
        reportSink.write(JSON.stringify(report({ code: e.code, exitCode: e.exitCode, message: e.message }), null, 2) + '\n');
        await reportSink.close();
      } catch {
        // The limit is what the user must hear about; a report that cannot be written is left out.
        reportSink.abort();
      }
    } else reportSink?.abort();
    throw e;
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

/**
 * The --max-errors rule: more than `max` rejected records fails the run; without `max`,
 * an input file all of whose records were rejected does (checked for files read to the
 * end: all of them once `atEnd`).
 */
function checkRejects(reader: FactReader, max: number | undefined, atEnd: boolean): void {
  const stats = reader.stats;
  if (max !== undefined) {
    if (stats.skipped > max) {
      throw new RejectLimitError(`more than ${max} ${max === 1 ? 'record' : 'records'} rejected (--max-errors ${max})${example(stats.firstRejects[0])}`);
    }
    return;
  }
  const files = atEnd ? stats.files : stats.files.slice(0, -1);
  for (const f of files) {
    if (f.records > 0 && f.skipped === f.records) {
      throw new RejectLimitError(
        `${f.name}: every record was rejected (${f.records} of ${f.records}): is it the right file? ` +
          `give --max-errors N to accept up to N rejects${example(stats.firstRejects.find((r) => r.file === f.name))}`,
      );
    }
  }
}

/** `; the first: FILE:LINE:COL: reason`, or '' when no reject is known. */
function example(r: Reject | undefined): string {
  if (r === undefined) return '';
  const where = r.line === undefined ? r.file : `${r.file}:${r.line}${r.column !== undefined ? `:${r.column}` : ''}`;
  return `; the first: ${where}: ${r.jsonPath ? r.jsonPath + ': ' : ''}${r.reason}`;
}
