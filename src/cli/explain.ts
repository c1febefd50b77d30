// `rete-eval explain`: compiles a rules file and prints the network: its nodes, the hash
// indexes that dispatch Equal tests, which rules share each node, and where rules end.

import type { Command } from 'commander';
import { compileRulesFile } from '../engine.js';
import { explainNetwork, formatExplain } from '../rete/explain.js';

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description('print the compiled RETE network of a rules file')
    .requiredOption('-r, --rules <file>', 'rules file')
    .option('--json', 'print the network as JSON')
    .action((opts: { rules: string; json?: boolean }) => {
      const { network } = compileRulesFile(opts.rules);
      process.stdout.write(opts.json ? JSON.stringify(explainNetwork(network), null, 2) + '\n' : formatExplain(network));
    });
}
