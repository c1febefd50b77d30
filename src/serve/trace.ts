// One request's record: what it did (rule set, facts, firings, stage times, status, error
// code) and when it ended, written as one JSON log line and counted in the metrics once the
// response is closed and its work (a session, for evaluate) has stopped.

import type { FastifyBaseLogger } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { StageTimes } from '../report/report.js';
import type { ServeMetrics } from './metrics.js';

/** Routes whose requests are logged at debug level (probes and scrapes). */
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);
export const EVALUATE_ROUTES = new Set(['/v1/evaluate', '/v1/rulesets/:name/evaluate']);

export class Trace {
  readonly start = performance.now();
  readonly method: string;
  route = 'unmatched';
  ruleset: string | undefined;
  version: string | undefined;
  facts: number | undefined;
  firings: number | undefined;
  bytesIn: number | undefined;
  timings: Omit<StageTimes, 'compileMs' | 'totalMs'> | undefined;
  /** The status when the response did not end normally (an error after it started: 500, 408…; a client gone: 499). */
  status: number | undefined;
  /** The stable code of the error answered with, if any. */
  code: string | undefined;
  /** Why a session ended early (client disconnected, timeout, shutdown). */
  stopped: string | undefined;
  private working = false;
  private responseClosed = false;
  private logged = false;
  private readonly res: ServerResponse;
  private readonly log: FastifyBaseLogger;
  private readonly metrics: ServeMetrics;
  private readonly onEnd: () => void;

  constructor(method: string, res: ServerResponse, log: FastifyBaseLogger, metrics: ServeMetrics, onEnd: () => void) {
    this.method = method;
    this.res = res;
    this.log = log;
    this.metrics = metrics;
    this.onEnd = onEnd;
    res.once('close', () => {
      this.responseClosed = true;
      this.maybeLog();
    });
  }

  /** Work that outlives the response may follow (a session still stopping): log after it. */
  beginWork(): void {
    this.working = true;
  }

  endWork(): void {
    this.working = false;
    this.maybeLog();
  }

  private maybeLog(): void {
    if (this.logged || this.working || !this.responseClosed) return;
    this.logged = true;
    const ms = performance.now() - this.start;
    const res = this.res;
    const status = this.status ?? (res.writableFinished ? res.statusCode : 499);
    const m = this.metrics;
    m.requests.inc({ route: this.route, method: this.method, status: String(status) });
    m.latency.observe({ route: this.route }, ms / 1000);
    if (EVALUATE_ROUTES.has(this.route) && status === 200) m.evaluateLatency.observe(ms / 1000);
    if (this.code !== undefined) m.errors.inc({ code: this.code });
    const line: Record<string, unknown> = { method: this.method, route: this.route, status, ms: round(ms) };
    if (this.ruleset !== undefined) {
      line.ruleset = this.ruleset;
      line.version = this.version;
    }
    if (this.bytesIn !== undefined) line.bytesIn = this.bytesIn;
    if (this.facts !== undefined) line.facts = this.facts;
    if (this.firings !== undefined) line.firings = this.firings;
    if (this.timings !== undefined) {
      const t = this.timings;
      line.timings = { readParseMs: round(t.readParseMs), evaluateMs: round(t.evaluateMs), writeMs: round(t.writeMs) };
    }
    if (this.code !== undefined) line.code = this.code;
    if (this.stopped !== undefined) line.stopped = this.stopped;
    if (status >= 500) this.log.error(line, 'request');
    else if (QUIET_ROUTES.has(this.route)) this.log.debug(line, 'request');
    else this.log.info(line, 'request');
    this.onEnd();
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
