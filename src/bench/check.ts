// The bench's own failure: a wrong firing count (the engine computed wrong answers) or a
// failed --check. Both exit with ExitCode.BENCH_CHECK.

import { ExitCode, RuleEvalError } from '../model/errors.js';
import { formatSize } from './workloads.js';

export class BenchCheckError extends RuleEvalError {
  readonly code = 'E_BENCH_CHECK';
  readonly exitCode = ExitCode.BENCH_CHECK;
}

/**
 * Returns a message when `actual` firings differ from what the workload states, else null.
 * `where` names the measurement (engine-only, end-to-end) for the message.
 */
export function firingMismatch(workload: string, size: number, where: string, expected: number, actual: number): string | null {
  if (actual === expected) return null;
  const diff = actual - expected;
  return (
    `bench ${workload} ${formatSize(size)} (${where}): ${actual.toLocaleString('en-US')} firings, but the workload states ` +
    `${expected.toLocaleString('en-US')} (${diff > 0 ? '+' : ''}${diff.toLocaleString('en-US')}): the engine computed wrong answers; figures discarded`
  );
}

/** Throws a BenchCheckError when the firing count is wrong. */
export function checkFirings(workload: string, size: number, where: string, expected: number, actual: number): void {
  const m = firingMismatch(workload, size, where, expected, actual);
  if (m !== null) throw new BenchCheckError(m);
}

/** A bench process that failed (crashed, ran out of memory, exited non-zero): one clear line, exit 1. */
export class BenchRunError extends RuleEvalError {
  readonly code = 'E_BENCH_RUN';
  readonly exitCode = ExitCode.INTERNAL;
}

/** The telling part of a failed node process's stderr: V8's fatal line, or the last lines. */
export function stderrGist(stderr: string): string {
  const lines = stderr.trim().split('\n');
  const fatal = lines.find((l) => /FATAL ERROR|heap out of memory/i.test(l));
  if (fatal) return fatal.trim();
  return lines.slice(-6).join('\n').trim() || 'no message';
}
