// A bucket of a hash-indexed memory: the tokens or facts that share one join key.
// Entries are a plain array (removal swaps the last entry in: order is not kept, and need
// not be, since the agenda orders matches itself). Where entries can be removed, a bucket
// past SMALL entries becomes a Set, so removal stays O(1) however many facts share a key;
// where they cannot (nothing is ever retracted), it stays an array: 8 bytes an entry
// instead of a Set's ~40. One class for both, so call sites stay monomorphic.

const SMALL = 16;

export class Bucket<T> {
  /** The entries while the bucket is small (empty once it is a Set). */
  items: T[];
  /** The entries once the bucket grew past SMALL; null before. */
  set: Set<T> | null;
  /** Whether the bucket may turn into a Set (entries can be removed). */
  private readonly removable: boolean;
  constructor(first: T, removable: boolean) {
    this.items = [first];
    this.set = null;
    this.removable = removable;
  }

  get size(): number {
    return this.set === null ? this.items.length : this.set.size;
  }

  add(x: T): void {
    const set = this.set;
    if (set !== null) set.add(x);
    else if (this.items.length < SMALL || !this.removable) this.items.push(x);
    else {
      const grown = new Set(this.items);
      grown.add(x);
      this.set = grown;
      this.items = [];
    }
  }

  /** Removes an entry; false when it was not there. */
  delete(x: T): boolean {
    const set = this.set;
    if (set !== null) return set.delete(x);
    const items = this.items;
    const i = items.indexOf(x);
    if (i < 0) return false;
    const last = items.pop()!;
    if (i < items.length) items[i] = last;
    return true;
  }

  /**
   * The entries, to iterate with an index loop: the array itself while the bucket is small
   * (callers do not add to or remove from a bucket they iterate: nodes only change other
   * nodes' memories meanwhile), a copy once it is a Set (the copy costs what the loop does).
   */
  entries(): readonly T[] {
    return this.set === null ? this.items : Array.from(this.set);
  }
}

/** Adds to a bucketed memory. */
export function addTo<K, T>(map: Map<K, Bucket<T>>, key: K, x: T, removable: boolean): void {
  const b = map.get(key);
  if (b === undefined) map.set(key, new Bucket(x, removable));
  else b.add(x);
}

/** Removes from a bucketed memory; true when the entry was there. */
export function removeFrom<K, T>(map: Map<K, Bucket<T>>, key: K, x: T): boolean {
  const b = map.get(key);
  if (b === undefined || !b.delete(x)) return false;
  if (b.size === 0) map.delete(key);
  return true;
}
