// Parent side of the engine-only child: starts dist/bench-child.js for one workload size
// (fresh process, --expose-gc), follows its events for progress, and returns its outcome.

import { execa } from 'execa';
import type { CodeCacheState } from '../boot/state.js';
import { BenchCheckError, BenchRunError, stderrGist } from './check.js';
import type { EngineEvent } from './engine-run.js';
import type { EngineMeasurement } from './results.js';

export type ChildMessage =
  | EngineEvent
  | { readonly type: 'done'; readonly measurement: EngineMeasurement }
  | { readonly type: 'unsupported'; readonly message: string }
  | { readonly type: 'wrong'; readonly message: string };

export interface SpawnEngineOptions {
  readonly childScript: string;
  readonly workload: string;
  readonly size: number;
  readonly runs: number;
  readonly warmup: number;
  /** Extra node flags for the child (e.g. --max-old-space-size=8192). */
  readonly nodeFlags?: readonly string[];
  /** The child writes a CPU profile of each measured run's timed section here. */
  readonly cpuProfileDir?: string;
  readonly onEvent?: (e: EngineEvent) => void;
}

/** A first compile in a fresh process, and how that process's own code was compiled. */
export interface CompileSample {
  readonly ms: number;
  readonly codeCache: CodeCacheState | null;
}

export async function spawnEngine(
  o: SpawnEngineOptions,
): Promise<{ kind: 'ok'; measurement: EngineMeasurement; compile: CompileSample } | { kind: 'unsupported'; message: string }> {
  const args = [
    '--workload',
    o.workload,
    '--size',
    String(o.size),
    '--runs',
    String(o.runs),
    '--warmup',
    String(o.warmup),
    ...(o.cpuProfileDir !== undefined ? ['--cpu-prof-dir', o.cpuProfileDir] : []),
  ];
  let codeCache: CodeCacheState | null = null;
  const final = await runChild(o, args, (msg) => {
    if (msg.type === 'compiled') codeCache = msg.codeCache ?? null;
    if (msg.type === 'compiled' || msg.type === 'run') o.onEvent?.(msg);
  });
  if (final.type === 'unsupported') return { kind: 'unsupported', message: final.message };
  if (final.type !== 'done') throw new BenchRunError(`bench child for ${o.workload} size ${o.size} ended without its measurement`);
  return { kind: 'ok', measurement: final.measurement, compile: { ms: final.measurement.compileMs, codeCache } };
}

/**
 * The first compile of a workload's rules in a fresh process (the child's --compile-only),
 * like the engine-only child's own compile, which it repeats.
 */
export async function spawnCompile(o: Pick<SpawnEngineOptions, 'childScript' | 'workload' | 'size' | 'nodeFlags'>): Promise<CompileSample> {
  let sample: CompileSample | null = null;
  const args = ['--workload', o.workload, '--size', String(o.size), '--compile-only'];
  await runChild(o, args, (msg) => {
    if (msg.type === 'compiled') sample = { ms: msg.compileMs, codeCache: msg.codeCache ?? null };
  });
  if (sample === null) throw new BenchRunError(`bench child for ${o.workload} size ${o.size} ended without compiling`);
  return sample;
}

/**
 * Runs the bench child with `args`, hands each event to `onEvent`, and returns its final
 * message ("compiled" for --compile-only). Throws BenchCheckError when it found wrong
 * results, BenchRunError when it failed.
 */
async function runChild(
  o: Pick<SpawnEngineOptions, 'childScript' | 'workload' | 'size' | 'nodeFlags'>,
  args: readonly string[],
  onEvent: (msg: ChildMessage) => void,
): Promise<ChildMessage> {
  const child = execa(process.execPath, ['--expose-gc', ...(o.nodeFlags ?? []), o.childScript, ...args], {
    reject: false,
    stdin: 'ignore',
    stderr: 'pipe',
    lines: false,
  });
  let final: ChildMessage | null = null;
  for await (const line of child.iterable({ from: 'stdout' })) {
    const text = String(line).trim();
    if (text === '') continue;
    let msg: ChildMessage;
    try {
      msg = JSON.parse(text) as ChildMessage;
    } catch {
      continue; // not ours (a stray log line)
    }
    onEvent(msg);
    final = msg;
  }
  const r = await child;
  if (final?.type === 'wrong') throw new BenchCheckError(final.message);
  if (final !== null && r.exitCode === 0) return final;
  const why = r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode}`;
  const stderr = String(r.stderr ?? '');
  const oom = /heap out of memory|Allocation failed/i.test(stderr) ? '; out of memory: raise --child-heap-mb' : '';
  throw new BenchRunError(`bench child for ${o.workload} size ${o.size} failed (${why}${oom}): ${stderrGist(stderr)}`);
}
