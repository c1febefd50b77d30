// The errors of the HTTP service and how every failure becomes a response: a status and a
// JSON body with a stable `code`, a one-line message and, for facts, where in the body
// (line, column, JSON path); for rules, every issue. Bugs become 500 with no stack.

import { FactError, LimitError, RejectLimitError, RuleEvalError, RuleFileError, UsageError, type RuleIssue } from '../model/errors.js';

/** An error the service answers with a given status and stable code. */
export class ServeError extends Error {
  readonly status: number;
  readonly code: string;
  /** Extra response headers (Retry-After…). */
  readonly headers: Readonly<Record<string, string>>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** The stable codes of the service's own errors (facts, rules and limits keep the CLI's codes). */
export const ServeCode = {
  NOT_FOUND: 'E_NOT_FOUND',
  RULESET_NOT_FOUND: 'E_RULESET_NOT_FOUND',
  BAD_NAME: 'E_RULESET_NAME',
  BAD_PARAM: 'E_USAGE',
  MEDIA_TYPE: 'E_MEDIA_TYPE',
  ENCODING: 'E_CONTENT_ENCODING',
  BODY_TOO_LARGE: 'E_BODY_TOO_LARGE',
  BODY: 'E_BODY',
  TIMEOUT: 'E_TIMEOUT',
  BUSY: 'E_BUSY',
  DRAINING: 'E_DRAINING',
  INTERNAL: 'E_INTERNAL',
} as const;

/** What the client is told: the status, headers, and the JSON body. */
export interface HttpFailure {
  status: number;
  headers: Record<string, string>;
  body: ErrorBody;
}

export interface ErrorBody {
  code: string;
  message: string;
  /** Facts: where in the request body (1-based), and the JSON path inside the record. */
  line?: number;
  column?: number;
  path?: string;
  /** Rules: every issue, located in the rule file. */
  issues?: IssueBody[];
}

export interface IssueBody {
  line?: number;
  column?: number;
  path: string;
  message: string;
  rule?: number;
  ruleName?: string;
}

/**
 * The response for any error. `internal` is true for a bug (logged with its stack by the
 * caller; the client gets a generic message).
 */
export function httpFailure(e: unknown): HttpFailure & { internal: boolean } {
  const fail = (status: number, body: ErrorBody, headers: Record<string, string> = {}) => ({ status, headers, body, internal: false });
  if (e instanceof ServeError) return fail(e.status, { code: e.code, message: e.message }, { ...e.headers });
  if (e instanceof FactError) {
    const body: ErrorBody = { code: e.code, message: e.message };
    if (e.line !== undefined) body.line = e.line;
    if (e.column !== undefined) body.column = e.column;
    if (e.jsonPath !== undefined) body.path = e.jsonPath;
    return fail(400, body);
  }
  if (e instanceof RuleFileError) return fail(422, { code: e.code, message: e.message, issues: e.issues.map(issueBody) });
  if (e instanceof LimitError) return fail(422, { code: e.code, message: e.message });
  if (e instanceof RejectLimitError || e instanceof UsageError) return fail(400, { code: e.code, message: e.message });
  if (e instanceof RuleEvalError) {
    // InputError: the request body could not be read (corrupt gzip, a broken stream).
    return fail(400, { code: ServeCode.BODY, message: e.message });
  }
  const fastify = fastifyFailure(e);
  if (fastify !== null) return { ...fastify, internal: false };
  return {
    status: 500,
    headers: {},
    body: { code: ServeCode.INTERNAL, message: 'internal error (this is a bug; the server log has the details)' },
    internal: true,
  };
}

export function issueBody(i: RuleIssue): IssueBody {
  const out: IssueBody = { path: i.path, message: i.message };
  if (i.line !== undefined) out.line = i.line;
  if (i.column !== undefined) out.column = i.column;
  if (i.ruleId !== undefined) out.rule = i.ruleId;
  if (i.ruleName !== undefined) out.ruleName = i.ruleName;
  return out;
}

/** Fastify's own client errors (unknown content type, a body over the limit, bad JSON in a PUT…). */
function fastifyFailure(e: unknown): HttpFailure | null {
  const err = e as { code?: unknown; statusCode?: unknown; message?: unknown } | null;
  if (err === null || typeof err !== 'object' || typeof err.code !== 'string' || !err.code.startsWith('FST_')) return null;
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  if (status >= 500) return null;
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, headers: {}, body: { code: ServeCode.MEDIA_TYPE, message: mediaTypeMessage() } };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, headers: { connection: 'close' }, body: { code: ServeCode.BODY_TOO_LARGE, message: String(err.message) } };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, headers: {}, body: { code: ServeCode.BODY, message: 'the body is empty; send a rule file (JSON)' } };
    default:
      return { status, headers: {}, body: { code: ServeCode.BODY, message: String(err.message) } };
  }
}

/** The content types the evaluate routes accept. */
export const FACT_MEDIA_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/json'] as const;

export function mediaTypeMessage(): string {
  return `unsupported Content-Type; send facts as ${FACT_MEDIA_TYPES.join(', ')} (rule files as application/json)`;
}
