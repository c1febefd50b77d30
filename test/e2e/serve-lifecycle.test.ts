// End-to-end tests of `rete-eval serve` over time: a rule set swapped under load (a request
// in flight keeps its version), SIGHUP reloads, a client that disconnects (its session ends
// at once), a timeout, admission control, alerts, SIGTERM under load (no accepted request
// cut short), and refusals to start. Every wait is for a condition, never a fixed sleep.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, cli, fixtureFacts, fixtureRules, ndjson, requireBuild, tempDir, writeFiles } from './helpers.js';
import { ServeProcess, streamingPost, type Reply } from './serve-helpers.js';
import { readFileSync } from 'node:fs';

const factsText = readFileSync(fixtureFacts, 'utf8');

/** A one-rule set whose every firing is named `label` (so a response tells which version made it). */
function labelled(label: string, pad = 0): string {
  const value = pad > 0 ? { String: 'z'.repeat(pad) } : { Boolean: true };
  return JSON.stringify([{ id: 1, name: label, conditions: [], actions: [{ action_type: { SetField: { field: 'seen', value } } }] }]);
}

const smallFacts = Array.from({ length: 20 }, (_, i) => `{"id":${i},"status":"active"}\n`).join('');

beforeAll(() => {
  requireBuild();
});
afterAll(() => {
  cleanupTempDirs();
});

describe('rule sets replaced while requests run', () => {
  let server: ServeProcess;
  let rulesFile: string;
  beforeAll(async () => {
    rulesFile = writeFiles(tempDir(), { 'live.json': labelled('v1') })['live.json']!;
    server = await ServeProcess.start(['-r', rulesFile]);
  });
  afterAll(async () => {
    const e = await server?.stop();
    if (e.exitCode !== 0)
      console.log(
        server.logs
          .slice(-15)
          .map((l) => JSON.stringify(l))
          .join('\n'),
      );
    expect(e).toEqual({ exitCode: 0, signal: undefined });
  });

  const put = async (label: string) => {
    const r = await fetch(`${server.url}/v1/rulesets/live`, { method: 'PUT', body: labelled(label), headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(200);
    return ((await r.json()) as any).version as string;
  };
  const names = (r: Reply) => [...new Set(ndjson(r.text).map((f) => f.rule_name))];

  it('swaps atomically under load: every response comes whole from one version, and later requests see the new one', async () => {
    const versions = new Map<string, string>([[JSON.parse((await server.get('/v1/rulesets/live')).text).version, 'v1']]);
    let stop = false;
    const seen: Reply[] = [];
    const worker = async () => {
      while (!stop) seen.push(await server.post('/v1/rulesets/live/evaluate', smallFacts));
    };
    const workers = Array.from({ length: 4 }, worker);
    // Swap while the workers run: each PUT waits for some responses first, so swaps and requests interleave.
    for (let i = 2; i <= 7; i++) {
      const before = seen.length;
      await server.until(() => seen.length >= before + 3, 'responses between swaps');
      versions.set(await put(`v${i}`), `v${i}`);
      const after = await server.post('/v1/rulesets/live/evaluate', smallFacts);
      expect(names(after)).toEqual([`v${i}`]);
    }
    stop = true;
    await Promise.all(workers);
    expect(seen.length).toBeGreaterThan(15);
    const used = new Set<string>();
    for (const r of seen) {
      expect(r.status).toBe(200);
      const label = versions.get(r.headers.get('x-rete-ruleset-version')!);
      expect(names(r)).toEqual([label]);
      expect(ndjson(r.text)).toHaveLength(20);
      used.add(label!);
    }
    expect(used.size).toBeGreaterThan(2);
  });

  it('a request in flight keeps the version it started with', async () => {
    const before = await put('old');
    const { body, reply } = streamingPost(server.url + '/v1/rulesets/live/evaluate');
    body.write(smallFacts);
    await server.until(async () => (await server.metric('rete_eval_requests_in_flight')) === 1, 'the request to be in flight');
    const after = await put('new');
    body.write(smallFacts);
    body.end();
    const r = await reply;
    expect(r.headers.get('x-rete-ruleset-version')).toBe(before);
    expect(names(r)).toEqual(['old']);
    expect(ndjson(r.text)).toHaveLength(40);
    const next = await server.post('/v1/rulesets/live/evaluate', smallFacts);
    expect(next.headers.get('x-rete-ruleset-version')).toBe(after);
  });

  it('SIGHUP reloads the rule files given at start; a file that fails keeps the set in use', async () => {
    writeFileSync(rulesFile, labelled('from-file'));
    server.signal('SIGHUP');
    const reloaded = await server.waitForLog((l) => l.msg === 'rule set live reloaded');
    expect(names(await server.post('/v1/evaluate', smallFacts))).toEqual(['from-file']);
    writeFileSync(rulesFile, '[{"id": 1, "name": "broken", "conditions": [], "actions": [{"action_type": {"Nope": {}}}]}]');
    server.signal('SIGHUP');
    const failed = await server.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('reload of rule set live failed'));
    expect(failed).toMatchObject({ level: 50, ruleset: 'live', kept: reloaded.version, issues: [expect.stringMatching(/live\.json:1:\d+: /)] });
    const r = await server.post('/v1/evaluate', smallFacts);
    expect(r.headers.get('x-rete-ruleset-version')).toBe(reloaded.version);
    expect(await server.metric('rete_eval_ruleset_loads_total', { ruleset: 'live', result: 'error' })).toBe(1);
  });

  it('ends the session of a client that disconnects while sending: no more reading or evaluating', async () => {
    const abort = new AbortController();
    const { body, reply } = streamingPost(server.url + '/v1/rulesets/live/evaluate', { 'x-request-id': 'gone-while-sending' }, abort.signal);
    reply.catch(() => undefined);
    for (let i = 0; i < 5; i++) body.write(smallFacts);
    await server.until(async () => (await server.metric('rete_eval_requests_in_flight')) === 1, 'the request to be in flight');
    abort.abort();
    const line = await server.waitForLog((l) => l.reqId === 'gone-while-sending');
    expect(line).toMatchObject({ status: 499, stopped: 'client disconnected' });
    expect(line.facts).toBeLessThanOrEqual(100);
    expect(await server.metric('rete_eval_requests_in_flight')).toBe(0);
    expect(await server.metric('rete_eval_requests_abandoned_total', { reason: 'client disconnected' })).toBe(1);
  });

  it('ends the session of a client that stops reading a long response and disconnects', async () => {
    // 10 KB a firing line: 20,000 facts would make 200 MB of response if the session went on.
    await fetch(`${server.url}/v1/rulesets/big`, { method: 'PUT', body: labelled('big', 10_000), headers: { 'content-type': 'application/json' } });
    const abort = new AbortController();
    const { body, response, reply } = streamingPost(server.url + '/v1/rulesets/big/evaluate', { 'x-request-id': 'gone-while-reading' }, abort.signal);
    reply.catch(() => undefined);
    const pad = 'p'.repeat(1000);
    const total = 20_000;
    for (let i = 0; i < total; i += 500) body.write(Array.from({ length: 500 }, (_, k) => `{"id":${i + k},"pad":"${pad}"}\n`).join(''));
    body.end();
    // The response has started (its headers came); nothing of its body is read.
    expect((await response).status).toBe(200);
    abort.abort();
    const line = await server.waitForLog((l) => l.reqId === 'gone-while-reading');
    expect(line).toMatchObject({ status: 499, stopped: 'client disconnected' });
    expect(line.facts).toBeLessThan(total / 2);
  });
});

describe('limits: timeout, concurrency, alerts', () => {
  let server: ServeProcess;
  beforeAll(async () => {
    server = await ServeProcess.start([
      '-r',
      fixtureRules,
      '--max-concurrent',
      '1',
      '--request-timeout',
      '800ms',
      '--alert-p99-ms',
      '0.01',
      '--alert-rss-mb',
      '1',
      '--alert-interval',
      '50ms',
    ]);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses requests past --max-concurrent with 503 and Retry-After, and times out a request with 408', async () => {
    const { body, reply } = streamingPost(server.url + '/v1/evaluate', { 'x-request-id': 'slow' });
    body.write(factsText.slice(0, factsText.indexOf('\n') + 1));
    await server.until(async () => (await server.metric('rete_eval_requests_in_flight')) === 1, 'the request to be in flight');
    const busy = await server.post('/v1/evaluate', factsText);
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(JSON.parse(busy.text).code).toBe('E_BUSY');
    const slow = await reply;
    expect(slow.status).toBe(408);
    expect(JSON.parse(slow.text)).toEqual({ code: 'E_TIMEOUT', message: 'the request took longer than 800 ms (--request-timeout)' });
    expect(await server.waitForLog((l) => l.reqId === 'slow')).toMatchObject({ status: 408, code: 'E_TIMEOUT', stopped: 'timed out' });
  });

  it('raises performance alerts past their thresholds: a warn line and a metric', async () => {
    expect((await server.post('/v1/evaluate', factsText)).status).toBe(200);
    const p99 = await server.waitForLog((l) => l.alert === 'p99_latency');
    expect(p99).toMatchObject({
      level: 40,
      threshold: 0.01,
      unit: 'ms',
      msg: expect.stringMatching(/^alert: p99 latency of evaluate requests over the last 60 s is [\d.]+ ms, above 0.01 ms$/),
    });
    expect(await server.waitForLog((l) => l.alert === 'rss')).toMatchObject({ level: 40, threshold: 1, unit: 'MiB' });
    expect(await server.metric('rete_eval_alert_active', { alert: 'p99_latency' })).toBe(1);
    expect(await server.metric('rete_eval_alert_active', { alert: 'rss' })).toBe(1);
    expect(await server.metric('rete_eval_alerts_total', { alert: 'rss' })).toBe(1);
  });
});

describe('stopping', () => {
  it('SIGTERM under load: requests in flight finish whole, new ones are refused, exit 0', async () => {
    const expected = cli(['run', '--quiet', '-r', fixtureRules, fixtureFacts]);
    const server = await ServeProcess.start(['-r', fixtureRules, '--grace', '20s']);
    const half = factsText.indexOf('\n', factsText.length >> 1) + 1;
    const inFlight = Array.from({ length: 6 }, (_, i) => streamingPost(server.url + '/v1/evaluate', { 'x-request-id': `held-${i}` }));
    for (const p of inFlight) p.body.write(factsText.slice(0, half));
    await server.until(async () => (await server.metric('rete_eval_requests_in_flight')) === 6, 'six requests in flight');
    // Load besides: small requests in a loop until the server refuses them.
    const load: (Reply | Error)[] = [];
    let loading = true;
    const loader = async () => {
      while (loading) {
        const r = await server.post('/v1/evaluate', smallFacts).catch((e: Error) => e);
        load.push(r);
        if (r instanceof Error || r.status !== 200) return;
      }
    };
    const loaders = Array.from({ length: 3 }, loader);
    await server.until(() => load.length >= 6, 'some load');
    server.signal('SIGTERM');
    await server.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('stopping: waiting for'));
    await Promise.all(loaders);
    loading = false;
    // The held requests were accepted before the signal: they finish, whole.
    for (const p of inFlight) {
      p.body.write(factsText.slice(half));
      p.body.end();
    }
    const want = (await expected).stdout;
    for (const p of inFlight) {
      const r = await p.reply;
      expect(r.status).toBe(200);
      expect(r.text).toBe(want);
    }
    expect(await server.exited).toEqual({ exitCode: 0, signal: undefined });
    // Every request the server logged got its whole answer; the rest were refused (503) or never connected.
    const ok = load.filter((r) => !(r instanceof Error) && r.status === 200) as Reply[];
    for (const r of ok) expect(ndjson(r.text)).toHaveLength(0);
    for (const r of load) if (!(r instanceof Error) && r.status !== 200) expect(JSON.parse(r.text)).toMatchObject({ code: 'E_DRAINING' });
    const logged = server.requests().filter((l) => l.route === '/v1/evaluate');
    expect(logged.filter((l) => l.status === 200)).toHaveLength(ok.length + inFlight.length);
    expect(logged.filter((l) => l.status !== 200 && l.status !== 503)).toEqual([]);
    expect(server.logs.find((l) => l.msg === 'stopped')).toMatchObject({ cut: 0 });
  });

  it('past the grace period, cuts what is left and exits 143; a second signal stops at once', async () => {
    for (const second of [false, true]) {
      const server = await ServeProcess.start(['-r', fixtureRules, '--grace', second ? '60s' : '300ms']);
      const { body, reply } = streamingPost(server.url + '/v1/evaluate', { 'x-request-id': 'held' });
      reply.catch(() => undefined);
      body.write(factsText.slice(0, factsText.indexOf('\n') + 1));
      await server.until(async () => (await server.metric('rete_eval_requests_in_flight')) === 1, 'the request to be in flight');
      server.signal('SIGTERM');
      if (second) {
        await server.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('stopping: waiting for 1'));
        server.signal('SIGTERM');
      }
      expect(await server.exited).toEqual({ exitCode: 143, signal: undefined });
      await expect(reply).rejects.toThrow();
      expect(server.logs.find((l) => l.reqId === 'held')).toMatchObject({ stopped: 'server stopping' });
      if (!second) expect(server.logs.find((l) => l.level === 50 && /grace period \(300 ms\) over: cutting 1 requests short/.test(l.msg))).toBeDefined();
    }
  });
});

describe('refusing to start', () => {
  it('exits 3 with every error of every rule file, 5 for a missing file or a port in use, 2 for clashing names', async () => {
    const dir = tempDir();
    const files = writeFiles(dir, {
      'a.json': '[{"id": 1, "name": "A", "conditions": [{"field": "x", "operator": "Equals", "value": 1}], "actions": []}]',
      'b.json': '[{"id": "two", "name": "B", "conditions": [], "actions": []}]',
      'ok.json': labelled('ok'),
    });
    const running = await ServeProcess.start(['-r', files['ok.json']!]);
    const port = new URL(running.url).port;
    const [invalid, missing, clash, inUse] = await Promise.all([
      cli(['serve', '--port', '0', '-r', files['a.json']!, '-r', files['b.json']!]),
      cli(['serve', '--port', '0', '-r', join(dir, 'none.json')]),
      cli(['serve', '--port', '0', '-r', files['ok.json']!, '-r', `ok=${files['a.json']}`]),
      cli(['serve', '--host', '127.0.0.1', '--port', port, '-r', files['ok.json']!]),
    ]);
    await running.stop();
    expect(invalid.exitCode).toBe(3);
    const lines = invalid.stderr.trimEnd().split('\n');
    expect(lines.filter((l) => l.includes('a.json:1:')).length).toBeGreaterThanOrEqual(1);
    expect(lines.filter((l) => l.includes('b.json:1:')).length).toBeGreaterThanOrEqual(1);
    expect(lines.at(-1)).toMatch(/^rete-eval: not serving: invalid rules \(\d+ errors\)$/);
    expect(invalid.stdout).toBe('');
    expect(missing).toMatchObject({ exitCode: 5, stderr: expect.stringMatching(/^rete-eval: .*none\.json: cannot read: no such file\n$/) });
    expect(clash).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('two rule sets named "ok"') });
    expect(inUse.exitCode).toBe(5);
    expect(inUse.stderr).toMatch(new RegExp(`rete-eval: cannot listen on 127.0.0.1:${port}: the address is in use`));
    for (const r of [invalid, missing, clash, inUse]) expect(r.stderr).not.toContain('    at ');
  });
});
