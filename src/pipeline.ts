// One batch run, end to end: compile the rules, stream facts from the inputs through a
// session a batch at a time, write firings (or final facts) and rejects, and time each
// stage. Outputs are written whole or not at all.

import { compileRulesFile } from './engine.js';
import { FactReader, PROJECT_MIN_BYTES, type InputFormat, type Reject } from './io/reader.js';
import { ruleReads } from './model/reads.js';
import { OutputSink } from './io/output.js';
import { factLine, firingLine, type ValueStyle } from './io/serialize.js';
import type { Fact } from './model/fact.js';
import type { Firing } from './model/types.js';
import { buildReport, MemorySampler, type RunReport } from './report/report.js';
import { Session } from './rete/session.js';

export interface RunOptions {
  rulesFile: string;
  inputs: readonly string[];
  format?: InputFormat;
  /** File to write; stdout when undefined or `-`. */
  output?: string | undefined;
  emit?: 'firings' | 'facts';
  values?: ValueStyle;
  chain?: boolean;
  maxFirings?: number;
  onError?: 'fail' | 'skip';
  rejectsFile?: string | undefined;
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
  /** Called once the rules are compiled, with their warnings. */
  onRulesLoaded?: (warnings: readonly { path: string; message: string }[]) => void;
}

/** Runs a batch. Throws a RuleEvalError for bad input; on any throw, no output file is left. */
export async function runBatch(opts: RunOptions): Promise<RunReport> {
  const started = performance.now();
  const runStart = Date.now();
  const memory = new MemorySampler();
  const emit = opts.emit ?? 'firings';
  const style: ValueStyle = opts.values ?? 'plain';

  const compiled = compileRulesFile(opts.rulesFile);
  const compileMs = performance.now() - started;
  opts.onRulesLoaded?.(compiled.warnings);

  const out = opts.output === undefined || opts.output === '-' ? OutputSink.stdout() : OutputSink.file(opts.output);
  let rejects: OutputSink | null = null;
  try {
    if (opts.rejectsFile !== undefined) rejects = OutputSink.file(opts.rejectsFile);
    const rejectSink = rejects;
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

    // Firings and finished facts are gathered per batch and serialized after it, so the
    // evaluate and write stages are timed apart. Result records never alias live facts.
    const firings: Firing[] = [];
    const done: Fact[] = [];
    const session = new Session(compiled.network, {
      chain: opts.chain ?? true,
      maxFirings: opts.maxFirings ?? 0,
      onFiring: emit === 'firings' ? (f) => firings.push(f) : undefined,
      onFactDone: emit === 'facts' ? (f) => done.push(f) : undefined,
    });

    let readParseMs = 0;
    let evaluateMs = 0;
    let writeMs = 0;
    let lines = 0;
    let stoppedEarly: string | null = null;
    const write = async () => {
      const t = performance.now();
      for (let i = 0; i < firings.length; i++) out.write(firingLine(firings[i]!, style));
      for (let i = 0; i < done.length; i++) out.write(factLine(done[i]!, style, runStart));
      lines += firings.length + done.length;
      firings.length = 0;
      done.length = 0;
      await out.flush();
      if (rejectSink) await rejectSink.flush();
      writeMs += performance.now() - t;
    };

    const batches = reader.batches();
    for (;;) {
      let t = performance.now();
      const next = await batches.next();
      readParseMs += performance.now() - t;
      if (next.done) break;
      t = performance.now();
      const batch = next.value;
      for (let i = 0; i < batch.length; i++) session.insert(batch[i]!);
      evaluateMs += performance.now() - t;
      await write();
      memory.sample();
      opts.onProgress?.(reader.bytesRead, reader.stats.records);
      if (out.closed) {
        stoppedEarly = 'stdout was closed';
        await batches.return(undefined);
        break;
      }
    }
    const t = performance.now();
    session.end();
    evaluateMs += performance.now() - t;
    await write();
    memory.sample();
    await out.close();
    if (rejects) await rejects.close();

    return buildReport({
      rulesFile: opts.rulesFile,
      warnings: compiled.warnings.length,
      network: compiled.network,
      reader: reader.stats,
      session: session.stats,
      timings: { compileMs, readParseMs, evaluateMs, writeMs, totalMs: performance.now() - started },
      output: { target: out.name, emit, lines },
      memory,
      rejectsFile: opts.rejectsFile ?? null,
      stoppedEarly,
    });
  } catch (e) {
    out.abort();
    rejects?.abort();
    throw e;
  }
}
