// End to end: json-rules-engine rule files through the built CLI. run detects the format (or
// takes --rules-format), writes one line per firing with the record's fact_id, the rule's id
// and name and its event as written, plain and tagged alike, from files or stdin, with either
// reader; validate names what cannot be honoured at FILE:LINE:COL with its JSON path; explain
// shows the network.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, cli, ndjson, oneLineError, requireBuild, tempDir, writeFiles } from './helpers.js';

const RULES = {
  conditions: {
    adult: { all: [{ fact: 'age', operator: 'greaterThanInclusive', value: 18 }] },
  },
  rules: [
    {
      name: 'premium adult',
      priority: 10,
      conditions: { all: [{ condition: 'adult' }, { fact: 'account', path: '$.type', operator: 'equal', value: 'premium' }] },
      event: { type: 'premium-adult', params: { discount: 0.15, note: 'ünïcode "quoted"' } },
    },
    {
      conditions: {
        any: [
          { fact: 'tags', operator: 'contains', value: 'vip' },
          { fact: 'country', operator: 'in', value: ['FR', 'DE'] },
        ],
      },
      event: { type: 'special' },
    },
    {
      name: 'over limit',
      conditions: { not: { fact: 'spent', operator: 'lessThanInclusive', value: { fact: 'account', path: "$['credit limit']" } } },
      event: { type: 'over-limit', params: { level: 2 } },
    },
  ],
};

const FACTS = [
  { id: 7, age: 30, account: { type: 'premium', 'credit limit': 100 }, tags: ['vip'], spent: 50 },
  { id: 8, age: 16, account: { type: 'premium', 'credit limit': 10 }, country: 'FR', spent: 50 },
  { age: '21', account: { type: 'basic' }, spent: 5 },
  { id: 10, name: 'no facts the rules read' },
];

/** The lines rete-eval writes for RULES over FACTS: in firing order (priority, then rule order). */
const EXPECTED = [
  '{"rule_id":0,"rule_name":"premium adult","fact_id":7,"actions_executed":[{"Event":{"type":"premium-adult","params":{"discount":0.15,"note":"ünïcode \\"quoted\\""}}}]}',
  '{"rule_id":1,"rule_name":"rule 1","fact_id":7,"actions_executed":[{"Event":{"type":"special"}}]}',
  '{"rule_id":1,"rule_name":"rule 1","fact_id":8,"actions_executed":[{"Event":{"type":"special"}}]}',
  '{"rule_id":2,"rule_name":"over limit","fact_id":8,"actions_executed":[{"Event":{"type":"over-limit","params":{"level":2}}}]}',
  // No credit limit: spent <= undefined is false, so not(...) holds.
  '{"rule_id":2,"rule_name":"over limit","fact_id":2,"actions_executed":[{"Event":{"type":"over-limit","params":{"level":2}}}]}',
  '{"rule_id":2,"rule_name":"over limit","fact_id":10,"actions_executed":[{"Event":{"type":"over-limit","params":{"level":2}}}]}',
].join('\n');

let dir: string;
let files: Record<string, string>;

beforeAll(() => {
  requireBuild();
  dir = tempDir();
  files = writeFiles(dir, {
    'rules.json': RULES,
    'facts.ndjson': FACTS.map((f) => JSON.stringify(f)).join('\n') + '\n',
    'bad.json': JSON.stringify(
      [
        { conditions: { all: [{ fact: 'age', operator: 'startsWith', value: 'x' }] }, event: { type: 'a' }, onSuccess: 'cb' },
        { conditions: { all: [{ fact: 'user', params: { id: 1 }, operator: 'equal', value: 1 }] }, event: { type: 'b' } },
        { conditions: { any: [{ fact: 'order', path: '$.items[*].sku', operator: 'equal', value: 'x' }] }, event: { type: 'c' } },
      ],
      null,
      2,
    ),
  });
});
afterAll(cleanupTempDirs);

describe('rete-eval run on a json-rules-engine rule file', () => {
  it('detects the format and writes each firing with fact_id, rule id and name, and the event as the rule has it', async () => {
    const r = await cli(['run', '-r', files['rules.json']!, files['facts.ndjson']!, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(EXPECTED + '\n');
  });

  it('writes the same bytes with --rules-format json-rules-engine, --values tagged, from stdin, with either reader', async () => {
    const input = readFileSync(files['facts.ndjson']!, 'utf8');
    for (const args of [
      ['--rules-format', 'json-rules-engine', files['facts.ndjson']!],
      ['--values', 'tagged', files['facts.ndjson']!],
      ['--reader', 'projected', '-'],
      ['--reader', 'whole', '-'],
    ]) {
      const r = await cli(['run', '-r', files['rules.json']!, '-q', ...args], args.includes('-') ? { input } : {});
      expect({ args, exitCode: r.exitCode, stdout: r.stdout }).toEqual({ args, exitCode: 0, stdout: EXPECTED + '\n' });
    }
  });

  it('reports the reader, the firings per rule, and mismatches where json-rules-engine would throw', async () => {
    const rules = writeFiles(dir, {
      'in-ref.json': [{ name: 'in list', conditions: { all: [{ fact: 'code', operator: 'in', value: { fact: 'allowed' } }] }, event: { type: 'ok' } }],
    });
    const out = join(dir, 'report.json');
    const facts = '{"code": "a", "allowed": ["a", "b"]}\n{"code": "a"}\n{"code": "a", "allowed": 3}\n';
    const r = await cli(['run', '-r', rules['in-ref.json']!, '--report', out, '-q', '--reader', 'projected'], { input: facts });
    expect(r.exitCode).toBe(0);
    expect(ndjson(r.stdout).map((f) => f.fact_id)).toEqual([0]);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.typeMismatches).toEqual({ total: 2, byTest: [{ test: 'code in {fact: allowed}', count: 2, rules: [0] }] });
    expect(report.reader.fields).toEqual(['code', 'allowed']);
  });

  it('refuses a json-rules-engine file read as rete-eval rules, naming what it found', async () => {
    const r = await cli(['run', '-r', files['rules.json']!, '--rules-format', 'rete', files['facts.ndjson']!]);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(oneLineError(/.*rules\.json:\d+:\d+: .*/));
  });

  it('refuses what cannot be honoured with exit 3, FILE:LINE:COL and the JSON path, writing nothing', async () => {
    const r = await cli(['run', '-r', files['bad.json']!, files['facts.ndjson']!]);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      oneLineError(
        /.*bad\.json:7:11: \$\[0\]\.conditions\.all\[0\]\.operator: expected one of json-rules-engine's operators .* \(and 3 more; run `rete-eval validate` for all\)/,
      ),
    );
  });
});

describe('rete-eval validate and explain on json-rules-engine files', () => {
  it('validate names every unsupported feature with its place and JSON path', async () => {
    const r = await cli(['validate', files['bad.json']!]);
    expect(r.exitCode).toBe(3);
    const lines = r.stdout.trimEnd().split('\n');
    const f = files['bad.json']!;
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^${f}:7:11: error: \\$\\[0\\]\\.conditions\\.all\\[0\\]\\.operator: .*custom operator.*\\(rule 0\\)$`)),
      expect.stringMatching(new RegExp(`^${f}:15:5: error: \\$\\[0\\]\\.onSuccess: onSuccess is a JavaScript callback.*\\(rule 0\\)$`)),
      expect.stringMatching(
        new RegExp(`^${f}:22:11: error: \\$\\[1\\]\\.conditions\\.all\\[0\\]\\.params: params are passed to facts computed by functions.*\\(rule 1\\)$`),
      ),
      expect.stringMatching(
        new RegExp(
          `^${f}:39:11: error: \\$\\[2\\]\\.conditions\\.any\\[0\\]\\.path: "\\$\\.items\\[\\*\\]\\.sku" uses wildcards \\(\\*\\); rete-eval reads only the simple JSONPath subset.*\\(rule 2\\)$`,
        ),
      ),
      `${f} (json-rules-engine): 4 errors`,
    ]);
  });

  it('validate accepts a good file, and says so in JSON too', async () => {
    const r = await cli(['validate', files['rules.json']!]);
    expect(r).toMatchObject({ exitCode: 0, stdout: `${files['rules.json']!} (json-rules-engine): 3 rules, valid\n` });
    const j = await cli(['validate', '--json', '-r', files['rules.json']!, '--rules-format', 'json-rules-engine']);
    expect(JSON.parse(j.stdout)).toMatchObject({ valid: true, rules: 3, errors: [], warnings: [] });
  });

  it('explain shows the conditions as json-rules-engine wrote them', async () => {
    const r = await cli(['explain', '-r', files['rules.json']!]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('account $.type equal "premium"');
    expect(r.stdout).toContain("Not(spent lessThanInclusive {fact: account $['credit limit']})");
    expect(r.stdout).toContain('fires rule 0 "premium adult" (salience 10)');
  });
});
