// The bench's tables, as aligned text for stdout and as Markdown (`--markdown FILE`): per
// workload an engine-only table and an end-to-end table, the linearity check, and the
// comparison with a baseline when one was given.

import { Chalk } from 'chalk';
import { figureKey, type BaselineComparison, type FigureComparison } from './baseline.js';
import { fmtBytes, fmtCount, fmtMs, fmtPct, fmtRate, fmtRatio, markdownTable, textTable, type Column } from './format.js';
import type { BenchResult, Linearity, WorkloadResult } from './results.js';
import { linearityVerdict } from './stats.js';
import { formatSize } from './workloads.js';

interface Table {
  readonly title: string;
  readonly columns: Column[];
  readonly rows: string[][];
}

type Mark = (text: string, key: string) => string;

const R = 'right' as const;

function engineTable(w: WorkloadResult, mark: Mark): Table | null {
  const rows = w.sizes.flatMap((s) => {
    const e = s.engine;
    if (!e) return [];
    const k = (f: string) => figureKey(w.name, s.size, f);
    return [
      [
        formatSize(s.size),
        fmtCount(e.facts),
        `${fmtCount(e.firings)} ✓`,
        mark(fmtMs(e.compileMs), k('engine.compile')),
        mark(fmtMs(e.time.median), k('engine.median')),
        mark(fmtMs(e.time.min), k('engine.min')),
        fmtMs(e.time.max),
        fmtRate(e.time.factsPerSecond),
        fmtMs(s.referenceMs),
        fmtRatio(s.engineVsReference),
        fmtMs(s.targetMs),
        fmtRatio(s.engineVsTarget),
        mark(fmtBytes(e.peakRssBytes), k('engine.peakRss')),
        mark(fmtBytes(e.peakHeapBytes), k('engine.peakHeap')),
      ],
    ];
  });
  if (rows.length === 0) return null;
  return {
    title: 'engine only (facts decoded in memory beforehand; new Session + insert all + end)',
    columns: [
      { title: 'size' },
      { title: 'facts', align: R },
      { title: 'firings', align: R },
      { title: 'compile', align: R },
      { title: 'median', align: R },
      { title: 'min', align: R },
      { title: 'max', align: R },
      { title: 'facts/s', align: R },
      { title: 'reference', align: R },
      { title: '÷ref', align: R },
      { title: 'target', align: R },
      { title: '÷target', align: R },
      { title: 'peak RSS', align: R },
      { title: 'peak heap', align: R },
    ],
    rows,
  };
}

function endToEndTable(w: WorkloadResult, mark: Mark): Table | null {
  const rows = w.sizes.flatMap((s) => {
    const x = s.endToEnd;
    if (!x) return [];
    const k = (f: string) => figureKey(w.name, s.size, f);
    return [
      [
        formatSize(s.size),
        fmtBytes(x.fileBytes),
        `${fmtCount(x.firings)} ✓`,
        mark(fmtMs(x.time.median), k('endToEnd.median')),
        mark(fmtMs(x.time.min), k('endToEnd.min')),
        fmtMs(x.time.max),
        fmtRate(x.time.factsPerSecond),
        fmtMs(x.stagesMs.readParse),
        fmtMs(x.stagesMs.evaluate),
        fmtMs(x.stagesMs.write),
        fmtRatio(s.endToEndVsTarget),
        mark(fmtBytes(x.peakRssBytes), k('endToEnd.peakRss')),
        s.memoryTargetBytes === null ? '–' : `${fmtBytes(s.memoryTargetBytes)} ${x.peakRssBytes <= s.memoryTargetBytes ? '✓' : '✗'}`,
        mark(fmtBytes(x.peakHeapBytes), k('endToEnd.peakHeap')),
      ],
    ];
  });
  if (rows.length === 0) return null;
  return {
    title: "end to end (`rete-eval run` on the NDJSON file, whole process; stages are the run report's medians)",
    columns: [
      { title: 'size' },
      { title: 'file', align: R },
      { title: 'firings', align: R },
      { title: 'median', align: R },
      { title: 'min', align: R },
      { title: 'max', align: R },
      { title: 'facts/s', align: R },
      { title: 'read+parse', align: R },
      { title: 'evaluate', align: R },
      { title: 'write', align: R },
      { title: '÷target', align: R },
      { title: 'peak RSS', align: R },
      { title: 'RSS limit', align: R },
      { title: 'peak heap', align: R },
    ],
    rows,
  };
}

function readersTable(w: WorkloadResult): Table | null {
  const rows = w.sizes.flatMap((s) => {
    const x = s.endToEnd;
    const y = s.endToEndWhole;
    const c = s.readers;
    if (!x || !y || !c) return [];
    return [
      [
        formatSize(s.size),
        fmtCount(c.projectedFields),
        fmtMs(x.time.median),
        fmtMs(x.stagesMs.readParse),
        fmtMs(y.time.median),
        fmtMs(y.stagesMs.readParse),
        `${fmtRatio(c.ratioMedian)} (${fmtRatio(c.ratioMin)}–${fmtRatio(c.ratioMax)})`,
        fmtBytes(x.peakRssBytes),
        fmtBytes(y.peakRssBytes),
      ],
    ];
  });
  if (rows.length === 0) return null;
  return {
    title: 'readers (end to end, alternated: projected, then --reader whole; ratio per pair)',
    columns: [
      { title: 'size' },
      { title: 'fields read', align: R },
      { title: 'projected', align: R },
      { title: 'read+parse', align: R },
      { title: 'whole', align: R },
      { title: 'read+parse', align: R },
      { title: 'projected ÷ whole', align: R },
      { title: 'RSS projected', align: R },
      { title: 'RSS whole', align: R },
    ],
    rows,
  };
}

function linearityLine(label: string, l: Linearity | null, mark: Mark, key: string): string | null {
  if (!l) return null;
  return `${label} ${mark(l.value.toFixed(2), key)} — ${linearityVerdict(l.value)}`;
}

function linearityText(w: WorkloadResult, mark: Mark): string | null {
  const { engine, endToEnd } = w.linearity;
  const any = engine ?? endToEnd;
  if (!any) return null;
  const parts = [
    linearityLine('engine', engine, mark, figureKey(w.name, null, 'linearity.engine')),
    linearityLine('end-to-end', endToEnd, mark, figureKey(w.name, null, 'linearity.endToEnd')),
  ].filter((x): x is string => x !== null);
  return `linearity, time per fact at ${formatSize(any.largest)} ÷ at ${formatSize(any.smallest)} (1.00 = linear): ${parts.join('; ')}`;
}

function comparisonRows(c: BaselineComparison, mark: (f: FigureComparison, s: string) => string): string[][] {
  const fmt = (f: FigureComparison, v: number) => (f.unit === 'ms' ? fmtMs(v) : f.unit === 'bytes' ? fmtBytes(v) : v.toFixed(2));
  return c.figures.map((f) => [
    f.workload,
    f.size === null ? '' : formatSize(f.size),
    f.figure,
    fmt(f, f.baseline),
    fmt(f, f.current),
    mark(f, fmtPct(f.change * 100)),
    f.worse ? mark(f, `WORSE (>${c.thresholdPct}%)`) : '',
  ]);
}

const COMPARISON_COLUMNS: Column[] = [
  { title: 'workload' },
  { title: 'size' },
  { title: 'figure' },
  { title: 'baseline', align: R },
  { title: 'now', align: R },
  { title: 'change', align: R },
  { title: '' },
];

function environmentLine(r: BenchResult): string {
  const e = r.environment;
  return `rete-eval ${e.version} · Node ${e.node} · ${e.platform}/${e.arch} · ${e.cpu} ×${e.cpus} · ${fmtBytes(e.memoryBytes)} RAM · ${r.options.runs} run${r.options.runs === 1 ? '' : 's'} after ${r.options.warmup} warm-up`;
}

export interface RenderOptions {
  readonly color?: boolean;
  readonly comparison?: BaselineComparison | null;
}

export function renderText(r: BenchResult, o: RenderOptions = {}): string {
  const c = new Chalk({ level: o.color ? 1 : 0 });
  const worse = new Set((o.comparison?.figures ?? []).filter((f) => f.worse).map((f) => figureKey(f.workload, f.size, f.figure)));
  const mark: Mark = (text, key) => (worse.has(key) ? c.red(`${text} ▲`) : text);
  const out: string[] = [c.dim(environmentLine(r)), ''];
  for (const w of r.workloads) {
    out.push(c.bold(`${w.name}`) + c.dim(` (${w.rules} rule${w.rules === 1 ? '' : 's'})`));
    if (w.status === 'unsupported') {
      out.push(c.yellow(`  ${w.note ?? 'not supported by this build'}`), '');
      continue;
    }
    if (w.note) out.push(c.dim(`  note: ${w.note}`));
    for (const t of [engineTable(w, mark), endToEndTable(w, mark), readersTable(w)]) {
      if (!t) continue;
      out.push(c.dim(`  ${t.title}`), textTable(t.columns, t.rows));
    }
    const lin = linearityText(w, mark);
    if (lin) out.push(`  ${lin}`);
    out.push('');
  }
  const cmp = o.comparison;
  if (cmp) {
    const flagged = cmp.figures.filter((f) => f.worse).length;
    out.push(c.bold('against the baseline') + c.dim(` (higher is worse; marked when more than ${cmp.thresholdPct}% worse)`));
    if (cmp.figures.length > 0)
      out.push(
        textTable(
          COMPARISON_COLUMNS,
          comparisonRows(cmp, (f, s) => (f.worse ? c.red(s) : s)),
        ),
      );
    for (const u of cmp.unmatched) out.push(c.dim(`  ${u}`));
    out.push(
      flagged > 0
        ? c.red(`  ${flagged} figure${flagged === 1 ? '' : 's'} more than ${cmp.thresholdPct}% worse than the baseline`)
        : c.green(`  no figure more than ${cmp.thresholdPct}% worse`),
      '',
    );
  }
  return out.join('\n');
}

/** How the compile samples' processes got their own compiled code (src/boot/), when recorded. */
function codeCacheText(r: BenchResult): string {
  let used = 0;
  let all = 0;
  for (const w of r.workloads) {
    for (const s of w.sizes) {
      for (const state of s.engine?.compileCodeCache ?? []) {
        all++;
        if (state === 'used') used++;
      }
    }
  }
  if (all === 0) return '';
  return `; ${used} of those ${all} processes took the bench child's own compiled code from V8's code cache, as a second run of a build does; ${all - used} did not`;
}

export function renderMarkdown(r: BenchResult, o: RenderOptions = {}): string {
  const worse = new Set((o.comparison?.figures ?? []).filter((f) => f.worse).map((f) => figureKey(f.workload, f.size, f.figure)));
  const mark: Mark = (text, key) => (worse.has(key) ? `**${text} ▲**` : text);
  const out: string[] = ['# rete-eval bench', '', `${environmentLine(r)}. Measured ${r.createdAt}.`, ''];
  out.push(
    'Engine only: the facts are decoded in memory before timing (as the reference engine measures), a fresh set per run; the time covers `new Session` + insert all + `end()`. ' +
      "End to end: the whole `rete-eval run` process over the same facts as NDJSON. Reference figures: the specification's, Apple M1 Pro. " +
      "÷ref and ÷target are the median divided by the reference figure and by the specification's target (lower is better). Each size ran in a fresh process. " +
      'Compile: the median of first compiles of the rules, each in a fresh process (as many as runs)' +
      codeCacheText(r) +
      '.',
    '',
  );
  for (const w of r.workloads) {
    out.push(`## ${w.name} (${w.rules} rule${w.rules === 1 ? '' : 's'})`, '');
    if (w.status === 'unsupported') {
      out.push(`_${w.note ?? 'not supported by this build'}_`, '');
      continue;
    }
    if (w.note) out.push(`Note: ${w.note}.`, '');
    for (const t of [engineTable(w, mark), endToEndTable(w, mark), readersTable(w)]) {
      if (!t) continue;
      out.push(`**${t.title.replace(/^./, (ch) => ch.toUpperCase())}**`, '', markdownTable(t.columns, t.rows));
    }
    const lin = linearityText(w, mark);
    if (lin) out.push(lin.replace(/^./, (ch) => ch.toUpperCase()) + '.', '');
  }
  const cmp = o.comparison;
  if (cmp) {
    const flagged = cmp.figures.filter((f) => f.worse).length;
    out.push('## Against the baseline', '', `Higher is worse for every figure; marked when more than ${cmp.thresholdPct}% worse. ${flagged} marked.`, '');
    if (cmp.figures.length > 0)
      out.push(
        markdownTable(
          COMPARISON_COLUMNS,
          comparisonRows(cmp, (f, s) => (f.worse ? `**${s}**` : s)),
        ),
      );
    for (const u of cmp.unmatched) out.push(`- ${u}`);
    if (cmp.unmatched.length > 0) out.push('');
  }
  return out.join('\n');
}
