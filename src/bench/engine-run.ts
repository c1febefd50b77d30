// Engine-only measurement (runs in the bench child): compile the workload's rules once,
// then for each run build a fresh set of decoded facts (actions mutate facts) outside the
// timed section, and time a session over them: new Session + insert all + end().

import { getHeapStatistics } from 'node:v8';
import type { CodeCacheState } from '../boot/state.js';
import { compileRules } from '../engine.js';
import { decodeFact, type Fact } from '../model/fact.js';
import { RuleFileError } from '../model/errors.js';
import { FiringLog } from '../rete/firing-log.js';
import { Session } from '../rete/session.js';
import { firingMismatch } from './check.js';
import type { EngineMeasurement } from './results.js';
import type { Workload } from './workloads.js';

export type EngineEvent =
  | { readonly type: 'compiled'; readonly compileMs: number; readonly rules: number; readonly codeCache?: CodeCacheState | null }
  | {
      readonly type: 'run';
      readonly phase: 'warmup' | 'measure';
      readonly index: number;
      readonly ms: number;
      readonly buildMs: number;
      readonly firings: number;
    };

export type EngineOutcome =
  | { readonly kind: 'ok'; readonly measurement: EngineMeasurement }
  | { readonly kind: 'unsupported'; readonly message: string }
  | { readonly kind: 'wrong'; readonly message: string };

/** Builds the decoded facts of a workload size, as the reader would hand them to a session. */
export function buildFacts(w: Workload, size: number): Fact[] {
  const n = w.factCount(size);
  const facts = new Array<Fact>(n);
  for (let i = 0; i < n; i++) facts[i] = decodeFact(JSON.parse(w.factLine(i, size)), i);
  return facts;
}

/** Compiles a workload's rules; an unsupported feature comes back as a message, not a throw. */
export function compileWorkload(
  w: Workload,
  size: number,
): { network: ReturnType<typeof compileRules>['network']; rules: number; compileMs: number } | { unsupported: string } {
  const t = performance.now();
  try {
    const compiled = compileRules(w.rules(size));
    return { network: compiled.network, rules: compiled.rules.length, compileMs: performance.now() - t };
  } catch (e) {
    if (e instanceof RuleFileError) return { unsupported: e.message };
    throw e;
  }
}

const heapUsed = () => getHeapStatistics().used_heap_size;

/** Called around the timed section of each measured run (bench --cpu-prof profiles it). */
export interface RunHooks {
  start(run: number): void;
  stop(run: number): void;
}

export function measureEngine(
  w: Workload,
  size: number,
  runs: number,
  warmup: number,
  onEvent: (e: EngineEvent) => void = () => {},
  hooks: RunHooks | null = null,
): EngineOutcome {
  const gc = (globalThis as { gc?: () => void }).gc;
  const collect = () => gc?.();
  const compiled = compileWorkload(w, size);
  if ('unsupported' in compiled) return { kind: 'unsupported', message: compiled.unsupported };
  onEvent({ type: 'compiled', compileMs: compiled.compileMs, rules: compiled.rules });

  const expected = w.expectedFirings(size);
  const runsMs: number[] = [];
  const warmupMs: number[] = [];
  const buildTimes: number[] = [];
  let peakHeap = heapUsed();
  let factsHeap: number | null = null;
  let facts = 0;
  let firingsSeen = 0;

  for (let r = 0; r < warmup + runs; r++) {
    const phase = r < warmup ? 'warmup' : 'measure';
    collect();
    const before = heapUsed();
    const tb = performance.now();
    let input: Fact[] | null = buildFacts(w, size);
    const buildMs = performance.now() - tb;
    collect(); // parse garbage out of the way: the timed run starts from facts at rest in memory
    const built = heapUsed();
    if (gc !== undefined && factsHeap === null) factsHeap = Math.max(0, built - before);
    if (built > peakHeap) peakHeap = built;
    facts = input.length;

    // The firings are kept, as `run` keeps them (the session's compact log), not just counted.
    let log: FiringLog | null = new FiringLog(compiled.network);
    if (hooks !== null && phase === 'measure') hooks.start(r - warmup);
    const t0 = performance.now();
    const session = new Session(compiled.network, { log });
    for (let i = 0; i < input.length; i++) session.insert(input[i]!);
    session.end();
    const ms = performance.now() - t0;
    if (hooks !== null && phase === 'measure') hooks.stop(r - warmup);

    const after = heapUsed();
    if (after > peakHeap) peakHeap = after;
    firingsSeen = log.length;
    const wrong =
      firingMismatch(w.name, size, `engine-only, ${phase} run ${phase === 'warmup' ? r + 1 : r - warmup + 1}`, expected, log.length) ??
      firingMismatch(w.name, size, 'engine-only session stats', expected, session.stats.firings);
    if (wrong !== null) return { kind: 'wrong', message: wrong };
    (phase === 'warmup' ? warmupMs : runsMs).push(ms);
    buildTimes.push(buildMs);
    onEvent({ type: 'run', phase, index: phase === 'warmup' ? r : r - warmup, ms, buildMs, firings: log.length });
    // Drop this run's facts and firings before the next one is built.
    input = null;
    log = null;
  }
  collect();
  buildTimes.sort((a, b) => a - b);
  return {
    kind: 'ok',
    measurement: {
      facts,
      firings: firingsSeen,
      compileMs: compiled.compileMs,
      runsMs,
      warmupMs,
      buildMs: buildTimes[buildTimes.length >> 1] ?? NaN,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      peakHeapBytes: peakHeap,
      factsHeapBytes: factsHeap,
      gcExposed: gc !== undefined,
    },
  };
}
