// The serve layer in-process: a bug in a route answers 500 with no detail while the log
// keeps the stack; rule sets are versioned by content and swapped as whole objects, so a
// request that holds one is never touched by a later load.

import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RuleFileError } from '../../src/model/errors.js';
import { RuleSetRegistry, type RuleSetChange } from '../../src/serve/rulesets.js';
import { RuleEvalServer, type ServeConfig } from '../../src/serve/server.js';

const dir = mkdtempSync(join(tmpdir(), 'rete-eval-serve-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rule = (name: string) => JSON.stringify([{ id: 1, name, conditions: [], actions: [{ action_type: { Log: { message: name } } }] }]);

function config(rules: string): ServeConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    ruleSets: [{ name: 'r', path: rules }],
    strict: false,
    maxBodyBytes: 1 << 20,
    maxConcurrent: 4,
    requestTimeoutMs: 10_000,
    graceMs: 5_000,
    maxFirings: 0,
    maxHeapBytes: undefined,
    logLevel: 'info',
    alerts: { intervalMs: 1000, windowSeconds: 60 },
  };
}

describe('the server in-process', () => {
  it('answers a bug with 500 and a generic message; the log has the stack', async () => {
    const rules = join(dir, 'r.json');
    writeFileSync(rules, rule('a'));
    const logFile = join(dir, 'log.ndjson');
    const fd = openSync(logFile, 'w');
    const server = new RuleEvalServer(config(rules), { logDestination: fd });
    server.app.get('/boom', async () => {
      throw new TypeError('secret detail of a bug');
    });
    const url = await server.listen();
    try {
      const r = await fetch(url + '/boom', { headers: { 'x-request-id': 'boom-1' } });
      expect(r.status).toBe(500);
      const text = await r.text();
      expect(JSON.parse(text)).toEqual({ code: 'E_INTERNAL', message: 'internal error (this is a bug; the server log has the details)' });
      expect(text).not.toContain('secret');
      const ok = await fetch(url + '/v1/evaluate', { method: 'POST', body: '{"id":1}\n', headers: { 'content-type': 'application/x-ndjson' } });
      expect(await ok.text()).toContain('"rule_name":"a"');
    } finally {
      expect(await server.stop()).toBe(0);
      server.flushLogs();
      closeSync(fd);
    }
    const logs = readFileSync(logFile, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    const bug = logs.find((l) => l.msg === 'internal error');
    expect(bug).toMatchObject({
      level: 50,
      reqId: 'boom-1',
      err: { type: 'TypeError', message: 'secret detail of a bug', stack: expect.stringContaining('serve-server.test.ts') },
    });
    expect(logs.find((l) => l.reqId === 'boom-1' && l.msg === 'request')).toMatchObject({ status: 500, code: 'E_INTERNAL', level: 50 });
  });
});

describe('the rule-set registry', () => {
  it('versions sets by content, swaps whole objects, and leaves a set in use untouched', () => {
    const path = join(dir, 'live.json');
    writeFileSync(path, rule('one'));
    const changes: RuleSetChange[] = [];
    const registry = new RuleSetRegistry({ onChange: (c) => changes.push(c) });
    try {
      const first = registry.loadFile({ name: 'live', path });
      expect(first).toMatchObject({ name: 'live', rules: 1, source: 'file', path });
      // The same bytes again: the same object, nothing swapped.
      expect(registry.loadFile({ name: 'live', path })).toBe(first);
      const held = registry.get('live')!;
      writeFileSync(path, rule('two'));
      const [reloaded] = registry.reload([{ name: 'live', path }]);
      expect(reloaded).toMatchObject({ name: 'live', changed: true });
      expect(registry.get('live')!.version).not.toBe(first.version);
      expect(held).toBe(first);
      expect(held.network.terminals[0]!.rule.name).toBe('one');
      expect(registry.get('live')!.network.terminals[0]!.rule.name).toBe('two');
      // Uploaded bytes with the same content as the file have its version.
      const { set, created } = registry.put('copy', Buffer.from(rule('two')));
      expect(created).toBe(true);
      expect(set.version).toBe(registry.get('live')!.version);
      expect(changes.map((c) => [c.set.name, c.previous?.version ?? null])).toEqual([
        ['live', null],
        ['live', first.version],
        ['copy', null],
      ]);
      expect(registry.list().map((s) => s.name)).toEqual(['live', 'copy']);
      expect(registry.defaultSet.name).toBe('live');
    } finally {
      registry.close();
    }
  });

  it('names the upload in its issues and keeps the set it had', () => {
    const registry = new RuleSetRegistry();
    try {
      registry.put('x', Buffer.from(rule('kept')));
      let error: unknown;
      try {
        registry.put('x', Buffer.from('[\n  {"id": 1, "name": "bad", "conditions": [{"field": "a", "operator": "Nope", "value": 1}], "actions": []}\n]'));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RuleFileError);
      const issue = (error as RuleFileError).issues[0]!;
      expect(issue).toMatchObject({ file: 'request', line: 2 });
      expect((error as RuleFileError).message).toMatch(/^request:2:\d+: /);
      expect(registry.get('x')!.network.terminals[0]!.rule.name).toBe('kept');
    } finally {
      registry.close();
    }
  });
});
