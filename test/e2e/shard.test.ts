// Scale-out end to end, through the built CLI and GNU parallel: split → `parallel -j 2`
// running `rete-eval run` on each shard → merge gives the bytes one run writes, for the
// fixtures and for the simple, join and aggregate workloads at 10K, and the merged report
// adds the shards' counts up; split refuses rules that do not partition, naming the rules;
// a shard is run only alone, with the rules it was split for; explain gives the verdict.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, cleanupTempDirs, cli, fixtureFacts, fixtureRules, oneLineError, repoRoot, requireBuild, shell, tempDir } from './helpers.js';

beforeAll(async () => {
  requireBuild();
  const p = await shell('command -v parallel');
  if (p.exitCode !== 0) throw new Error('GNU parallel is not installed: apt-get install -y parallel (.ci/run installs it)');
});
afterAll(() => {
  cleanupTempDirs();
});

const node = JSON.stringify(process.execPath);
const bin = JSON.stringify(binPath);

/** The recipe of the README, locally: split, run every shard with parallel -j 2, merge; and one run to compare. */
async function recipe(rules: string, facts: string, n: number) {
  const d = tempDir();
  const script = [
    'set -euo pipefail',
    `${node} ${bin} split -q -r ${rules} -n ${n} ${facts} --out-dir shards`,
    `ls shards/shard-*.ndjson.gz | parallel --will-cite -j 2 --halt now,fail=1 ${node} ${bin} run -q -r ${rules} {} -o out/{/.}.out.gz --report out/{/.}.report.json`,
    `${node} ${bin} merge -q out/*.out.gz -o merged.ndjson --reports out/*.report.json --report merged.report.json`,
    `${node} ${bin} run -q -r ${rules} ${facts} -o single.ndjson --report single.report.json`,
  ].join('\n');
  const r = await shell(`mkdir -p out && ${script}`, d);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  const read = (f: string) => readFileSync(join(d, f), 'utf8');
  return {
    d,
    merged: read('merged.ndjson'),
    single: read('single.ndjson'),
    report: JSON.parse(read('merged.report.json')),
    singleReport: JSON.parse(read('single.report.json')),
  };
}

function expectSameCounts(merged: any, single: any): void {
  expect(merged.facts).toEqual(single.facts);
  expect(merged.firings).toEqual(single.firings);
  expect(merged.output.lines).toBe(single.output.lines);
  expect(merged.typeMismatches.total).toBe(single.typeMismatches.total);
  expect(merged.shards.length).toBeGreaterThan(1);
  for (const s of merged.shards) expect(s.timings.totalMs).toBeGreaterThan(0);
  expect(merged.timings.totalMs).toBeCloseTo(
    merged.shards.reduce((n: number, s: any) => n + s.timings.totalMs, 0),
    6,
  );
}

describe('split → parallel -j 2 → merge', () => {
  it("gives the fixtures' firings byte for byte, deletes by id and created facts included", async () => {
    const r = await recipe(fixtureRules, fixtureFacts, 2);
    expect(r.merged).toBe(r.single);
    expect(r.single).toMatch(/"FactCreated"/);
    expect(r.single).toMatch(/"FactDeleted"/);
    expectSameCounts(r.report, r.singleReport);
  });

  for (const workload of ['simple', 'join', 'aggregate']) {
    it(`gives the ${workload} workload's firings byte for byte at 10K`, async () => {
      const d = tempDir();
      const g = await cli(['generate', '-w', workload, '-n', '10k', '-o', join(d, 'facts.ndjson'), '--rules-out', join(d, 'rules.json')]);
      expect(g.exitCode).toBe(0);
      const r = await recipe(join(d, 'rules.json'), join(d, 'facts.ndjson'), workload === 'join' ? 3 : 2);
      expect(r.merged.length).toBeGreaterThan(0);
      expect(r.merged).toBe(r.single);
      expectSameCounts(r.report, r.singleReport);
    });
  }
});

describe('split refuses, run and merge check', () => {
  const joinRules = join(repoRoot, 'fixtures', 'join-rules.json');
  const joinFacts = join(repoRoot, 'fixtures', 'join-facts.ndjson');

  it('refuses rules that do not partition, in one line naming the rules, writing no shard', async () => {
    const d = tempDir();
    const r = await cli(['split', '-r', joinRules, '-n', '2', joinFacts, '--out-dir', join(d, 'shards')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      oneLineError(
        /the rules do not partition: rule 10 "Salary above the department cap" .* rule 14 "Timesheet for an unknown employee" .*: no single key serves both \(and 2 more reasons: rete-eval explain -r … says all\)/,
      ),
    );
    expect(existsSync(join(d, 'shards'))).toBe(false);
  });

  it('explains whether rules partition, in text and JSON', async () => {
    const text = await cli(['explain', '-r', fixtureRules]);
    expect(text.stdout).toMatch(
      /\npartition: by key .*\n {2}facts with record_type = "cancellation": by order_id .*\n {2}any other fact: by its id \(rule 30 addresses facts by id\)\n$/,
    );
    const json = await cli(['explain', '-r', joinRules, '--json']);
    const p = JSON.parse(json.stdout).partition;
    expect(p.partitions).toBe(false);
    expect(p.problems[0].rules).toEqual([10, 14]);
  });

  it('runs a shard only alone and with rules that place facts as the split did', async () => {
    const d = tempDir();
    expect((await cli(['split', '-q', '-r', fixtureRules, '-n', '2', fixtureFacts, '--out-dir', d])).exitCode).toBe(0);
    const shard = join(d, 'shard-0.ndjson.gz');
    const other = await cli(['run', '-q', '-r', joinRules, shard]);
    expect(other.exitCode).toBe(2);
    expect(other.stderr).toMatch(
      oneLineError(/.*shard-0\.ndjson\.gz was split for rules that place facts differently: run each shard with the rules it was split with/),
    );
    const two = await cli(['run', '-q', '-r', fixtureRules, shard, fixtureFacts]);
    expect(two.exitCode).toBe(2);
    expect(two.stderr).toMatch(/is a shard written by rete-eval split: run each shard alone/);
    const piped = await shell(`zcat ${shard} | ${node} ${bin} run -q -r ${fixtureRules}`);
    expect(piped.exitCode).toBe(2);
    expect(piped.stderr).toMatch(/<stdin> is a shard written by rete-eval split: run each shard alone, as a file/);
  });

  it('refuses to merge an incomplete set of shard outputs', async () => {
    const d = tempDir();
    const r = await shell(
      [
        `${node} ${bin} split -q -r ${fixtureRules} -n 3 ${fixtureFacts} --out-dir ${d}`,
        `${node} ${bin} run -q -r ${fixtureRules} ${d}/shard-0.ndjson.gz -o ${d}/0.out`,
        `${node} ${bin} run -q -r ${fixtureRules} ${d}/shard-2.ndjson.gz -o ${d}/2.out`,
        `${node} ${bin} merge ${d}/0.out ${d}/2.out -o ${d}/merged.ndjson`,
      ].join(' && '),
    );
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('rete-eval: the split has 3 shards; the output of shard 1 is missing\n');
  });
});
