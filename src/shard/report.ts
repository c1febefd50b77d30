// The report of a merged run: the shard runs' reports (their --report files) added up into
// the report one run would have given (counts are sums, peaks the largest shard's), with
// each shard's timings and the merge's own beside the totals.

import { readFileSync } from 'node:fs';
import { InputError, UsageError } from '../model/errors.js';
import { formatCount, plural } from '../model/words.js';
import { formatBytes, formatMs } from '../report/human.js';
import type { RunReport, StageTimes } from '../report/report.js';
import type { MergeResult } from './merge.js';

export interface ShardTimings {
  shard: number;
  report: string;
  timings: StageTimes;
  factsRead: number;
  firings: number;
  peakRssBytes: number;
}

export interface MergedReport extends RunReport {
  /** Each shard run: its timings and size. `timings` above are their sums (the work done, not the elapsed time). */
  shards: ShardTimings[];
  merge: {
    split: string;
    outputs: number;
    ms: number;
    firings: number;
    /** Firings after the input, merged in agenda order; `unordered` of them bind facts whose ids repeat, so their place is a guess. */
    endFirings: number;
    unordered: number;
    created: number;
  };
}

/** Reads shard runs' reports; each must come from a run over a shard. */
export function readShardReports(paths: readonly string[]): { path: string; report: RunReport & { shard: NonNullable<RunReport['shard']> } }[] {
  return paths.map((path) => {
    let report: RunReport;
    try {
      report = JSON.parse(readFileSync(path, 'utf8')) as RunReport;
    } catch (e) {
      if (e instanceof SyntaxError) throw new InputError(`${path}: not a JSON report (${e.message})`);
      const code = (e as NodeJS.ErrnoException).code;
      throw new InputError(`${path}: cannot read: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
    if (report === null || typeof report !== 'object' || report.shard === undefined || typeof report.shard.split !== 'string') {
      throw new UsageError(`${path} is not the --report of rete-eval run on a shard`);
    }
    return { path, report: report as RunReport & { shard: NonNullable<RunReport['shard']> } };
  });
}

/** Adds up the shard reports of the merged split: one per shard. */
export function mergeReports(reports: ReturnType<typeof readShardReports>, result: MergeResult): MergedReport {
  const seen = new Set<number>();
  for (const { path, report } of reports) {
    if (report.shard.split !== result.split) throw new UsageError(`${path} reports a run of another split than the outputs merged`);
    if (seen.has(report.shard.shard)) throw new UsageError(`${path}: shard ${report.shard.shard} is reported twice`);
    seen.add(report.shard.shard);
  }
  if (seen.size !== result.shards) throw new UsageError(`--reports: ${plural(seen.size, 'report')} for ${plural(result.shards, 'shard')}; give one per shard`);
  const rs = reports.map((r) => r.report).sort((a, b) => a.shard.shard - b.shard.shard);
  const first = rs[0]!;
  const sum = (f: (r: RunReport) => number) => rs.reduce((n, r) => n + f(r), 0);
  const max = (f: (r: RunReport) => number) => rs.reduce((n, r) => Math.max(n, f(r)), 0);
  const byRule = first.firings.byRule.map((x, i) => ({ ...x, firings: sum((r) => r.firings.byRule[i]?.firings ?? 0) }));
  const mismatches = new Map<string, { test: string; count: number; rules: number[] }>();
  for (const r of rs) {
    for (const m of r.typeMismatches.byTest) {
      const known = mismatches.get(m.test);
      if (known) known.count += m.count;
      else mismatches.set(m.test, { ...m, rules: [...m.rules] });
    }
  }
  const timings: StageTimes = {
    compileMs: sum((r) => r.timings.compileMs),
    readParseMs: sum((r) => r.timings.readParseMs),
    evaluateMs: sum((r) => r.timings.evaluateMs),
    writeMs: sum((r) => r.timings.writeMs),
    totalMs: sum((r) => r.timings.totalMs),
  };
  const inserted = sum((r) => r.facts.inserted);
  const seconds = (timings.readParseMs + timings.evaluateMs) / 1000;
  const byTest = [...mismatches.values()];
  const { shard: _shard, ...base } = first;
  return {
    ...base,
    inputs: rs.flatMap((r) => r.inputs),
    output: { target: result.target, emit: 'firings', lines: result.firings },
    timings,
    facts: {
      records: sum((r) => r.facts.records),
      read: sum((r) => r.facts.read),
      skipped: sum((r) => r.facts.skipped),
      inserted,
      created: sum((r) => r.facts.created),
      deleted: sum((r) => r.facts.deleted),
      duplicateIds: sum((r) => r.facts.duplicateIds),
    },
    firings: { total: sum((r) => r.firings.total), byRule, neverFired: byRule.filter((x) => x.firings === 0).map((x) => x.id) },
    typeMismatches: { total: byTest.reduce((n, m) => n + m.count, 0), byTest },
    factsPerSecond: seconds > 0 ? Math.round(inserted / seconds) : 0,
    memory: {
      peakRssBytes: max((r) => r.memory.peakRssBytes),
      peakHeapBytes: max((r) => r.memory.peakHeapBytes),
      peakWorkingMemoryFacts: max((r) => r.memory.peakWorkingMemoryFacts),
      nodes: [],
    },
    rejects: { count: sum((r) => r.rejects.count), file: first.rejects.file, first: rs.flatMap((r) => r.rejects.first).slice(0, 20) },
    stoppedEarly: null,
    error: null,
    shards: reports
      .map(({ path, report: r }) => ({
        shard: r.shard.shard,
        report: path,
        timings: r.timings,
        factsRead: r.facts.read,
        firings: r.firings.total,
        peakRssBytes: r.memory.peakRssBytes,
      }))
      .sort((a, b) => a.shard - b.shard),
    merge: {
      split: result.split,
      outputs: result.shards,
      ms: result.ms,
      firings: result.firings,
      endFirings: result.endFirings,
      unordered: result.unordered,
      created: result.created,
    },
  };
}

/** The lines stderr shows for a merge: the shards and the merge itself. */
export function formatMerge(result: MergeResult, report: MergedReport | null): string {
  const lines = [`rete-eval merge: ${plural(result.shards, 'shard')} → ${plural(result.firings, 'firing')} in ${result.target} (merge ${formatMs(result.ms)})`];
  if (report !== null) {
    for (const s of report.shards) {
      const t = s.timings;
      lines.push(
        `  shard ${s.shard}: ${formatCount(s.factsRead)} facts → ${formatCount(s.firings)} firings · read+parse ${formatMs(t.readParseMs)} · evaluate ${formatMs(t.evaluateMs)} · write ${formatMs(t.writeMs)} · total ${formatMs(t.totalMs)} · peak RSS ${formatBytes(s.peakRssBytes)}`,
      );
    }
    const t = report.timings;
    lines.push(
      `  all shards: read+parse ${formatMs(t.readParseMs)} · evaluate ${formatMs(t.evaluateMs)} · write ${formatMs(t.writeMs)} · total ${formatMs(t.totalMs)} (summed; the longest shard took ${formatMs(Math.max(...report.shards.map((s) => s.timings.totalMs)))})`,
    );
  }
  if (result.unordered > 0) {
    lines.push(
      `  warning: ${plural(result.unordered, 'end-of-input firing')} bind facts whose ids repeat in the input: their order among other shards' firings may differ from one run's (the set is the same)`,
    );
  }
  return lines.join('\n') + '\n';
}
