// `rete-eval merge`: puts the outputs of a split's shard runs back together as one run over
// the whole input would have written them; with the shard runs' reports, also one report
// whose counts are the sums and whose timings are given per shard and in total.

import type { Command } from 'commander';
import { UsageError } from '../model/errors.js';
import { formatReport } from '../report/human.js';
import { mergeOutputs } from '../shard/merge.js';
import { formatMerge, mergeReports, readShardReports, type MergedReport } from '../shard/report.js';
import { exitCodesHelp, useColor } from './options.js';

interface MergeFlags {
  output?: string;
  reports?: string[];
  report?: string;
  quiet?: boolean;
}

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('merge the outputs of rete-eval run on each shard of a split into the output one run over the whole input writes')
    .argument('<outputs...>', "the shard runs' outputs (gzip or not), one per shard, in any order")
    .option('-o, --output <file>', 'write the merged firings here (written whole; .gz compresses); default or -: stdout')
    .option('--reports <files...>', "the shard runs' --report files (after the outputs): the merged report adds them up")
    .option('--report <file>', 'with --reports: write the merged report as JSON (- for stdout)')
    .option('-q, --quiet', 'do not print the summary on stderr')
    .addHelpText('after', exitCodesHelp())
    .action(async (outputs: string[], flags: MergeFlags) => {
      if (flags.report !== undefined && flags.reports === undefined) throw new UsageError("--report needs the shard runs' reports: --reports FILE…");
      const shardReports = flags.reports === undefined ? null : readShardReports(flags.reports);
      let merged: MergedReport | null = null;
      const result = await mergeOutputs({
        outputs,
        output: flags.output,
        inputsAlso: flags.reports ?? [],
        reportFile: flags.report,
        reportText: (r) => {
          merged = mergeReports(shardReports!, r);
          return JSON.stringify(merged, null, 2) + '\n';
        },
      });
      if (shardReports !== null && merged === null) merged = mergeReports(shardReports, result);
      if (flags.quiet) {
        // A merge that could not order everything says so, even when asked to be quiet.
        if (result.unordered > 0) process.stderr.write(formatMerge(result, null).split('\n').slice(1).join('\n'));
        return;
      }
      const color = useColor(process.stderr);
      process.stderr.write((merged !== null ? formatReport(merged, color) : '') + formatMerge(result, merged));
    });
}
