// The bench statistics: medians, ratios, facts per second, linearity verdicts and the
// number formats of the tables.

import { describe, expect, it } from 'vitest';
import { factsPerSecond, linearity, linearityVerdict, median, ratio, summarize } from '../../src/bench/stats.js';
import { buildSizeResult, workloadLinearity } from '../../src/bench/results.js';
import { fmtMs, fmtRatio, fmtRate, textTable } from '../../src/bench/format.js';

describe('bench statistics', () => {
  it('median of odd and even counts, unsorted input left alone', () => {
    const xs = [5, 1, 3];
    expect(median(xs)).toBe(3);
    expect(xs).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });

  it('summarize gives median, min, max, mean and count', () => {
    expect(summarize([10, 30, 20, 100, 40])).toEqual({ median: 30, min: 10, max: 100, mean: 40, n: 5 });
    expect(summarize([]).n).toBe(0);
  });

  it('facts per second and ratios', () => {
    expect(factsPerSecond(1_000_000, 500)).toBe(2_000_000);
    expect(ratio(8, 57)).toBeCloseTo(0.1404, 4);
    expect(ratio(8, null)).toBeNull();
    expect(ratio(8, 0)).toBeNull();
  });

  it('linearity is time per fact at the largest size over the smallest', () => {
    // 100K in 100 ms, 1M in 1000 ms: perfectly linear.
    expect(
      linearity([
        { size: 100_000, ms: 100 },
        { size: 1_000_000, ms: 1000 },
      ])!.value,
    ).toBeCloseTo(1, 10);
    // 1M in 2000 ms: per-fact cost doubled. Order of points does not matter.
    const l = linearity([
      { size: 1_000_000, ms: 2000 },
      { size: 500_000, ms: 700 },
      { size: 100_000, ms: 100 },
    ])!;
    expect(l.value).toBeCloseTo(2, 10);
    expect(l.smallest).toBe(100_000);
    expect(l.largest).toBe(1_000_000);
    expect(linearity([{ size: 100_000, ms: 100 }])).toBeNull();
    expect(
      linearity([
        { size: 100_000, ms: 100 },
        { size: 200_000, ms: NaN },
      ]),
    ).toBeNull();
    expect(linearityVerdict(1.05)).toBe('linear');
    expect(linearityVerdict(3)).toMatch(/super-linear/);
    expect(linearityVerdict(0.5)).toMatch(/sub-linear/);
  });

  it('size results carry ratios to the reference and target, workload linearity from the medians', () => {
    const engine = (ms: number[], facts: number) => ({
      facts,
      firings: 1,
      compileMs: 1,
      runsMs: ms,
      warmupMs: [],
      buildMs: 1,
      peakRssBytes: 1,
      peakHeapBytes: 1,
      factsHeapBytes: null,
      gcExposed: true,
    });
    const spec = (size: number, ref: number) => ({ size, facts: size, expectedFirings: 1, referenceMs: ref, targetMs: 3000, memoryTargetBytes: null });
    const a = buildSizeResult(spec(100_000, 57), engine([60, 50, 70], 100_000), null);
    expect(a.engine!.time.median).toBe(60);
    expect(a.engineVsReference).toBeCloseTo(60 / 57, 10);
    expect(a.engineVsTarget).toBeCloseTo(0.02, 10);
    expect(a.engine!.time.factsPerSecond).toBeCloseTo(100_000 / 0.06, 6);
    const b = buildSizeResult(spec(1_000_000, 693), engine([900], 1_000_000), null);
    expect(workloadLinearity([a, b]).engine!.value).toBeCloseTo(900 / 1_000_000 / (60 / 100_000), 10);
    expect(workloadLinearity([a, b]).endToEnd).toBeNull();
  });

  it('formats figures compactly and aligns table columns', () => {
    expect(fmtMs(57)).toBe('57.0 ms');
    expect(fmtMs(1234)).toBe('1.23 s');
    expect(fmtRatio(0.1404)).toBe('0.14×');
    expect(fmtRate(1_430_000)).toBe('1.43M/s');
    const t = textTable(
      [{ title: 'size' }, { title: 'ms', align: 'right' }],
      [
        ['100K', '5'],
        ['1M', '1234'],
      ],
      '',
    );
    const lines = t.trimEnd().split('\n');
    expect(lines[0]).toBe('size    ms');
    expect(lines[2]).toBe('100K     5');
    expect(lines[3]).toBe('1M    1234');
  });
});
