// `rete-eval run`: wires the command-line options to a batch run, shows a progress bar on
// a TTY for large inputs, and prints the report (stderr) or writes it as JSON (--report).

import { Option, type Command } from 'commander';
import { runBatch } from '../pipeline.js';
import { OutputSink } from '../io/output.js';
import { UsageError } from '../model/errors.js';
import { formatReport } from '../report/human.js';
import type { RunReport } from '../report/report.js';
import { integerOption, useColor } from './options.js';
import { startProgress } from './progress.js';
/** Default for --max-firings: stops runaway rule loops, far above any real batch. */
export const DEFAULT_MAX_FIRINGS = 50_000_000;

interface RunFlags {
  rules: string;
  output?: string;
  format: 'auto' | 'ndjson' | 'json';
  emit: 'firings' | 'facts';
  values: 'plain' | 'tagged';
  chain: boolean;
  maxFirings: number;
  onError: 'fail' | 'skip';
  rejects?: string;
  report?: string;
  quiet?: boolean;
  progress: boolean;
  reader: 'auto' | 'projected' | 'whole';
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('evaluate facts (NDJSON, JSON array or {"facts":[...]}, gzip or not; stdin by default) against rules')
    .argument('[facts...]', 'fact files, read in order; none or - reads stdin')
    .requiredOption('-r, --rules <file>', 'rules file (JSON array or {"rules":[...]})')
    .option('-o, --output <file>', 'write results here (written whole, renamed into place; .gz compresses); default stdout')
    .addOption(new Option('--format <format>', 'input format').choices(['auto', 'ndjson', 'json']).default('auto'))
    .addOption(new Option('--emit <what>', 'write rule firings, or the final facts after actions').choices(['firings', 'facts']).default('firings'))
    .addOption(new Option('--values <style>', 'value style in output').choices(['plain', 'tagged']).default('plain'))
    .option('--no-chain', "do not re-match changed or created facts (the reference engine's behaviour)")
    .option('--max-firings <n>', 'stop with an error when firings, or facts created, pass n (0 = no limit)', integerOption(0), DEFAULT_MAX_FIRINGS)
    .addOption(new Option('--on-error <policy>', 'on a malformed fact: stop, or skip it and count it').choices(['fail', 'skip']).default('fail'))
    .option('--rejects <file>', 'with --on-error skip: write skipped records here, one per line, as read')
    .option('--report <file>', 'write the run report as JSON')
    .option('-q, --quiet', 'do not print the report on stderr')
    .option('--no-progress', 'never show a progress bar')
    .addOption(
      new Option(
        '--reader <kind>',
        'projected: parse only the fields the rules read (where results are the same); whole: parse every record whole; auto: projected from a few MB of input',
      )
        .choices(['auto', 'projected', 'whole'])
        .default('auto'),
    )
    .action(async (facts: string[], flags: RunFlags) => {
      if (flags.rejects !== undefined && flags.onError !== 'skip') throw new UsageError('--rejects needs --on-error skip');
      if (facts.filter((f) => f === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
      const bar = flags.progress && !flags.quiet ? startProgress(facts, process.stderr) : null;
      let report: RunReport;
      try {
        report = await runBatch({
          rulesFile: flags.rules,
          inputs: facts,
          format: flags.format,
          output: flags.output,
          emit: flags.emit,
          values: flags.values,
          chain: flags.chain,
          maxFirings: flags.maxFirings,
          onError: flags.onError,
          rejectsFile: flags.rejects,
          reader: flags.reader,
          readerWorkers: readerThreads(),
          onProgress: bar ? (bytes, records) => bar.update(bytes, records) : undefined,
          onRulesLoaded: (warnings) => {
            if (!flags.quiet) for (const w of warnings) process.stderr.write(`rete-eval: warning: ${flags.rules}: ${w.path}: ${w.message}\n`);
          },
        });
      } finally {
        bar?.stop();
      }
      if (flags.report !== undefined) {
        const sink = OutputSink.file(flags.report);
        sink.write(JSON.stringify(report, null, 2) + '\n');
        await sink.close();
      }
      if (!flags.quiet) process.stderr.write(formatReport(report, useColor(process.stderr)));
      else if (report.rejects.count > 0) {
        // Skipped records are never silent, even with --quiet.
        process.stderr.write(`rete-eval: warning: ${report.rejects.count} malformed records skipped${flags.rejects ? `, written to ${flags.rejects}` : ''}\n`);
      }
    });
}

/** RETE_EVAL_READER_THREADS=n sets the reader's worker threads (0: none), for measurements. */
function readerThreads(): number | 'auto' {
  const v = process.env.RETE_EVAL_READER_THREADS;
  if (v === undefined || v === '' || v === 'auto') return 'auto';
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`RETE_EVAL_READER_THREADS: expected an integer ≥ 0 or "auto", got "${v}"`);
  return n;
}
