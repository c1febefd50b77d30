// `rete-eval explain`: compiles rule files (one rule set) and prints the network: its nodes,
// the hash indexes that dispatch Equal tests, which rules share each node, and where rules end;
// then whether the rule set partitions into shards (rete-eval split) and by what key.

import type { Command } from 'commander';
import { compileRuleFiles, type RulesFormatOption } from '../engine.js';
import { UsageError } from '../model/errors.js';
import { explainNetwork, formatExplain } from '../rete/explain.js';
import { explainPartition, partitionVerdict } from '../shard/describe.js';
import { analyzePartition } from '../shard/partition.js';
import { collect, rulesFormatOption } from './options.js';

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description('print the compiled RETE network of rule files, and whether they partition into shards')
    .option('-r, --rules <file>', 'rules file (repeatable: several load as one rule set)', collect)
    .addOption(rulesFormatOption())
    .option('--json', 'print the network as JSON')
    .action((opts: { rules?: string[]; rulesFormat: RulesFormatOption; json?: boolean }) => {
      if (opts.rules === undefined || opts.rules.length === 0) throw new UsageError('explain needs a rules file: -r, --rules <file>');
      const { rules, network } = compileRuleFiles(opts.rules, { format: opts.rulesFormat });
      const partition = analyzePartition(rules, network);
      process.stdout.write(
        opts.json
          ? JSON.stringify({ ...explainNetwork(network), partition: explainPartition(partition) }, null, 2) + '\n'
          : `${formatExplain(network)}\n${partitionVerdict(partition)}`,
      );
    });
}
