// One evaluate request: checks what can be refused before the body is read (rule set,
// parameters, encoding, size, load), then runs the batch core of `run` (StreamRun) on a
// session of its own, reading the body as it arrives and writing to the response. The
// session ends at once when the client goes away, the request times out or the server
// has to stop: the body is no longer read and no further batch is evaluated.

import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { streamSource } from '../io/source.js';
import { StreamRun } from '../pipeline.js';
import type { SharedBuffers } from './buffers.js';
import { ServeCode, ServeError, httpFailure, type HttpFailure } from './errors.js';
import type { ServeMetrics } from './metrics.js';
import { checkEncoding, contentLength, parseParams, type EvaluateParams } from './params.js';
import { ResponseSink } from './response-sink.js';
import type { RuleSet } from './rulesets.js';
import type { Trace } from './trace.js';

/**
 * `reader=auto`: bodies of known length below this are read whole, larger and chunked ones
 * projected. In a running server the scanner is warm, so projecting pays off far sooner
 * than run's 4 MB: server CPU per request, projected ÷ whole, alternated on one server
 * (simple rules): 1 fact 1.19, 100 facts (16 KB) 1.02, 300 facts 0.87, 1,000 facts 0.92
 * (enterprise 1,000: 0.93).
 */
const PROJECT_MIN_BYTES_SERVED = 16 << 10;

export interface EvaluateLimits {
  maxBodyBytes: number;
  maxConcurrent: number;
  requestTimeoutMs: number;
  /** Upper bound of a request's max_firings; 0: none. */
  maxFirings: number;
  maxHeapBytes: number | undefined;
}

/** What evaluate requests share: limits, metrics, the chunk-buffer pool, and who is running. */
export interface EvaluateEnv {
  readonly limits: EvaluateLimits;
  readonly metrics: ServeMetrics;
  readonly buffers: SharedBuffers;
  /** Requests being read or evaluated (so a shutdown can stop them). */
  readonly running: Set<RequestControl>;
  draining(): boolean;
}

/** Why a session was stopped before its end. */
export type StopReason = 'client disconnected' | 'timed out' | 'server stopping';

class Stopped extends Error {}

/** Stops one request's session: rejects its pending body read; cuts a response already streaming. */
export class RequestControl {
  reason: StopReason | null = null;
  /** Rejects when the request is stopped (raced against each body read). */
  readonly stopped: Promise<never>;
  private reject!: (e: Error) => void;
  private readonly onStop: () => void;

  constructor(onStop: () => void) {
    this.onStop = onStop;
    this.stopped = new Promise<never>((_, reject) => {
      this.reject = reject;
    });
    this.stopped.catch(() => undefined);
  }

  stop(reason: StopReason): void {
    if (this.reason !== null) return;
    this.reason = reason;
    this.reject(new Stopped(reason));
    this.onStop();
  }
}

/** Refusals that need no body (a 4xx/503 through fastify's error handler), then the run. */
export async function evaluateRequest(env: EvaluateEnv, request: FastifyRequest, reply: FastifyReply, set: RuleSet, trace: Trace): Promise<void> {
  const { limits } = env;
  trace.ruleset = set.name;
  trace.version = set.version;
  const params = parseParams(request.query as Record<string, string>, request.headers, limits.maxFirings);
  checkEncoding(request.headers);
  const length = contentLength(request.headers);
  if (length !== null && length > limits.maxBodyBytes) {
    throw new ServeError(413, ServeCode.BODY_TOO_LARGE, `the body is ${length} bytes, over the limit of ${limits.maxBodyBytes} (--max-body)`);
  }
  if (env.running.size >= limits.maxConcurrent) {
    throw new ServeError(503, ServeCode.BUSY, `${env.running.size} requests are in flight, the most this server takes (--max-concurrent); retry later`, {
      'retry-after': '1',
    });
  }
  reply.hijack();
  await run(env, request, reply.raw, set, params, length, trace);
}

async function run(
  env: EvaluateEnv,
  request: FastifyRequest,
  response: ServerResponse,
  set: RuleSet,
  params: EvaluateParams,
  length: number | null,
  trace: Trace,
): Promise<void> {
  const { limits, metrics } = env;
  const req = request.raw;
  const headers = (): OutgoingHttpHeaders => {
    const h: OutgoingHttpHeaders = {
      'content-type': params.response === 'json' ? 'application/json; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'x-request-id': request.id,
      'x-rete-ruleset': set.name,
      'x-rete-ruleset-version': set.version,
    };
    if (env.draining()) h.connection = 'close';
    return h;
  };
  const sink = new ResponseSink(response, headers, params.response === 'json' ? params.emit : null);
  const ctl = new RequestControl(() => {
    // A response already streaming cannot change its status: cut it, so it is seen incomplete.
    if (sink.committed) response.destroy();
  });
  const onClose = () => {
    if (!response.writableFinished) ctl.stop('client disconnected');
  };
  response.once('close', onClose);
  const timer = setTimeout(() => ctl.stop('timed out'), limits.requestTimeoutMs);
  env.running.add(ctl);
  metrics.inFlight.inc();
  trace.beginWork();

  let bytesIn = 0;
  let overLimit = false;
  // The body as it arrives, counted against --max-body; a stop rejects the read in progress.
  async function* body(): AsyncGenerator<Uint8Array> {
    const it = (req as Readable)[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
    for (;;) {
      const r = await Promise.race([it.next(), ctl.stopped]);
      if (r.done) return;
      bytesIn += r.value.length;
      if (bytesIn > limits.maxBodyBytes) {
        overLimit = true;
        throw new Error('body over --max-body');
      }
      yield r.value;
    }
  }

  let core: StreamRun | null = null;
  const buffers = env.buffers.lease();
  try {
    core = new StreamRun(
      {
        network: set.network,
        reads: set.network.reads,
        // The declared length lets the reader read a small body whole, as `run` reads a small file.
        inputs: [streamSource('request', body(), length)],
        format: params.format,
        emit: params.emit,
        values: params.values,
        chain: params.chain,
        maxFirings: params.maxFirings > 0 ? params.maxFirings : limits.maxFirings,
        maxHeapBytes: limits.maxHeapBytes,
        onError: 'fail',
        reader: params.reader,
        projectMinBytes: params.reader === 'auto' ? PROJECT_MIN_BYTES_SERVED : 0,
        // Requests run side by side on the main thread: no reader threads per request.
        readerWorkers: 0,
        buffers,
        checkpoint: () => {
          if (ctl.reason !== null) throw new Stopped(ctl.reason);
        },
        rulesFiles: [set.label],
        warnings: set.warnings.length,
        rejectsFile: null,
        started: trace.start,
        compileMs: 0,
      },
      sink,
    );
    await core.run();
    sink.end(params.response === 'json' ? `,"report":${JSON.stringify(core.report(null))}` : '');
  } catch (e) {
    const reason = ctl.reason;
    let failure: HttpFailure | null;
    if (reason === 'client disconnected') failure = null;
    else if (reason === 'timed out')
      failure = stopFailure(408, ServeCode.TIMEOUT, `the request took longer than ${limits.requestTimeoutMs} ms (--request-timeout)`);
    else if (reason === 'server stopping') failure = stopFailure(503, ServeCode.DRAINING, 'the server is stopping; retry on another instance');
    else if (overLimit) failure = stopFailure(413, ServeCode.BODY_TOO_LARGE, `the body is over the limit of ${limits.maxBodyBytes} bytes (--max-body)`);
    else {
      const f = httpFailure(e);
      if (f.internal) request.log.error({ err: e }, 'internal error');
      failure = f;
    }
    trace.stopped = reason ?? undefined;
    if (failure === null) trace.status = 499;
    else {
      trace.code = failure.body.code;
      if (sink.committed || response.destroyed) {
        // The status line is gone already: cut the response short.
        trace.status = failure.status;
        response.destroy();
      } else {
        sendFailure(response, failure, request.id, !req.complete || env.draining());
      }
    }
    if (reason !== null) metrics.aborted.inc({ reason });
  } finally {
    buffers.releaseAll();
    clearTimeout(timer);
    env.running.delete(ctl);
    metrics.inFlight.dec();
    if (core !== null) {
      const stats = core.session.stats;
      trace.facts = stats.factsInserted;
      trace.firings = stats.firings;
      const r = core.timings();
      trace.timings = { readParseMs: r.readParseMs, evaluateMs: r.evaluateMs, writeMs: r.writeMs };
      metrics.facts.inc({ ruleset: set.name }, stats.factsInserted);
      metrics.firings.inc({ ruleset: set.name }, stats.firings);
    }
    trace.bytesIn = bytesIn;
    trace.endWork();
  }
}

function stopFailure(status: number, code: string, message: string): HttpFailure {
  return { status, headers: {}, body: { code, message } };
}

/** Writes an error response (JSON with its stable code); `close` ends the connection after it (a body left unread). */
export function sendFailure(res: ServerResponse, f: HttpFailure, requestId: string, close: boolean): void {
  const body = JSON.stringify(f.body);
  const headers: OutgoingHttpHeaders = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
    ...f.headers,
  };
  if (close) headers.connection = 'close';
  res.writeHead(f.status, headers);
  res.end(body);
}
