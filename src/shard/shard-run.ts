// `rete-eval run` on a shard file: the shard's header says which shard of which split it
// is; the run numbers the facts its rules create so that no two shards' ids collide, and
// writes its firings with what merge needs to put every shard's firings back in the order
// one run over the whole input fires them: before the firings of each input fact, the
// fact's position in the input; before each firing after the input, its agenda key.

import { Chunker, BufferPool } from '../io/chunker.js';
import { openSource } from '../io/source.js';
import type { FiringWriter } from '../io/serialize.js';
import { UsageError } from '../model/errors.js';
import { FIRST_CREATED_ID, type Fact } from '../model/fact.js';
import type { Rule } from '../model/types.js';
import { ByteWriter } from '../io/byte-writer.js';
import type { FiringCursor, FiringLog } from '../rete/firing-log.js';
import type { Network } from '../rete/network.js';
import type { Session } from '../rete/session.js';
import { analyzePartition, partitionSignature } from './partition.js';
import { createdIds, endMarker, outputHeaderLine, parseShardIdentity, stepMarker, trailerLine, type OutputStyle, type ShardIdentity } from './format.js';

/** A run over a shard: created ids, positions, and the annotated output. */
export class ShardRun {
  readonly identity: ShardIdentity;
  readonly createdIds: { readonly first: number; readonly step: number };
  private readonly network: Network;
  /** Firings after the input bind facts by id: keep where each id was read (ends-phase keys). */
  private readonly trackIds: boolean;
  /** Ids whose fact's position differs from the id, or that repeat: id → the latest position. */
  private readonly positionOf = new Map<number, number>();
  /** Positions whose fact has that position as its id (a bitset). */
  private selfIds = new Uint8Array(1024);
  /** Ids read more than once in this shard. */
  private readonly repeated = new Set<number>();
  /**
   * Groups of logged firings still to write: from log index `at`, the firings of the
   * insertions from `position` on, while positions run on one by one (no other shard can
   * hold a position inside such a run, so merge needs no marker inside it), with the facts
   * they created.
   */
  private steps: { at: number; position: number; created: number }[] = [];
  /** The position of the fact inserted last. */
  private previous = -2;
  private ended = false;
  private headerDone = false;
  /** The firing lines of a batch, before the markers go between them. */
  private readonly lines = new ByteWriter();
  private firings = 0;

  private readonly style: OutputStyle;

  private constructor(identity: ShardIdentity, network: Network, style: OutputStyle) {
    this.identity = identity;
    this.style = style;
    this.createdIds = createdIds(FIRST_CREATED_ID, identity);
    this.network = network;
    this.trackIds = network.deferredTerminals.length > 0 || network.beta?.hasNegation === true;
  }

  /**
   * The shard run for these inputs, or null when the first is not a shard file. A shard is
   * run alone, for its firings, with rules that place facts as the split placed them.
   */
  static async open(
    inputs: readonly string[],
    rules: readonly Rule[],
    network: Network,
    options: { emit: 'firings' | 'facts' } & OutputStyle,
  ): Promise<ShardRun | null> {
    const path = inputs[0];
    if (path === undefined || path === '-') return null;
    const header = await readShardHeader(path);
    if (header === null) return null;
    if (inputs.length > 1) throw new UsageError(`${path} is a shard written by rete-eval split: run each shard alone (rete-eval run -r RULES ${path} -o OUT)`);
    if (options.emit !== 'firings')
      throw new UsageError(`${path} is a shard: run it for its firings (merge puts shards' firings together); --emit facts is not supported on a shard`);
    const identity = parseShardIdentity(header);
    if (typeof identity === 'string') throw new UsageError(`${path}:1: ${identity}`);
    const signature = partitionSignature(analyzePartition(rules, network));
    if (signature !== identity.partition) {
      throw new UsageError(`${path} was split for rules that place facts differently: run each shard with the rules it was split with`);
    }
    return new ShardRun(identity, network, { values: options.values, chain: options.chain });
  }

  /** Inserts a batch of the shard's facts (at these input positions), noting which firings each caused. */
  insert(session: Session, batch: readonly Fact[], positions: readonly number[], log: FiringLog): void {
    const stats = session.stats;
    const steps = this.steps;
    // A batch's markers are written after it: its first firing starts a group.
    let group = false;
    for (let i = 0; i < batch.length; i++) {
      const fact = batch[i]!;
      const position = positions[i]!;
      if (position !== this.previous + 1) group = false;
      this.previous = position;
      if (this.trackIds) this.noteId(fact.id, position);
      const before = log.length;
      const created = stats.factsCreated;
      session.insert(fact);
      if (log.length === before) continue;
      if (group) steps[steps.length - 1]!.created += stats.factsCreated - created;
      else {
        steps.push({ at: before, position, created: stats.factsCreated - created });
        group = true;
      }
    }
  }

  /** From now on firings are the end of input's (call before session.end()). */
  endInput(): void {
    this.ended = true;
  }

  /**
   * Writes the logged firings into `w`: the header first, then each firing with its marker.
   * The lines are encoded once and copied as bytes between the markers (decoding them to a
   * string to cut them took a shard run's write stage from 88 to 364 ms on simple 500K).
   */
  write(writer: FiringWriter, log: FiringLog, w: ByteWriter): void {
    if (!this.headerDone) {
      w.text(outputHeaderLine(this.identity, this.style));
      this.headerDone = true;
    }
    if (log.length === 0) return;
    writer.write(log, this.lines);
    const parts = this.lines.take();
    const lines = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    const steps = this.steps;
    let s = 0;
    let from = 0;
    const c = log.cursor();
    for (let i = 0; i < log.length; i++) {
      log.next(c);
      if (this.ended) w.text(this.endKey(log, c));
      else if (s < steps.length && steps[s]!.at === i) {
        w.text(stepMarker(steps[s]!.position, steps[s]!.created));
        s++;
      }
      const nl = lines.indexOf(10, from);
      w.bytes(lines.subarray(from, nl + 1));
      from = nl + 1;
    }
    this.firings += log.length;
    this.steps = [];
  }

  /** The last line: what the shard's run did (merge refuses an output without it). */
  trailer(session: Session): string {
    return trailerLine({ firings: this.firings, created: session.stats.factsCreated });
  }

  /** The marker of the cursor's end-of-input firing: its rule's rank, its bound facts, the facts it created. */
  private endKey(log: FiringLog, c: FiringCursor): string {
    const t = this.network.terminals[c.terminal]!;
    const ids = t.patterns === null ? [c.fact] : log.factIds(c);
    let ambiguous = false;
    const refs = ids.map((id) => {
      if (id >= FIRST_CREATED_ID) return -((id - this.createdIds.first) / this.createdIds.step) - 1;
      if (this.repeated.has(id)) ambiguous = true;
      return this.positionOf.get(id) ?? id;
    });
    let created = 0;
    for (let k = c.resultsStart; k < c.resultsEnd; k++) {
      const ref = log.resultRefAt(k);
      if (ref >= 0 && 'FactCreated' in log.records[ref]!) created++;
    }
    return endMarker(t.rank, refs, created, ambiguous);
  }

  /** Where fact `id` was read, for end-of-input keys: the latest fact with an id wins, as in working memory. */
  private noteId(id: number, position: number): void {
    const seen = this.positionOf.has(id) || (id < this.selfIds.length * 8 && (this.selfIds[id >> 3]! & (1 << (id & 7))) !== 0);
    if (seen) this.repeated.add(id);
    if (id === position && !seen) {
      if (position >= this.selfIds.length * 8) {
        const grown = new Uint8Array(Math.max(this.selfIds.length * 2, (position >> 3) + 1));
        grown.set(this.selfIds);
        this.selfIds = grown;
      }
      this.selfIds[position >> 3]! |= 1 << (position & 7);
    } else this.positionOf.set(id, position);
  }
}

/** The header object of a shard file (its `rete_eval_shard` member), or null when the file is not a shard. */
export async function readShardHeader(path: string): Promise<Record<string, unknown> | null> {
  const source = openSource(path);
  try {
    const chunker = new Chunker(source, new BufferPool());
    if ((await chunker.detect('auto')) !== 'shard') return null;
    const line = (await chunker.takeLine()).toString('utf8');
    let header: unknown;
    try {
      header = JSON.parse(line);
    } catch {
      throw new UsageError(`${path}:1: the shard header is not valid JSON`);
    }
    const inner = (header as Record<string, unknown>).rete_eval_shard;
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner))
      throw new UsageError(`${path}:1: the shard header's "rete_eval_shard" member is not an object`);
    return inner as Record<string, unknown>;
  } finally {
    await source.close();
  }
}
