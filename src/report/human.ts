// Formats a run report as text for stderr: a few aligned lines, coloured only when the
// caller says so (a TTY without NO_COLOR), with numbers grouped for reading.

import { Chalk } from 'chalk';
import type { RunReport } from './report.js';

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(1)} ms`;
}

export function formatBytes(b: number): string {
  if (b >= 1 << 30) return `${(b / (1 << 30)).toFixed(2)} GB`;
  return `${(b / (1 << 20)).toFixed(0)} MB`;
}

const MAX_RULE_LINES = 12;

/** `1 rule`, `2 rules`, with the count grouped. */
function count(n: number, word: string, plural = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : plural}`;
}
const MAX_NODE_LINES = 5;

export function formatReport(r: RunReport, color: boolean): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  const label = (s: string) => c.dim(s.padEnd(11));
  const lines: string[] = [];
  const inputs = r.inputs.map((f) => `${f.name} (${f.format ?? 'empty'}${f.gzip ? ', gzip' : ''})`).join(', ');
  lines.push(
    `${c.bold('rete-eval')}: ${formatCount(r.facts.read)} facts from ${inputs || 'no input'} → ${c.bold(formatCount(r.firings.total))} firings` +
      (r.stoppedEarly ? c.yellow(` (stopped early: ${r.stoppedEarly})`) : ''),
  );
  const rd = r.reader;
  if (rd !== undefined) {
    const how =
      rd.kind === 'projected'
        ? `projected: ${count(rd.fields.length, 'field')}${rd.fields.length > 0 ? ` (${rd.fields.slice(0, 6).join(', ')}${rd.fields.length > 6 ? ', …' : ''})` : ''}`
        : `whole records (${rd.reason})`;
    lines.push(`${label('reader')}${how}${rd.workers > 0 ? ` · ${count(rd.workers, 'worker thread')}` : ''}`);
  }
  const t = r.timings;
  lines.push(
    `${label('stages')}read+parse ${formatMs(t.readParseMs)} · compile ${formatMs(t.compileMs)} · evaluate ${formatMs(t.evaluateMs)} · write ${formatMs(t.writeMs)} · total ${formatMs(t.totalMs)}`,
  );
  const f = r.facts;
  const skipped = f.skipped > 0 ? c.yellow(`${formatCount(f.skipped)} skipped`) : '0 skipped';
  lines.push(`${label('facts')}${formatCount(f.read)} read · ${skipped} · ${formatCount(f.created)} created · ${formatCount(f.deleted)} deleted`);
  lines.push(`${label('throughput')}${formatCount(r.factsPerSecond)} facts/s (read+parse+evaluate)`);
  const m = r.memory;
  lines.push(
    `${label('memory')}peak RSS ${formatBytes(m.peakRssBytes)} · peak heap ${formatBytes(m.peakHeapBytes)} · working memory ≤ ${count(m.peakWorkingMemoryFacts, 'fact')}`,
  );
  const nodes = m.nodes ?? [];
  if (nodes.length > 0) {
    // The nodes holding the most, so a user sees which rule keeps memory busy.
    const top = [...nodes].sort((a, b) => b.peakHeld + b.peakTokens - (a.peakHeld + a.peakTokens)).slice(0, MAX_NODE_LINES);
    for (const x of top) {
      const rules = x.rules.length === 1 ? `rule ${x.rules[0]}` : `rules ${x.rules.join(', ')}`;
      const held =
        x.kind === 'alpha-memory'
          ? `${formatCount(x.held)} facts (peak ${formatCount(x.peakHeld)})`
          : x.kind === 'start'
            ? `${formatCount(x.tokens)} tokens (peak ${formatCount(x.peakTokens)})`
            : `${formatCount(x.held)} left tokens (peak ${formatCount(x.peakHeld)}) · ${formatCount(x.tokens)} out (peak ${formatCount(x.peakTokens)})`;
      lines.push(`${label('  held')}${x.node} ${x.label} — ${rules}: ${held}`);
    }
    if (nodes.length > MAX_NODE_LINES) lines.push(`${label('')}… and ${nodes.length - MAX_NODE_LINES} more nodes (see --report memory.nodes)`);
  }
  const n = r.network;
  lines.push(
    `${label('network')}${count(n.rules, 'rule')} · ${count(n.alphaNodes, 'alpha node')} (${n.sharedNodes} shared) · ${n.hashIndexes} hash ${n.hashIndexes === 1 ? 'index' : 'indexes'} over ${count(n.hashedBranches, 'branch', 'branches')}` +
      (n.betaNodes > 0
        ? ` · ${n.alphaMemories} alpha memories · ${n.betaNodes} beta nodes (${n.hashJoins} hash joins, ${n.crossProducts} cross products, ${n.negationNodes} not/exists, ${n.sharedBetaNodes} shared)`
        : ''),
  );
  const firing = r.firings.byRule.filter((x) => x.firings > 0).sort((a, b) => b.firings - a.firings);
  for (const x of firing.slice(0, MAX_RULE_LINES)) lines.push(`${label('  fired')}rule ${x.id} ${JSON.stringify(x.name)}: ${formatCount(x.firings)}`);
  if (firing.length > MAX_RULE_LINES) lines.push(`${label('')}… and ${firing.length - MAX_RULE_LINES} more rules (see --report)`);
  if (r.typeMismatches.total > 0) {
    lines.push(c.yellow(`${label('mismatches')}${formatCount(r.typeMismatches.total)} comparisons met a value of an unrelated type (false):`));
    for (const x of r.typeMismatches.byTest.slice(0, 5)) lines.push(`${label('')}${x.test} (rules ${x.rules.join(', ')}): ${formatCount(x.count)}`);
  }
  if (f.duplicateIds > 0) lines.push(c.yellow(`${label('warning')}${formatCount(f.duplicateIds)} facts reused an id already in working memory`));
  if (r.rejects.count > 0) {
    lines.push(c.yellow(`${label('rejects')}${formatCount(r.rejects.count)} records skipped${r.rejects.file ? `, written to ${r.rejects.file}` : ''}; first:`));
    for (const x of r.rejects.first.slice(0, 3)) {
      const where = x.line === undefined ? x.file : `${x.file}:${x.line}${x.column !== undefined ? `:${x.column}` : ''}`;
      lines.push(`${label('')}${where}: ${x.jsonPath ? x.jsonPath + ': ' : ''}${x.reason}`);
    }
  }
  return lines.join('\n') + '\n';
}
