// End-to-end tests of input reading, run as a user would: jq-style streams of pretty-printed
// values on stdin, a 30 MB one-line record, 100,000 levels of nesting, integers beyond 2^53,
// progress on a terminal for stdin and gzip, and the projected reader giving byte-identical
// output to `--reader whole` on every bench workload (in worker threads too), the fixtures,
// and every input format.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execa, execaSync } from 'execa';
import {
  cleanupTempDirs,
  cli,
  fixtureFacts,
  fixtureRules,
  ndjson,
  oneLineError,
  repoRoot,
  requireBuild,
  shell,
  tempDir,
  writeFiles,
  binPath,
} from './helpers.js';

beforeAll(requireBuild);
afterAll(cleanupTempDirs);

const EVERY_FACT = [{ id: 1, name: 'every fact', conditions: [], actions: [{ action_type: { Log: { message: 'seen' } } }] }];
const A_IS_2 = [{ id: 1, name: 'a is 2', conditions: [{ field: 'a', operator: 'Equal', value: 2 }], actions: [{ action_type: { Log: { message: 'two' } } }] }];

/** The run report written with --report. */
function report(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'));
}

describe('streams of JSON values (jq output)', () => {
  const values = [
    { id: 1, a: 2, tags: ['x', 'y'], nested: { a: 1 } },
    { id: 2, a: 3 },
    { id: 3, a: 2, s: 'line\nbreak "quoted"' },
  ];
  // What `jq '.[]' data.json` prints: each value pretty-printed, one after another.
  const jqOutput = values.map((v) => JSON.stringify(v, null, 2)).join('\n') + '\n';

  it("reads jq '.[]' output on stdin as records, like NDJSON of the same values", async () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules.json': A_IS_2 });
    const pretty = await cli(['run', '-r', 'rules.json', '--report', 'r.json'], { cwd: dir, input: jqOutput });
    expect(pretty.exitCode, pretty.stderr).toBe(0);
    expect(ndjson(pretty.stdout).map((f) => f.fact_id)).toEqual([1, 3]);
    expect(report(join(dir, 'r.json')).inputs[0].format).toBe('json-values');
    const compact = await cli(['run', '-r', 'rules.json'], { cwd: dir, input: values.map((v) => JSON.stringify(v)).join('\n') });
    expect(compact.stdout).toBe(pretty.stdout);
  });

  it('reads values run together or separated by any whitespace, and a single pretty-printed object', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules.json': EVERY_FACT });
    const together = await cli(['run', '-r', 'rules.json', '-q'], { cwd: dir, input: '{\n "id": 7\n}{"id":8}\n\n\t{\n"id":9}' });
    expect(together.exitCode, together.stderr).toBe(0);
    expect(ndjson(together.stdout).map((f) => f.fact_id)).toEqual([7, 8, 9]);
    const single = await cli(['run', '-r', 'rules.json', '-q'], { cwd: dir, input: JSON.stringify(values[0], null, 2) });
    expect(single.exitCode, single.stderr).toBe(0);
    expect(ndjson(single.stdout).map((f) => f.fact_id)).toEqual([1]);
  });

  it('names FILE:LINE:COL for an error inside a pretty-printed value, and skips that value with --on-error skip', async () => {
    const dir = tempDir();
    const bad = '{\n  "id": 1\n}\n{\n  "id": 2,\n  "a": tru\n}\n{\n  "id": 3\n}\n';
    writeFiles(dir, { 'rules.json': EVERY_FACT, 'bad.json': bad });
    const fail = await cli(['run', '-r', 'rules.json', 'bad.json'], { cwd: dir });
    expect(fail.exitCode).toBe(4);
    expect(fail.stderr).toMatch(oneLineError(/bad\.json:6:8: invalid JSON: expected a JSON value, found "t"/));
    const stdin = await cli(['run', '-r', 'rules.json'], { cwd: dir, input: bad });
    expect(stdin.stderr).toMatch(oneLineError(/<stdin>:6:8: invalid JSON: [^\n]+/));
    const skip = await cli(['run', '-r', 'rules.json', 'bad.json', '--on-error', 'skip', '--rejects', 'rej.ndjson', '-q'], { cwd: dir });
    expect(skip.exitCode, skip.stderr).toBe(0);
    expect(ndjson(skip.stdout).map((f) => f.fact_id)).toEqual([1, 3]);
    expect(readFileSync(join(dir, 'rej.ndjson'), 'utf8')).toBe('{   "id": 2,   "a": tru }\n');
    // A break in the structure itself stops the read at its line and column.
    writeFiles(dir, { 'broken.json': '{\n  "id": 1\n}\n}\n' });
    const broken = await cli(['run', '-r', 'rules.json', 'broken.json'], { cwd: dir });
    expect(broken.exitCode).toBe(4);
    expect(broken.stderr).toMatch(oneLineError(/broken\.json:4:1: unexpected "\}" between JSON values [^\n]+/));
  });
});

describe('inputs at the edges', () => {
  it('reads a 30 MB record on one line as NDJSON', async () => {
    const dir = tempDir();
    const big = `{"id":1,"a":2,"pad":"${'x'.repeat(30 << 20)}"}\n{"id":2,"a":2}\n`;
    writeFiles(dir, { 'rules.json': A_IS_2, 'big.ndjson': big });
    for (const reader of ['projected', 'whole']) {
      const r = await cli(['run', '-r', 'rules.json', 'big.ndjson', '--reader', reader, '--report', 'r.json', '-q'], { cwd: dir });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(ndjson(r.stdout).map((f) => f.fact_id)).toEqual([1, 2]);
      expect(report(join(dir, 'r.json')).inputs[0].format).toBe('ndjson');
    }
  });

  it('refuses 100,000 levels of nesting on one line: one line naming file, line and column, exit 4; skipped under --on-error skip', async () => {
    const dir = tempDir();
    const deep = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    writeFiles(dir, { 'rules.json': EVERY_FACT, 'deep.ndjson': `{"id":1}\n${deep}\n{"id":3}\n` });
    for (const reader of ['projected', 'whole']) {
      const r = await cli(['run', '-r', 'rules.json', 'deep.ndjson', '--reader', reader], { cwd: dir });
      expect(r.exitCode).toBe(4);
      expect(r.stderr).toMatch(oneLineError(/deep\.ndjson:2:5001: nesting deeper than 1000 levels \(arrays and objects inside each other\)/));
      const skip = await cli(['run', '-r', 'rules.json', 'deep.ndjson', '--reader', reader, '--on-error', 'skip', '--report', 'r.json', '-q'], { cwd: dir });
      expect(skip.exitCode, skip.stderr).toBe(0);
      expect(ndjson(skip.stdout).map((f) => f.fact_id)).toEqual([1, 3]);
      expect(skip.stderr).toMatch(/1 malformed record|1 record/);
      expect(report(join(dir, 'r.json')).rejects.count).toBe(1);
    }
  });

  it('never changes a number silently: integers beyond 2^53 and overflowing numbers are refused with their line and column', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      'rules.json': EVERY_FACT,
      'id.ndjson': '{"id":9007199254740993}\n',
      'tagged.ndjson': '{"id":1,"data":{"fields":{"n":{"Integer":9007199254740993}}}}\n',
      'inf.ndjson': '{"id":1,"x":1e400}\n',
      'ok.ndjson': '{"id":1,"n":9007199254740991,"m":-9007199254740991,"f":0.1,"g":{"Float":1e300}}\n',
    });
    const [id, tagged, inf] = await Promise.all([
      cli(['run', '-r', 'rules.json', 'id.ndjson'], { cwd: dir }),
      cli(['run', '-r', 'rules.json', 'tagged.ndjson'], { cwd: dir }),
      cli(['run', '-r', 'rules.json', 'inf.ndjson'], { cwd: dir }),
    ]);
    expect(id.exitCode).toBe(4);
    expect(id.stderr).toMatch(
      oneLineError(/id\.ndjson:1:7: \$\.id: integer 9007199254740993 cannot be held exactly \(beyond ±\(2\^53−1\)\); quote it as a string/),
    );
    expect(tagged.stderr).toMatch(oneLineError(/tagged\.ndjson:1:42: \$\.data\.fields\.n\.Integer: integer 9007199254740993 cannot be held exactly [^\n]+/));
    expect(inf.stderr).toMatch(oneLineError(/inf\.ndjson:1:13: \$\.x: number 1e400 is beyond the range of a 64-bit float [^\n]+/));
    // (--max-errors 1: id.ndjson's only record is rejected, which alone would fail the run.)
    const skip = await cli(['run', '-r', 'rules.json', 'id.ndjson', 'ok.ndjson', '--on-error', 'skip', '--max-errors', '1', '-q'], { cwd: dir });
    expect(skip.exitCode).toBe(0);
    expect(ndjson(skip.stdout).map((f) => f.fact_id)).toEqual([1]);
    // What fits is written back exactly.
    const facts = await cli(['run', '-r', 'rules.json', 'ok.ndjson', '--emit', 'facts', '-q'], { cwd: dir });
    expect(facts.stdout).toBe('{"id":1,"n":9007199254740991,"m":-9007199254740991,"f":0.1,"g":1e+300}\n');
  });
});

describe('progress on a terminal', () => {
  // `script` gives the run a pseudo-terminal, as a user's shell would.
  const hasScript = (() => {
    try {
      return execaSync('script', ['--version'], { reject: false }).exitCode === 0;
    } catch {
      return false;
    }
  })();

  it.runIf(hasScript)('shows records and bytes read for gzip input and for stdin, whatever the compressed size', async () => {
    const dir = tempDir();
    const lines: string[] = [];
    for (let i = 0; i < 1_200_000; i++) lines.push(`{"id":${i},"status":"${i % 3 ? 'inactive' : 'active'}"}`);
    const text = lines.join('\n') + '\n';
    const gz = gzipSync(text);
    expect(gz.length).toBeLessThan(8 << 20); // the old bar decided on this size and showed nothing
    const half = text.length >> 1;
    writeFiles(dir, { 'rules.json': A_IS_2, 'facts.ndjson.gz': gz, 'a.ndjson': text.slice(0, half), 'b.ndjson': text.slice(half) });
    const node = process.execPath;
    // Progress shows once a run has lasted 0.3 s: stdin pauses half a second mid-way, so
    // the run lasts that long on any machine; the gzip file is large enough to.
    const cmds = [
      `${node} ${binPath} run -r rules.json facts.ndjson.gz -o /dev/null`,
      `(cat a.ndjson; sleep 0.5; cat b.ndjson) | ${node} ${binPath} run -r rules.json -o /dev/null`,
    ];
    for (const cmd of cmds) {
      const r = await execa('script', ['-qec', cmd, '/dev/null'], { cwd: dir, reject: false, env: { TERM: 'xterm', NO_COLOR: '1' } });
      expect(r.exitCode, String(r.stderr)).toBe(0);
      const screen = String(r.stdout);
      expect(screen, cmd).toMatch(/reading[^\n]*[\d,]+ records · \d+ MB/);
      expect(screen, cmd).toContain('1,200,000 facts');
    }
  });
});

describe('projected reader = --reader whole, byte for byte', () => {
  async function runBoth(dir: string, args: string[], env: Record<string, string> = {}) {
    const whole = await cli(['run', ...args, '--reader', 'whole', '--report', 'whole.json', '-q'], { cwd: dir, env });
    const projected = await cli(['run', ...args, '--reader', 'projected', '--report', 'projected.json', '-q'], {
      cwd: dir,
      env: { RETE_EVAL_READER_THREADS: '2', ...env },
    });
    expect(whole.exitCode, whole.stderr).toBe(0);
    expect(projected.exitCode, projected.stderr).toBe(0);
    expect(projected.stdout).toBe(whole.stdout);
    const w = report(join(dir, 'whole.json'));
    const p = report(join(dir, 'projected.json'));
    expect(p.facts).toEqual(w.facts);
    expect(p.firings).toEqual(w.firings);
    expect(p.typeMismatches).toEqual(w.typeMismatches);
    expect(p.rejects.count).toBe(w.rejects.count);
    expect(w.reader.kind).toBe('whole');
    return { stdout: whole.stdout, projected: p, whole: w };
  }

  for (const workload of ['simple', 'payroll', 'enterprise', 'join', 'aggregate']) {
    it(`${workload} 10K: identical firings and report counts, read in two worker threads`, async () => {
      const dir = tempDir();
      const gen = await cli(['generate', '-w', workload, '-n', '10k', '-o', 'facts.ndjson', '--rules-out', 'rules.json'], { cwd: dir });
      expect(gen.exitCode, gen.stderr).toBe(0);
      const { stdout, projected } = await runBoth(dir, ['-r', 'rules.json', 'facts.ndjson']);
      expect(stdout.length).toBeGreaterThan(0);
      expect(projected.reader.kind).toBe('projected');
      expect(projected.reader.workers).toBe(2);
    });
  }

  it('the fixtures, in every input format: NDJSON, JSON array, the facts wrapper, a jq stream, gzip, stdin', async () => {
    const dir = tempDir();
    const lines = readFileSync(fixtureFacts, 'utf8').trim().split('\n');
    const values = lines.map((l) => JSON.parse(l) as unknown);
    writeFiles(dir, {
      'rules.json': readFileSync(fixtureRules, 'utf8'),
      'facts.ndjson': lines.join('\n') + '\n',
      'facts.json': JSON.stringify(values, null, 2),
      'wrapped.json': JSON.stringify({ facts: values }),
      'stream.json': values.map((v) => JSON.stringify(v, null, 2)).join('\n'),
      'facts.ndjson.gz': gzipSync(lines.join('\r\n')),
    });
    const base = await runBoth(dir, ['-r', 'rules.json', 'facts.ndjson']);
    expect(base.projected.reader.kind).toBe('projected');
    for (const f of ['facts.json', 'wrapped.json', 'stream.json', 'facts.ndjson.gz']) {
      const r = await runBoth(dir, ['-r', 'rules.json', f]);
      expect(r.stdout, f).toBe(base.stdout);
    }
    const viaStdin = await shell(`cat facts.ndjson | node ${binPath} run -r rules.json -q`, dir);
    expect(viaStdin.stdout).toBe(base.stdout);
    // The join fixtures too.
    const join2 = await runBoth(dir, ['-r', join(repoRoot, 'fixtures', 'join-rules.json'), join(repoRoot, 'fixtures', 'join-facts.ndjson')]);
    expect(join2.stdout.length).toBeGreaterThan(0);
  });

  it('bad records: the same rejects, in the same places, and the same exit code', async () => {
    const dir = tempDir();
    const bad = ['{"id":1,"status":"active"}', '{"id":2,', '[1]', '{"id":3,"when":{"Date":"nope"}}', '{"id":4,"n":1e400}', '{"id":5,"status":"active"}'].join(
      '\n',
    );
    writeFiles(dir, { 'rules.json': EVERY_FACT, 'bad.ndjson': bad });
    const { whole, projected } = await runBoth(dir, ['-r', 'rules.json', 'bad.ndjson', '--on-error', 'skip']);
    expect(projected.rejects).toEqual(whole.rejects);
    expect(whole.rejects.count).toBe(4);
    const failW = await cli(['run', '-r', 'rules.json', 'bad.ndjson', '--reader', 'whole'], { cwd: dir });
    const failP = await cli(['run', '-r', 'rules.json', 'bad.ndjson', '--reader', 'projected'], { cwd: dir, env: { RETE_EVAL_READER_THREADS: '1' } });
    expect(failP.exitCode).toBe(4);
    expect(failP.stderr).toBe(failW.stderr);
    expect(failP.stdout).toBe(failW.stdout);
  });

  it('says in the report which reader ran, and why whole records were read', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules.json': A_IS_2, 'f.ndjson': '{"id":1,"a":2,"b":3}\n' });
    const r = await cli(['run', '-r', 'rules.json', 'f.ndjson', '--reader', 'projected'], { cwd: dir });
    expect(r.stderr).toMatch(/reader\s+projected: 1 field \(a\)/);
    // By default a small file is read whole: the scanner's warm-up would cost more than it saves.
    const auto = await cli(['run', '-r', 'rules.json', 'f.ndjson'], { cwd: dir });
    expect(auto.stderr).toMatch(/reader\s+whole records \(f\.ndjson is small \(under 4 MB\): projection pays off on larger inputs\)/);
    const e = await cli(['run', '-r', 'rules.json', 'f.ndjson', '--emit', 'facts'], { cwd: dir });
    expect(e.stdout).toBe('{"id":1,"a":2,"b":3}\n');
    expect(e.stderr).toMatch(/reader\s+whole records \(--emit facts writes whole facts\)/);
    writeFileSync(join(dir, 'doc.json'), '{"meta":1,"facts":[{"id":1,"a":2}]}');
    const doc = await cli(['run', '-r', 'rules.json', 'doc.json', '--reader', 'projected', '--report', 'r.json', '-q'], { cwd: dir });
    expect(doc.exitCode, doc.stderr).toBe(0);
    expect(report(join(dir, 'r.json')).reader.reason).toContain('stream-json');
  });
});
