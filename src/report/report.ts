// The run report: what a run read, did and cost (stage times, counts, firings per rule,
// network size, type mismatches, throughput, peak memory), built once at the end of a run
// and written as JSON (--report) or as text on stderr.

import { getHeapStatistics } from 'node:v8';
import type { FileReadInfo, Reject, ReaderInfo, ReaderStats } from '../io/reader.js';
import type { NodeMemoryStats } from '../rete/beta-network.js';
import type { Network } from '../rete/network.js';
import type { SessionStats } from '../rete/session.js';

export interface StageTimes {
  compileMs: number;
  readParseMs: number;
  evaluateMs: number;
  writeMs: number;
  totalMs: number;
}

export interface RunReport {
  /** `file`: the first rule file (all of them in `files`). */
  rules: { file: string; files: string[]; count: number; warnings: number };
  inputs: FileReadInfo[];
  /** Which reader decoded the records (projected: the fields read; whole) and why. */
  reader: ReaderInfo;
  output: { target: string; emit: 'firings' | 'facts'; lines: number };
  timings: StageTimes;
  facts: { records: number; read: number; skipped: number; inserted: number; created: number; deleted: number; duplicateIds: number };
  /** `neverFired`: ids of the rules that did not fire once (often a typo in a condition). */
  firings: { total: number; byRule: { id: number; name: string; firings: number }[]; neverFired: number[] };
  network: NetworkSummary;
  typeMismatches: { total: number; byTest: { test: string; count: number; rules: number[] }[] };
  factsPerSecond: number;
  memory: {
    peakRssBytes: number;
    peakHeapBytes: number;
    peakWorkingMemoryFacts: number;
    /**
     * Multi-fact rules: what each alpha memory (facts) and beta node (tokens in its left
     * memory; tokens it made) held at the end and at most, with the rules using it.
     */
    nodes: NodeMemoryStats[];
  };
  rejects: { count: number; file: string | null; first: Reject[] };
  /** Set when the run stopped early: a closed stdout, or an error. */
  stoppedEarly: string | null;
  /** The error that stopped the run (a limit), with its code and exit code; null when it succeeded. */
  error: { code: string; exitCode: number; message: string } | null;
  /** A run over a shard file (rete-eval split): which shard of which split. */
  shard?: { split: string; shard: number; shards: number };
}

export interface NetworkSummary {
  rules: number;
  alphaNodes: number;
  hashIndexes: number;
  hashedBranches: number;
  sharedNodes: number;
  terminals: number;
  /** Multi-fact rules: their alpha memories and beta nodes (0 without such rules). */
  alphaMemories: number;
  betaNodes: number;
  hashJoins: number;
  crossProducts: number;
  negationNodes: number;
  sharedBetaNodes: number;
}

export function summarizeNetwork(n: Network): NetworkSummary {
  let hashIndexes = 0;
  let hashedBranches = 0;
  let shared = 0;
  for (const node of n.nodes) {
    hashIndexes += node.hashGroups.length;
    for (const g of node.hashGroups) hashedBranches += g.index.size;
    if (node.test !== null && node.rules.length > 1) shared++;
  }
  const beta = n.beta;
  const betaNodes = beta?.nodes ?? [];
  if (beta) {
    for (const node of beta.alphaNodes) {
      hashIndexes += node.hashGroups.length;
      for (const g of node.hashGroups) hashedBranches += g.index.size;
      if (node.test !== null && node.rules.length > 1) shared++;
    }
  }
  return {
    rules: n.terminals.length,
    alphaNodes: n.nodes.length - 1 + (beta ? beta.alphaNodes.length - 1 : 0),
    hashIndexes,
    hashedBranches,
    sharedNodes: shared,
    terminals: n.terminals.length,
    alphaMemories: beta?.memories.length ?? 0,
    betaNodes: betaNodes.length,
    hashJoins: betaNodes.filter((x) => x.kind !== 'start' && x.hash !== null).length,
    crossProducts: betaNodes.filter((x) => x.kind !== 'start' && x.hash === null).length,
    negationNodes: betaNodes.filter((x) => x.kind === 'not' || x.kind === 'exists').length,
    sharedBetaNodes: betaNodes.filter((x) => x.rules.length > 1).length,
  };
}

/** Samples heap use; call it at batch boundaries. Peak RSS comes from the OS at the end. */
export class MemorySampler {
  peakHeap = 0;
  sample(): void {
    const used = getHeapStatistics().used_heap_size;
    if (used > this.peakHeap) this.peakHeap = used;
  }
  peakRss(): number {
    return process.resourceUsage().maxRSS * 1024;
  }
}

export function buildReport(args: {
  rulesFiles: readonly string[];
  warnings: number;
  network: Network;
  reader: ReaderStats;
  session: SessionStats;
  timings: StageTimes;
  output: RunReport['output'];
  memory: MemorySampler;
  rejectsFile: string | null;
  stoppedEarly: string | null;
  error?: RunReport['error'];
  shard?: { readonly split: string; readonly shard: number; readonly shards: number } | undefined;
}): RunReport {
  const { network, reader, session, timings } = args;
  const byRule = network.terminals.map((t) => ({ id: t.rule.id, name: t.rule.name, firings: session.firingsByRule[t.index] ?? 0 }));
  const counts = session.mismatches;
  const mismatches = network.tests
    .map((t) => ({ test: t.label, count: t.mismatchTotal(counts), rules: ruleIdsUsing(network, t.key) }))
    .concat((network.beta?.joinTests ?? []).map((t) => ({ test: t.label, count: t.mismatchTotal(counts), rules: joinRuleIds(network, t.key) })))
    .filter((m) => m.count > 0);
  const seconds = (timings.readParseMs + timings.evaluateMs) / 1000;
  return {
    rules: { file: args.rulesFiles[0] ?? '<rules>', files: [...args.rulesFiles], count: network.terminals.length, warnings: args.warnings },
    inputs: reader.files,
    reader: reader.reader,
    output: args.output,
    timings,
    facts: {
      records: reader.records,
      read: reader.facts,
      skipped: reader.skipped,
      inserted: session.factsInserted,
      created: session.factsCreated,
      deleted: session.factsDeleted,
      duplicateIds: session.duplicateIds,
    },
    firings: { total: session.firings, byRule, neverFired: byRule.filter((r) => r.firings === 0).map((r) => r.id) },
    network: summarizeNetwork(network),
    typeMismatches: { total: mismatches.reduce((n, m) => n + m.count, 0), byTest: mismatches },
    factsPerSecond: seconds > 0 ? Math.round(session.factsInserted / seconds) : 0,
    memory: {
      peakRssBytes: args.memory.peakRss(),
      peakHeapBytes: args.memory.peakHeap,
      peakWorkingMemoryFacts: session.peakWorkingMemory,
      nodes: session.memoryNodes ?? [],
    },
    rejects: { count: reader.skipped, file: args.rejectsFile, first: reader.firstRejects },
    stoppedEarly: args.stoppedEarly,
    error: args.error ?? null,
    ...(args.shard === undefined ? {} : { shard: { split: args.shard.split, shard: args.shard.shard, shards: args.shard.shards } }),
  };
}

function ruleIdsUsing(network: Network, key: string): number[] {
  const ids = new Set<number>();
  for (const node of network.nodes) if (node.test?.key === key) for (const id of node.rules) ids.add(id);
  for (const node of network.beta?.alphaNodes ?? []) if (node.test?.key === key) for (const id of node.rules) ids.add(id);
  for (const node of network.beta?.nodes ?? []) if (node.tests.some((t) => t.key === key)) for (const id of node.rules) ids.add(id);
  return [...ids].sort((a, b) => a - b);
}

function joinRuleIds(network: Network, key: string): number[] {
  const ids = new Set<number>();
  for (const node of network.beta?.nodes ?? []) if (node.tests.some((t) => t.key === key)) for (const id of node.rules) ids.add(id);
  return [...ids].sort((a, b) => a - b);
}
