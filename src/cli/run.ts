// `rete-eval run`: wires the command-line options to a batch run, shows a progress bar on
// a TTY for large inputs, prints rule warnings and the report on stderr (the pipeline
// writes --report), and hints when stdin is a terminal.

import { Option, type Command } from 'commander';
import { runBatch } from '../pipeline.js';
import { ExitCode, formatIssue, UsageError } from '../model/errors.js';
import { plural } from '../model/words.js';
import { formatReport } from '../report/human.js';
import type { RunReport } from '../report/report.js';
import type { RulesFormatOption } from '../engine.js';
import { collect, exitCodesHelp, integerOption, rulesFormatOption, useColor } from './options.js';
import { startProgress } from './progress.js';

/** Default for --max-firings: stops runaway rule loops, far above any real batch. */
export const DEFAULT_MAX_FIRINGS = 50_000_000;

interface RunFlags {
  rules?: string[];
  rulesFormat: RulesFormatOption;
  output?: string;
  format: 'auto' | 'ndjson' | 'json';
  emit: 'firings' | 'facts';
  values: 'plain' | 'tagged';
  chain: boolean;
  maxFirings: number;
  maxHeap?: number;
  onError: 'fail' | 'skip';
  maxErrors?: number;
  rejects?: string;
  report?: string;
  strict?: boolean;
  quiet?: boolean;
  progress: boolean;
  reader: 'auto' | 'projected' | 'whole';
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('evaluate facts (NDJSON, JSON array or {"facts":[...]}, gzip or not; stdin by default) against rules')
    .argument('[facts...]', 'fact files, read in order; none or - reads stdin')
    .option('-r, --rules <file>', 'rules file (JSON array or {"rules":[...]}, or json-rules-engine rules); repeat to load several as one rule set', collect)
    .addOption(rulesFormatOption())
    .option('-o, --output <file>', 'write results here (written whole, renamed into place; .gz compresses); default or -: stdout')
    .addOption(new Option('--format <format>', 'input format').choices(['auto', 'ndjson', 'json']).default('auto'))
    .addOption(new Option('--emit <what>', 'write rule firings, or the final facts after actions').choices(['firings', 'facts']).default('firings'))
    .addOption(new Option('--values <style>', 'value style in output').choices(['plain', 'tagged']).default('plain'))
    .option('--no-chain', "do not re-match changed or created facts (the reference engine's behaviour)")
    .option('--max-firings <n>', 'stop with an error when firings, or facts created, pass n (0 = no limit)', integerOption(0), DEFAULT_MAX_FIRINGS)
    .option(
      '--max-heap <MB>',
      `stop with an error (exit ${ExitCode.LIMIT}) when working memory passes this many MB of JS heap (0 = no limit; default: 85% of the heap limit)`,
      integerOption(0),
    )
    .addOption(new Option('--on-error <policy>', 'on a malformed fact: stop, or skip it and count it').choices(['fail', 'skip']).default('fail'))
    .option(
      '--max-errors <n>',
      `with --on-error skip: fail (exit ${ExitCode.INVALID_FACTS}) when more than n records are rejected (default: when every record of an input file is)`,
      integerOption(0),
    )
    .option('--rejects <file>', 'with --on-error skip: write skipped records here, one per line, as read (- for stdout)')
    .option('--report <file>', 'write the run report as JSON (- for stdout); also written when a limit stops the run')
    .option('--strict', `treat warnings about the rules as errors (exit ${ExitCode.INVALID_RULES})`)
    .option('-q, --quiet', 'do not print the report on stderr (warnings about the rules and skipped records are still printed)')
    .option('--no-progress', 'never show a progress bar')
    .addOption(
      new Option(
        '--reader <kind>',
        'projected: parse only the fields the rules read (where results are the same); whole: parse every record whole; auto: projected from a few MB of input',
      )
        .choices(['auto', 'projected', 'whole'])
        .default('auto'),
    )
    .addHelpText('after', exitCodesHelp())
    .action(async (facts: string[], flags: RunFlags) => {
      const rules = flags.rules ?? [];
      if (rules.length === 0) throw new UsageError('run needs a rules file: -r, --rules <file>');
      if (flags.rejects !== undefined && flags.onError !== 'skip') throw new UsageError('--rejects needs --on-error skip');
      if (flags.maxErrors !== undefined && flags.onError !== 'skip') throw new UsageError('--max-errors needs --on-error skip');
      if (facts.filter((f) => f === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
      if ((facts.length === 0 || facts.includes('-')) && process.stdin.isTTY === true) {
        // Not an error (`rete-eval run -r r.json` then typed or pasted facts works), but
        // without a word it looks like a hang.
        process.stderr.write('rete-eval: reading facts from stdin (the terminal); end with Ctrl-D, or name fact files: rete-eval run -r RULES FACTS...\n');
      }
      const bar = flags.progress && !flags.quiet ? startProgress(facts, process.stderr) : null;
      let report: RunReport;
      try {
        report = await runBatch({
          rulesFiles: rules,
          rulesFormat: flags.rulesFormat,
          inputs: facts,
          format: flags.format,
          output: flags.output,
          emit: flags.emit,
          values: flags.values,
          chain: flags.chain,
          maxFirings: flags.maxFirings,
          maxHeapBytes: flags.maxHeap === undefined ? undefined : flags.maxHeap * 2 ** 20,
          onError: flags.onError,
          maxErrors: flags.maxErrors,
          rejectsFile: flags.rejects,
          reportFile: flags.report,
          strict: flags.strict === true,
          reader: flags.reader,
          readerWorkers: readerThreads(),
          onProgress: bar ? (bytes, records) => bar.update(bytes, records) : undefined,
          onRulesLoaded: (warnings) => {
            // Never hidden by --quiet: a typo in a rule changes what the run does.
            for (const w of warnings) process.stderr.write(`rete-eval: warning: ${formatIssue(w, rules[0], { withRule: true })}\n`);
          },
        });
      } finally {
        bar?.stop();
      }
      if (!flags.quiet) process.stderr.write(formatReport(report, useColor(process.stderr)));
      else if (report.rejects.count > 0) {
        // Skipped records are never silent, even with --quiet.
        const where = flags.rejects === undefined ? '' : flags.rejects === '-' ? ', written to stdout' : `, written to ${flags.rejects}`;
        process.stderr.write(`rete-eval: warning: ${plural(report.rejects.count, 'malformed record')} skipped${where}\n`);
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
