// End-to-end tests of the built CLI (dist/cli.js via bin/rete-eval.js), run as a real
// process with execa: the fixtures, every input form (stdin, several files, gzip, JSON
// array, {"facts":[...]}, {"meta":..,"facts":[...]}), outputs (-o, .gz, --emit facts,
// --values tagged, --report, --quiet, colour), every exit code with its one-line message,
// a closed stdout, and the explain/generate/validate commands. `npm test` builds first.

import { readFileSync, readdirSync, existsSync, writeFileSync, statSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { execa } from 'execa';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANSI,
  binPath,
  cleanupTempDirs,
  cli,
  fixtureFacts,
  fixtureRules,
  firingProblems,
  ndjson,
  oneLineError,
  requireBuild,
  resultKinds,
  shell,
  tempDir,
  writeFiles,
  type CliResult,
} from './helpers.js';

beforeAll(() => {
  requireBuild();
});
afterAll(() => {
  cleanupTempDirs();
});

/** A user-facing failure: the exit code, a clean stderr (no stack trace), and no results. */
function expectFailure(r: CliResult, exitCode: number, stderr: RegExp): void {
  expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({ exitCode, stderr: expect.stringMatching(stderr) });
  expect(r.stderr).not.toContain('    at ');
  expect(r.stderr).not.toContain('internal error');
}

/** Unwraps the tagged values of docs/input.md (values) (enough for the fixtures' fields). */
function plain(v: unknown): unknown {
  if (v === 'Null') return null;
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(plain);
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1) {
    const k = keys[0]!;
    if (['String', 'Integer', 'Float', 'Boolean', 'Date'].includes(k)) return o[k];
    if (k === 'Array') return (o[k] as unknown[]).map(plain);
    if (k === 'Object') return plain(o[k]);
  }
  return Object.fromEntries(keys.map((k) => [k, plain(o[k])]));
}

/** `run --quiet` over the fixtures, run once and shared by the tests that compare with it. */
let quietFixtureRun: Promise<CliResult> | undefined;
const fixtureRunQuiet = (): Promise<CliResult> => (quietFixtureRun ??= cli(['run', '--quiet', '--rules', fixtureRules, fixtureFacts]));

// A small rules file for the I/O tests: one rule that matches every fact (empty conditions).
const EVERY_FACT = [{ id: 1, name: 'Every fact', conditions: [], actions: [{ action_type: { Log: { message: 'seen' } } }] }];
const ACTIVE = [
  {
    id: 7,
    name: 'Active',
    conditions: [{ field: 'status', operator: 'Equal', value: { String: 'active' } }],
    actions: [{ action_type: { SetField: { field: 'seen', value: { Boolean: true } } } }],
  },
];

// ---------------------------------------------------------------------------

describe('the fixtures (fixtures/rules.json × fixtures/facts.ndjson)', () => {
  const rulesDoc = JSON.parse(readFileSync(fixtureRules, 'utf8')) as { id: number; name: string; salience?: number }[];
  const factLines = readFileSync(fixtureFacts, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const facts = factLines.map((l) => JSON.parse(l) as Record<string, any>);
  /** The fields of input line n, untagged. */
  const fieldsOf = (rec: Record<string, any>): Record<string, any> => plain(rec.data?.fields ?? rec) as Record<string, any>;
  /** Fact id → position in the input (docs/input.md: a flat record without an integer id gets its position). */
  const positionOfId = new Map<number, number>();
  const fieldsById = new Map<number, Record<string, any>>();
  facts.forEach((rec, n) => {
    const id: number = rec.data?.fields !== undefined ? rec.id : Number.isSafeInteger(rec.id) && rec.id >= 0 ? rec.id : n;
    positionOfId.set(id, n);
    fieldsById.set(id, fieldsOf(rec));
  });

  let dir: string;
  let first: CliResult;
  let second: CliResult;
  let firings: any[];
  let report: any;

  beforeAll(async () => {
    dir = tempDir();
    [first, second] = await Promise.all([cli(['run', '--rules', fixtureRules, fixtureFacts, '--report', join(dir, 'report.json')]), fixtureRunQuiet()]);
    firings = ndjson(first.stdout);
    report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  });

  it('the fixture file holds 300–500 facts in the reference shape and as flat records', () => {
    expect(facts.length).toBeGreaterThanOrEqual(300);
    expect(facts.length).toBeLessThanOrEqual(500);
    expect(facts.some((f) => f.data?.fields !== undefined)).toBe(true);
    expect(facts.some((f) => f.data === undefined)).toBe(true);
  });

  it('exits 0 and writes one valid §4 record per firing', () => {
    expect(first.exitCode).toBe(0);
    expect(firings.length).toBeGreaterThan(facts.length / 2);
    const bad = firings.map((f, i) => ({ line: i + 1, problems: firingProblems(f) })).filter((x) => x.problems.length > 0);
    expect(bad).toEqual([]);
    // Every firing names a rule of the file by its id and name.
    const names = new Map(rulesDoc.map((r) => [r.id, r.name]));
    for (const f of firings) expect(f.rule_name).toBe(names.get(f.rule_id));
  });

  it('fires every rule at least once, and no rule on every fact', () => {
    const fired = new Map<number, number>();
    for (const f of firings) fired.set(f.rule_id, (fired.get(f.rule_id) ?? 0) + 1);
    expect([...fired.keys()].sort((a, b) => a - b)).toEqual(rulesDoc.map((r) => r.id).sort((a, b) => a - b));
    for (const [, n] of fired) expect(n).toBeLessThan(facts.length);
    // Every action kind the brief asks of the fixtures produced its result at least once.
    const kinds = new Set(firings.flatMap(resultKinds));
    for (const k of [
      'FieldSet',
      'FieldIncremented',
      'ArrayAppended',
      'Logged',
      'AlertTriggered',
      'NotificationSent',
      'FactCreated',
      'CalculatorResult',
      'FactDeleted',
    ]) {
      expect(kinds, k).toContain(k);
    }
  });

  it('prints the report on stderr, naming the input and the firing count', () => {
    expect(first.stderr).toContain('firings');
    expect(first.stderr).toContain('fixtures/facts.ndjson');
    const m = /→ ([\d,]+) firings/.exec(first.stderr);
    expect(m, first.stderr).not.toBeNull();
    expect(Number(m![1]!.replace(/,/g, ''))).toBe(firings.length);
    expect(first.stderr).not.toMatch(ANSI);
  });

  it('is deterministic: two runs write byte-identical output', () => {
    expect(second.exitCode).toBe(0);
    expect(second.stderr).toBe('');
    expect(second.stdout).toBe(first.stdout);
  });

  it('writes the same where code generation from strings is disallowed (field stores fall back)', async () => {
    const r = await cli(['run', '--quiet', '--rules', fixtureRules, fixtureFacts], { env: { NODE_OPTIONS: '--disallow-code-generation-from-strings' } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe((await fixtureRunQuiet()).stdout);
  });

  it('fires each rule at most once per fact, in input order, by salience then rule id (§6)', () => {
    const pairs = new Set<string>();
    for (const f of firings) {
      const key = `${f.rule_id}/${f.fact_id}`;
      expect(pairs.has(key), `rule ${f.rule_id} fired twice on fact ${f.fact_id}`).toBe(false);
      pairs.add(key);
    }
    // Input facts settle one at a time, in input order (created facts are not in the input).
    const positions = firings.map((f) => positionOfId.get(f.fact_id)).filter((p): p is number => p !== undefined);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    // On each fact, higher salience fires first, then the lower rule id.
    const salience = new Map(rulesDoc.map((r) => [r.id, r.salience ?? 0]));
    const byFact = new Map<number, number[]>();
    for (const f of firings) byFact.set(f.fact_id, [...(byFact.get(f.fact_id) ?? []), f.rule_id]);
    for (const [factId, rules] of byFact) {
      const sorted = [...rules].sort((a, b) => salience.get(b)! - salience.get(a)! || a - b);
      expect(rules, `firing order on fact ${factId}`).toEqual(sorted);
    }
  });

  it('chains forward: rules match fields other rules set and facts other rules create (§6)', () => {
    const index = (rule: number, fact: number) => firings.findIndex((f) => f.rule_id === rule && f.fact_id === fact);
    const on = (rule: number) => firings.filter((f) => f.rule_id === rule);
    // Rule 3 matches the band rule 1 sets; rule 12 the hold rule 10 sets.
    expect(on(3).length).toBe(on(1).length);
    for (const f of on(3)) expect(index(1, f.fact_id)).toBeLessThan(index(3, f.fact_id));
    expect(on(12).length).toBe(on(10).length);
    for (const f of on(12)) expect(index(10, f.fact_id)).toBeLessThan(index(12, f.fact_id));
    // Rule 13 matches exactly the facts rule 12 created.
    const created = on(12).flatMap((f) => f.actions_executed.filter((r: any) => r.FactCreated).map((r: any) => r.FactCreated.fact_id));
    expect(
      on(13)
        .map((f) => f.fact_id)
        .sort(),
    ).toEqual(created.sort());
    for (const id of created) expect(positionOfId.has(id), `created fact ${id} reuses an input id`).toBe(false);
  });

  it('computes calculator, formula and delete results from the facts', () => {
    for (const f of firings.filter((x) => x.rule_id === 2)) {
      const fields = fieldsById.get(f.fact_id)!;
      const r = f.actions_executed[0].CalculatorResult;
      expect(r).toMatchObject({ calculator: 'percentage_add', output_field: 'employer_cost' });
      expect(r.parsed_value).toBeCloseTo(fields.salary * (1 + fields.payroll_tax_rate), 6);
    }
    for (const f of firings.filter((x) => x.rule_id === 4)) {
      const fields = fieldsById.get(f.fact_id)!;
      expect(f.actions_executed[0].FieldSet.field).toBe('overtime_pay');
      expect(f.actions_executed[0].FieldSet.value).toBeCloseTo((fields.salary / 2080) * fields.overtime_hours * 1.5, 2);
    }
    for (const f of firings.filter((x) => x.rule_id === 30)) {
      expect(f.actions_executed[0]).toEqual({ FactDeleted: { fact_id: fieldsById.get(f.fact_id)!.order_id } });
    }
    // A key containing dots is matched whole by the path `customer.address.country`.
    const flattened = facts.filter((r) => r['customer.address.country'] === 'KP').map((r) => r.id as number);
    expect(flattened.length).toBeGreaterThan(0);
    for (const id of flattened)
      expect(
        firings.some((f) => f.rule_id === 10 && f.fact_id === id),
        `rule 10 on fact ${id}`,
      ).toBe(true);
  });

  it('--report FILE holds timings, facts, firings, memory and network with sane values', () => {
    expect(report).toHaveProperty('timings');
    const t = report.timings;
    for (const k of ['compileMs', 'readParseMs', 'evaluateMs', 'writeMs', 'totalMs']) {
      expect(t[k], k).toBeGreaterThanOrEqual(0);
      expect(t[k], k).toBeLessThan(60_000);
    }
    expect(t.totalMs).toBeGreaterThanOrEqual(Math.max(t.compileMs, t.readParseMs, t.evaluateMs, t.writeMs));
    const created = firings.flatMap((f) => f.actions_executed).filter((r) => r.FactCreated).length;
    const deleted = firings.flatMap((f) => f.actions_executed).filter((r) => r.FactDeleted).length;
    expect(report.facts).toEqual({ records: facts.length, read: facts.length, skipped: 0, inserted: facts.length, created, deleted, duplicateIds: 0 });
    expect(report.firings.total).toBe(firings.length);
    expect(report.firings.byRule.map((r: any) => r.id).sort((a: number, b: number) => a - b)).toEqual(rulesDoc.map((r) => r.id).sort((a, b) => a - b));
    expect(report.firings.byRule.reduce((n: number, r: any) => n + r.firings, 0)).toBe(firings.length);
    for (const r of report.firings.byRule) expect(r.firings).toBe(firings.filter((f) => f.rule_id === r.id).length);
    expect(report.memory.peakRssBytes).toBeGreaterThan(1 << 20);
    expect(report.memory.peakHeapBytes).toBeGreaterThan(0);
    expect(report.memory.peakWorkingMemoryFacts).toBeGreaterThanOrEqual(1);
    expect(report.network).toMatchObject({ rules: rulesDoc.length, terminals: rulesDoc.length });
    expect(report.network.hashIndexes).toBeGreaterThan(0);
    expect(report.network.alphaNodes).toBeGreaterThanOrEqual(rulesDoc.length);
    expect(report.output).toEqual({ target: '<stdout>', emit: 'firings', lines: firings.length });
    expect(report.inputs).toEqual([expect.objectContaining({ name: fixtureFacts, format: 'ndjson', gzip: false, records: facts.length })]);
    // The two orders whose amount is "pending" meet ordering tests of an unrelated type.
    expect(report.typeMismatches.total).toBeGreaterThan(0);
  });

  it('--no-chain does not re-match changed or created facts', async () => {
    const r = await cli(['run', '-q', '-r', fixtureRules, '--no-chain', fixtureFacts]);
    expect(r.exitCode).toBe(0);
    const ids = new Set(ndjson(r.stdout).map((f) => f.rule_id));
    for (const chained of [3, 12, 13]) expect(ids.has(chained), `rule ${chained}`).toBe(false);
    expect(ids.has(1)).toBe(true);
    expect(ids.has(10)).toBe(true);
  });

  it('--emit facts writes the final facts: input order, actions applied, created kept, deleted left out', async () => {
    const r = await cli(['run', '-q', '-r', fixtureRules, '--emit', 'facts', fixtureFacts]);
    expect(r.exitCode).toBe(0);
    const out = ndjson(r.stdout);
    const deletedIds = new Set(firings.filter((f) => f.rule_id === 30).map((f) => f.actions_executed[0].FactDeleted.fact_id));
    expect(deletedIds.size).toBeGreaterThan(0);
    expect(out.length).toBe(facts.length + report.facts.created - deletedIds.size);
    const outFields = out.map((rec) => (rec.data?.fields ?? rec) as Record<string, any>);
    // Input facts keep their order; the deleted ones are gone.
    const inputIds = facts.map((f) => f.id).filter((id) => !deletedIds.has(id));
    expect(out.filter((_, i) => outFields[i]!.record_type !== 'case').map((rec) => rec.id)).toEqual(inputIds);
    // Created facts are there, changed by the rule that matched them (13).
    const cases = outFields.filter((f) => f.record_type === 'case');
    expect(cases).toHaveLength(report.facts.created);
    for (const c of cases) expect(c).toMatchObject({ case_type: 'sanctions', status: 'open', assigned_team: 'trade-compliance' });
    // Actions took effect on the facts: a senior employee's band, review flag and employer cost.
    const senior = outFields.find((f) => f.record_type === 'employee' && f.salary > 100000 && f.payroll_tax_rate !== undefined);
    expect(senior).toBeDefined();
    expect(senior).toMatchObject({ band: 'senior', review_flags: ['senior-band-review'] });
    expect(senior!.employer_cost).toBeCloseTo(senior!.salary * (1 + senior!.payroll_tax_rate), 6);
  });
});

// ---------------------------------------------------------------------------

describe('inputs', () => {
  const lines = (ids: number[], status = 'active') => ids.map((id) => JSON.stringify({ id, status })).join('\n') + '\n';
  const factIds = (r: CliResult) => ndjson(r.stdout).map((f) => f.fact_id);

  it('reads stdin when no FACTS are given, and at `-` among files, in order', async () => {
    const dir = tempDir();
    const p = writeFiles(dir, { 'rules.json': EVERY_FACT, 'a.ndjson': lines([1, 2]), 'b.ndjson': lines([5]) });
    const [none, dash] = await Promise.all([
      cli(['run', '-q', '-r', p['rules.json']!], { input: lines([3, 4]) }),
      cli(['run', '-q', '-r', p['rules.json']!, p['a.ndjson']!, '-', p['b.ndjson']!], { input: lines([3, 4]) }),
    ]);
    expect(none.exitCode).toBe(0);
    expect(factIds(none)).toEqual([3, 4]);
    expect(dash.exitCode).toBe(0);
    expect(factIds(dash)).toEqual([1, 2, 3, 4, 5]);
  });

  it('reads several files in order; flat records without an id are numbered across files', async () => {
    const dir = tempDir();
    const p = writeFiles(dir, {
      'rules.json': EVERY_FACT,
      'one.ndjson': '{"name":"a"}\r\n\r\n{"name":"b"}\r\n',
      'two.ndjson': '\n{"name":"c"}',
      'three.ndjson': lines([40, 30]),
    });
    const r = await cli(['run', '-r', p['rules.json']!, p['three.ndjson']!, p['one.ndjson']!, p['two.ndjson']!, '--report', join(dir, 'rep.json')]);
    expect(r.exitCode).toBe(0);
    // Positions in the whole input: 40, 30 come first, then a=2, b=3, c=4.
    expect(factIds(r)).toEqual([40, 30, 2, 3, 4]);
    const rep = JSON.parse(readFileSync(join(dir, 'rep.json'), 'utf8'));
    expect(rep.inputs.map((f: any) => [f.name, f.records])).toEqual([
      [p['three.ndjson'], 2],
      [p['one.ndjson'], 2],
      [p['two.ndjson'], 1],
    ]);
  });

  it('reads gzip input transparently: by content, from a file or stdin', async () => {
    const dir = tempDir();
    const gz = gzipSync(lines([1, 2, 3]));
    const p = writeFiles(dir, { 'rules.json': EVERY_FACT, 'facts.ndjson.gz': gz, 'facts.bin': gzipSync(lines([4])) });
    const [file, noSuffix, stdin] = await Promise.all([
      cli(['run', '-r', p['rules.json']!, p['facts.ndjson.gz']!]),
      cli(['run', '-q', '-r', p['rules.json']!, p['facts.bin']!]),
      cli(['run', '-q', '-r', p['rules.json']!], { input: gz }),
    ]);
    expect(file.exitCode).toBe(0);
    expect(factIds(file)).toEqual([1, 2, 3]);
    expect(file.stderr).toMatch(/facts\.ndjson\.gz \(ndjson, gzip\)/);
    expect(factIds(noSuffix)).toEqual([4]);
    expect(factIds(stdin)).toEqual([1, 2, 3]);
  });

  it('reads a JSON array of facts (one line or pretty-printed, both fact shapes)', async () => {
    const dir = tempDir();
    const facts = [
      { id: 11, status: 'active' },
      { id: 12, external_id: 'e-12', timestamp: '2025-01-01T00:00:00Z', data: { fields: { status: { String: 'active' } } } },
      { id: 13, status: 'idle' },
    ];
    const p = writeFiles(dir, { 'rules.json': ACTIVE, 'one.json': JSON.stringify(facts), 'pretty.json': JSON.stringify(facts, null, 2) });
    for (const file of [p['one.json']!, p['pretty.json']!]) {
      const r = await cli(['run', '-r', p['rules.json']!, file]);
      expect(r.exitCode).toBe(0);
      expect(factIds(r)).toEqual([11, 12]);
      expect(r.stderr).toContain('(json-array)');
    }
  });

  it('reads {"facts":[...]}, on one line and pretty-printed', async () => {
    const dir = tempDir();
    const doc = {
      facts: [
        { id: 21, status: 'active' },
        { id: 22, status: 'active' },
      ],
    };
    const p = writeFiles(dir, { 'rules.json': ACTIVE, 'one.json': JSON.stringify(doc), 'pretty.json': JSON.stringify(doc, null, 2) });
    const [one, pretty] = await Promise.all([cli(['run', '-r', p['rules.json']!, p['one.json']!]), cli(['run', '-r', p['rules.json']!, p['pretty.json']!])]);
    for (const r of [one, pretty]) {
      expect(r.exitCode).toBe(0);
      expect(factIds(r)).toEqual([21, 22]);
    }
  });

  it('reads a pretty-printed {"meta":..,"facts":[...]} document (the stream-json path)', async () => {
    const dir = tempDir();
    const doc = {
      meta: { source: 'hr-export', generated: '2025-03-01' },
      facts: [
        { id: 31, status: 'active' },
        { id: 32, status: 'idle' },
        { id: 33, status: 'active' },
      ],
      count: 3,
    };
    const p = writeFiles(dir, { 'rules.json': ACTIVE, 'doc.json': JSON.stringify(doc, null, 2) });
    const r = await cli(['run', '-r', p['rules.json']!, p['doc.json']!]);
    expect(r.exitCode).toBe(0);
    expect(factIds(r)).toEqual([31, 33]);
    expect(r.stderr).toContain('(json-stream)');
  });

  it('--format overrides detection', async () => {
    const dir = tempDir();
    const p = writeFiles(dir, {
      'rules.json': EVERY_FACT,
      // A document whose first line is not a complete value: --format json reads it as a document.
      'doc.json': '{"meta": {"source": "hr"}, "facts": [\n  {"id": 41},\n  {"id": 42}\n]}\n',
      // One line that is a {"facts":[...]} document: --format ndjson reads it as one flat record.
      'line.ndjson': '{"facts":[{"id":51},{"id":52}]}\n',
    });
    const [asJson, auto, asNdjson] = await Promise.all([
      cli(['run', '-q', '-r', p['rules.json']!, '--format', 'json', p['doc.json']!]),
      cli(['run', '-q', '-r', p['rules.json']!, p['line.ndjson']!]),
      cli(['run', '-q', '-r', p['rules.json']!, '--format', 'ndjson', p['line.ndjson']!]),
    ]);
    expect(asJson.exitCode).toBe(0);
    expect(factIds(asJson)).toEqual([41, 42]);
    expect(factIds(auto)).toEqual([51, 52]);
    expect(asNdjson.exitCode).toBe(0);
    expect(factIds(asNdjson)).toEqual([0]);
  });

  it('auto-detects a {"meta":..,"facts":[...]} document whose first line opens the facts array', async () => {
    // Valid JSON, an object with a "facts" array, as `run --help` accepts: it must not need --format.
    const dir = tempDir();
    const p = writeFiles(dir, { 'rules.json': EVERY_FACT, 'doc.json': '{"meta": {"source": "hr"}, "facts": [\n  {"id": 41},\n  {"id": 42}\n]}\n' });
    const r = await cli(['run', '-q', '-r', p['rules.json']!, p['doc.json']!]);
    expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect(factIds(r)).toEqual([41, 42]);
  });
});

// ---------------------------------------------------------------------------

describe('outputs', () => {
  it('stdout redirected to a file (> and >>) gets the bytes -o writes, whole, from a large run', async () => {
    const dir = tempDir();
    const gen = await cli(['generate', '-w', 'payroll', '-n', '50k', '-o', join(dir, 'facts.ndjson'), '--rules-out', join(dir, 'rules.json')]);
    expect(gen.exitCode).toBe(0);
    const run = `${JSON.stringify(process.execPath)} ${JSON.stringify(binPath)} run -q -r rules.json facts.ndjson`;
    const r = await shell(`${run} -o by-o.ndjson && ${run} > redirected.ndjson && echo first > appended.ndjson && ${run} >> appended.ndjson`, dir);
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    const expected = readFileSync(join(dir, 'by-o.ndjson'), 'utf8');
    expect(expected.split('\n')).toHaveLength(70_001);
    expect(readFileSync(join(dir, 'redirected.ndjson'), 'utf8')).toBe(expected);
    expect(readFileSync(join(dir, 'appended.ndjson'), 'utf8')).toBe(`first\n${expected}`);
  });

  it('a run killed mid-way (SIGTERM) removes its unfinished -o file and exits 143', async () => {
    const dir = tempDir();
    const gen = await cli(['generate', '-w', 'simple', '-n', '400k', '-o', join(dir, 'facts.ndjson'), '--rules-out', join(dir, 'rules.json')]);
    expect(gen.exitCode).toBe(0);
    const out = join(dir, 'out', 'firings.ndjson');
    mkdirSync(join(dir, 'out'));
    const run = execa(process.execPath, [binPath, 'run', '-q', '-r', join(dir, 'rules.json'), '-o', out, join(dir, 'facts.ndjson')], { reject: false });
    // Wait until the temporary file exists, then stop the run.
    for (let i = 0; i < 200 && readdirSync(join(dir, 'out')).length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(readdirSync(join(dir, 'out'))).toHaveLength(1);
    run.kill('SIGTERM');
    const r = await run;
    expect(r.exitCode).toBe(143);
    expect(r.stderr).toContain('interrupted (SIGTERM)');
    expect(readdirSync(join(dir, 'out'))).toEqual([]);
  });

  it('-o to a FIFO (like /dev/null, not a regular file) writes in place and leaves it a FIFO', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const reader = execa('cat', [fifo], { timeout: 20_000 }); // with a rename, no writer would ever open it
    const run = await cli(['run', '-q', '-r', fixtureRules, '-o', fifo, '--report', fifo.replace('pipe', 'report.json'), fixtureFacts]);
    const read = await reader;
    expect(run.exitCode).toBe(0);
    expect(statSync(fifo).isFIFO()).toBe(true);
    expect(read.stdout.trim().split('\n').length).toBeGreaterThan(100);
    expect(readdirSync(dir).sort()).toEqual(['pipe', 'report.json']);
  });

  it('-o FILE writes the results there and nothing on stdout', async () => {
    const dir = tempDir();
    const out = join(dir, 'out.ndjson');
    const [toFile, toStdout] = await Promise.all([cli(['run', '-q', '-r', fixtureRules, '-o', out, fixtureFacts]), fixtureRunQuiet()]);
    expect(toFile.exitCode).toBe(0);
    expect(toFile.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(toStdout.stdout);
    expect(readdirSync(dir)).toEqual(['out.ndjson']);
  });

  it('-o FILE on a failing run leaves no output file and no temporary file', async () => {
    const dir = tempDir();
    const p = writeFiles(dir, { 'rules.json': EVERY_FACT, 'bad.ndjson': '{"id":1}\n{"id":2}\n{"id":3,"status":"act\n{"id":4}\n' });
    const [fresh, existing] = await Promise.all([
      cli(['run', '-q', '-r', p['rules.json']!, '-o', join(dir, 'out.ndjson'), p['bad.ndjson']!]),
      (async () => {
        writeFileSync(join(dir, 'kept.ndjson'), 'previous results\n');
        return cli(['run', '-q', '-r', p['rules.json']!, '-o', join(dir, 'kept.ndjson'), p['bad.ndjson']!]);
      })(),
    ]);
    for (const r of [fresh, existing]) expectFailure(r, 4, oneLineError(/.*bad\.ndjson:3:22: invalid JSON: .+/));
    expect(existsSync(join(dir, 'out.ndjson'))).toBe(false);
    expect(readFileSync(join(dir, 'kept.ndjson'), 'utf8')).toBe('previous results\n');
    expect(readdirSync(dir).sort()).toEqual(['bad.ndjson', 'kept.ndjson', 'rules.json']);
  });

  it('-o out.ndjson.gz writes gzip', async () => {
    const dir = tempDir();
    const out = join(dir, 'out.ndjson.gz');
    const [gz, plainRun] = await Promise.all([cli(['run', '-q', '-r', fixtureRules, '-o', out, fixtureFacts]), fixtureRunQuiet()]);
    expect(gz.exitCode).toBe(0);
    const bytes = readFileSync(out);
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(bytes).toString('utf8')).toBe(plainRun.stdout);
    expect(readdirSync(dir)).toEqual(['out.ndjson.gz']);
  });

  // Facts 10 (reference shape), 20, 30 and 40 (flat). Rule 1 sets a field on 10 and creates a
  // fact (ids of created facts start at 9000000000000000); rule 2 on 40 deletes 30.
  const EMIT_RULES = {
    rules: [
      {
        id: 1,
        name: 'Flag big',
        conditions: [{ field: 'amount', operator: 'GreaterThan', value: { Integer: 100 } }],
        actions: [
          { action_type: { SetField: { field: 'big', value: { Boolean: true } } } },
          { action_type: { CreateFact: { data: { fields: { kind: { String: 'audit' }, score: { Float: 1.5 } } } } } },
        ],
      },
      {
        id: 2,
        name: 'Cancel',
        conditions: [{ field: 'kind', operator: 'Equal', value: 'cancel' }],
        actions: [{ action_type: { DeleteFact: { fact_id_field: 'target' } } }],
      },
    ],
  };
  const EMIT_FACTS =
    [
      {
        id: 10,
        external_id: 'x-10',
        timestamp: '2025-01-01T00:00:00Z',
        data: { fields: { amount: { Integer: 500 }, when: { Date: '2025-01-02T03:04:05+02:00' }, ratio: { Float: 2 } } },
      },
      { id: 20, amount: 5 },
      { id: 30, amount: 7 },
      { id: 40, kind: 'cancel', target: 30 },
    ]
      .map((f) => JSON.stringify(f))
      .join('\n') + '\n';

  it('--emit facts writes the final facts in input order, created included, deleted left out', async () => {
    const dir = tempDir();
    const p = writeFiles(dir, { 'rules.json': EMIT_RULES, 'facts.ndjson': EMIT_FACTS });
    const r = await cli(['run', '-q', '-r', p['rules.json']!, '--emit', 'facts', p['facts.ndjson']!]);
    expect(r.exitCode).toBe(0);
    const out = ndjson(r.stdout);
    expect(out).toEqual([
      { id: 10, external_id: 'x-10', timestamp: '2025-01-01T00:00:00Z', data: { fields: { amount: 500, when: '2025-01-02T01:04:05Z', ratio: 2, big: true } } },
      // Created in the reference shape, with nothing invented: no external_id, no clock time.
      { id: 9000000000000000, data: { fields: { kind: 'audit', score: 1.5 } } },
      { id: 20, amount: 5 },
      { id: 40, kind: 'cancel', target: 30 },
    ]);
  });

  it('--values tagged writes values in the tagged form, for firings and for facts', async () => {
    const dir = tempDir();
    const p = writeFiles(dir, { 'rules.json': EMIT_RULES, 'facts.ndjson': EMIT_FACTS });
    const [firings, facts] = await Promise.all([
      cli(['run', '-q', '-r', p['rules.json']!, '--values', 'tagged', p['facts.ndjson']!]),
      cli(['run', '-q', '-r', p['rules.json']!, '--values', 'tagged', '--emit', 'facts', p['facts.ndjson']!]),
    ]);
    expect(firings.exitCode).toBe(0);
    expect(ndjson(firings.stdout)).toEqual([
      {
        rule_id: 1,
        rule_name: 'Flag big',
        fact_id: 10,
        actions_executed: [
          { FieldSet: { fact_id: 10, field: 'big', value: { Boolean: true } } },
          { FactCreated: { fact_id: 9000000000000000, fact_data: { fields: { kind: { String: 'audit' }, score: { Float: 1.5 } } } } },
        ],
      },
      { rule_id: 2, rule_name: 'Cancel', fact_id: 40, actions_executed: [{ FactDeleted: { fact_id: 30 } }] },
    ]);
    expect(facts.exitCode).toBe(0);
    const out = ndjson(facts.stdout);
    expect(out[0].data.fields).toEqual({
      amount: { Integer: 500 },
      when: { Date: '2025-01-02T01:04:05Z' },
      ratio: { Float: 2 },
      big: { Boolean: true },
    });
    expect(out[1].data.fields).toEqual({ kind: { String: 'audit' }, score: { Float: 1.5 } });
    expect(out[2]).toEqual({ id: { Integer: 20 }, amount: { Integer: 5 } });
  });

  it('--quiet prints nothing on stderr; the report is never coloured off a TTY or under NO_COLOR', async () => {
    // Off a TTY without NO_COLOR: see the fixtures' report test (its stderr is a pipe).
    const [quiet, noColor] = await Promise.all([fixtureRunQuiet(), cli(['run', '-r', fixtureRules, fixtureFacts], { env: { NO_COLOR: '1' } })]);
    expect(quiet.exitCode).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).not.toBe('');
    expect(noColor.exitCode).toBe(0);
    expect(noColor.stderr).toContain('firings');
    expect(noColor.stderr).not.toMatch(ANSI);
    expect(noColor.stdout).not.toMatch(ANSI);
  });
});

// ---------------------------------------------------------------------------

describe('errors and exit codes', () => {
  it('a malformed JSON fact exits 4 with FILE:LINE:COL, from a file, stdin or a JSON array', async () => {
    const dir = tempDir();
    const _p = writeFiles(dir, {
      'rules.json': EVERY_FACT,
      'bad.ndjson': '{"id":1}\n{"id":2,"status":"act\n{"id":3}\n',
      'bad.json': '[\n  {"id": 1},\n  {"id": 2,, "x": 1}\n]\n',
    });
    const [file, stdin, array] = await Promise.all([
      cli(['run', '-r', 'rules.json', 'bad.ndjson'], { cwd: dir }),
      cli(['run', '-r', 'rules.json'], { cwd: dir, input: '{"id":1}\n{"id":2,}\n' }),
      cli(['run', '-r', 'rules.json', 'bad.json'], { cwd: dir }),
    ]);
    expectFailure(file, 4, oneLineError(/bad\.ndjson:2:22: invalid JSON: expected a closing quote, found end of input/));
    expectFailure(stdin, 4, oneLineError(/<stdin>:2:9: invalid JSON: [^\n]+/));
    expectFailure(array, 4, oneLineError(/bad\.json:3:12: invalid JSON: expected a property name in double quotes, found ","/));
  });

  it('a record that is not an object (or not a fact) exits 4 naming its line and JSON path', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      'rules.json': EVERY_FACT,
      'array.ndjson': '{"id":1}\n[1,2]\n',
      'number.ndjson': '{"id":1}\n{"id":2}\n42\n',
      'badid.ndjson': '{"id":-1,"data":{"fields":{}}}\n',
    });
    const [arr, num, badId] = await Promise.all([
      cli(['run', '-r', 'rules.json', 'array.ndjson'], { cwd: dir }),
      cli(['run', '-r', 'rules.json', 'number.ndjson'], { cwd: dir }),
      cli(['run', '-r', 'rules.json', 'badid.ndjson'], { cwd: dir }),
    ]);
    expectFailure(arr, 4, oneLineError(/array\.ndjson:2:1: \$: expected a JSON object \(a fact\), got an array/));
    expectFailure(num, 4, oneLineError(/number\.ndjson:3:1: \$: expected a JSON object \(a fact\), got number/));
    expectFailure(badId, 4, oneLineError(/badid\.ndjson:1:7: \$\.id: [^\n]+/));
  });

  const BAD_RULES = [
    { id: 1, name: 'fine', conditions: [], actions: [] },
    {
      id: 2,
      name: 'bad operator and action',
      conditions: [{ field: 'a', operator: 'Like', value: 1 }],
      actions: [{ action_type: { Explode: {} } }],
    },
    { id: -3, name: 7, conditions: [], actions: [{ action_type: { TriggerAlert: { alert_type: 'x', message: 'm', severity: 'Urgent' } } }] },
  ];

  it('invalid rules exit 3: run names the first problem, validate lists every error with its JSON path', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules.json': BAD_RULES, 'facts.ndjson': '{"id":1}\n' });
    const [run, validate, json] = await Promise.all([
      cli(['run', '-r', 'rules.json', 'facts.ndjson'], { cwd: dir }),
      cli(['validate', '--rules', 'rules.json'], { cwd: dir }),
      cli(['validate', '--rules', 'rules.json', '--json'], { cwd: dir }),
    ]);
    expectFailure(run, 3, oneLineError(/rules\.json:14:9: \$\[1\]\.conditions\[0\]\.operator: [^\n]+ \(and 4 more; run `rete-eval validate` for all\)/));
    expect(run.stdout).toBe('');

    expect(validate.exitCode).toBe(3);
    expect(validate.stderr).toBe('');
    const lines = validate.stdout.trimEnd().split('\n');
    expect(lines.map((l) => /^rules\.json:\d+:\d+: error: (\S+): /.exec(l)?.[1]).filter(Boolean)).toEqual([
      '$[1].conditions[0].operator',
      '$[1].actions[0].action_type',
      '$[2].id',
      '$[2].name',
      '$[2].actions[0].action_type.TriggerAlert.severity',
    ]);
    expect(lines.at(-1)).toBe('rules.json: 5 errors');

    expect(json.exitCode).toBe(3);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ valid: false, rules: 3, files: [{ file: 'rules.json', rules: 3 }] });
    expect(doc.errors.map((e: any) => e.path)).toHaveLength(5);
    expect(doc.errors[0]).toMatchObject({ file: 'rules.json', line: 14, column: 9, path: '$[1].conditions[0].operator', ruleId: 2 });
  });

  it('validate accepts the fixtures, and reports a rules file that is not JSON with its position', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'trunc.json': '[{"id": 1,\n' });
    const [ok, trunc] = await Promise.all([cli(['validate', '--rules', fixtureRules]), cli(['validate', '--rules', 'trunc.json'], { cwd: dir })]);
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toMatch(/: 14 rules, valid\n$/);
    expect(trunc.exitCode).toBe(3);
    expect(trunc.stdout).toMatch(/^trunc\.json:2:1: error: invalid JSON: [^\n]+\ntrunc\.json: 1 error\n$/);
  });

  it('validate lists a duplicate rule id even when that rule has other errors', async () => {
    // "list every error": the duplicate id of the second rule is an error in its own right.
    const dir = tempDir();
    writeFiles(dir, {
      'rules.json': [
        { id: 1, name: 'first', conditions: [], actions: [] },
        { id: 1, name: 'second', conditions: [{ field: 'a', operator: 'Like', value: 1 }], actions: [] },
      ],
    });
    const r = await cli(['validate', '--rules', 'rules.json'], { cwd: dir });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/^rules\.json:\d+:\d+: error: \$\[1\]\.conditions\[0\]\.operator: /m);
    expect(r.stdout).toMatch(/^rules\.json:\d+:\d+: error: \$\[1\]\.id: duplicate rule id 1/m);
  });

  it('a missing rules file or facts file exits 5', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules.json': EVERY_FACT, 'facts.ndjson': '{"id":1}\n' });
    const [rules, facts, explain] = await Promise.all([
      cli(['run', '-r', 'nope.json', 'facts.ndjson'], { cwd: dir }),
      cli(['run', '-r', 'rules.json', 'facts.ndjson', 'missing.ndjson'], { cwd: dir }),
      cli(['explain', '-r', 'nope.json'], { cwd: dir }),
    ]);
    expectFailure(rules, 5, oneLineError(/nope\.json: cannot read: no such file/));
    expectFailure(facts, 5, oneLineError(/missing\.ndjson: cannot read: no such file/));
    expectFailure(explain, 5, oneLineError(/nope\.json: cannot read: no such file/));
  });

  it('usage errors exit 2: an unknown option, a bad --max-firings, --rejects without --on-error skip', async () => {
    const [unknown, notNumber, negative, rejects] = await Promise.all([
      cli(['run', '-r', fixtureRules, '--bogus', fixtureFacts]),
      cli(['run', '-r', fixtureRules, '--max-firings', 'lots', fixtureFacts]),
      cli(['run', '-r', fixtureRules, '--max-firings', '-1', fixtureFacts]),
      cli(['run', '-r', fixtureRules, '--rejects', 'x.txt', fixtureFacts]),
    ]);
    for (const r of [unknown, notNumber, negative, rejects]) {
      expect(r.exitCode).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).not.toContain('    at ');
    }
    // One line each, with the one prefix of every message.
    expect(unknown.stderr).toBe("rete-eval: unknown option '--bogus' (see rete-eval run --help)\n");
    expect(notNumber.stderr).toBe(
      `rete-eval: option '--max-firings <n>' argument 'lots' is invalid. expected an integer ≥ 0, got "lots" (see rete-eval run --help)\n`,
    );
    expect(negative.stderr).toMatch(oneLineError(/option '--max-firings <n>' argument '-1' is invalid[^\n]*/));
    expect(rejects.stderr).toMatch(oneLineError(/--rejects needs --on-error skip/));
  });

  it('--max-firings 1 with a rule firing twice exits 6', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules.json': ACTIVE, 'facts.ndjson': '{"id":1,"status":"active"}\n{"id":2,"status":"active"}\n' });
    const [limited, enough] = await Promise.all([
      cli(['run', '-r', 'rules.json', '--max-firings', '1', '-o', 'out.ndjson', 'facts.ndjson'], { cwd: dir }),
      cli(['run', '-q', '-r', 'rules.json', '--max-firings', '2', 'facts.ndjson'], { cwd: dir }),
    ]);
    expectFailure(limited, 6, oneLineError(/more than 1 rule firing \(--max-firings\); rule 7 "Active" \(1 firing\) fired most[^\n]*/));
    expect(existsSync(join(dir, 'out.ndjson'))).toBe(false);
    expect(enough.exitCode).toBe(0);
    expect(ndjson(enough.stdout)).toHaveLength(2);
  });

  it('--on-error skip --rejects FILE: exit 0, skipped records counted and written as read', async () => {
    const dir = tempDir();
    const bad1 = '{"id":2,"status":"act';
    const bad2 = '[1,2]';
    writeFiles(dir, {
      'rules.json': ACTIVE,
      'facts.ndjson': ['{"id":1,"status":"active"}', bad1, bad2, '{"id":4,"status":"active"}'].join('\n') + '\n',
    });
    const [r, quiet] = await Promise.all([
      cli(['run', '-r', 'rules.json', '--on-error', 'skip', '--rejects', 'rejects.txt', '--report', 'report.json', 'facts.ndjson'], { cwd: dir }),
      cli(['run', '-q', '-r', 'rules.json', '--on-error', 'skip', 'facts.ndjson'], { cwd: dir }),
    ]);
    expect(r.exitCode).toBe(0);
    expect(ndjson(r.stdout).map((f) => f.fact_id)).toEqual([1, 4]);
    expect(readFileSync(join(dir, 'rejects.txt'), 'utf8')).toBe(`${bad1}\n${bad2}\n`);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(report.facts).toMatchObject({ records: 4, read: 2, skipped: 2 });
    expect(report.rejects).toMatchObject({ count: 2, file: 'rejects.txt' });
    expect(r.stderr).toContain('2 skipped');
    expect(r.stderr).toContain('facts.ndjson:2:22: invalid JSON');
    // Skipped records are reported even with --quiet.
    expect(quiet.exitCode).toBe(0);
    expect(quiet.stderr).toMatch(/2 malformed records skipped/);
  });
});

// ---------------------------------------------------------------------------

describe('other commands and a closed stdout', () => {
  const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

  it('a closed stdout (`| head -n 1`) ends the run quietly with exit 0', async () => {
    const dir = tempDir();
    const facts = join(dir, 'facts.ndjson');
    const rules = join(dir, 'rules.json');
    const gen = await cli(['generate', '-w', 'simple', '-n', '20000', '-o', facts, '--rules-out', rules]);
    expect(gen.exitCode).toBe(0);
    const node = sh(process.execPath);
    const r = await shell(`set -o pipefail; ${node} ${sh(binPath)} run -r ${sh(rules)} ${sh(facts)} | head -n 1`);
    expect(r.exitCode).toBe(0);
    const out = ndjson(r.stdout);
    expect(out).toHaveLength(1);
    expect(firingProblems(out[0])).toEqual([]);
    expect(r.stderr).not.toMatch(/EPIPE|Error| {4}at /);
    expect(r.stderr).toContain('firings');
  });

  it('explain lists the hash indexes of the fixtures network', async () => {
    const [text, json] = await Promise.all([cli(['explain', '--rules', fixtureRules]), cli(['explain', '--rules', fixtureRules, '--json'])]);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/^network: 14 rules, \d+ alpha nodes/);
    expect(text.stdout).toMatch(/# hash index on record_type: 5 branches/);
    expect(text.stdout).toMatch(/# hash index on department\.code: 1 branch\b/);
    for (const id of [1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 20, 30]) expect(text.stdout).toMatch(new RegExp(`→ fires rule ${id} "`));
    expect(json.exitCode).toBe(0);
    const root = JSON.parse(json.stdout);
    expect(root.hashIndexes.map((h: any) => h.field)).toContain('record_type');
  });

  it('generate -w simple -n 1000 writes 1000 facts', async () => {
    const r = await cli(['generate', '-w', 'simple', '-n', '1000']);
    expect(r.exitCode).toBe(0);
    const facts = ndjson(r.stdout);
    expect(facts).toHaveLength(1000);
    expect(facts.map((f) => f.id)).toEqual([...Array(1000).keys()]);
    for (const f of facts) expect(f.data.fields).toBeTypeOf('object');
  });

  it('--help exits 0 and lists the commands; run --help lists its options', async () => {
    const [top, run] = await Promise.all([cli(['--help']), cli(['run', '--help'])]);
    expect(top.exitCode).toBe(0);
    expect(top.stdout).toMatch(/^Usage: rete-eval /);
    for (const c of ['run', 'validate', 'explain', 'generate']) expect(top.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    expect(run.exitCode).toBe(0);
    for (const o of [
      '--rules',
      '--output',
      '--format',
      '--emit',
      '--values',
      '--no-chain',
      '--max-firings',
      '--on-error',
      '--rejects',
      '--report',
      '--quiet',
    ]) {
      expect(run.stdout).toContain(o);
    }
  });
});
