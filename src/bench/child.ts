// The bench child (bundled as dist/bench-child.js): measures one workload size engine-only
// in a process of its own, so its memory figures belong to that size alone. Started by
// `rete-eval bench` with --expose-gc; writes one JSON event per line on stdout:
//   {"type":"compiled",...} {"type":"run",...}* then {"type":"done","measurement":{...}}
//   or {"type":"unsupported","message"} / {"type":"wrong","message"} (exit 7).
// With --compile-only it compiles the rules once, sends the "compiled" event and exits: the
// parent starts a few of these for the median of first compiles in fresh processes.

import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { codeCacheState, markWorkDone } from '../boot/state.js';
import { ExitCode } from '../model/errors.js';
import { compileWorkload, measureEngine, type EngineEvent, type RunHooks } from './engine-run.js';
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
      'cpu-prof-dir': { type: 'string' },
      'compile-only': { type: 'boolean', default: false },
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
  if (values['compile-only']) {
    const compiled = compileWorkload(w, size);
    if ('unsupported' in compiled) send({ type: 'unsupported', message: compiled.unsupported });
    else send({ type: 'compiled', compileMs: compiled.compileMs, rules: compiled.rules, codeCache: codeCacheState() });
    markWorkDone();
    return ExitCode.OK;
  }
  const dir = values['cpu-prof-dir'];
  const hooks = dir === undefined ? null : profiler(dir, `${w.name}-${size}`);
  // The compile is timed as it met V8's code cache (src/boot/): the parent keeps that beside it.
  const outcome = measureEngine(w, size, runs, warmup, (e: EngineEvent) => send(e.type === 'compiled' ? { ...e, codeCache: codeCacheState() } : e), hooks);
  switch (outcome.kind) {
    case 'ok':
      send({ type: 'done', measurement: outcome.measurement });
      markWorkDone();
      return ExitCode.OK;
    case 'unsupported':
      send({ type: 'unsupported', message: outcome.message });
      return ExitCode.OK;
    case 'wrong':
      send({ type: 'wrong', message: outcome.message });
      return ExitCode.BENCH_CHECK;
  }
}

/**
 * CPU profiles of the timed sections, written as DIR/NAME-runK.cpuprofile (the format of
 * node --cpu-prof, without the facts built before each run). The in-process inspector
 * answers synchronously, so the timed section stays synchronous.
 */
function profiler(dir: string, name: string): RunHooks {
  mkdirSync(dir, { recursive: true });
  const session = new Session();
  session.connect();
  const post = (method: string, params: object = {}): unknown => {
    let out: unknown;
    session.post(method, params, (err, result) => {
      if (err) throw err;
      out = result;
    });
    return out;
  };
  post('Profiler.enable');
  // 100 µs (node --cpu-prof samples every 1 ms): a 100K run takes tens of milliseconds.
  post('Profiler.setSamplingInterval', { interval: 100 });
  return {
    start: () => post('Profiler.start'),
    stop: (run) => {
      const { profile } = post('Profiler.stop') as { profile: unknown };
      writeFileSync(join(dir, `${name}-run${run + 1}.cpuprofile`), JSON.stringify(profile));
    },
  };
}

try {
  process.exitCode = main();
} catch (e) {
  const err = e as Error;
  process.stderr.write(`bench-child: ${err?.stack ?? String(e)}\n`);
  process.exitCode = ExitCode.INTERNAL;
}
