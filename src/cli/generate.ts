// `rete-eval generate`: writes a bench workload's facts (NDJSON) and, optionally, its
// rules file, exactly as the performance specification's workloads define them. Both are
// written whole (renamed into place), like every output file.

import type { Command } from 'commander';
import { UsageError } from '../model/errors.js';
import { parseSize, WORKLOADS, type WorkloadName } from '../bench/workloads.js';
import { checkOutputTargets, OutputSink } from '../io/output.js';

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('write the facts (and rules) of a bench workload from the specification')
    .option('-w, --workload <name>', 'simple | payroll | enterprise | join | aggregate', 'simple')
    .option('-n, --size <n>', 'number of facts, e.g. 100k, 1m', '100k')
    .option('-o, --output <file>', 'facts file (NDJSON; .gz compresses); default stdout')
    .option('--rules-out <file>', "also write the workload's rules file here")
    .action(async (opts: { workload: string; size: string; output?: string; rulesOut?: string }) => {
      const w = WORKLOADS[opts.workload as WorkloadName];
      if (!w) throw new UsageError(`unknown workload "${opts.workload}"; expected ${Object.keys(WORKLOADS).join(', ')}`);
      const size = parseSize(opts.size);
      if (Number.isNaN(size)) throw new UsageError(`--size: expected a count such as 100k or 1m, got "${opts.size}"`);
      checkOutputTargets([{ option: '-o', path: opts.output }, ...(opts.rulesOut !== undefined ? [{ option: '--rules-out', path: opts.rulesOut }] : [])], []);
      const rules = opts.rulesOut !== undefined && opts.rulesOut !== '-' ? OutputSink.file(opts.rulesOut) : opts.rulesOut === '-' ? OutputSink.stdout() : null;
      let out: OutputSink;
      try {
        out = opts.output && opts.output !== '-' ? OutputSink.file(opts.output) : OutputSink.stdout();
      } catch (e) {
        rules?.abort();
        throw e;
      }
      try {
        rules?.write(JSON.stringify(w.rules(size), null, 2) + '\n');
        const n = w.factCount(size);
        for (let i = 0; i < n; i++) {
          out.write(w.factLine(i, size) + '\n');
          if ((i & 0x3fff) === 0x3fff) {
            await out.flush();
            if (out.closed) break;
          }
        }
        await out.finish();
        await rules?.finish();
        out.commit();
        rules?.commit();
      } catch (e) {
        out.abort();
        rules?.abort();
        throw e;
      }
    });
}
