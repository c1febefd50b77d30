// The shard formats, defined once: a shard file's header (written by split, read by run),
// and a shard output's header, step and end markers and trailer (written by run on a shard,
// read by merge). docs/shards.md describes them in words.

import { SHARD_HEADER_PREFIX } from '../io/detect.js';

/** The version of the shard formats; a reader refuses others. */
export const SHARD_FORMAT = 1;

/** Which split a shard belongs to, and how it was cut. */
export interface ShardIdentity {
  /** The split's id: every shard of one split has it. */
  readonly split: string;
  /** This shard's index, 0 … shards − 1. */
  readonly shard: number;
  readonly shards: number;
  /** The partition's signature (partitionSignature): rules run on the shard must place facts alike. */
  readonly partition: string;
}

function identity(id: ShardIdentity): Record<string, unknown> {
  return { format: SHARD_FORMAT, split: id.split, shard: id.shard, shards: id.shards, partition: id.partition };
}

/** A shard file's first line. */
export function shardHeaderLine(id: ShardIdentity): string {
  const line = `${JSON.stringify({ rete_eval_shard: identity(id) })}\n`;
  if (!line.startsWith(SHARD_HEADER_PREFIX)) throw new Error('shard header out of step with detection');
  return line;
}

/**
 * Reads a shard identity from a header's member; returns the reason it is not one as a
 * string (the caller names the file).
 */
export function parseShardIdentity(o: Record<string, unknown>): ShardIdentity | string {
  if (o.format !== SHARD_FORMAT) return `shard format ${JSON.stringify(o.format)} is not ${SHARD_FORMAT}: it was written by another version of rete-eval`;
  const { split, shard, shards, partition } = o;
  if (typeof split !== 'string' || split === '') return 'the shard header has no split id';
  if (typeof shards !== 'number' || !Number.isSafeInteger(shards) || shards < 1) return 'the shard header has no shard count';
  if (typeof shard !== 'number' || !Number.isSafeInteger(shard) || shard < 0 || shard >= shards)
    return `the shard header's shard index is not in 0…${shards - 1}`;
  if (typeof partition !== 'string') return 'the shard header has no partition';
  return { split, shard, shards, partition };
}

/** The first line of a shard output: the run's identity. */
export const OUTPUT_HEADER_KEY = 'rete_eval_shard_output';
/** The last line of a shard output: what the run did; a shard output without it is incomplete. */
export const OUTPUT_TRAILER_KEY = 'rete_eval_shard_end';

/** How a shard's run wrote its firings: shards merged together must agree. */
export interface OutputStyle {
  readonly values: 'plain' | 'tagged';
  readonly chain: boolean;
}

export function outputHeaderLine(id: ShardIdentity, style: OutputStyle): string {
  return `${JSON.stringify({ [OUTPUT_HEADER_KEY]: { ...identity(id), emit: 'firings', values: style.values, chain: style.chain } })}\n`;
}

export interface ShardTrailer {
  /** Firing lines written. */
  readonly firings: number;
  /** Facts rules created (their ids are first + shard + shards × n, n = 0, 1, …). */
  readonly created: number;
}

export function trailerLine(t: ShardTrailer): string {
  return `${JSON.stringify({ [OUTPUT_TRAILER_KEY]: t })}\n`;
}

/**
 * Before the firings of the insertions of input facts at positions P, P+1, … (a run the
 * shard holds whole, so no other shard's firings go inside it): `{"@":P}`, with `"c":n`
 * when those insertions created n facts.
 */
export function stepMarker(position: number, created: number): string {
  return created === 0 ? `{"@":${position}}\n` : `{"@":${position},"c":${created}}\n`;
}

/**
 * Before each firing after the input (end-of-input rules): `{"@end":[rank, ref…]}`, the
 * rule's agenda rank and its bound facts in pattern order, each an input position (≥ 0) or
 * −(n+1) for the shard's n-th created fact; `"c"`: facts the firing created; `"a":1` when a
 * bound fact's id repeats in the shard's input, so its position is a guess (the latest).
 */
export function endMarker(rank: number, refs: readonly number[], created: number, ambiguous: boolean): string {
  let s = `{"@end":[${rank}`;
  for (const r of refs) s += `,${r}`;
  s += ']';
  if (created > 0) s += `,"c":${created}`;
  if (ambiguous) s += ',"a":1';
  return `${s}}\n`;
}

/** Created fact ids in a shard: the n-th (from 0) is first + shard + shards × n. */
export function createdIds(firstCreated: number, id: ShardIdentity): { first: number; step: number } {
  return { first: firstCreated + id.shard, step: id.shards };
}

/** The file name of shard k of n: zero-padded, so shell globs list shards in order. */
export function shardFileName(k: number, n: number): string {
  return `shard-${String(k).padStart(String(n - 1).length, '0')}.ndjson.gz`;
}

/** Shard file names as split writes them (to find an earlier split's left in a directory). */
export const SHARD_FILE_PATTERN = /^shard-\d+\.ndjson\.gz$/;
