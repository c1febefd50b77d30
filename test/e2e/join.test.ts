// End-to-end tests of multi-fact rules (docs/rules.md (patterns)) through the built CLI, on
// fixtures/join-rules.json and fixtures/join-facts.ndjson: hash joins with join tests, a
// not-pattern decided at end of input, an exists-pattern, a self-join with a targeted
// action, a deletion cancelling a pending match, forward chaining into a join; fact_ids
// in plain and tagged output; byte-identical output across runs; the memory per node in
// --report and on stderr; explain; validation of patterns; --no-chain; --max-firings.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, cli, firingProblems, ndjson, oneLineError, repoRoot, requireBuild, tempDir, writeFiles } from './helpers.js';

const rules = join(repoRoot, 'fixtures', 'join-rules.json');
const facts = join(repoRoot, 'fixtures', 'join-facts.ndjson');

beforeAll(() => {
  requireBuild();
});
afterAll(() => {
  cleanupTempDirs();
});

/** Firings as `rule:fact_ids`. */
const brief = (lines: any[]) => lines.map((f) => `${f.rule_id}:${(f.fact_ids as number[]).join(',')}`);

describe('multi-fact rules through the CLI', () => {
  it('runs the join fixtures: joins as facts arrive, not-patterns at the end, chaining into joins', async () => {
    const r = await cli(['run', '-q', '-r', rules, facts]);
    expect(r.exitCode).toBe(0);
    const out = ndjson(r.stdout);
    for (const f of out) expect(firingProblems(f)).toEqual([]);
    expect(brief(out)).toEqual([
      '10:100,1', // emp 100 above the ENG cap
      '12:1', // ENG has on-call cover (once, though two are on call)
      '13:100,101', // mentor pair in ENG
      '10:102,2',
      '12:2',
      '13:102,103',
      '10:104,3', // FIN arrives after its employee and still joins it
      '16:300,500', // the withdrawn offer deletes candidate 500 ...
      '17:501,302', // ... so only candidate 501's interview is scheduled
      '11:2', // end of input: OPS and FIN have no manager
      '11:3',
      '14:201', // the timesheet of an unknown employee
      '15:102,2', // chained: fields set by rules 10 and 11 meet in a join
      '15:104,3',
    ]);
    for (const f of out) expect(f.fact_id).toBe(f.fact_ids[0]);
    // The mentor pairing acts on the junior (its target pattern), not on the first pattern's fact.
    expect(out[2].actions_executed).toEqual([{ ArrayAppended: { fact_id: 101, field: 'mentor_depts', appended_value: 'paired', new_length: 1 } }]);
  });

  it('writes byte-identical output on every run, plain and tagged', async () => {
    const [a, b, tagged] = await Promise.all([
      cli(['run', '-q', '-r', rules, facts]),
      cli(['run', '-q', '-r', rules, facts]),
      cli(['run', '-q', '-r', rules, '--values', 'tagged', facts]),
    ]);
    expect(b.stdout).toBe(a.stdout);
    const t = ndjson(tagged.stdout);
    expect(t.map((f) => f.fact_ids)).toEqual(ndjson(a.stdout).map((f) => f.fact_ids));
    expect(tagged.stdout).toContain('"fact_ids":[100,1],"actions_executed":[{"FieldSet":{"fact_id":100,"field":"over_cap","value":{"Boolean":true}}}');
  });

  it("--emit facts: the join rules' changes applied, the deleted candidate left out", async () => {
    const r = await cli(['run', '-q', '-r', rules, '--emit', 'facts', facts]);
    expect(r.exitCode).toBe(0);
    const out = ndjson(r.stdout);
    const byId = new Map(out.map((f) => [f.id, f.data?.fields ?? f]));
    expect(out.map((f) => f.id)).toEqual([1, 2, 100, 101, 102, 103, 104, 3, 200, 201, 300, 301, 302, 501]);
    expect(byId.get(2)!.needs_manager).toBe(true);
    expect(byId.get(1)!.needs_manager).toBeUndefined();
    expect(byId.get(103)!.mentor_depts).toEqual(['paired']);
    expect(byId.get(104)!.over_cap).toBe(true);
  });

  it('--report holds the memory of each alpha memory and beta node, with its rules; stderr shows the largest', async () => {
    const dir = tempDir();
    const reportFile = join(dir, 'report.json');
    const r = await cli(['run', '-r', rules, facts, '--report', reportFile]);
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    const nodes: any[] = report.memory.nodes;
    expect(nodes.filter((n) => n.kind === 'alpha-memory')).toHaveLength(report.network.alphaMemories);
    expect(nodes.filter((n) => n.kind !== 'alpha-memory')).toHaveLength(report.network.betaNodes);
    const depts = nodes.find((n) => n.kind === 'alpha-memory' && /record_type Equal "dept"$/.test(n.label));
    expect(depts).toMatchObject({ held: 3, peakHeld: 3, rules: [10, 11, 12] });
    const capJoin = nodes.find((n) => n.kind === 'join' && n.rules.includes(10));
    // The join after the first pattern reads that pattern's memory in place: it holds no copy.
    expect(capJoin).toMatchObject({ held: 0, tokens: 3, rules: [10] });
    expect(capJoin.label).toContain('hash join code = e.dept_code');
    expect(capJoin.label).toMatch(/left: the facts of M\d+/);
    const notNode = nodes.find((n) => n.kind === 'not' && n.rules.includes(11));
    expect(notNode).toMatchObject({ held: 3, tokens: 2 });
    // Candidate 500 was deleted as it arrived (before 501): the candidates' memory never held two.
    expect(nodes.find((n) => n.kind === 'alpha-memory' && /"candidate"$/.test(n.label))).toMatchObject({ held: 1, peakHeld: 1 });
    expect(report.network).toMatchObject({ rules: 8, alphaMemories: 12, betaNodes: 15, hashJoins: 8, crossProducts: 0, negationNodes: 3, sharedBetaNodes: 1 });
    expect(report.facts.deleted).toBe(1);
    expect(r.stderr).toMatch(/^ {2}held {5}M0 e: record_type Equal "employee" — rules 10, 14: 5 facts \(peak 5\)$/m);
    expect(r.stderr).toMatch(/beta nodes \(8 hash joins, 0 cross products, 3 not\/exists, 1 shared\)/);
  });

  it('explain shows the join nodes, their indexes and which rules share them', async () => {
    const [text, json] = await Promise.all([cli(['explain', '--rules', rules]), cli(['explain', '--rules', rules, '--json'])]);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain('multi-fact rules: 12 alpha memories, 15 beta nodes');
    expect(text.stdout).toMatch(/\[B2\] start d ← M1 {2}— rules 11-12 \(shared\)/);
    expect(text.stdout).toMatch(/\[B3\] not m ← M2: hash join dept_code = d\.code \(left index: tokens by d\.code; right index: M2 by dept_code\)/);
    expect(text.stdout).toMatch(/M1 record_type Equal "dept" {2}— patterns d of rules 10-12; hash-indexed on code/);
    for (const id of [10, 11, 12, 13, 14, 15, 16, 17]) expect(text.stdout).toMatch(new RegExp(`→ fires rule ${id} "`));
    const root = JSON.parse(json.stdout);
    expect(root.patterns.nodes).toHaveLength(15);
    expect(root.patterns.nodes.find((n: any) => n.id === 1)).toMatchObject({
      kind: 'join',
      hashJoin: { field: 'code', ref: 'e.dept_code' },
      tests: ['salary_cap LessThan e.salary'],
    });
  });

  it('validate names pattern problems with their JSON paths', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      'rules.json': [
        {
          id: 1,
          name: 'bad',
          patterns: [
            { alias: 'e', conditions: [{ field: 'k', operator: 'Equal', value: { Ref: 'd.k' } }] },
            { alias: 'd', not: true, exists: true, conditions: [] },
            { alias: 'e', conditions: [] },
          ],
          actions: [{ target: 'zz', action_type: { Log: { message: 'm' } } }],
        },
      ],
    });
    const r = await cli(['validate', '--rules', 'rules.json'], { cwd: dir });
    expect(r.exitCode).toBe(3);
    expect(
      r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => /^rules\.json:\d+:\d+: (?:error|warning): (\S+): /.exec(l)?.[1]),
    ).toEqual([
      '$[0].patterns[0].conditions[0].value.Ref',
      '$[0].patterns[1]',
      '$[0].patterns[2].alias',
      '$[0].actions[0].target',
      '$[0].patterns[2].conditions', // warning: a cross product
      undefined,
    ]);
  });

  it('--no-chain: rule 15 (chained into a join) does not fire', async () => {
    const r = await cli(['run', '-q', '-r', rules, '--no-chain', facts]);
    expect(r.exitCode).toBe(0);
    const ids = new Set(ndjson(r.stdout).map((f) => f.rule_id));
    expect(ids.has(15)).toBe(false);
    expect(ids.has(10)).toBe(true);
    expect(ids.has(11)).toBe(true);
  });

  it('--max-firings stops a join rule that keeps re-matching, exit 6', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      'rules.json': [
        {
          id: 1,
          name: 'grow',
          patterns: [
            { alias: 'e', conditions: [{ field: 'type', operator: 'Equal', value: 'emp' }] },
            {
              alias: 'd',
              conditions: [
                { field: 'type', operator: 'Equal', value: 'dept' },
                { field: 'id', operator: 'Equal', value: { Ref: 'e.dept' } },
              ],
            },
          ],
          actions: [{ action_type: { CreateFact: { data: { fields: { type: 'emp', dept: 1 } } } } }],
        },
      ],
      'facts.ndjson': '{"id":1,"type":"dept"}\n{"id":2,"type":"emp","dept":1}\n',
    });
    const r = await cli(['run', '-r', 'rules.json', '--max-firings', '100', 'facts.ndjson'], { cwd: dir });
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toMatch(oneLineError(/more than 100 [^\n]+\(--max-firings\)[^\n]*/));
  });

  it('the bench join workload gives its stated firing count end to end', async () => {
    const dir = tempDir();
    const gen = await cli(['generate', '-w', 'join', '-n', '2000', '-o', 'join.ndjson', '--rules-out', 'rules.json'], { cwd: dir });
    expect(gen.exitCode).toBe(0);
    const r = await cli(['run', '-q', '-r', 'rules.json', 'join.ndjson'], { cwd: dir });
    expect(r.exitCode).toBe(0);
    // 2000 employees of 200 departments: salary above 90000 (i % 70 > 60) in a department with budget below 50000 (d % 10 < 5).
    let expected = 0;
    for (let e = 0; e < 2000; e++) if (e % 70 > 60 && (e % 200) % 10 < 5) expected++;
    const out = ndjson(r.stdout);
    expect(out).toHaveLength(expected);
    for (const f of out) expect(f.fact_ids).toHaveLength(2);
  });
});
