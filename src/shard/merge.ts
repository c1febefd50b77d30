// `rete-eval merge`: puts the outputs of a split's shard runs back together as the output
// one run over the whole input writes. The firings of each input fact's insertion come
// together (every fact a rule relates to it is in its shard), so steps are merged by the
// fact's input position. Firings after the input (end-of-input rules) are merged as one
// agenda would pop them: each shard's next firing is its own agenda's top, so the next
// firing overall is the least of those by rank, then by the bound facts' insertion order
// (most recent first). Ids of facts rules created are renumbered in creation order.

import { checkOutputTargets, OutputSink } from '../io/output.js';
import { InputError, UsageError } from '../model/errors.js';
import { FIRST_CREATED_ID } from '../model/fact.js';
import { LineReader } from './lines.js';
import { OUTPUT_HEADER_KEY, OUTPUT_TRAILER_KEY, parseShardIdentity, type ShardIdentity } from './format.js';

export interface MergeOptions {
  /** The shard runs' outputs, one per shard of one split, in any order. */
  outputs: readonly string[];
  /** Where the merged firings go; stdout when undefined or `-`. */
  output?: string | undefined;
  /** Files that must not be written over (the shard runs' reports). */
  inputsAlso?: readonly string[];
  /** The merged report's file, written (and put in place) with the output; `-` is stdout. */
  reportFile?: string | undefined;
  /** The merged report's text, from what the merge did. */
  reportText?: (r: MergeResult) => string;
}

export interface MergeResult {
  split: string;
  shards: number;
  /** Firing lines written, and of them the ones after the input. */
  firings: number;
  endFirings: number;
  /** End-of-input firings whose place among other shards' is a guess (they bind a fact whose id repeats). */
  unordered: number;
  created: number;
  target: string;
  ms: number;
}

/** A fact's place in insertion order: input position, then 0 for the input fact or n for the n-th fact its insertion created. */
interface Key {
  readonly p: number;
  readonly j: number;
}

class ShardStream {
  readonly lines: LineReader;
  identity!: ShardIdentity;
  /** How the run wrote its firings (values, chaining), as its header says. */
  style = '';
  /** The marker line read last, parsed: a step (position), an end firing (key), or the trailer. */
  kind: 'step' | 'end' | 'done' = 'done';
  position = 0;
  created = 0;
  rank = 0;
  refs: number[] = [];
  ambiguous = false;
  trailer: { firings: number; created: number } | null = null;
  /** Per created fact of this shard (n-th, from 0): its id in the merged output (index from FIRST_CREATED_ID), and its insertion key. */
  createdGlobal: number[] = [];
  createdKeys: Key[] = [];
  firings = 0;
  constructor(path: string) {
    this.lines = new LineReader(path);
  }
  where(): string {
    return `${this.lines.name}:${this.lines.lineNo}`;
  }
}

export async function mergeOutputs(opts: MergeOptions): Promise<MergeResult> {
  const started = performance.now();
  if (opts.outputs.length === 0) throw new UsageError("merge needs the shard runs' outputs: rete-eval merge -o FILE OUTPUT…");
  checkOutputTargets(
    [{ option: '-o', path: opts.output }, ...(opts.reportFile !== undefined ? [{ option: '--report', path: opts.reportFile }] : [])],
    [...opts.outputs, ...(opts.inputsAlso ?? [])].map((path) => ({ option: 'input', path })),
  );
  const shards = opts.outputs.map((p) => new ShardStream(p));
  const sinks: OutputSink[] = [];
  try {
    for (const s of shards) await readHeader(s);
    const id = checkSet(shards);
    const out = opts.output === undefined || opts.output === '-' ? OutputSink.stdout() : OutputSink.file(opts.output);
    sinks.push(out);
    const extra = opts.reportFile === undefined ? null : opts.reportFile === '-' ? OutputSink.stdout() : OutputSink.file(opts.reportFile);
    if (extra) sinks.push(extra);
    for (const s of shards) await readMarker(s);
    const m = new Merger(new ByteOut(out), id.shards);
    // Input: steps by position; no two shards hold one position.
    for (;;) {
      let next: ShardStream | null = null;
      for (const s of shards) if (s.kind === 'step' && (next === null || s.position < next.position)) next = s;
      if (next === null) break;
      await m.step(next);
      if (out.closed) break;
    }
    // After the input: one agenda's order, each shard's next firing being its agenda's top.
    for (;;) {
      let next: ShardStream | null = null;
      for (const s of shards) if (s.kind === 'end' && (next === null || m.before(s, next))) next = s;
      if (next === null) break;
      await m.endFiring(next);
      if (out.closed) break;
    }
    await m.out.flush();
    if (!out.closed) {
      for (const s of shards) {
        if (s.kind === 'step' || s.kind === 'end') continue;
        if (s.trailer === null)
          throw new InputError(`${s.lines.name}: the shard output ends early (no closing line): was the run cut short, or the file truncated?`);
        if (s.trailer.firings !== s.firings || s.trailer.created !== s.createdGlobal.length) {
          throw new InputError(
            `${s.lines.name}: the shard output's closing line counts ${s.trailer.firings} firings and ${s.trailer.created} created facts; the file holds ${s.firings} and ${s.createdGlobal.length}`,
          );
        }
      }
    }
    await out.finish();
    const result: MergeResult = {
      split: id.split,
      shards: id.shards,
      firings: m.firings,
      endFirings: m.endFirings,
      unordered: m.unordered,
      created: m.created,
      target: out.name,
      ms: performance.now() - started,
    };
    if (extra) {
      extra.write(opts.reportText?.(result) ?? '');
      await extra.finish();
    }
    for (const s of sinks) s.commit();
    return result;
  } catch (e) {
    for (const s of sinks) s.abort();
    throw e;
  } finally {
    for (const s of shards) await s.lines.close();
  }
}

/**
 * Output bytes gathered in pieces of a MiB and handed to the sink: lines are copied from
 * the shard outputs' buffers as bytes, never decoded (measured on simple 1M: writing each
 * line as a string cost 0.7 s of the merge's 1.5 s).
 */
class ByteOut {
  readonly sink: OutputSink;
  private buf = Buffer.allocUnsafe(1 << 20);
  private len = 0;
  constructor(sink: OutputSink) {
    this.sink = sink;
  }
  /** Copies buf[from, to) and a newline. */
  line(src: Buffer, from: number, to: number): void {
    this.room(to - from + 1);
    this.len += src.copy(this.buf, this.len, from, to);
    this.buf[this.len++] = 10;
  }
  text(line: string): void {
    this.room(Buffer.byteLength(line) + 1);
    this.len += this.buf.write(line, this.len);
    this.buf[this.len++] = 10;
  }
  get full(): boolean {
    return this.len >= this.buf.length >> 1;
  }
  /** Hands what was gathered to the sink, and waits while the sink is behind. */
  async flush(): Promise<void> {
    this.handOver(1 << 20);
    await this.sink.flush();
  }
  private room(n: number): void {
    if (this.len + n > this.buf.length) this.handOver(Math.max(1 << 20, n));
  }
  private handOver(next: number): void {
    if (this.len > 0) this.sink.write(this.buf.subarray(0, this.len));
    this.buf = Buffer.allocUnsafe(next);
    this.len = 0;
  }
}

/** Writes merged lines: copies each firing line, renumbering ids of created facts. */
class Merger {
  firings = 0;
  endFirings = 0;
  unordered = 0;
  /** Facts created so far, over all shards: the next created fact's index. */
  created = 0;
  readonly out: ByteOut;
  private readonly n: number;

  constructor(out: ByteOut, n: number) {
    this.out = out;
    this.n = n;
  }

  /** The firings of the insertions a step marker stands for. */
  async step(s: ShardStream): Promise<void> {
    for (let j = 1; j <= s.created; j++) this.create(s, { p: s.position, j });
    const lines = s.lines;
    for (;;) {
      if (!lines.take() && !(await lines.next())) {
        throw new InputError(`${lines.name}: the shard output ends early (no closing line): was the run cut short, or the file truncated?`);
      }
      if (lines.startsWith('{"@') || lines.startsWith(`{"${OUTPUT_TRAILER_KEY}"`)) {
        parseMarker(s, lines.text());
        return;
      }
      this.copy(s);
      if (this.out.full) await this.out.flush();
    }
  }

  /** One firing after the input. */
  async endFiring(s: ShardStream): Promise<void> {
    if (s.ambiguous) this.unordered++;
    for (let j = 0; j < s.created; j++) this.create(s, { p: Number.POSITIVE_INFINITY, j: this.created });
    const lines = s.lines;
    if ((!lines.take() && !(await lines.next())) || lines.startsWith('{"@') || lines.startsWith(`{"${OUTPUT_TRAILER_KEY}"`)) {
      throw new InputError(`${s.where()}: expected a firing line after an end-of-input marker`);
    }
    this.copy(s);
    if (this.out.full) await this.out.flush();
    this.endFirings++;
    await readMarker(s);
    if (s.kind === 'step') throw new InputError(`${s.where()}: a step marker after the end-of-input firings`);
  }

  /** Whether shard a's next end-of-input firing comes before shard b's, as the agenda orders them. */
  before(a: ShardStream, b: ShardStream): boolean {
    if (a.rank !== b.rank) return a.rank < b.rank;
    const ka = order(a);
    const kb = order(b);
    const c = compareKeys(ka, kb);
    if (c !== 0) return c < 0;
    // Same rule, same most-recent facts in another arrangement: by the facts in pattern order.
    for (let i = 0; i < a.refs.length; i++) {
      const d = compareKey(keyOf(a, a.refs[i]!), keyOf(b, b.refs[i]!));
      if (d !== 0) return d < 0;
    }
    return false;
  }

  private create(s: ShardStream, key: Key): void {
    s.createdGlobal.push(this.created++);
    s.createdKeys.push(key);
  }

  /** Copies the line just taken; a shard that created facts has its lines renumbered. */
  private copy(s: ShardStream): void {
    s.firings++;
    this.firings++;
    const l = s.lines;
    if (s.createdGlobal.length > 0) this.out.text(renumber(l.text(), FIRST_CREATED_ID + s.identity.shard, this.n, s.createdGlobal));
    else this.out.line(l.buf, l.from, l.to);
  }
}

/** A fact's key from a marker's reference: an input position, or −(n+1) for the shard's n-th created fact. */
function keyOf(s: ShardStream, ref: number): Key {
  if (ref >= 0) return { p: ref, j: 0 };
  const k = s.createdKeys[-ref - 1];
  if (k === undefined) throw new InputError(`${s.where()}: an end-of-input marker names created fact ${-ref - 1}, which was not created yet`);
  return k;
}

/** The bound facts' keys, most recent first (the agenda's fact order). */
function order(s: ShardStream): Key[] {
  return s.refs.map((r) => keyOf(s, r)).sort((x, y) => compareKey(y, x));
}

function compareKey(a: Key, b: Key): number {
  return a.p !== b.p ? (a.p < b.p ? -1 : 1) : a.j - b.j;
}

function compareKeys(a: readonly Key[], b: readonly Key[]): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const c = compareKey(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/**
 * A firing line with a shard's created-fact ids (`first` + shards × n, for the n-th it
 * created) replaced by their ids in the merged output (FIRST_CREATED_ID + merged[n]):
 * every JSON integer outside strings that is such an id. Ids copied into strings are left.
 */
export function renumber(line: string, first: number, n: number, merged: readonly number[]): string {
  let out = '';
  let from = 0;
  let i = 0;
  const len = line.length;
  while (i < len) {
    const c = line.charCodeAt(i);
    if (c === 34) {
      // Skip a string.
      i++;
      while (i < len) {
        const d = line.charCodeAt(i);
        if (d === 92) i += 2;
        else if (d === 34) break;
        else i++;
      }
      i++;
      continue;
    }
    if (c >= 48 && c <= 57 && !isNumberChar(line.charCodeAt(i - 1))) {
      let j = i;
      while (j < len && line.charCodeAt(j) >= 48 && line.charCodeAt(j) <= 57) j++;
      if (j - i === 16 && !isNumberChar(line.charCodeAt(j))) {
        const v = Number(line.slice(i, j));
        const local = (v - first) / n;
        if (v >= first && Number.isInteger(local) && local < merged.length) {
          out += line.slice(from, i) + String(FIRST_CREATED_ID + merged[local]!);
          from = j;
        }
      }
      i = j;
      continue;
    }
    i++;
  }
  return from === 0 ? line : out + line.slice(from);
}

/** A character that continues a JSON number (so digits next to it are not a whole integer). */
function isNumberChar(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 45 || c === 43;
}

/** The next line of a shard output as text, or null at its end. */
async function nextLine(s: ShardStream): Promise<string | null> {
  return s.lines.take() || (await s.lines.next()) ? s.lines.text() : null;
}

async function readHeader(s: ShardStream): Promise<void> {
  const line = await nextLine(s);
  let header: unknown;
  try {
    header = line === null ? null : JSON.parse(line);
  } catch {
    header = null;
  }
  const inner = header !== null && typeof header === 'object' ? (header as Record<string, unknown>)[OUTPUT_HEADER_KEY] : undefined;
  if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) {
    throw new UsageError(`${s.lines.name} is not the output of rete-eval run on a shard (its first line is no shard output header)`);
  }
  const id = parseShardIdentity(inner as Record<string, unknown>);
  if (typeof id === 'string') throw new UsageError(`${s.lines.name}:1: ${id}`);
  s.identity = id;
  const h = inner as Record<string, unknown>;
  s.style = `--values ${String(h.values)}${h.chain === false ? ' --no-chain' : ''}`;
}

/** All outputs of one split, each shard once. */
function checkSet(shards: readonly ShardStream[]): ShardIdentity {
  const first = shards[0]!.identity;
  const seen = new Map<number, string>();
  for (const s of shards) {
    const id = s.identity;
    if (id.split !== first.split) throw new UsageError(`${s.lines.name} is from another split than ${shards[0]!.lines.name}: merge the outputs of one split`);
    if (s.style !== shards[0]!.style) {
      throw new UsageError(`${s.lines.name} was run with ${s.style}, ${shards[0]!.lines.name} with ${shards[0]!.style}: run every shard with the same options`);
    }
    const other = seen.get(id.shard);
    if (other !== undefined) throw new UsageError(`${s.lines.name} and ${other} are both shard ${id.shard}: give each shard's output once`);
    seen.set(id.shard, s.lines.name);
  }
  if (seen.size !== first.shards) {
    const missing = Array.from({ length: first.shards }, (_, k) => k).filter((k) => !seen.has(k));
    throw new UsageError(
      `the split has ${first.shards} shards; the output of shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing`,
    );
  }
  return first;
}

async function readMarker(s: ShardStream): Promise<void> {
  const line = await nextLine(s);
  if (line === null) throw new InputError(`${s.lines.name}: the shard output ends early (no closing line): was the run cut short, or the file truncated?`);
  parseMarker(s, line);
}

function parseMarker(s: ShardStream, line: string): void {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new InputError(`${s.where()}: expected a marker line of a shard output, got ${line.slice(0, 60)}`);
  }
  const created = m.c === undefined ? 0 : m.c;
  if (typeof m['@'] === 'number') {
    s.kind = 'step';
    s.position = m['@'];
  } else if (Array.isArray(m['@end']) && m['@end'].length >= 2 && m['@end'].every((x) => typeof x === 'number')) {
    s.kind = 'end';
    const [rank, ...refs] = m['@end'] as number[];
    s.rank = rank!;
    s.refs = refs;
    s.ambiguous = m.a === 1;
  } else if (m[OUTPUT_TRAILER_KEY] !== undefined) {
    s.kind = 'done';
    const t = m[OUTPUT_TRAILER_KEY] as { firings?: unknown; created?: unknown };
    if (typeof t.firings !== 'number' || typeof t.created !== 'number') throw new InputError(`${s.where()}: a closing line without counts`);
    s.trailer = { firings: t.firings, created: t.created };
    return;
  } else throw new InputError(`${s.where()}: expected a marker line of a shard output, got ${line.slice(0, 60)}`);
  if (typeof created !== 'number' || !Number.isSafeInteger(created) || created < 0)
    throw new InputError(`${s.where()}: a marker's created count is not a count`);
  s.created = created;
}
