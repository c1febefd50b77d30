// What the start-up code cache (code-cache.ts) did for this process, shared with the code it
// started: the bench child reports the state beside each first compile, and a command says
// when it has done its work, so that only such a run's compiled code is kept.

/** off: no cache (turned off, no cache directory, or a Node without zlib.crc32); made: there
 * was none, one is written after the work; remade: the one there was refused (another build,
 * V8 or flags, or damaged) and is replaced; used: V8 took our compiled code from it. */
export type CodeCacheState = 'off' | 'made' | 'remade' | 'used';

interface Shared {
  state: CodeCacheState;
  workDone: boolean;
}

const KEY: unique symbol = Symbol.for('rete-eval.codeCache');

function shared(): Shared | undefined {
  return (globalThis as { [KEY]?: Shared })[KEY];
}

export function initCodeCacheState(state: CodeCacheState): void {
  (globalThis as { [KEY]?: Shared })[KEY] = { state, workDone: false };
}

/** The loader's state, or null when this code was not started through it (tests, the library). */
export function codeCacheState(): CodeCacheState | null {
  return shared()?.state ?? null;
}

/**
 * The command has done what it was started for. A cache is written only after this: V8 keeps
 * the functions compiled so far, and a run that printed its help or stopped at a usage error
 * compiled few of those a real run needs.
 */
export function markWorkDone(): void {
  const s = shared();
  if (s !== undefined) s.workDone = true;
}

export function workDone(): boolean {
  return shared()?.workDone === true;
}
