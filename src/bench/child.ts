// The bench child (bundled as dist/bench-child.js): measures one workload size engine-only
// in a process of its own, so its memory figures belong to that size alone. Started by
// `rete-eval bench` with --expose-gc; writes one JSON event per line on stdout:
//   {"type":"compiled",...} {"type":"run",...}* then {"type":"done","measurement":{...}}
//   or {"type":"unsupported","message"} / {"type":"wrong","message"} (exit 7).

import { parseArgs } from 'node:util';
import { ExitCode } from '../model/errors.js';
import { measureEngine, type EngineEvent } from './engine-run.js';
import { WORKLOADS, type WorkloadName } from './workloads.js';

function send(msg: object): void {
  process.stdout.write(JSON.stringify(msg) + '\n');
}

function main(): number {
  const { values } = parseArgs({
    options: {
      workload: { type: 'string' },
      size: { type: 'string' },
      runs: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
    },
  });
  const w = WORKLOADS[values.workload as WorkloadName];
  const size = Number(values.size);
  const runs = Number(values.runs);
  const warmup = Number(values.warmup);
  if (!w || !Number.isSafeInteger(size) || size <= 0 || !Number.isSafeInteger(runs) || runs < 1 || !Number.isSafeInteger(warmup) || warmup < 0) {
    process.stderr.write(`bench-child: bad arguments ${JSON.stringify(values)}\n`);
    return ExitCode.USAGE;
  }
  const outcome = measureEngine(w, size, runs, warmup, (e: EngineEvent) => send(e));
  switch (outcome.kind) {
    case 'ok':
      send({ type: 'done', measurement: outcome.measurement });
      return ExitCode.OK;
    case 'unsupported':
      send({ type: 'unsupported', message: outcome.message });
      return ExitCode.OK;
    case 'wrong':
      send({ type: 'wrong', message: outcome.message });
      return ExitCode.BENCH_CHECK;
  }
}

try {
  process.exitCode = main();
} catch (e) {
  const err = e as Error;
  process.stderr.write(`bench-child: ${err?.stack ?? String(e)}\n`);
  process.exitCode = ExitCode.INTERNAL;
}
