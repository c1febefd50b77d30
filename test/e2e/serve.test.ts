// End-to-end tests of `rete-eval serve` (one server for the file): responses byte-identical
// to `run` on the fixtures in every input format and encoding (sized and chunked bodies),
// the run options as query parameters, the JSON form with its report, every error status
// with its code, rule sets listed and replaced at run time, health, metrics and logs.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, cli, fixtureFacts, fixtureRules, ndjson, repoRoot, requireBuild } from './helpers.js';
import { declaredPost, ServeProcess, streamingPost } from './serve-helpers.js';

const joinRules = join(repoRoot, 'fixtures', 'join-rules.json');
const joinFacts = join(repoRoot, 'fixtures', 'join-facts.ndjson');
const factsText = readFileSync(fixtureFacts, 'utf8');
const factObjects = factsText
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l));

/** `run --quiet` on the fixtures with extra flags: what serve must answer, byte for byte. */
const runs = new Map<string, Promise<string>>();
function runOutput(rules: string, facts: string, flags: string[] = []): Promise<string> {
  const key = JSON.stringify([rules, facts, flags]);
  let p = runs.get(key);
  if (p === undefined) {
    p = cli(['run', '--quiet', '-r', rules, facts, ...flags]).then((r) => {
      if (r.exitCode !== 0) throw new Error(`run failed: ${r.stderr}`);
      return r.stdout;
    });
    runs.set(key, p);
  }
  return p;
}

let server: ServeProcess;

beforeAll(async () => {
  requireBuild();
  server = await ServeProcess.start(['-r', fixtureRules, '-r', `join=${joinRules}`, '--max-body', '1MiB']);
  // Started now, run in parallel with the server's start and the first tests.
  void runOutput(fixtureRules, fixtureFacts);
});

afterAll(async () => {
  const exit = await server?.stop();
  cleanupTempDirs();
  expect(exit).toEqual({ exitCode: 0, signal: undefined });
});

describe('responses are what `run` writes', () => {
  it('answers NDJSON facts with the firing lines of `run`, byte for byte (default rule set and by name)', async () => {
    const expected = await runOutput(fixtureRules, fixtureFacts);
    expect(expected.length).toBeGreaterThan(10_000);
    const a = await server.post('/v1/evaluate', factsText);
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(a.headers.get('x-rete-ruleset')).toBe('rules');
    expect(a.headers.get('x-rete-ruleset-version')).toMatch(/^[0-9a-f]{16}$/);
    expect(a.text).toBe(expected);
    const b = await server.post('/v1/rulesets/rules/evaluate', factsText);
    expect(b.text).toBe(expected);
  });

  it('reads every input format and gzip, sized or chunked, and answers the same bytes', async () => {
    const expected = await runOutput(fixtureRules, fixtureFacts);
    const array = JSON.stringify(factObjects);
    const bodies: [string, string | Uint8Array, Record<string, string>][] = [
      ['JSON array', array, { 'content-type': 'application/json' }],
      ['{"facts":[…]}', JSON.stringify({ facts: factObjects }), { 'content-type': 'application/json' }],
      ['{"meta":…,"facts":[…]}', JSON.stringify({ meta: { source: 'test' }, facts: factObjects }), { 'content-type': 'application/json' }],
      ['pretty-printed values (jq)', factObjects.map((f) => JSON.stringify(f, null, 2)).join('\n'), { 'content-type': 'application/json' }],
      ['gzip NDJSON', gzipSync(factsText), { 'content-encoding': 'gzip' }],
      ['gzip array', gzipSync(array), { 'content-type': 'application/json', 'content-encoding': 'gzip' }],
      ['NDJSON with CRLF and a BOM', '\ufeff' + factsText.replaceAll('\n', '\r\n'), { 'content-type': 'application/ndjson' }],
    ];
    for (const [what, body, headers] of bodies) {
      const r = await server.post('/v1/evaluate', body, headers);
      expect({ what, status: r.status }).toEqual({ what, status: 200 });
      expect(r.text, what).toBe(expected);
    }
    // A chunked body (no Content-Length) is read as it arrives, by the projected reader.
    for (const gzip of [false, true]) {
      const { body, reply } = streamingPost(server.url + '/v1/evaluate', gzip ? { 'content-encoding': 'gzip' } : {});
      const bytes = gzip ? gzipSync(factsText) : Buffer.from(factsText);
      for (let i = 0; i < bytes.length; i += 4096) body.write(new Uint8Array(bytes.subarray(i, i + 4096)));
      body.end();
      const r = await reply;
      expect(r.text, gzip ? 'chunked gzip' : 'chunked').toBe(expected);
    }
  });

  it('takes the options of `run` as query parameters', async () => {
    const cases: [string, string[]][] = [
      ['emit=facts', ['--emit', 'facts']],
      ['values=tagged', ['--values', 'tagged']],
      ['chain=false', ['--no-chain']],
      ['emit=facts&values=tagged&chain=false', ['--emit', 'facts', '--values', 'tagged', '--no-chain']],
    ];
    const expected = await Promise.all(cases.map(([, flags]) => runOutput(fixtureRules, fixtureFacts, flags)));
    for (let i = 0; i < cases.length; i++) {
      const r = await server.post(`/v1/evaluate?${cases[i]![0]}`, factsText);
      expect(r.status).toBe(200);
      expect(r.text, cases[i]![0]).toBe(expected[i]);
    }
    expect(new Set(expected).size).toBe(cases.length);
    // Either reader, the same bytes (a small sized body is read whole by default, a chunked one projected).
    const plain = await runOutput(fixtureRules, fixtureFacts);
    for (const reader of ['whole', 'projected']) expect((await server.post(`/v1/evaluate?reader=${reader}`, factsText)).text, reader).toBe(plain);
  });

  it('evaluates the join fixtures on the second rule set as `run` does', async () => {
    const expected = await runOutput(joinRules, joinFacts);
    const r = await server.post('/v1/rulesets/join/evaluate', readFileSync(joinFacts, 'utf8'));
    expect(r.headers.get('x-rete-ruleset')).toBe('join');
    expect(r.text).toBe(expected);
  });

  it('keeps concurrent requests on two rule sets apart: each answer is its own run', async () => {
    const [rulesOut, joinOut] = await Promise.all([runOutput(fixtureRules, fixtureFacts), runOutput(joinRules, joinFacts)]);
    const joinText = readFileSync(joinFacts, 'utf8');
    // Chunked bodies in pieces, so the sessions interleave batch by batch on the server.
    const requests = Array.from({ length: 16 }, (_, i) => {
      const onJoin = i % 2 === 1;
      const text = onJoin ? joinText : factsText;
      const { body, reply } = streamingPost(server.url + (onJoin ? '/v1/rulesets/join/evaluate' : '/v1/evaluate'));
      return { onJoin, text, body, reply };
    });
    for (let start = 0; start < factsText.length; start += 16384) {
      for (const r of requests) if (start < r.text.length) r.body.write(r.text.slice(start, start + 16384));
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const r of requests) r.body.end();
    for (const r of requests) {
      const reply = await r.reply;
      expect(reply.status).toBe(200);
      expect(reply.text).toBe(r.onJoin ? joinOut : rulesOut);
    }
  });

  it('answers one JSON object with the firings and the run report under Accept: application/json', async () => {
    const expected = ndjson(await runOutput(fixtureRules, fixtureFacts));
    const r = await server.post('/v1/evaluate', factsText, { accept: 'application/json' });
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const doc = JSON.parse(r.text);
    expect(Object.keys(doc)).toEqual(['firings', 'report']);
    expect(doc.firings).toEqual(expected);
    expect(doc.report.facts).toMatchObject({ records: factObjects.length, read: factObjects.length, inserted: factObjects.length, skipped: 0 });
    expect(doc.report.firings.total).toBe(expected.length);
    expect(doc.report.rules).toMatchObject({ file: fixtureRules, count: 14 });
    expect(doc.report.inputs).toEqual([expect.objectContaining({ name: 'request', format: 'ndjson', gzip: false, records: factObjects.length })]);
    expect(doc.report.output).toEqual({ target: 'response', emit: 'firings', lines: expected.length });
    // emit=facts: the final facts under "facts"; NDJSON is preferred when it has the higher q.
    const facts = await server.post('/v1/evaluate?emit=facts', factsText, { accept: 'application/json' });
    expect(JSON.parse(facts.text).facts).toEqual(ndjson(await runOutput(fixtureRules, fixtureFacts, ['--emit', 'facts'])));
    const prefer = await server.post('/v1/evaluate', '{"id":1}\n', { accept: 'application/json;q=0.5, application/x-ndjson' });
    expect(prefer.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const empty = await server.post('/v1/evaluate', '', { accept: 'application/json' });
    expect(JSON.parse(empty.text)).toMatchObject({ firings: [], report: { facts: { read: 0 } } });
  });
});

describe('errors: a status, a stable code, a one-line message', () => {
  const json = (r: { text: string }) => JSON.parse(r.text);

  it('400 for a malformed fact, with its line and column; nothing of the run is sent', async () => {
    const body = factsText.split('\n').slice(0, 3).join('\n') + '\n{"id": 5, "data": {"fields": {"x": tru}}}\n';
    const r = await server.post('/v1/evaluate', body);
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(json(r)).toEqual({ code: 'E_FACT_JSON', message: expect.stringMatching(/^request:4:\d+: /), line: 4, column: expect.any(Number) });
    const reserved = await server.post('/v1/evaluate', '{"id": 9000000000000001, "status": "x"}\n');
    expect(json(reserved)).toMatchObject({ code: 'E_FACT_INVALID', line: 1, path: '$.id' });
    expect(reserved.status).toBe(400);
    const gz = await server.post('/v1/evaluate', Buffer.concat([gzipSync(factsText).subarray(0, 200), Buffer.alloc(50, 7)]), { 'content-encoding': 'gzip' });
    expect(gz.status).toBe(400);
    expect(json(gz)).toMatchObject({ code: 'E_BODY', message: expect.stringContaining('corrupt gzip') });
  });

  it('400 for a bad query parameter, naming it', async () => {
    expect(json(await server.post('/v1/evaluate?emit=everything', '{}\n'))).toEqual({ code: 'E_USAGE', message: 'emit=everything: expected firings or facts' });
    const typo = await server.post('/v1/evaluate?emitt=facts', '{}\n');
    expect(typo.status).toBe(400);
    expect(json(typo).message).toContain('unknown query parameter "emitt" (did you mean "emit"?)');
    expect(json(await server.post('/v1/evaluate?max_firings=-1', '{}\n')).code).toBe('E_USAGE');
  });

  it('404 for an unknown rule set or route', async () => {
    const r = await server.post('/v1/rulesets/nope/evaluate', factsText);
    expect(r.status).toBe(404);
    expect(json(r)).toEqual({ code: 'E_RULESET_NOT_FOUND', message: 'no rule set "nope"; this server has rules, join' });
    const route = await server.get('/v2/evaluate');
    expect(route.status).toBe(404);
    expect(json(route).code).toBe('E_NOT_FOUND');
  });

  it('413 for a body over --max-body, declared or streamed', async () => {
    const declared = await declaredPost(server.url + '/v1/evaluate', (1 << 20) + 16);
    expect(declared.status).toBe(413);
    expect(json(declared)).toMatchObject({ code: 'E_BODY_TOO_LARGE' });
    const { body, reply } = streamingPost(server.url + '/v1/evaluate');
    const lines = Array.from({ length: 1000 }, (_, i) => `{"id":${i},"pad":"${'y'.repeat(40)}"}\n`).join('');
    for (let i = 0; i < 25; i++) body.write(lines);
    body.end();
    const streamed = await reply;
    expect(streamed.status).toBe(413);
    expect(json(streamed).code).toBe('E_BODY_TOO_LARGE');
  });

  it('415 for an unknown content type or encoding', async () => {
    const csv = await server.post('/v1/evaluate', 'a,b\n', { 'content-type': 'text/csv' });
    expect(csv.status).toBe(415);
    expect(json(csv).code).toBe('E_MEDIA_TYPE');
    const none = await fetch(server.url + '/v1/evaluate', { method: 'POST', body: new Uint8Array([123, 125]) });
    expect(none.status).toBe(415);
    const br = await server.post('/v1/evaluate', factsText, { 'content-encoding': 'br' });
    expect(br.status).toBe(415);
    expect(json(br).code).toBe('E_CONTENT_ENCODING');
  });

  it('422 when a limit is passed (max_firings)', async () => {
    const r = await server.post('/v1/evaluate?max_firings=10', factsText);
    expect(r.status).toBe(422);
    expect(json(r)).toMatchObject({ code: 'E_LIMIT', message: expect.stringContaining('10') });
  });
});

describe('rule sets at run time', () => {
  const rule = (id: number, name: string, status: string) => ({
    id,
    name,
    conditions: [{ field: 'status', operator: 'Equal', value: { String: status } }],
    actions: [{ action_type: { SetField: { field: 'seen', value: { Boolean: true } } } }],
  });
  const put = (name: string, body: string) =>
    fetch(`${server.url}/v1/rulesets/${name}`, { method: 'PUT', body, headers: { 'content-type': 'application/json' } });

  it('lists the rule sets with rule counts and versions', async () => {
    const r = JSON.parse((await server.get('/v1/rulesets')).text);
    expect(r.rulesets.map((s: any) => [s.name, s.rules, s.default])).toEqual([
      ['rules', 14, true],
      ['join', 8, false],
    ]);
    for (const s of r.rulesets) expect(s.version).toMatch(/^[0-9a-f]{16}$/);
  });

  it('PUT creates and replaces a rule set, validated and compiled; requests then use it', async () => {
    const created = await put('status', JSON.stringify([rule(1, 'Active', 'active')]));
    expect(created.status).toBe(201);
    const first: any = await created.json();
    expect(first).toMatchObject({ name: 'status', rules: 1, source: 'upload', previous: null, warnings: [] });
    const facts = '{"id":1,"status":"active"}\n{"id":2,"status":"inactive"}\n';
    const a = await server.post('/v1/rulesets/status/evaluate', facts);
    expect(ndjson(a.text).map((f) => [f.rule_name, f.fact_id])).toEqual([['Active', 1]]);
    const replaced = await put('status', JSON.stringify({ rules: [rule(1, 'Inactive', 'inactive')] }));
    expect(replaced.status).toBe(200);
    const second: any = await replaced.json();
    expect(second.previous).toBe(first.version);
    expect(second.version).not.toBe(first.version);
    const b = await server.post('/v1/rulesets/status/evaluate', facts);
    expect(b.headers.get('x-rete-ruleset-version')).toBe(second.version);
    expect(ndjson(b.text).map((f) => [f.rule_name, f.fact_id])).toEqual([['Inactive', 2]]);
    const one = JSON.parse((await server.get('/v1/rulesets/status')).text);
    expect(one).toMatchObject({ name: 'status', version: second.version, default: false });
  });

  it('422 with every error, located, for invalid rules; the set in use stays', async () => {
    const before = JSON.parse((await server.get('/v1/rulesets/join')).text).version;
    const bad = JSON.stringify(
      [
        { ...rule(1, 'A', 'x'), conditions: [{ field: 'a', operator: 'Equals', value: 1 }] },
        { id: 'two', name: 'B', conditions: [], actions: [] },
      ],
      null,
      2,
    );
    const r = await put('join', bad);
    expect(r.status).toBe(422);
    const body: any = await r.json();
    expect(body.code).toBe('E_RULES_INVALID');
    expect(body.message).toMatch(/^request:\d+:\d+: /);
    expect(body.issues.length).toBeGreaterThanOrEqual(2);
    for (const i of body.issues) expect(i).toMatchObject({ line: expect.any(Number), column: expect.any(Number), path: expect.stringMatching(/^\$/) });
    expect(body.issues.map((i: any) => i.message).join('\n')).toContain('Equals');
    const syntax = await put('join', '[{"id": 1,');
    expect(syntax.status).toBe(422);
    expect(((await syntax.json()) as any).issues[0]).toMatchObject({ line: 1, message: expect.stringContaining('invalid JSON') });
    expect(JSON.parse((await server.get('/v1/rulesets/join')).text).version).toBe(before);
    const name = await put('bad%20name', '[]');
    expect(name.status).toBe(400);
    expect(((await name.json()) as any).code).toBe('E_RULESET_NAME');
  });
});

describe('operating it', () => {
  it('answers health and readiness', async () => {
    expect(await server.get('/healthz')).toMatchObject({ status: 200 });
    expect(JSON.parse((await server.get('/readyz')).text)).toEqual({ status: 'ready', rulesets: expect.any(Number) });
  });

  it('exposes Prometheus metrics: requests, latency, facts, firings, errors, in flight, versions, memory', async () => {
    await server.post('/v1/evaluate', factsText);
    await server.post('/v1/rulesets/nope/evaluate', '{}\n');
    const text = (await server.get('/metrics')).text;
    for (const name of [
      'rete_eval_http_requests_total{route="/v1/evaluate",method="POST",status="200"}',
      'rete_eval_http_request_duration_seconds_bucket{le="0.005",route="/v1/evaluate"}',
      'rete_eval_facts_evaluated_total{ruleset="rules"}',
      'rete_eval_firings_total{ruleset="rules"}',
      'rete_eval_errors_total{code="E_RULESET_NOT_FOUND"}',
      'rete_eval_requests_in_flight 0',
      'rete_eval_ruleset_info{ruleset="rules",version="',
      'rete_eval_ruleset_rules{ruleset="join"} 8',
      'process_resident_memory_bytes ',
      'nodejs_heap_size_used_bytes ',
    ]) {
      expect(text).toContain(name);
    }
    expect(await server.metric('rete_eval_facts_evaluated_total', { ruleset: 'rules' })).toBeGreaterThanOrEqual(factObjects.length);
  });

  it('logs one JSON line per request with its id, rule set, facts, firings, stage times and status', async () => {
    const r = await server.post('/v1/rulesets/join/evaluate', readFileSync(joinFacts, 'utf8'), { 'x-request-id': 'test-join-1' });
    expect(r.headers.get('x-request-id')).toBe('test-join-1');
    const line = await server.waitForLog((l) => l.reqId === 'test-join-1');
    expect(line).toMatchObject({
      level: 30,
      msg: 'request',
      method: 'POST',
      route: '/v1/rulesets/:name/evaluate',
      status: 200,
      ruleset: 'join',
      version: expect.stringMatching(/^[0-9a-f]{16}$/),
      facts: expect.any(Number),
      firings: ndjson(r.text).length,
      timings: { readParseMs: expect.any(Number), evaluateMs: expect.any(Number), writeMs: expect.any(Number) },
      ms: expect.any(Number),
    });
    const refused = await server.post('/v1/rulesets/nope/evaluate', '{}\n', { 'x-request-id': 'test-404' });
    expect(refused.status).toBe(404);
    expect(await server.waitForLog((l) => l.reqId === 'test-404')).toMatchObject({ status: 404, code: 'E_RULESET_NOT_FOUND' });
  });
});
