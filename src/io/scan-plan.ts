// The projection a scanner works to: which top-level keys of a record (and of a reference
// record's data.fields) to extract, as byte tables that match a key without making a string.
// Built once per run, on the main thread and again in each worker from the same field list.

/** Meta slots, always extracted: the fact decoder reads them in both record shapes. */
export const SLOT_ID = 0;
export const SLOT_TIMESTAMP = 1;
export const SLOT_EXTERNAL_ID = 2;
export const META_SLOTS = 3;

/** One key a table matches: its UTF-8 bytes and what it stands for. */
interface KeyEntry {
  /** Position in the table. */
  readonly index: number;
  readonly bytes: Uint8Array;
  readonly name: string;
  /** Meta slot (0–2) or -1. */
  readonly meta: number;
  /** Field slot (0-based among the projected fields) or -1. */
  readonly field: number;
  /** The top-level `data` key (reference-shape detection). */
  readonly data: boolean;
}

/** Slots of a KeyTable's hash of (length, first byte, last byte). */
const KEY_SLOTS = 1024;

/**
 * Matches key bytes to entries: a small hash of the key's length and its first and last
 * bytes rejects most keys at once (measured: a list per length cost a tenth of the scan),
 * then one candidate is compared byte by byte.
 */
export class KeyTable {
  private readonly byLength: (KeyEntry[] | undefined)[] = [];
  private readonly byName = new Map<string, number>();
  /** Entry index + 1 for a unique candidate, -1 for several (use byLength), 0 for none. */
  private readonly slots = new Int32Array(KEY_SLOTS);
  readonly entries: KeyEntry[] = [];
  /** Some name contains U+FFFD: non-ASCII key bytes must be decoded before matching. */
  readonly decodeHighKeys: boolean;

  constructor(entries: KeyEntry[]) {
    this.entries = entries;
    let replacement = false;
    entries.forEach((e, i) => {
      (this.byLength[e.bytes.length] ??= []).push(e);
      this.byName.set(e.name, i);
      if (e.name.includes('\uFFFD')) replacement = true;
      const n = e.bytes.length;
      const h = n === 0 ? 0 : keySlot(n, e.bytes[0]!, e.bytes[n - 1]!);
      this.slots[h] = this.slots[h] === 0 ? i + 1 : -1;
    });
    this.decodeHighKeys = replacement;
  }

  /** The entry index whose bytes equal b[start, end), or -1. */
  match(b: Uint8Array, start: number, end: number): number {
    const n = end - start;
    const v = this.slots[n === 0 ? 0 : keySlot(n, b[start]!, b[end - 1]!)]!;
    if (v === 0) return -1;
    if (v > 0) {
      const key = this.entries[v - 1]!.bytes;
      if (key.length !== n) return -1;
      let i = 0;
      while (i < n && b[start + i] === key[i]) i++;
      return i === n ? v - 1 : -1;
    }
    const list = this.byLength[n];
    if (list === undefined) return -1;
    for (let k = 0; k < list.length; k++) {
      const key = list[k]!.bytes;
      let i = 0;
      while (i < n && b[start + i] === key[i]) i++;
      if (i === n) return list[k]!.index;
    }
    return -1;
  }

  /** The entry index for a key given as a string (escaped or non-ASCII keys, decoded), or -1. */
  matchName(name: string): number {
    return this.byName.get(name) ?? -1;
  }
}

function keySlot(length: number, first: number, last: number): number {
  return (length * 61 + first * 7 + last) & (KEY_SLOTS - 1);
}

export interface ScanPlan {
  /** The projected field names, in slot order. */
  readonly fields: readonly string[];
  /** Top-level keys: meta keys, `data`, and (for flat records) the projected fields. */
  readonly top: KeyTable;
  /** Keys of a reference record's data.fields: the projected fields. */
  readonly inner: KeyTable;
  /** Slots per record: the meta slots, then one per projected field. */
  readonly slots: number;
  /** The top-table entry of each meta slot. */
  readonly topIndex: readonly number[];
}

const encoder = new TextEncoder();

/**
 * Plans compiled per list of fields (by identity). A plan is immutable once compiled, so the
 * readers of a server's requests on one rule set share its plan: compiling it per request
 * (its key tables' typed arrays) was 2% of the server's time on 1-fact requests.
 */
const plans = new WeakMap<readonly string[], ScanPlan>();

/** The plan for these fields: compiled once per array (a rule set's reads.fields). */
export function scanPlanFor(fields: readonly string[]): ScanPlan {
  let plan = plans.get(fields);
  if (plan === undefined) {
    plan = compileScanPlan(fields);
    plans.set(fields, plan);
  }
  return plan;
}

export function compileScanPlan(fields: readonly string[]): ScanPlan {
  const top = new Map<string, { meta: number; field: number; data: boolean }>();
  const at = (name: string) => {
    let e = top.get(name);
    if (e === undefined) {
      e = { meta: -1, field: -1, data: false };
      top.set(name, e);
    }
    return e;
  };
  at('id').meta = SLOT_ID;
  at('timestamp').meta = SLOT_TIMESTAMP;
  at('external_id').meta = SLOT_EXTERNAL_ID;
  at('data').data = true;
  fields.forEach((f, i) => {
    at(f).field = i;
  });
  const entry = (index: number, name: string, v: { meta: number; field: number; data: boolean }): KeyEntry => ({
    index,
    bytes: encoder.encode(name),
    name,
    ...v,
  });
  const topTable = new KeyTable([...top].map(([name, v], i) => entry(i, name, v)));
  return {
    fields,
    top: topTable,
    topIndex: [SLOT_ID, SLOT_TIMESTAMP, SLOT_EXTERNAL_ID].map((m) => topTable.entries.findIndex((e) => e.meta === m)),
    inner: new KeyTable(fields.map((f, i) => entry(i, f, { meta: -1, field: i, data: false }))),
    slots: META_SLOTS + fields.length,
  };
}
