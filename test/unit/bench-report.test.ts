// The bench result: its schema check, baselines and regressions, and the text, Markdown and
// SVG renderings, on small synthetic results.

import { describe, expect, it } from 'vitest';
import { compareResults, figureKey, isWorse, worseKeys } from '../../src/bench/baseline.js';
import { renderMarkdown, renderText } from '../../src/bench/render.js';
import { assertBenchResult, buildSizeResult, RESULT_SCHEMA, workloadLinearity, type BenchResult, type WorkloadResult } from '../../src/bench/results.js';
import { linearTicks, logTicks, renderSvg } from '../../src/bench/svg.js';

/** A small synthetic result: `scale` multiplies every time, `rss` every peak RSS. */
function synthetic(scale = 1, rss = 1): BenchResult {
  const sizes = [100_000, 200_000, 1_000_000].map((size) =>
    buildSizeResult(
      {
        size,
        facts: size,
        expectedFirings: size / 4,
        referenceMs: ({ 100000: 57, 200000: 104, 1000000: 693 } as Record<number, number>)[size]!,
        targetMs: ({ 100000: 3000, 200000: 6000, 1000000: 30_000 } as Record<number, number>)[size]!,
        memoryTargetBytes: size === 200_000 ? 500 * 2 ** 20 : null,
      },
      {
        facts: size,
        firings: size / 4,
        compileMs: 2,
        runsMs: [1, 1.1, 0.9].map((k) => (k * size * scale) / 1000),
        warmupMs: [size / 500],
        buildMs: size / 200,
        peakRssBytes: (size * 400 + 60e6) * rss,
        peakHeapBytes: size * 300,
        factsHeapBytes: size * 250,
        gcExposed: true,
      },
      {
        facts: size,
        firings: size / 4,
        fileBytes: size * 150,
        runsMs: [1, 1.2, 0.95].map((k) => (k * size * scale) / 100),
        warmupMs: [],
        peakRssBytes: (size * 200 + 80e6) * rss,
        peakHeapBytes: size * 100,
        stagesMs: { compile: 2, readParse: size / 250, evaluate: size / 1000, write: size / 2000, total: size / 150 },
      },
    ),
  );
  const simple: WorkloadResult = {
    name: 'simple',
    status: 'ok',
    note: null,
    rules: 1,
    sizes,
    linearity: workloadLinearity(sizes),
    reference: { 100000: 57, 200000: 104, 500000: 312, 1000000: 693 },
  };
  const join: WorkloadResult = {
    name: 'join',
    status: 'unsupported',
    note: 'not supported by this build: multi-pattern rules are not supported yet',
    rules: 1,
    sizes: [],
    linearity: { engine: null, endToEnd: null },
    reference: {},
  };
  return {
    schema: RESULT_SCHEMA,
    createdAt: '2025-01-01T00:00:00.000Z',
    environment: { version: '0.1.0', node: 'v20.0.0', platform: 'linux', arch: 'x64', cpu: 'Test CPU <&>', cpus: 2, memoryBytes: 8 * 2 ** 30 },
    options: { runs: 3, warmup: 1, engine: true, endToEnd: true },
    workloads: [simple, join],
  };
}

/** A strict-enough well-formedness check: balanced tags, quoted attributes, no stray & or <. */
function assertWellFormedXml(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const re = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<|&(?!(?:amp|lt|gt|quot|apos);)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(body)) !== null) {
    if (m[2] === undefined) throw new Error(`stray "${m[0]}" at ${m.index}: ${body.slice(m.index, m.index + 60)}`);
    if (m[1] === '/') {
      const open = stack.pop();
      if (open !== m[2]) throw new Error(`</${m[2]}> closes <${open}>`);
    } else if (m[4] !== '/') stack.push(m[2]);
  }
  expect(stack).toEqual([]);
}

describe('bench baseline comparison', () => {
  it('marks a figure more than 10% worse, not one 5% worse or better', () => {
    expect(isWorse(100, 111, 'ms', 10)).toBe(true);
    expect(isWorse(100, 105, 'ms', 10)).toBe(false);
    expect(isWorse(100, 80, 'ms', 10)).toBe(false);
    // Noise floor: 0.2 ms → 0.3 ms is 50% but below a millisecond.
    expect(isWorse(0.2, 0.3, 'ms', 10)).toBe(false);
    expect(isWorse(1.0, 1.2, 'ratio', 10)).toBe(true);
  });

  it('compares every figure of every size and flags the times that got 20% worse', () => {
    const c = compareResults(synthetic(1.2), synthetic(), 10);
    const worse = c.figures.filter((f) => f.worse).map((f) => `${f.size}/${f.figure}`);
    expect(worse).toContain('100000/engine.median');
    expect(worse).toContain('1000000/endToEnd.min');
    expect(worse.some((f) => f.includes('peakRss'))).toBe(false);
    expect(c.figures.find((f) => f.size === 100_000 && f.figure === 'engine.median')!.change).toBeCloseTo(0.2, 10);
    expect(worseKeys(c).has(figureKey('simple', 100_000, 'engine.median'))).toBe(true);
    // Linearity did not change (every time scaled alike).
    expect(c.figures.find((f) => f.figure === 'linearity.engine')!.worse).toBe(false);
  });

  it('flags memory that grew, and nothing when the result is the same', () => {
    expect(
      compareResults(synthetic(1, 1.5), synthetic())
        .figures.filter((f) => f.worse)
        .every((f) => f.figure.endsWith('peakRss')),
    ).toBe(true);
    expect(compareResults(synthetic(), synthetic()).figures.some((f) => f.worse)).toBe(false);
    expect(compareResults(synthetic(0.5), synthetic()).figures.some((f) => f.worse)).toBe(false);
  });

  it('lists sizes that only one side has', () => {
    const base = synthetic();
    const now = synthetic();
    now.workloads[0]!.sizes.pop();
    const c = compareResults(now, base);
    expect(c.unmatched.join('\n')).toMatch(/simple 1000000: in the baseline, not measured now/);
  });

  it('recognizes a result document, and rejects anything else', () => {
    const r = synthetic();
    expect(assertBenchResult(JSON.parse(JSON.stringify(r)), 'b.json').workloads).toHaveLength(2);
    expect(() => assertBenchResult({ workloads: [] }, 'b.json')).toThrow(/not a bench result/);
    expect(() => assertBenchResult([], 'b.json')).toThrow(/not a bench result/);
  });
});

describe('bench output', () => {
  it('writes Markdown tables with one row per size and a marked regression', () => {
    const md = renderMarkdown(synthetic(1.3), { comparison: compareResults(synthetic(1.3), synthetic()) });
    expect(md).toMatch(/^# rete-eval bench/);
    const engineTable = md.split('**Engine only')[1]!.split('\n\n')[1]!;
    const rows = engineTable.trim().split('\n');
    expect(rows).toHaveLength(2 + 3);
    for (const row of [rows[0]!, ...rows.slice(2)]) expect(row.split(' | ')).toHaveLength(14);
    expect(rows[1]!.split('|').filter(Boolean)).toHaveLength(14);
    expect(rows[2]).toMatch(/^\| 100K \| 100,000 \| 25,000 ✓ \|/);
    expect(md).toContain('**130 ms ▲**');
    expect(md).toContain('## Against the baseline');
    expect(md).toContain('not supported by this build');
    expect(md).toMatch(/Linearity, time per fact at 1M ÷ at 100K \(1\.00 = linear\): engine 1\.00 — linear/);
  });

  it('says how many compile samples took their code from the code cache, where the result records it', () => {
    expect(renderMarkdown(synthetic())).not.toContain('code cache');
    const r = synthetic();
    const recorded: BenchResult = {
      ...r,
      workloads: r.workloads.map((w) => ({
        ...w,
        sizes: w.sizes.map((s, i) => ({
          ...s,
          engine: s.engine && { ...s.engine, compileCodeCache: i === 0 ? ['made', 'used', 'used'] : ['used', 'used', 'off'] },
        })),
      })),
    };
    expect(renderMarkdown(recorded)).toContain(
      "as many as runs); 6 of those 9 processes took the bench child's own compiled code from V8's code cache, as a second run of a build does; 3 did not.",
    );
  });

  it('prints aligned text tables without colour codes when colour is off', () => {
    const text = renderText(synthetic());
    expect(text).not.toContain(String.fromCharCode(27));
    const lines = text.split('\n').filter((l) => /^ {2}(100K|200K|1M) /.test(l));
    expect(lines).toHaveLength(6);
    expect(text).toMatch(/500 MiB ✓/);
  });

  it('draws a well-formed SVG with a line per workload, reference points and a legend', () => {
    const svg = renderSvg(synthetic());
    assertWellFormedXml(svg);
    expect(svg).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(svg).toContain('Test CPU &lt;&amp;&gt;');
    expect((svg.match(/<circle /g) ?? []).length).toBe(3 + 1); // three medians + the legend's
    // Reference figures within the measured range: 100K, 200K, 500K (not measured here) and 1M.
    expect((svg.match(/reference engine: /g) ?? []).length).toBe(4);
    expect(svg).toContain('>simple</text>');
    expect(svg).not.toContain('>join</text>');
    expect(svg).toContain('(log scale)');
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    assertWellFormedXml(renderSvg(synthetic(), { scale: 'linear' }));
    assertWellFormedXml(renderSvg({ ...synthetic(), workloads: [] }));
  });

  it('picks round tick values', () => {
    expect(logTicks(40, 1100)).toEqual([50, 100, 200, 500, 1000]);
    expect(linearTicks(0, 1000)).toEqual([0, 200, 400, 600, 800, 1000]);
  });
});
