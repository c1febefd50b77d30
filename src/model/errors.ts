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

/** What each exit code means, for `--help` (the README's table says the same). */
export const EXIT_CODE_MEANINGS: readonly (readonly [string, string])[] = [
  ['0', 'success (also: stdout closed by its reader; records skipped under --on-error skip)'],
  ['1', 'internal error (a bug; RETE_EVAL_DEBUG=1 prints the stack)'],
  ['2', 'usage error: unknown option, bad option value, outputs that would collide; rules split cannot partition'],
  ['3', 'invalid rules (or, with --strict, rule warnings)'],
  ['4', 'invalid facts: malformed JSON or a record that is not a fact; too many rejects (--max-errors)'],
  ['5', 'I/O failure: a file missing, unreadable or unwritable, corrupt gzip'],
  ['6', 'a limit was passed (--max-firings, --max-heap); the --report is still written'],
  ['7', 'rete-eval bench: a wrong firing count, or --check failed'],
  ['130, 143', 'interrupted by SIGINT / SIGTERM; unfinished output files are removed'],
];

export abstract class RuleEvalError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: ExitCode;
}

/**
 * One problem in a rule file, located by JSON path (`$.rules[3].conditions[0].operator`)
 * and, once the file's text is known, by line and column.
 */
export interface RuleIssue {
  readonly path: string;
  readonly message: string;
  readonly ruleId?: number | undefined;
  readonly ruleName?: string | undefined;
  /** The rule file, when the issue came from one; 1-based line and column in it. */
  readonly file?: string | undefined;
  readonly line?: number | undefined;
  readonly column?: number | undefined;
}

/**
 * `rules.json:12:9: $[1].conditions[0].operator: expected …`, the one form of a rule-file
 * message (run, validate, explain). `kind` ("error", "warning") goes after the location, as
 * compilers write it; `withRule` adds the rule's id and name.
 */
export function formatIssue(issue: RuleIssue, file = '<rules>', options: { kind?: string; withRule?: boolean } = {}): string {
  const f = issue.file ?? file;
  const where = issue.line !== undefined ? `${f}:${issue.line}:${issue.column ?? 1}` : f;
  const kind = options.kind !== undefined ? `${options.kind}: ` : '';
  const path = issue.path === '$' && issue.line !== undefined ? '' : `${issue.path}: `;
  const rule =
    options.withRule && issue.ruleId !== undefined ? ` (rule ${issue.ruleId}${issue.ruleName !== undefined ? ` ${JSON.stringify(issue.ruleName)}` : ''})` : '';
  return `${where}: ${kind}${path}${issue.message}${rule}`;
}

export class RuleFileError extends RuleEvalError {
  readonly code = 'E_RULES_INVALID';
  readonly exitCode = ExitCode.INVALID_RULES;
  readonly file: string;
  readonly issues: readonly RuleIssue[];
  constructor(file: string, issues: readonly RuleIssue[]) {
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more; run \`rete-eval validate\` for all)` : '';
    super(first ? `${formatIssue(first, file)}${more}` : `${file}: invalid rule file`);
    this.file = first?.file ?? file;
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

/**
 * Too many records were rejected under `--on-error skip`: more than `--max-errors`, or
 * (without it) every record of an input file. Exit code 4, as for a malformed fact.
 */
export class RejectLimitError extends RuleEvalError {
  readonly code = 'E_TOO_MANY_REJECTS';
  readonly exitCode = ExitCode.INVALID_FACTS;
}

export class InputError extends RuleEvalError {
  readonly code = 'E_IO';
  readonly exitCode = ExitCode.IO;
}

export class UsageError extends RuleEvalError {
  readonly code = 'E_USAGE';
  readonly exitCode = ExitCode.USAGE;
}

/**
 * The rules cannot run split into shards (no single key keeps together the facts they relate),
 * or, for rules that address facts by id, the input places an addressed fact away from its
 * addresser. `rete-eval split` refuses, naming the rules.
 */
export class PartitionError extends RuleEvalError {
  readonly code = 'E_NO_PARTITION';
  readonly exitCode = ExitCode.USAGE;
}

export class LimitError extends RuleEvalError {
  readonly code = 'E_LIMIT';
  readonly exitCode = ExitCode.LIMIT;
}

/** Short reasons for the system errors a user can act on. */
const IO_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

/** Describes a Node system error (ENOENT, EACCES...) in one line, naming the file. */
export function describeIoError(err: unknown, file: string, verb: string): InputError {
  const e = err as NodeJS.ErrnoException;
  const code = e?.code;
  const reason =
    code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR'
      ? `corrupt gzip data (${e.message})`
      : code !== undefined && IO_REASONS[code] !== undefined
        ? IO_REASONS[code]
        : (e?.message ?? String(err));
  return new InputError(`${file}: cannot ${verb}: ${reason}`);
}
