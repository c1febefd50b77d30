// Typed errors with stable codes, and the process exit code each kind of failure maps to.
// The CLI prints `error.message` alone (one line, no stack) for every RuleEvalError.

/** Exit codes, documented in the README. */
export const ExitCode = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  INVALID_RULES: 3,
  INVALID_FACTS: 4,
  IO: 5,
  LIMIT: 6,
  BENCH_CHECK: 7,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export abstract class RuleEvalError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: ExitCode;
}

/** One problem in a rule file, located by JSON path (`$.rules[3].conditions[0].operator`). */
export interface RuleIssue {
  readonly path: string;
  readonly message: string;
  readonly ruleId?: number | undefined;
  readonly ruleName?: string | undefined;
}

export class RuleFileError extends RuleEvalError {
  readonly code = 'E_RULES_INVALID';
  readonly exitCode = ExitCode.INVALID_RULES;
  readonly file: string;
  readonly issues: readonly RuleIssue[];
  constructor(file: string, issues: readonly RuleIssue[]) {
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more; run \`rete-eval validate\` for all)` : '';
    super(first ? `${file}: ${first.path}: ${first.message}${more}` : `${file}: invalid rule file`);
    this.file = file;
    this.issues = issues;
  }
}

/** A fact that cannot be read: malformed JSON, or JSON that is not a fact. */
export class FactError extends RuleEvalError {
  readonly code: 'E_FACT_JSON' | 'E_FACT_INVALID';
  readonly exitCode = ExitCode.INVALID_FACTS;
  readonly file: string;
  /** 1-based line; undefined when the parser could not say (stream-json fallback on stdin). */
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly jsonPath: string | undefined;
  readonly reason: string;
  constructor(code: 'E_FACT_JSON' | 'E_FACT_INVALID', file: string, line: number | undefined, reason: string, column?: number, jsonPath?: string) {
    const where = line === undefined ? file : column !== undefined ? `${file}:${line}:${column}` : `${file}:${line}`;
    super(`${where}: ${jsonPath ? jsonPath + ': ' : ''}${reason}`);
    this.code = code;
    this.file = file;
    this.line = line;
    this.column = column;
    this.jsonPath = jsonPath;
    this.reason = reason;
  }
}

export class InputError extends RuleEvalError {
  readonly code = 'E_IO';
  readonly exitCode = ExitCode.IO;
}

export class UsageError extends RuleEvalError {
  readonly code = 'E_USAGE';
  readonly exitCode = ExitCode.USAGE;
}

export class LimitError extends RuleEvalError {
  readonly code = 'E_LIMIT';
  readonly exitCode = ExitCode.LIMIT;
}

/** Describes a Node system error (ENOENT, EACCES...) in one line, naming the file. */
export function describeIoError(err: unknown, file: string, verb: string): InputError {
  const e = err as NodeJS.ErrnoException;
  const reason =
    e?.code === 'ENOENT'
      ? 'no such file'
      : e?.code === 'EACCES'
        ? 'permission denied'
        : e?.code === 'EISDIR'
          ? 'is a directory'
          : e?.code === 'ENOSPC'
            ? 'no space left on device'
            : e?.code === 'Z_DATA_ERROR' || e?.code === 'Z_BUF_ERROR'
              ? `corrupt gzip data (${e.message})`
              : (e?.message ?? String(err));
  return new InputError(`${file}: cannot ${verb}: ${reason}`);
}
