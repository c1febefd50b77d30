// The partition in words and as JSON, for `rete-eval explain` and split's report: by what
// each kind of fact is placed and which rules need it, or why no key serves the rules.

import { guardText, keyText, valueText, type KeySource, type Partition } from './partition.js';

/** The partition, one line per key class (or per reason it does not partition). */
export function describePartition(p: Partition): string[] {
  if (!p.partitions) return p.problems.map((x) => x.message);
  if (p.kind === 'any') return [`any cut works: ${p.reason} (split cuts the input into contiguous blocks)`];
  const lines = p.classes.map((c) => {
    const more = c.because.length > 1 ? ` (and ${c.because.length - 1} more)` : '';
    return `${guardText(c.guard)}: by ${keyText(c.key)} (${c.because[0]}${more})`;
  });
  const everyFact = p.classes.some((c) => c.guard.length === 0);
  if (!everyFact) {
    lines.push(
      p.otherwise === null
        ? 'any other fact: anywhere (no rule relates it to another fact)'
        : `any other fact: by its id (rule${p.addressing.length === 1 ? '' : 's'} ${p.addressing.join(', ')} address${p.addressing.length === 1 ? 'es' : ''} facts by id)`,
    );
  }
  return lines;
}

/** The verdict for `explain`: a heading line and the lines under it. */
export function partitionVerdict(p: Partition): string {
  const heading = !p.partitions
    ? 'partition: none — no single key keeps together the facts these rules relate, so rete-eval split refuses them:'
    : p.kind === 'any'
      ? 'partition: any cut:'
      : 'partition: by key (rete-eval split sends each fact to the shard its key hashes to):';
  return [heading, ...describePartition(p).map((l) => `  ${l}`)].join('\n') + '\n';
}

export interface ExplainPartition {
  partitions: boolean;
  kind: 'any' | 'keyed' | 'none';
  /** Keyed: facts passing every `when` test take `key`; the first class that matches wins. */
  classes: { when: { field: string; equals: string }[]; key: ExplainKey; rules: number[]; because: string[] }[];
  /** Keyed: the key of a fact in no class (null: anywhere). */
  otherwise: ExplainKey | null;
  /** Why the rules do not partition (kind none), naming the rules. */
  problems: { rules: number[]; message: string }[];
  /** The same, in words. */
  text: string[];
}

type ExplainKey = { fields: string[] } | { id: true };

function explainKey(k: KeySource): ExplainKey {
  return k.kind === 'id' ? { id: true } : { fields: [...k.paths] };
}

export function explainPartition(p: Partition): ExplainPartition {
  const text = describePartition(p);
  if (!p.partitions)
    return {
      partitions: false,
      kind: 'none',
      classes: [],
      otherwise: null,
      problems: p.problems.map((x) => ({ rules: [...x.rules], message: x.message })),
      text,
    };
  if (p.kind === 'any') return { partitions: true, kind: 'any', classes: [], otherwise: null, problems: [], text };
  return {
    partitions: true,
    kind: 'keyed',
    classes: p.classes.map((c) => ({
      when: c.guard.map((g) => ({ field: g.path, equals: valueText(g.value) })),
      key: explainKey(c.key),
      rules: [...c.rules],
      because: [...c.because],
    })),
    otherwise: p.otherwise === null ? null : explainKey(p.otherwise),
    problems: [],
    text,
  };
}
