// Helpers for the serve end-to-end tests: start `rete-eval serve` as a real process
// (execa) on 127.0.0.1 port 0, read the address from its first line, collect its JSON log
// lines, wait for conditions (never fixed sleeps), and talk to it with Node's fetch.

import { request } from 'node:http';
import { execa, type ResultPromise } from 'execa';
import { binPath, repoRoot } from './helpers.js';

export interface Exit {
  exitCode: number | undefined;
  signal: string | undefined;
}

export class ServeProcess {
  readonly url: string;
  /** Every log line written so far (parsed JSON; plain lines as { text }). */
  readonly logs: any[];
  readonly exited: Promise<Exit>;
  private readonly child: ResultPromise;
  private readonly waiters: { test: (l: any) => boolean; resolve: (l: any) => void }[];

  private constructor(url: string, child: ResultPromise, logs: any[], waiters: ServeProcess['waiters'], exited: Promise<Exit>) {
    this.url = url;
    this.child = child;
    this.logs = logs;
    this.waiters = waiters;
    this.exited = exited;
  }

  /** Starts `rete-eval serve --port 0 ...args` and resolves once it listens. */
  static async start(args: readonly string[], env: Record<string, string> = {}): Promise<ServeProcess> {
    const child = execa(process.execPath, [binPath, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
      cwd: repoRoot,
      reject: false,
      buffer: false,
      stdin: 'ignore',
      env: { NODE_OPTIONS: '', ...env },
    });
    const logs: any[] = [];
    const waiters: ServeProcess['waiters'] = [];
    let pending = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      pending += text;
      let nl = pending.indexOf('\n');
      while (nl >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        let entry: any;
        try {
          entry = JSON.parse(line);
        } catch {
          entry = { text: line };
        }
        logs.push(entry);
        for (let i = waiters.length - 1; i >= 0; i--) {
          if (waiters[i]!.test(entry)) waiters.splice(i, 1)[0]!.resolve(entry);
        }
        nl = pending.indexOf('\n');
      }
    });
    const exited: Promise<Exit> = child.then((r) => ({ exitCode: r.exitCode, signal: r.signal }));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (text: string) => {
        out += text;
        const m = /^listening on (http:\/\/\S+)\n/.exec(out);
        if (m) resolve(m[1]!);
      });
      void exited.then((e) =>
        reject(new Error(`serve exited (${e.exitCode ?? e.signal}) before listening: ${logs.map((l) => l.text ?? JSON.stringify(l)).join('\n')}`)),
      );
    });
    return new ServeProcess(url, child, logs, waiters, exited);
  }

  /** The first log line (past or future) that passes `test`; fails after `ms`. */
  waitForLog(test: (l: any) => boolean, ms = 10_000): Promise<any> {
    const seen = this.logs.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no such log line within ${ms} ms; logs:\n${this.logs.map((l) => JSON.stringify(l)).join('\n')}`)), ms);
      this.waiters.push({
        test,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }

  /** The request log lines (one per request). */
  requests(): any[] {
    return this.logs.filter((l) => l.msg === 'request');
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  /** SIGTERM and wait for the exit. */
  async stop(): Promise<Exit> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** POSTs facts; resolves with the status, headers and body text. */
  async post(path: string, body: string | Uint8Array, headers: Record<string, string> = {}): Promise<Reply> {
    const r = await fetch(this.url + path, { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson', ...headers } });
    return { status: r.status, headers: r.headers, text: await r.text() };
  }

  async get(path: string): Promise<Reply> {
    const r = await fetch(this.url + path);
    return { status: r.status, headers: r.headers, text: await r.text() };
  }

  /** The value of a metric (first sample whose labels contain `labels`); 0 when absent. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const text = (await this.get('/metrics')).text;
    for (const line of text.split('\n')) {
      if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
      if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return 0;
  }

  /** Polls `probe` until it returns true (fails after `ms`). */
  async until(probe: () => Promise<boolean> | boolean, what: string, ms = 10_000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await probe())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

/** A request body the test writes piece by piece (fetch streams it: chunked transfer). */
export class BodyWriter {
  readonly stream: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  constructor() {
    this.stream = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.controller = c;
      },
    });
  }
  write(data: string | Uint8Array): void {
    this.controller.enqueue(typeof data === 'string' ? new TextEncoder().encode(data) : data);
  }
  end(): void {
    this.controller.close();
  }
}

/**
 * Starts a POST whose body is written later through the returned writer. `response`
 * resolves at the response's headers, `reply` once its body is read too.
 */
export function streamingPost(
  url: string,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): { body: BodyWriter; response: Promise<Response>; reply: Promise<Reply> } {
  const body = new BodyWriter();
  const response = fetch(url, {
    method: 'POST',
    body: body.stream,
    headers: { 'content-type': 'application/x-ndjson', ...headers },
    duplex: 'half',
    signal,
  } as RequestInit);
  const reply = response.then(async (r) => ({ status: r.status, headers: r.headers, text: await r.text() }));
  return { body, response, reply };
}

/**
 * A POST that declares `length` body bytes and sends none: the answer to the headers alone
 * (fetch would race the server's early answer and its closing of the connection while still
 * writing the body, and fail with EPIPE).
 */
export function declaredPost(url: string, length: number): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', 'content-length': String(length) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: new Headers(res.headers as Record<string, string>), text });
      });
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}
