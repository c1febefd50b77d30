// The HTTP service (fastify): evaluate routes over named rule sets, rule sets replaced at
// run time, health, readiness and metrics; JSON logs on stderr (pino), one line a request;
// admission control, timeouts, performance alerts, SIGHUP reloads, and a graceful stop
// that lets every accepted request finish within the grace period.

import { fastify, LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import { pino, type Logger } from 'pino';
import { RuleFileError, formatIssue, type RuleIssue } from '../model/errors.js';
import { Alerts, type AlertOptions } from './alerts.js';
import { FACT_MEDIA_TYPES, ServeCode, ServeError, httpFailure, issueBody } from './errors.js';
import { evaluateRequest, type EvaluateEnv, type EvaluateLimits, type RequestControl } from './evaluate.js';
import { SharedBuffers } from './buffers.js';
import { ConnectionTracker } from './connections.js';
import { ServeMetrics } from './metrics.js';
import { RuleSetRegistry, type RuleSet, type RuleSetSpec } from './rulesets.js';
import { Trace } from './trace.js';

declare module 'fastify' {
  interface FastifyRequest {
    trace: Trace;
  }
}

export interface ServeConfig extends EvaluateLimits {
  host: string;
  port: number;
  ruleSets: readonly RuleSetSpec[];
  /** Rule warnings count as errors (at start, on PUT and on reload). */
  strict: boolean;
  /** How long a stop waits for requests in flight (ms). */
  graceMs: number;
  logLevel: string;
  alerts: AlertOptions;
}

/** Routes that answer while the server drains (probes and scrapes). */
const ALWAYS_ANSWERED = new Set(['/healthz', '/readyz', '/metrics']);

export class RuleEvalServer {
  readonly app: FastifyInstance;
  readonly registry: RuleSetRegistry;
  readonly metrics: ServeMetrics;
  readonly log: Logger;
  private readonly config: ServeConfig;
  private readonly alerts: Alerts;
  private readonly running = new Set<RequestControl>();
  private readonly env: EvaluateEnv;
  private readonly destination: ReturnType<typeof pino.destination>;
  private draining = false;
  private connections!: ConnectionTracker;
  private stopping: Promise<number> | null = null;
  /** Requests cut short by the stop (grace period over, or a second signal). */
  private cut = 0;

  /**
   * Compiles every rule set (throws RuleFileError with the issues of every file, or
   * InputError) and builds the routes; listen() starts serving.
   */
  constructor(config: ServeConfig, options: { logDestination?: number } = {}) {
    this.config = config;
    // Lines are gathered up to 4 KiB (and written at least every 100 ms) rather than one
    // write each: a write per request line cost about a fifth of a one-fact request's CPU.
    this.destination = pino.destination({ dest: options.logDestination ?? 2, sync: false, minLength: 4096, periodicFlush: 100 });
    this.log = pino({ level: config.logLevel }, this.destination);
    this.metrics = new ServeMetrics({ latencyWindowSeconds: config.alerts.windowSeconds });
    this.registry = new RuleSetRegistry({ strict: config.strict, onChange: (c) => this.metrics.ruleSetChanged(c) });
    loadAll(this.registry, config.ruleSets);
    for (const set of this.registry.list()) {
      for (const w of set.warnings) this.log.warn({ ruleset: set.name }, `warning: ${formatIssue(w, set.label, { withRule: true })}`);
    }
    this.alerts = new Alerts(config.alerts, this.metrics, this.log);
    this.env = {
      limits: config,
      metrics: this.metrics,
      buffers: new SharedBuffers(),
      running: this.running,
      draining: () => this.draining,
    };
    this.app = this.buildApp();
  }

  /** Starts listening; resolves with the address (`http://127.0.0.1:PORT`). */
  async listen(): Promise<string> {
    await this.app.listen({ host: this.config.host, port: this.config.port });
    this.alerts.start();
    const addr = this.app.server.address();
    const port = typeof addr === 'object' && addr !== null ? addr.port : this.config.port;
    const host = this.config.host.includes(':') ? `[${this.config.host}]` : this.config.host;
    return `http://${host}:${port}`;
  }

  /** SIGHUP: reads the rule files given at start again; a file that fails keeps its set (logged). */
  reload(): void {
    for (const r of this.registry.reload(this.config.ruleSets)) {
      if (r.error !== undefined) {
        this.metrics.ruleSetLoads.inc({ ruleset: r.name, result: 'error' });
        const kept = this.registry.get(r.name)?.version;
        const issues = r.error instanceof RuleFileError ? r.error.issues.map((i) => formatIssue(i, r.name, { withRule: true })) : undefined;
        this.log.error({ ruleset: r.name, kept, issues }, `reload of rule set ${r.name} failed, version ${kept} kept: ${(r.error as Error).message}`);
      } else if (r.changed) {
        this.log.info({ ruleset: r.name, version: r.set!.version, rules: r.set!.rules }, `rule set ${r.name} reloaded`);
      } else {
        this.log.info({ ruleset: r.name, version: r.set!.version }, `rule set ${r.name} unchanged`);
      }
    }
  }

  /**
   * Stops: no new connections or requests (503), requests in flight finish within the grace
   * period, then the server closes. Resolves with the number of requests cut short at the
   * end of the grace period (0 when all finished).
   */
  stop(): Promise<number> {
    this.stopping ??= this.drain();
    return this.stopping;
  }

  /** Ends every request at once (a second signal); resolves as stop() does. */
  stopNow(): Promise<number> {
    const stopped = this.stop();
    this.cutAll();
    return stopped;
  }

  /** Stops every request still running and closes every connection. */
  private cutAll(): void {
    this.cut += this.running.size;
    for (const c of [...this.running]) c.stop('server stopping');
    this.app.server.closeAllConnections();
  }

  /** Flushes the log (call before the process exits). */
  flushLogs(): void {
    try {
      this.destination.flushSync();
    } catch {
      // nothing more can be said
    }
  }

  private async drain(): Promise<number> {
    this.draining = true;
    this.alerts.stop();
    this.log.info({ inFlight: this.running.size, graceMs: this.config.graceMs }, `stopping: waiting for ${this.running.size} requests in flight`);
    const closed = this.app.close();
    this.connections.closeIdle();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace'>((resolve) => {
      timer = setTimeout(() => resolve('grace'), this.config.graceMs);
    });
    const first = await Promise.race([closed.then(() => 'closed' as const), graceOver]);
    clearTimeout(timer);
    if (first === 'grace') {
      const n = this.running.size;
      this.log.error({ cut: n }, `grace period (${this.config.graceMs} ms) over: cutting ${n} requests short`);
      this.cutAll();
      await closed;
    }
    this.registry.close();
    this.log.info({ cut: this.cut }, 'stopped');
    return this.cut;
  }

  private buildApp(): FastifyInstance {
    const config = this.config;
    const app = fastify({
      loggerInstance: this.log,
      // One line a request is written by Trace, with what the request did.
      logController: new LogController({ disableRequestLogging: true }),
      genReqId: requestId,
      // Draining is answered by the onRequest hook below, as JSON with a code and Retry-After.
      return503OnClosing: false,
      forceCloseConnections: 'idle',
      // A backstop behind --request-timeout (ours answers 408 with a JSON body).
      requestTimeout: config.requestTimeoutMs + 5_000,
    }) as unknown as FastifyInstance;
    app.decorateRequest('trace', null as unknown as Trace);
    this.connections = new ConnectionTracker(app.server);

    app.addHook('onRequest', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      request.trace = new Trace(request.method, reply.raw, request.log, this.metrics, this.connections.begin(request.raw.socket));
      request.trace.route = route;
      reply.header('x-request-id', request.id);
      if (this.draining && !ALWAYS_ANSWERED.has(route)) {
        throw new ServeError(503, ServeCode.DRAINING, 'the server is stopping; retry on another instance', { 'retry-after': '1', connection: 'close' });
      }
    });

    app.setErrorHandler((err, request, reply) => {
      const f = httpFailure(err);
      if (f.internal) request.log.error({ err }, 'internal error');
      request.trace.code = f.body.code;
      reply.code(f.status).headers(f.headers);
      // A refused request whose body is still coming: end the connection rather than read it all.
      if (!request.raw.complete) reply.header('connection', 'close');
      void reply.send(f.body);
    });

    app.setNotFoundHandler((request, reply) => {
      const f = {
        code: ServeCode.NOT_FOUND,
        message: `no route ${request.method} ${request.url.split('?')[0]}; routes: POST /v1/evaluate, POST /v1/rulesets/NAME/evaluate, GET /v1/rulesets[/NAME], PUT /v1/rulesets/NAME, GET /healthz, /readyz, /metrics`,
      };
      request.trace.code = f.code;
      if (!request.raw.complete) reply.header('connection', 'close');
      void reply.code(404).send(f);
    });

    app.get('/healthz', async () => ({ status: 'ok' }));
    app.get('/readyz', async (_request, reply) => {
      if (this.draining) return reply.code(503).header('retry-after', '1').send({ code: ServeCode.DRAINING, message: 'the server is stopping' });
      return { status: 'ready', rulesets: this.registry.list().length };
    });
    app.get('/metrics', async (_request, reply) => reply.type(this.metrics.contentType).send(await this.metrics.text()));

    app.get('/v1/rulesets', async () => ({ rulesets: this.registry.list().map((s) => this.describe(s)) }));
    app.get('/v1/rulesets/:name', async (request) => this.describe(this.ruleSet(request)));

    // Rule files: read whole (they are small), validated and compiled, then swapped in.
    app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: config.maxBodyBytes }, (_req, body, done) => done(null, body));
      scope.put('/v1/rulesets/:name', async (request, reply) => {
        const name = (request.params as { name: string }).name;
        request.trace.ruleset = name;
        const previous = this.registry.get(name);
        const { set, created } = this.registry.put(name, request.body as Buffer);
        request.trace.version = set.version;
        const compileMs = Math.round(set.compileMs * 100) / 100;
        this.log.info(
          { ruleset: name, version: set.version, previous: previous?.version, rules: set.rules, compileMs },
          `rule set ${name} ${created ? 'created' : 'replaced'}`,
        );
        return reply
          .code(created ? 201 : 200)
          .send({ ...this.describe(set), previous: previous?.version ?? null, compileMs, warnings: set.warnings.map(issueBody) });
      });
    });

    // Facts: streamed from the body into a session as they arrive (no parsing by fastify).
    app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser([...FACT_MEDIA_TYPES], (_req, _payload, done) => done(null));
      // The rule set is taken once, here: a swap while the request runs does not reach it.
      scope.post('/v1/evaluate', async (request, reply) => evaluateRequest(this.env, request, reply, this.registry.defaultSet, request.trace));
      scope.post('/v1/rulesets/:name/evaluate', async (request, reply) => evaluateRequest(this.env, request, reply, this.ruleSet(request), request.trace));
    });
    return app;
  }

  private ruleSet(request: FastifyRequest): RuleSet {
    const name = (request.params as { name: string }).name;
    const set = this.registry.get(name);
    if (set === undefined) {
      const known = this.registry.list().map((s) => s.name);
      throw new ServeError(404, ServeCode.RULESET_NOT_FOUND, `no rule set "${name}"; this server has ${known.join(', ')}`);
    }
    return set;
  }

  private describe(s: RuleSet) {
    return {
      name: s.name,
      version: s.version,
      rules: s.rules,
      source: s.source,
      file: s.path,
      loadedAt: s.loadedAt.toISOString(),
      default: s === this.registry.defaultSet,
    };
  }
}

/** Loads every rule set; the issues of every failing file are gathered into one RuleFileError. */
function loadAll(registry: RuleSetRegistry, specs: readonly RuleSetSpec[]): void {
  const issues: RuleIssue[] = [];
  let first: string | null = null;
  for (const spec of specs) {
    try {
      registry.loadFile(spec);
    } catch (e) {
      if (!(e instanceof RuleFileError)) throw e;
      first ??= spec.path;
      issues.push(...e.issues.map((i) => ({ ...i, file: i.file ?? spec.path })));
    }
  }
  if (first !== null) throw new RuleFileError(first, issues);
}

let lastId = 0;
const ID_PREFIX = process.pid.toString(36);

/** The client's X-Request-Id when it is a sane token, else `<pid>-<n>`. */
function requestId(req: { headers: Record<string, string | string[] | undefined> }): string {
  const h = req.headers['x-request-id'];
  if (typeof h === 'string' && /^[\x21-\x7e]{1,128}$/.test(h)) return h;
  return `${ID_PREFIX}-${(++lastId).toString(36)}`;
}
