// `rete-eval split`: cuts fact files into N gzip NDJSON shards that can each be run with
// `rete-eval run` (anywhere: GNU parallel, other hosts) and merged back with `rete-eval
// merge`; refuses rules that do not partition, saying why. Prints a summary on stderr.

import { Option, type Command } from 'commander';
import { UsageError } from '../model/errors.js';
import { formatCount, plural } from '../model/words.js';
import { formatMs } from '../report/human.js';
import { splitInput } from '../shard/split.js';
import { collect, exitCodesHelp, integerOption } from './options.js';

interface SplitFlags {
  rules?: string[];
  shards?: number;
  outDir?: string;
  format: 'auto' | 'ndjson' | 'json';
  onError: 'fail' | 'skip';
  maxErrors?: number;
  rejects?: string;
  report?: string;
  quiet?: boolean;
}

export function registerSplit(program: Command): void {
  program
    .command('split')
    .description('cut fact files into N shards that rete-eval run can evaluate apart (GNU parallel, other hosts) and rete-eval merge puts back together')
    .argument('[facts...]', 'fact files, read in order; none or - reads stdin')
    .option('-r, --rules <file>', 'rules file; repeat to load several as one rule set (the shards are run with the same rules)', collect)
    .option('-n, --shards <n>', 'number of shards', integerOption(1))
    .option('--out-dir <dir>', 'write shard-0.ndjson.gz … here (created if missing)')
    .addOption(new Option('--format <format>', 'input format').choices(['auto', 'ndjson', 'json']).default('auto'))
    .addOption(new Option('--on-error <policy>', 'on a malformed fact: stop, or skip it and count it').choices(['fail', 'skip']).default('fail'))
    .option('--max-errors <n>', 'with --on-error skip: fail when more than n records are rejected', integerOption(0))
    .option('--rejects <file>', 'with --on-error skip: write skipped records here, one per line (- for stdout)')
    .option('--report <file>', 'write what split did as JSON (- for stdout)')
    .option('-q, --quiet', 'do not print the summary on stderr')
    .addHelpText('after', exitCodesHelp())
    .action(async (facts: string[], flags: SplitFlags) => {
      const rules = flags.rules ?? [];
      if (rules.length === 0) throw new UsageError('split needs a rules file: -r, --rules <file>');
      if (flags.shards === undefined) throw new UsageError('split needs a shard count: -n, --shards <n>');
      if (flags.outDir === undefined) throw new UsageError('split needs an output directory: --out-dir <dir>');
      if (flags.rejects !== undefined && flags.onError !== 'skip') throw new UsageError('--rejects needs --on-error skip');
      if (flags.maxErrors !== undefined && flags.onError !== 'skip') throw new UsageError('--max-errors needs --on-error skip');
      const r = await splitInput({
        rulesFiles: rules,
        inputs: facts,
        shards: flags.shards,
        outDir: flags.outDir,
        format: flags.format,
        onError: flags.onError,
        maxErrors: flags.maxErrors,
        rejectsFile: flags.rejects,
        reportFile: flags.report,
      });
      if (r.rejects.count > 0) process.stderr.write(`rete-eval: warning: ${plural(r.rejects.count, 'malformed record')} skipped\n`);
      if (flags.quiet) return;
      const lines = [
        `rete-eval split: ${plural(r.facts.read, 'fact')} → ${plural(r.shards.length, 'shard')} in ${flags.outDir} (${formatMs(r.timings.totalMs)})`,
        ...r.partition.map((l) => `  ${l}`),
        ...r.shards.map((s) => `  ${s.file}: ${formatCount(s.records)} ${s.records === 1 ? 'record' : 'records'}`),
      ];
      process.stderr.write(lines.join('\n') + '\n');
    });
}
