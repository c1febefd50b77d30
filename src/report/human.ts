// Formats a run report as text for stderr: a few aligned lines, coloured only when the
// caller says so (a TTY without NO_COLOR), with numbers grouped for reading.

import { Chalk } from 'chalk';
import { formatCount, plural } from '../model/words.js';
import type { RunReport } from './report.js';

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

const MAX_NODE_LINES = 5;

export function formatReport(r: RunReport, color: boolean): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  const label = (s: string) => c.dim(s.padEnd(11));
  const lines: string[] = [];
  const inputs = r.inputs.map((f) => `${f.name} (${f.format ?? 'empty'}${f.gzip ? ', gzip' : ''})`).join(', ');
  lines.push(
    `${c.bold('rete-eval')}: ${plural(r.facts.read, 'fact')} from ${inputs || 'no input'} → ${c.bold(plural(r.firings.total, 'firing'))}` +
      (r.stoppedEarly ? c.yellow(` (stopped early: ${r.stoppedEarly})`) : ''),
  );
  const rd = r.reader;
  if (rd !== undefined) {
    const how =
      rd.kind === 'projected'
        ? `projected: ${plural(rd.fields.length, 'field')}${rd.fields.length > 0 ? ` (${rd.fields.slice(0, 6).join(', ')}${rd.fields.length > 6 ? ', …' : ''})` : ''}`
        : `whole records (${rd.reason})`;
    lines.push(`${label('reader')}${how}${rd.workers > 0 ? ` · ${plural(rd.workers, 'worker thread')}` : ''}`);
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
    `${label('memory')}peak RSS ${formatBytes(m.peakRssBytes)} · peak heap ${formatBytes(m.peakHeapBytes)} · working memory ≤ ${plural(m.peakWorkingMemoryFacts, 'fact')}`,
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
    `${label('network')}${plural(n.rules, 'rule')} · ${plural(n.alphaNodes, 'alpha node')} (${n.sharedNodes} shared) · ${n.hashIndexes} hash ${n.hashIndexes === 1 ? 'index' : 'indexes'} over ${plural(n.hashedBranches, 'branch', 'branches')}` +
      (n.betaNodes > 0
        ? ` · ${plural(n.alphaMemories, 'alpha memory', 'alpha memories')} · ${plural(n.betaNodes, 'beta node')} (${plural(n.hashJoins, 'hash join')}, ${plural(n.crossProducts, 'cross product')}, ${n.negationNodes} not/exists, ${n.sharedBetaNodes} shared)`
        : ''),
  );
  const firing = r.firings.byRule.filter((x) => x.firings > 0).sort((a, b) => b.firings - a.firings);
  for (const x of firing.slice(0, MAX_RULE_LINES)) lines.push(`${label('  fired')}rule ${x.id} ${JSON.stringify(x.name)}: ${formatCount(x.firings)}`);
  if (firing.length > MAX_RULE_LINES) lines.push(`${label('')}… and ${plural(firing.length - MAX_RULE_LINES, 'more rule')} (see --report)`);
  // Rules that never fired: often a typo in a field name or value. Said only when the run
  // saw facts and went to the end, where "never" means something.
  const never = r.firings.byRule.filter((x) => x.firings === 0);
  if (never.length > 0 && r.facts.inserted > 0 && r.stoppedEarly === null) {
    const named = never.slice(0, MAX_RULE_LINES).map((x) => `rule ${x.id} ${JSON.stringify(x.name)}`);
    const more = never.length > MAX_RULE_LINES ? `, … and ${formatCount(never.length - MAX_RULE_LINES)} more (see --report firings.neverFired)` : '';
    lines.push(c.yellow(`${label('not fired')}${plural(never.length, 'rule')}: ${named.join(', ')}${more}`));
  }
  if (r.typeMismatches.total > 0) {
    lines.push(c.yellow(`${label('mismatches')}${plural(r.typeMismatches.total, 'comparison')} met a value of an unrelated type (false):`));
    for (const x of r.typeMismatches.byTest.slice(0, 5))
      lines.push(`${label('')}${x.test} (${x.rules.length === 1 ? 'rule' : 'rules'} ${x.rules.join(', ')}): ${formatCount(x.count)}`);
  }
  if (f.duplicateIds > 0) {
    lines.push(c.yellow(`${label('warning')}${plural(f.duplicateIds, 'fact')} reused an id already in working memory`));
  }
  if (r.rejects.count > 0) {
    const to = r.rejects.file === null ? '' : r.rejects.file === '-' ? ', written to stdout' : `, written to ${r.rejects.file}`;
    lines.push(c.yellow(`${label('rejects')}${plural(r.rejects.count, 'record')} skipped${to}; first:`));
    for (const x of r.rejects.first.slice(0, 3)) {
      const where = x.line === undefined ? x.file : `${x.file}:${x.line}${x.column !== undefined ? `:${x.column}` : ''}`;
      lines.push(`${label('')}${where}: ${x.jsonPath ? x.jsonPath + ': ' : ''}${x.reason}`);
    }
  }
  return lines.join('\n') + '\n';
}
