// The firing-count check of rete-eval bench: a wrong count names both counts and exits 7,
// through the engine-only child as well.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnEngine } from '../../src/bench/spawn-engine.js';
import { BenchCheckError, checkFirings, firingMismatch } from '../../src/bench/check.js';
import { buildFacts, measureEngine } from '../../src/bench/engine-run.js';
import { WORKLOADS, type Workload } from '../../src/bench/workloads.js';
import { ExitCode } from '../../src/model/errors.js';

describe('bench firing-count check', () => {
  it('passes the stated count and names both counts on a mismatch', () => {
    expect(firingMismatch('simple', 100_000, 'engine-only', 33_334, 33_334)).toBeNull();
    const m = firingMismatch('simple', 100_000, 'engine-only', 33_334, 33_333)!;
    expect(m).toContain('simple 100K');
    expect(m).toContain('33,333 firings');
    expect(m).toContain('33,334');
    expect(m).toContain('wrong answers');
    expect(() => checkFirings('simple', 100_000, 'end-to-end', 10, 11)).toThrow(BenchCheckError);
    try {
      checkFirings('simple', 100_000, 'end-to-end', 10, 11);
    } catch (e) {
      expect((e as BenchCheckError).exitCode).toBe(ExitCode.BENCH_CHECK);
    }
  });

  it('measures a small workload engine-only and checks its firings', () => {
    const events: string[] = [];
    const out = measureEngine(WORKLOADS.payroll, 2000, 2, 1, (e) => events.push(e.type === 'run' ? `${e.type}:${e.phase}` : e.type));
    expect(out.kind).toBe('ok');
    if (out.kind !== 'ok') return;
    expect(out.measurement.facts).toBe(2000);
    expect(out.measurement.firings).toBe(WORKLOADS.payroll.expectedFirings(2000));
    expect(out.measurement.runsMs).toHaveLength(2);
    expect(out.measurement.warmupMs).toHaveLength(1);
    expect(events).toEqual(['compiled', 'run:warmup', 'run:measure', 'run:measure']);
  });

  it('fails loudly when the engine computes a different firing count', () => {
    const lying: Workload = { ...WORKLOADS.simple, expectedFirings: (n) => WORKLOADS.simple.expectedFirings(n) + 1 };
    const out = measureEngine(lying, 1000, 1, 0);
    expect(out.kind).toBe('wrong');
    if (out.kind === 'wrong') expect(out.message).toMatch(/250 firings, but the workload states 251/);
  });

  it('reports a workload whose rules this build cannot compile as unsupported', () => {
    const bad: Workload = {
      ...WORKLOADS.simple,
      rules: () => [{ id: 1, name: 'x', conditions: [{ field: 'a', operator: 'Bogus', value: { Integer: 1 } }], actions: [] }],
    };
    const out = measureEngine(bad, 100, 1, 0);
    expect(out.kind).toBe('unsupported');
  });

  it('builds fresh decoded facts per call (actions mutate facts)', () => {
    const a = buildFacts(WORKLOADS.simple, 100);
    const b = buildFacts(WORKLOADS.simple, 100);
    expect(a).toHaveLength(100);
    expect(a[0]).not.toBe(b[0]);
    expect(a[0]!.fields.status).toBe('active');
  });

  it('turns a child that reports a wrong count into a BenchCheckError (exit 7), and a crash into one clear line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-child-'));
    try {
      const wrong = join(dir, 'wrong.mjs');
      writeFileSync(
        wrong,
        `process.stdout.write(JSON.stringify({type:'wrong',message:'bench simple 100K: 1 firings, but the workload states 2'})+'\\n'); process.exitCode = 7;`,
      );
      await expect(spawnEngine({ childScript: wrong, workload: 'simple', size: 100_000, runs: 1, warmup: 0 })).rejects.toSatisfy(
        (e: unknown) => e instanceof BenchCheckError && e.exitCode === ExitCode.BENCH_CHECK && /workload states 2/.test(e.message),
      );
      const crash = join(dir, 'crash.mjs');
      writeFileSync(crash, `process.stderr.write('boom\\n'); process.exit(3);`);
      await expect(spawnEngine({ childScript: crash, workload: 'simple', size: 100_000, runs: 1, warmup: 0 })).rejects.toThrow(/failed \(exit code 3\): boom/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
