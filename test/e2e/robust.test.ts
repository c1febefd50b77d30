// End-to-end tests of issue 11 (trustworthy in a cron job and a pipeline), each run as a user
// would: a limit still writes --report; --max-errors; no temporary file left on any failure;
// every output checked before input is read and nothing put in place unless the whole run
// succeeds; `-` for --report/--rejects; mode, owner and symlinks of replaced files; facts
// emitted as read; several rule files; rule warnings and --strict; validate's hints; one
// message form; rules that never fired; the stdin hint on a terminal; --help and --version.

import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  binPath,
  cleanupTempDirs,
  cli,
  fixtureFacts,
  fixtureRules,
  ndjson,
  oneLineError,
  repoRoot,
  requireBuild,
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

/** A user-facing failure: the exit code, one clean line on stderr matching `rest`, no stack. */
function expectFailure(r: CliResult, exitCode: number, rest: RegExp): void {
  expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({ exitCode, stderr: expect.stringMatching(oneLineError(rest)) });
  expect(r.stderr).not.toContain('    at ');
}

/** Files in a directory, temporary ones included (they start with a dot). */
const files = (dir: string) => readdirSync(dir).sort();

const EVERY_FACT = [{ id: 1, name: 'Every fact', conditions: [], actions: [{ action_type: { Log: { message: 'seen' } } }] }];
const BIG = [
  {
    id: 1,
    name: 'Big',
    conditions: [{ field: 'x', operator: 'GreaterThan', value: 3 }],
    actions: [{ action_type: { SetField: { field: 'big', value: true } } }],
  },
];
const lines = (...recs: object[]) => recs.map((r) => JSON.stringify(r)).join('\n') + '\n';

// ---------------------------------------------------------------------------

describe('limits (items 5 and 6)', () => {
  it('a run stopped by --max-firings writes --report (saying why), and puts neither -o nor --rejects in place', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules.json': BIG, 'facts.ndjson': lines({ id: 1, x: 5 }, { id: 2, x: 9 }) + 'oops\n' });
    const r = await cli(
      [
        'run',
        '-r',
        'rules.json',
        'facts.ndjson',
        '--max-firings',
        '1',
        '-o',
        'out.ndjson',
        '--report',
        'report.json',
        '--on-error',
        'skip',
        '--rejects',
        'rej.txt',
      ],
      { cwd: dir },
    );
    expectFailure(r, 6, /more than 1 [^\n]*--max-firings[^\n]*/);
    expect(files(dir)).toEqual(['facts.ndjson', 'report.json', 'rules.json']);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(report.error).toEqual({ code: 'E_LIMIT', exitCode: 6, message: expect.stringContaining('--max-firings') });
    expect(report.stoppedEarly).toBe(report.error.message);
    expect(report.firings.total).toBeGreaterThanOrEqual(1);
  });

  it('a rule that keeps creating facts stops at the heap limit (exit 6) naming the rule, and still writes --report', async () => {
    const dir = tempDir();
    const RUNAWAY = [
      {
        id: 5,
        name: 'Self-replicating',
        conditions: [{ field: 'kind', operator: 'Equal', value: 'seed' }],
        actions: [{ action_type: { CreateFact: { data: { fields: { kind: 'seed', pad: 'x'.repeat(40) } } } } }],
      },
    ];
    writeFiles(dir, { 'rules.json': RUNAWAY, 'facts.ndjson': lines({ id: 1, kind: 'seed' }) });
    const r = await cli(['run', '-r', 'rules.json', 'facts.ndjson', '--max-heap', '48', '-o', 'out.ndjson', '--report', 'report.json'], { cwd: dir });
    expectFailure(r, 6, /working memory passed the heap limit \(\d+ MB in use, limit 48 MB\)[^\n]*rule 5 "Self-replicating" \([\d,]+ firings\) fired most/);
    expect(files(dir)).toEqual(['facts.ndjson', 'report.json', 'rules.json']);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(report.error.code).toBe('E_LIMIT');
    expect(report.facts.created).toBeGreaterThan(10_000);
    expect(report.firings.byRule).toEqual([{ id: 5, name: 'Self-replicating', firings: report.firings.total }]);
  });

  it('a CSV file fed by mistake under --on-error skip fails (exit 4) instead of exiting 0 with every record skipped', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules.json': EVERY_FACT, 'data.csv': 'id,name\n1,ann\n2,bob\n', 'good.ndjson': lines({ id: 1 }) });
    const [csv, mixed] = await Promise.all([
      cli(['run', '-r', 'rules.json', '--on-error', 'skip', '-o', 'out.ndjson', '--report', 'report.json', 'data.csv'], { cwd: dir }),
      cli(['run', '-q', '-r', 'rules.json', '--on-error', 'skip', 'good.ndjson', 'data.csv'], { cwd: dir }),
    ]);
    expectFailure(csv, 4, /data\.csv: every record was rejected \(3 of 3\)[^\n]*the first: data\.csv:1:1: invalid JSON: [^\n]+/);
    expect(existsSync(join(dir, 'out.ndjson'))).toBe(false);
    // The report says what was rejected.
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(report.error.code).toBe('E_TOO_MANY_REJECTS');
    expect(report.rejects.count).toBe(3);
    // One good file does not hide a wrong one.
    expectFailure(mixed, 4, /data\.csv: every record was rejected[^\n]*/);
  });

  it('--max-errors N: more than N rejects fail the run, up to N pass', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules.json': EVERY_FACT, 'facts.ndjson': lines({ id: 1 }) + 'bad one\n' + lines({ id: 3 }) + '[2]\n' });
    const [over, within, zero, noSkip] = await Promise.all([
      cli(['run', '-q', '-r', 'rules.json', '--on-error', 'skip', '--max-errors', '1', 'facts.ndjson'], { cwd: dir }),
      cli(['run', '-q', '-r', 'rules.json', '--on-error', 'skip', '--max-errors', '2', 'facts.ndjson'], { cwd: dir }),
      cli(['run', '-q', '-r', 'rules.json', '--on-error', 'skip', '--max-errors', '0', 'facts.ndjson'], { cwd: dir }),
      cli(['run', '-q', '-r', 'rules.json', '--max-errors', '2', 'facts.ndjson'], { cwd: dir }),
    ]);
    expectFailure(over, 4, /more than 1 record rejected \(--max-errors 1\); the first: facts\.ndjson:2:1: invalid JSON: [^\n]+/);
    expect(over.stdout).toBe('');
    expect(within.exitCode).toBe(0);
    expect(ndjson(within.stdout).map((f) => f.fact_id)).toEqual([1, 3]);
    expect(within.stderr).toBe('rete-eval: warning: 2 malformed records skipped\n');
    expectFailure(zero, 4, /more than 0 records rejected \(--max-errors 0\)[^\n]*/);
    expectFailure(noSkip, 2, /--max-errors needs --on-error skip/);
  });
});

// ---------------------------------------------------------------------------

describe('output files (items 7 and 8)', () => {
  it('no temporary file is left when an input is missing, is a directory, or is corrupt gzip', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'adir'));
    const gz = gzipSync(lines({ id: 1 }, { id: 2 }));
    writeFiles(dir, { 'rules.json': EVERY_FACT, 'good.ndjson': lines({ id: 1 }), 'broken.gz': gz.subarray(0, gz.length - 12) });
    const run = (...args: string[]) => cli(['run', '-q', '-r', 'rules.json', '-o', 'out.ndjson', '--report', 'report.json', ...args], { cwd: dir });
    const [missing, directory, later, corrupt] = await Promise.all([
      run('missing.ndjson'),
      run('adir'),
      run('good.ndjson', 'missing.ndjson'),
      run('good.ndjson', 'broken.gz'),
    ]);
    expectFailure(missing, 5, /missing\.ndjson: cannot read: no such file/);
    expectFailure(directory, 5, /adir: cannot read: is a directory/);
    expectFailure(later, 5, /missing\.ndjson: cannot read: no such file/);
    expectFailure(corrupt, 5, /broken\.gz: cannot read: [^\n]+/);
    expect(files(dir)).toEqual(['adir', 'broken.gz', 'good.ndjson', 'rules.json']);
  });

  it('an unwritable --report (or -o, --rejects) fails before any input is read', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules.json': EVERY_FACT });
    // stdin stays open and empty: a run that read input first would wait for it forever.
    const start = (args: string[]) => {
      const p = execa(process.execPath, [binPath, 'run', '-q', '-r', 'rules.json', ...args], {
        cwd: dir,
        reject: false,
        stdin: 'pipe',
        timeout: 20_000,
        stripFinalNewline: false,
      });
      return p;
    };
    const [report, out, rejects, isDir] = await Promise.all([
      start(['-o', 'out.ndjson', '--report', join('nodir', 'report.json')]),
      start(['-o', join('nodir', 'out.ndjson'), '--report', 'report.json']),
      start(['--on-error', 'skip', '--rejects', join('nodir', 'rej.txt'), '-o', 'out.ndjson']),
      start(['-o', '.']),
    ]);
    for (const r of [report, out, rejects, isDir]) {
      expect(r.timedOut).toBe(false);
      expect(r.exitCode).toBe(5);
    }
    expect(report.stderr).toBe(`rete-eval: nodir/report.json: cannot write: directory ${join(dir, 'nodir')} does not exist\n`);
    expect(out.stderr).toMatch(oneLineError(/nodir\/out\.ndjson: cannot write: directory [^\n]+ does not exist/));
    expect(rejects.stderr).toMatch(oneLineError(/nodir\/rej\.txt: cannot write: [^\n]+/));
    expect(isDir.stderr).toBe('rete-eval: .: cannot write: is a directory\n');
    expect(files(dir)).toEqual(['rules.json']);
  });

  it('nothing is put in place unless the whole run succeeds: a report that fails at the end keeps -o out', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules.json': EVERY_FACT, 'facts.ndjson': lines({ id: 1 }), 'out.ndjson': 'previous\n' });
    // /dev/full accepts the open and fails the write (ENOSPC): only at the end of the run.
    const r = await cli(['run', '-q', '-r', 'rules.json', 'facts.ndjson', '-o', 'out.ndjson', '--report', '/dev/full'], { cwd: dir });
    expectFailure(r, 5, /\/dev\/full: cannot write: no space left on device/);
    expect(readFileSync(join(dir, 'out.ndjson'), 'utf8')).toBe('previous\n');
    expect(files(dir)).toEqual(['facts.ndjson', 'out.ndjson', 'rules.json']);
  });

  it('generate writes facts and rules whole, and refuses both on one file', async () => {
    const dir = tempDir();
    const [ok, clash, badDir] = await Promise.all([
      cli(['generate', '-n', '5', '-o', 'facts.ndjson', '--rules-out', 'rules.json'], { cwd: dir }),
      cli(['generate', '-n', '5', '-o', 'same.json', '--rules-out', 'same.json'], { cwd: dir }),
      cli(['generate', '-n', '5', '-o', 'facts2.ndjson', '--rules-out', join('nodir', 'rules.json')], { cwd: dir }),
    ]);
    expect(ok.exitCode).toBe(0);
    expect(ndjson(readFileSync(join(dir, 'facts.ndjson'), 'utf8'))).toHaveLength(5);
    expect(JSON.parse(readFileSync(join(dir, 'rules.json'), 'utf8'))).toHaveLength(1);
    expectFailure(clash, 2, /-o and --rules-out name the same file \(same\.json\); give each its own/);
    expectFailure(badDir, 5, /nodir\/rules\.json: cannot write: directory [^\n]+ does not exist/);
    expect(files(dir)).toEqual(['facts.ndjson', 'rules.json']);
  });

  it('bench checks its --json/--markdown/--svg paths before measuring, and writes them whole', async () => {
    const dir = tempDir();
    const measure = ['bench', '-w', 'simple', '--sizes', '1000', '--runs', '1', '--warmup', '0', '--no-progress', '--cache-dir', join(dir, 'cache')];
    const [bad, fromFile] = await Promise.all([
      cli([...measure, '--json', 'b.json', '--svg', join('nodir', 'b.svg')], { cwd: dir }),
      cli(['bench', '--from', join(repoRoot, 'docs', 'bench.json'), '--json', 'b.json', '--markdown', 'b.md'], { cwd: dir }),
    ]);
    expectFailure(bad, 5, /nodir\/b\.svg: cannot write: directory [^\n]+ does not exist/);
    expect(bad.stdout).toBe('');
    expect(fromFile.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8'))).toEqual(JSON.parse(readFileSync(join(repoRoot, 'docs', 'bench.json'), 'utf8')));
    expect(files(dir)).toEqual(['b.json', 'b.md']);
  });

  it('bench --cpu-prof writes a CPU profile of each measured engine-only run, and only of those; compile is a median of fresh processes', async () => {
    const dir = tempDir();
    const r = await cli(
      [
        'bench',
        '-w',
        'simple',
        '--sizes',
        '20000',
        '--runs',
        '2',
        '--warmup',
        '1',
        '--no-e2e',
        '--no-progress',
        '--cache-dir',
        join(dir, 'cache'),
        '--cpu-prof',
        'prof',
        '--json',
        'b.json',
      ],
      { cwd: dir, env: { RETE_EVAL_CODE_CACHE: join(dir, 'code-cache') } },
    );
    expect(r.exitCode).toBe(0);
    // One first compile per measured run, each in a fresh process: the child's and one more.
    const engine = (
      JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8')) as {
        workloads: { sizes: { engine: { compileMs: number; compileRunsMs: number[]; compileCodeCache: string[] } }[] }[];
      }
    ).workloads[0]!.sizes[0]!.engine;
    expect(engine.compileRunsMs).toHaveLength(2);
    // The engine child found no code cache and left one; the compile-only child started from it.
    expect(engine.compileCodeCache).toEqual(['made', 'used']);
    for (const ms of engine.compileRunsMs) expect(ms).toBeGreaterThan(0);
    expect(engine.compileMs).toBeCloseTo((engine.compileRunsMs[0]! + engine.compileRunsMs[1]!) / 2, 9);
    const profiles = readdirSync(join(dir, 'prof')).sort();
    expect(profiles).toEqual(['simple-20000-run1.cpuprofile', 'simple-20000-run2.cpuprofile']);
    for (const name of profiles) {
      const p = JSON.parse(readFileSync(join(dir, 'prof', name), 'utf8')) as { nodes: { callFrame: { functionName: string } }[]; samples: number[] };
      expect(p.samples.length).toBeGreaterThan(0);
      const names = new Set(p.nodes.map((n) => n.callFrame.functionName));
      // The timed section is in it; building the facts before it is not.
      expect(names.has('measureEngine')).toBe(true);
      expect(names.has('buildFacts') || names.has('decodeFact')).toBe(false);
    }
  });

  it('names the real reason a path cannot be written', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules.json': EVERY_FACT, 'facts.ndjson': lines({ id: 1 }), 'file.txt': 'x' });
    const [proc, notDir] = await Promise.all([
      cli(['run', '-q', '-r', 'rules.json', 'facts.ndjson', '-o', '/proc/version'], { cwd: dir }),
      cli(['run', '-q', '-r', 'rules.json', 'facts.ndjson', '-o', 'file.txt/out.ndjson'], { cwd: dir }),
    ]);
    expectFailure(proc, 5, /\/proc\/version: cannot write: no file can be created in \/proc[^\n]*/);
    expect(proc.stderr).not.toContain('no such file');
    expectFailure(notDir, 5, /file\.txt\/out\.ndjson: cannot write: [^\n]*file\.txt is not a directory/);
  });
});

// ---------------------------------------------------------------------------

describe('`-` and outputs that would collide (item 9)', () => {
  it('--report - and --rejects - write to stdout when the results go to a file; no file named "-" appears', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules.json': EVERY_FACT, 'facts.ndjson': lines({ id: 1 }) + 'bad\n' });
    const [report, rejects] = await Promise.all([
      cli(['run', '-q', '-r', 'rules.json', 'facts.ndjson', '--on-error', 'skip', '-o', 'out.ndjson', '--report', '-'], { cwd: dir }),
      cli(['run', '-q', '-r', 'rules.json', 'facts.ndjson', '--on-error', 'skip', '-o', 'out2.ndjson', '--rejects', '-'], { cwd: dir }),
    ]);
    expect(report.exitCode).toBe(0);
    expect(JSON.parse(report.stdout)).toMatchObject({ facts: { read: 1, skipped: 1 }, error: null });
    expect(rejects.exitCode).toBe(0);
    expect(rejects.stdout).toBe('bad\n');
    expect(rejects.stderr).toBe('rete-eval: warning: 1 malformed record skipped, written to stdout\n');
    expect(files(dir)).toEqual(['facts.ndjson', 'out.ndjson', 'out2.ndjson', 'rules.json']);
  });

  it('refuses two outputs on stdout, two on one file, and an output over an input (exit 2, before any work)', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules.json': EVERY_FACT, 'facts.ndjson': lines({ id: 1 }) });
    symlinkSync('facts.ndjson', join(dir, 'alias.ndjson'));
    const run = (...args: string[]) => cli(['run', '-q', '-r', 'rules.json', 'facts.ndjson', ...args], { cwd: dir });
    const [report, both, explicit, sameFile, viaLink, overInput, overRules] = await Promise.all([
      run('--report', '-'),
      run('--on-error', 'skip', '--rejects', '-', '--report', '-', '-o', 'o.ndjson'),
      run('-o', '-', '--rejects', '-', '--on-error', 'skip'),
      run('-o', 'x.json', '--report', 'x.json'),
      run('-o', 'alias.ndjson'),
      run('-o', 'facts.ndjson'),
      run('--report', 'rules.json'),
    ]);
    expectFailure(report, 2, /-o \(stdout by default\) and --report - would both write to stdout; send one of them to a file/);
    expectFailure(both, 2, /--rejects - and --report - would both write to stdout[^\n]*/);
    expectFailure(explicit, 2, /-o - and --rejects - would both write to stdout[^\n]*/);
    expectFailure(sameFile, 2, /-o and --report name the same file \(x\.json\); give each its own/);
    expectFailure(viaLink, 2, /-o alias\.ndjson would overwrite input facts\.ndjson, which this run reads[^\n]*/);
    expectFailure(overInput, 2, /-o facts\.ndjson would overwrite input facts\.ndjson[^\n]*/);
    expectFailure(overRules, 2, /--report rules\.json would overwrite -r rules\.json[^\n]*/);
    for (const r of [report, both, explicit, sameFile]) expect(r.stdout).toBe('');
    expect(files(dir)).toEqual(['alias.ndjson', 'facts.ndjson', 'rules.json']);
  });

  it('character devices take any number of outputs', async () => {
    const r = await cli(['run', '-q', '-r', fixtureRules, fixtureFacts, '-o', '/dev/null', '--report', '/dev/null']);
    expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({ exitCode: 0, stderr: '' });
  });
});

// ---------------------------------------------------------------------------

describe('replacing an existing file (item 10)', () => {
  it('keeps its mode and owner, and writes through a symlink to its target', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules.json': EVERY_FACT, 'facts.ndjson': lines({ id: 1 }), 'payroll.ndjson': 'old\n', 'real-report.json': '{}' });
    chmodSync(join(dir, 'payroll.ndjson'), 0o640);
    chmodSync(join(dir, 'real-report.json'), 0o600);
    symlinkSync('real-report.json', join(dir, 'report.json'));
    mkdirSync(join(dir, 'archive'));
    symlinkSync(join('archive', 'rej.txt'), join(dir, 'rej-link.txt')); // dangling: created at its target
    // Root can give the file to someone else; anyone else keeps their own files.
    const owner =
      process.getuid?.() === 0 ? { uid: 4321, gid: 4321 } : { uid: statSync(join(dir, 'payroll.ndjson')).uid, gid: statSync(join(dir, 'payroll.ndjson')).gid };
    chownSync(join(dir, 'payroll.ndjson'), owner.uid, owner.gid);

    const r = await cli(
      ['run', '-q', '-r', 'rules.json', 'facts.ndjson', '-o', 'payroll.ndjson', '--report', 'report.json', '--on-error', 'skip', '--rejects', 'rej-link.txt'],
      { cwd: dir },
    );
    expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({ exitCode: 0, stderr: '' });
    const st = statSync(join(dir, 'payroll.ndjson'));
    expect(st.mode & 0o777).toBe(0o640);
    expect({ uid: st.uid, gid: st.gid }).toEqual(owner);
    expect(ndjson(readFileSync(join(dir, 'payroll.ndjson'), 'utf8'))).toHaveLength(1);
    // The symlinks are still symlinks; their targets hold the new content.
    expect(lstatSync(join(dir, 'report.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'report.json'))).toBe('real-report.json');
    expect(statSync(join(dir, 'real-report.json')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, 'real-report.json'), 'utf8'))).toHaveProperty('facts');
    expect(lstatSync(join(dir, 'rej-link.txt')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'archive', 'rej.txt'), 'utf8')).toBe('');
    expect(files(dir)).toEqual(['archive', 'facts.ndjson', 'payroll.ndjson', 'real-report.json', 'rej-link.txt', 'report.json', 'rules.json']);
    expect(files(join(dir, 'archive'))).toEqual(['rej.txt']);
  });

  it('refuses to replace a read-only file', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules.json': EVERY_FACT, 'facts.ndjson': lines({ id: 1 }), 'locked.ndjson': 'keep\n' });
    chmodSync(join(dir, 'locked.ndjson'), 0o444);
    const r = await cli(['run', '-q', '-r', 'rules.json', 'facts.ndjson', '-o', 'locked.ndjson'], { cwd: dir });
    if (process.getuid?.() === 0) {
      // Root may write any file: the replacement keeps the read-only mode.
      expect(r.exitCode).toBe(0);
      expect(statSync(join(dir, 'locked.ndjson')).mode & 0o777).toBe(0o444);
    } else {
      expectFailure(r, 5, /locked\.ndjson: cannot write: permission denied \(the file is read-only\)/);
      expect(readFileSync(join(dir, 'locked.ndjson'), 'utf8')).toBe('keep\n');
    }
  });
});

// ---------------------------------------------------------------------------

describe('--emit facts writes facts as they were read (item 11)', () => {
  it('adds nothing: no clock time for a missing timestamp, no external_id that was absent; reruns are byte-identical', async () => {
    const dir = tempDir();
    const input =
      [
        '{"id":1,"data":{"fields":{"a":1,"name":"x"}}}',
        '{"id":2,"external_id":"e-2","data":{"fields":{"a":2}}}',
        '{"id":3,"timestamp":"2025-01-01T10:00:00+02:00","data":{"fields":{"a":3}}}',
        '{"id":4,"external_id":"e-4","timestamp":"2025-01-02T00:00:00Z","data":{"fields":{"a":{"Integer":4},"s":{"String":"y"}}}}',
        '{"id":5,"a":5,"nested":{"k":[1,2]}}',
        '{"name":"no id"}',
      ].join('\n') + '\n';
    const rules = [{ id: 1, name: 'never', conditions: [{ field: 'a', operator: 'Equal', value: 99 }], actions: [] }];
    writeFiles(dir, { 'rules.json': rules, 'facts.ndjson': input });
    const run = () => cli(['run', '-q', '-r', 'rules.json', '--emit', 'facts', 'facts.ndjson'], { cwd: dir });
    const first = await run();
    await new Promise((r) => setTimeout(r, 1100)); // a second later: a clock time would differ
    const second = await run();
    expect(first.exitCode).toBe(0);
    // Tagged values come out plain (the default --values plain); everything else as read.
    expect(first.stdout).toBe(input.replace('{"Integer":4}', '4').replace('{"String":"y"}', '"y"'));
    expect(second.stdout).toBe(first.stdout);
  });
});

// ---------------------------------------------------------------------------

describe('several rule files (item 12)', () => {
  const rule = (id: number, field: string) => ({
    id,
    name: `r${id}`,
    conditions: [{ field, operator: 'Equal', value: true }],
    actions: [{ action_type: { Log: { message: field } } }],
  });

  it('run and validate load every -r file (and validate takes files as arguments); ids must be unique across them', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      'a.json': [rule(1, 'a')],
      'b.json': { rules: [rule(2, 'b')] },
      'clash.json': [rule(3, 'c'), rule(1, 'd')],
      'facts.ndjson': lines({ id: 10, a: true }, { id: 11, b: true }),
    });
    const [run, validate, validateR, clash, validateClash] = await Promise.all([
      cli(['run', '-q', '-r', 'a.json', '-r', 'b.json', 'facts.ndjson'], { cwd: dir }),
      cli(['validate', 'a.json', 'b.json'], { cwd: dir }),
      cli(['validate', '-r', 'a.json', '--rules', 'b.json', '--json'], { cwd: dir }),
      cli(['run', '-q', '-r', 'a.json', '-r', 'clash.json', 'facts.ndjson'], { cwd: dir }),
      cli(['validate', 'a.json', 'clash.json'], { cwd: dir }),
    ]);
    expect(run.exitCode).toBe(0);
    expect(ndjson(run.stdout).map((f) => [f.rule_id, f.fact_id])).toEqual([
      [1, 10],
      [2, 11],
    ]);
    expect(validate.exitCode).toBe(0);
    expect(validate.stdout).toBe('2 files: 2 rules, valid\n');
    expect(validateR.exitCode).toBe(0);
    expect(JSON.parse(validateR.stdout)).toEqual({
      valid: true,
      rules: 2,
      files: [
        { file: 'a.json', rules: 1 },
        { file: 'b.json', rules: 1 },
      ],
      errors: [],
      warnings: [],
    });
    expectFailure(
      clash,
      3,
      /clash\.json:\d+:\d+: \$\[1\]\.id: duplicate rule id 1: also at a\.json:\d+:\d+ \(\$\[0\]\.id\); ids must be unique across all rule files/,
    );
    expect(validateClash.exitCode).toBe(3);
    expect(validateClash.stdout).toMatch(/^clash\.json:\d+:\d+: error: \$\[1\]\.id: duplicate rule id 1: also at a\.json:/m);
  });

  it('validate and run without a rule file are usage errors', async () => {
    const [validate, run] = await Promise.all([cli(['validate']), cli(['run'], { input: '' })]);
    expectFailure(validate, 2, /validate needs a rule file[^\n]*/);
    expectFailure(run, 2, /run needs a rules file[^\n]*/);
  });
});

// ---------------------------------------------------------------------------

describe('rule warnings, --strict, and validate hints (items 13 and 14)', () => {
  const TYPO = [
    {
      id: 1,
      name: 'typo',
      conditions: [{ field: 'x', operator: 'GreaterThan', value: 3, vaule: 4 }],
      actions: [{ action_type: { SetField: { field: 'big', value: true, feild: 'y' } } }],
    },
  ];

  it('run prints unknown keys as warnings with FILE:LINE:COL, the JSON path and a suggestion, even with --quiet', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules.json': TYPO, 'facts.ndjson': lines({ id: 1, x: 5 }) });
    const [quiet, strict, validateStrict] = await Promise.all([
      cli(['run', '-q', '-r', 'rules.json', 'facts.ndjson'], { cwd: dir }),
      cli(['run', '-q', '--strict', '-r', 'rules.json', 'facts.ndjson', '-o', 'out.ndjson'], { cwd: dir }),
      cli(['validate', '--strict', 'rules.json'], { cwd: dir }),
    ]);
    expect(quiet.exitCode).toBe(0);
    expect(quiet.stderr).toBe(
      'rete-eval: warning: rules.json:10:9: $[0].conditions[0].vaule: unknown condition key "vaule" is ignored (did you mean "value"?) (rule 1 "typo")\n' +
        'rete-eval: warning: rules.json:19:13: $[0].actions[0].action_type.SetField.feild: unknown SetField action key "feild" is ignored (did you mean "field"?) (rule 1 "typo")\n',
    );
    expect(ndjson(quiet.stdout)).toHaveLength(1);
    expectFailure(
      strict,
      3,
      /rules\.json:10:9: \$\[0\]\.conditions\[0\]\.vaule: unknown condition key "vaule" is ignored \(did you mean "value"\?\) \(and 1 more[^\n]*/,
    );
    expect(files(dir)).toEqual(['facts.ndjson', 'rules.json']);
    expect(validateStrict.exitCode).toBe(3);
    expect(validateStrict.stdout).toMatch(/^rules\.json:10:9: error \(--strict\): \$\[0\]\.conditions\[0\]\.vaule: /m);
    expect(validateStrict.stdout).toMatch(/rules\.json: 2 errors\n$/);
  });

  it('an unknown operator or action kind is an error with a did-you-mean', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      'rules.json': [
        {
          id: 1,
          name: 'a',
          conditions: [{ field: 'x', operator: 'GreaterThen', value: 3 }],
          actions: [{ action_type: { SetFeild: { field: 'f', value: 1 } } }],
        },
      ],
    });
    const r = await cli(['validate', 'rules.json'], { cwd: dir });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toContain('got string "GreaterThen" (did you mean "GreaterThan"?)');
    expect(r.stdout).toContain('unknown action kind "SetFeild" (did you mean "SetField"?)');
  });

  it('validate warns about a date compared as a plain string and a join with no Equal against a Ref; run does not', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      'rules.json': [
        { id: 1, name: 'recent', conditions: [{ field: 'at', operator: 'GreaterThan', value: '2024-01-15T00:00:00Z' }], actions: [] },
        {
          id: 2,
          name: 'pairs',
          patterns: [
            { alias: 'o', conditions: [{ field: 'kind', operator: 'Equal', value: 'order' }] },
            { alias: 'c', conditions: [{ field: 'amount', operator: 'GreaterThan', value: { Ref: 'o.amount' } }] },
          ],
          actions: [],
        },
      ],
      'facts.ndjson': lines({ id: 1, at: '2024-02-01T00:00:00Z' }),
    });
    const [validate, run] = await Promise.all([
      cli(['validate', 'rules.json'], { cwd: dir }),
      cli(['run', '-q', '-r', 'rules.json', 'facts.ndjson'], { cwd: dir }),
    ]);
    expect(validate.exitCode).toBe(0);
    const out = validate.stdout.trimEnd().split('\n');
    expect(out).toHaveLength(3);
    expect(out[0]).toMatch(
      /^rules\.json:\d+:\d+: warning: \$\[0\]\.conditions\[0\]\.value: "2024-01-15T00:00:00Z" is a plain string[^\n]*\{"Date": "2024-01-15T00:00:00Z"\}/,
    );
    expect(out[1]).toMatch(
      /^rules\.json:\d+:\d+: warning: \$\[1\]\.patterns\[1\]\.conditions: pattern "c" has no Equal condition against a Ref[^\n]*cross product/,
    );
    expect(out[2]).toBe('rules.json: 2 rules, valid (2 warnings)');
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
  });
});

// ---------------------------------------------------------------------------

describe('messages (item 15)', () => {
  it('a rule file with a JSON syntax error is FILE:LINE:COL in run, like facts', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules.json': '[\n  {"id": 1, "name": "a",\n   "conditions": [] "actions": []}\n]\n', 'facts.ndjson': lines({ id: 1 }) });
    const r = await cli(['run', '-r', 'rules.json', 'facts.ndjson'], { cwd: dir });
    expectFailure(r, 3, /rules\.json:3:21: invalid JSON: expected "," or "}", found "\\""/);
  });

  it('a rule file nested 100,000 levels deep is a one-line rule error, not a crash', async () => {
    const dir = tempDir();
    const depth = 100_000;
    writeFiles(dir, {
      'deep.json': `[{"id": 1, "name": "d", "conditions": [${'{"conditions": ['.repeat(depth)}${']}'.repeat(depth)}], "actions": []}]`,
      'facts.ndjson': lines({ id: 1 }),
    });
    const [run, validate] = await Promise.all([cli(['run', '-r', 'deep.json', 'facts.ndjson'], { cwd: dir }), cli(['validate', 'deep.json'], { cwd: dir })]);
    expectFailure(run, 3, /deep\.json:1:\d+: nested more than 256 levels deep[^\n]*/);
    expect(validate.exitCode).toBe(3);
    expect(validate.stdout).toMatch(/^deep\.json:1:\d+: error: nested more than 256 levels deep/);
  });

  it('one rule, one fact, one firing: singular; validate --json counts every rule of the fixtures', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules.json': EVERY_FACT, 'facts.ndjson': lines({ id: 1 }) });
    const [run, validate, json] = await Promise.all([
      cli(['run', '-r', 'rules.json', 'facts.ndjson'], { cwd: dir }),
      cli(['validate', 'rules.json'], { cwd: dir }),
      cli(['validate', '--json', fixtureRules]),
    ]);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toMatch(/^rete-eval: 1 fact from facts\.ndjson \(ndjson\) → 1 firing\n/);
    expect(run.stderr).toMatch(/^network {4}1 rule · /m);
    expect(run.stderr).not.toMatch(/\b1 (rules|facts|firings|records)\b/);
    expect(validate.stdout).toBe('rules.json: 1 rule, valid\n');
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: true, rules: 14, files: [{ file: fixtureRules, rules: 14 }] });
  });

  it('every failure of run is one line starting "rete-eval: ", usage errors too', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules.json': EVERY_FACT });
    const results = await Promise.all([
      cli(['run', '--bogus'], { cwd: dir }),
      cli(['run', '-r', 'rules.json', '--format', 'xml'], { cwd: dir, input: '' }),
      cli(['frobnicate']),
      cli(['run', '-r', 'rules.json', '-'], { cwd: dir, input: '{"id": 1,\n' }),
      cli(['run', '-r', 'nope.json'], { cwd: dir, input: '' }),
    ]);
    for (const r of results) {
      expect(r.exitCode).toBeGreaterThan(1);
      expect(r.stderr).toMatch(/^rete-eval: [^\n]+\n$/);
    }
    expect(results[2]!.stderr).toBe("rete-eval: unknown command 'frobnicate' (see rete-eval --help)\n");
  });
});

// ---------------------------------------------------------------------------

describe('the report on stderr (item 16)', () => {
  it('lists the rules that never fired', async () => {
    const dir = tempDir();
    const rules = [
      { id: 1, name: 'fires', conditions: [], actions: [] },
      { id: 2, name: 'typo in the field', conditions: [{ field: 'stauts', operator: 'Equal', value: 'active' }], actions: [] },
      { id: 3, name: 'never either', conditions: [{ field: 'x', operator: 'GreaterThan', value: 100 }], actions: [] },
    ];
    writeFiles(dir, { 'rules.json': rules, 'facts.ndjson': lines({ id: 1, status: 'active', x: 1 }) });
    const r = await cli(['run', '-r', 'rules.json', 'facts.ndjson', '--report', 'report.json'], { cwd: dir });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/^not fired {2}2 rules: rule 2 "typo in the field", rule 3 "never either"$/m);
    expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')).firings.neverFired).toEqual([2, 3]);
  });
});

// ---------------------------------------------------------------------------

describe('usability (items 18 and 19)', () => {
  it('says it reads stdin when stdin is a terminal and no file was given', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules.json': EVERY_FACT });
    // `script` gives the command a pseudo-terminal; Ctrl-D (\x04) ends its input.
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(binPath)} run -q -r rules.json`;
    const r = await execa('script', ['-qec', command, '/dev/null'], { cwd: dir, input: '{"id": 7}\n\x04', reject: false, timeout: 20_000 });
    expect(r.exitCode).toBe(0);
    const out = String(r.stdout).replace(/\r/g, '');
    expect(out).toContain('rete-eval: reading facts from stdin (the terminal); end with Ctrl-D, or name fact files');
    expect(out).toContain('"fact_id":7');
  });

  it('--help lists the exit codes; -v and --version print the version', async () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    const [help, runHelp, v, version] = await Promise.all([cli(['--help']), cli(['run', '--help']), cli(['-v']), cli(['--version'])]);
    for (const h of [help, runHelp]) {
      expect(h.exitCode).toBe(0);
      expect(h.stdout).toMatch(/^Exit codes:$/m);
      for (const code of ['0', '1', '2', '3', '4', '5', '6', '7', '130, 143']) expect(h.stdout).toMatch(new RegExp(`^  ${code} +\\S`, 'm'));
    }
    expect(runHelp.stdout).toContain('--max-errors');
    expect(runHelp.stdout).toContain('--strict');
    expect(v).toEqual({ exitCode: 0, stdout: `${pkg.version}\n`, stderr: '' });
    expect(version).toEqual(v);
  });
});
