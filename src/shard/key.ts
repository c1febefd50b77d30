// Which shard a fact goes to under a keyed partition: the first key class whose Equal tests
// it passes gives its key (field values, or its id); the key's hash picks the shard. The
// hash is over a text form in which two values that can be Equal (as joins and groups
// compare them) always agree, so facts that can meet always share a shard.

import type { Fact } from '../model/fact.js';
import { compilePath, type FieldReader } from '../model/path.js';
import { valuesEqual, type Value } from '../model/value.js';
import { joinKey } from '../rete/keys.js';
import type { KeyClass, KeySource } from './partition.js';

/**
 * A value's text for hashing: numbers by value (Integer 5 = Float 5.0, -0 = 0), strings
 * that read as RFC 3339 instants by their instant (as dates are), arrays and objects in one
 * bucket (they are compared one by one where they meet), a missing field apart from null.
 */
export function keyPart(v: Value | undefined): string {
  const k = joinKey(v);
  if (k === undefined) return v === undefined ? 'm' : 'x';
  if (typeof k === 'number') return `n${k === 0 ? 0 : k}`;
  if (typeof k === 'string') return `s${k}`;
  if (k === null) return 'z';
  return k ? 't' : 'f';
}

/** FNV-1a over the UTF-16 units of a text: the same on every machine and every run. */
export function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

interface CompiledClass {
  readonly tests: readonly { read: FieldReader; value: Value }[];
  readonly key: CompiledKey;
  /** The class's key is the id its rules address facts by (UpdateFact/DeleteFact). */
  readonly addresses: boolean;
}

type CompiledKey = { readonly id: true } | { readonly id: false; readonly reads: readonly FieldReader[] };

function compileKey(key: KeySource): CompiledKey {
  return key.kind === 'id' ? { id: true } : { id: false, reads: key.paths.map(compilePath) };
}

/** Where the last placed fact's key came from, for the id-addressing check. */
export const enum Placed {
  /** In no class and no default key: placed by position. */
  Anywhere = 0,
  /** Keyed by its own id. */
  ById = 1,
  /** Keyed by field values. */
  ByFields = 2,
}

export class ShardKeys {
  private readonly classes: readonly CompiledClass[];
  private readonly otherwise: CompiledKey | null;
  private readonly shards: number;
  /** After shardOf: how the fact was keyed, its key text, and whether its class addresses facts by that key. */
  placed: Placed = Placed.Anywhere;
  keyText = '';
  addresses = false;

  constructor(classes: readonly KeyClass[], otherwise: KeySource | null, shards: number) {
    this.classes = classes.map((c) => ({
      tests: c.guard.map((g) => ({ read: compilePath(g.path), value: g.value })),
      key: compileKey(c.key),
      addresses: c.addresses,
    }));
    this.otherwise = otherwise === null ? null : compileKey(otherwise);
    this.shards = shards;
  }

  /** The shard of a fact; `position` places a fact that no key places. */
  shardOf(fact: Fact, position: number): number {
    const fields = fact.fields;
    let key: CompiledKey | null = this.otherwise;
    this.addresses = false;
    for (const c of this.classes) {
      let pass = true;
      for (let i = 0; i < c.tests.length && pass; i++) {
        const v = c.tests[i]!.read(fields);
        pass = v !== undefined && valuesEqual(v, c.tests[i]!.value);
      }
      if (pass) {
        key = c.key;
        this.addresses = c.addresses;
        break;
      }
    }
    if (key === null) {
      this.placed = Placed.Anywhere;
      return position % this.shards;
    }
    let text: string;
    if (key.id) {
      this.placed = Placed.ById;
      text = `n${fact.id}`;
    } else {
      this.placed = Placed.ByFields;
      const reads = key.reads;
      if (reads.length === 1) text = keyPart(reads[0]!(fields));
      else {
        text = '';
        // Length-prefixed parts: a tuple's text is injective.
        for (const read of reads) {
          const part = keyPart(read(fields));
          text += `${part.length}:${part}`;
        }
      }
    }
    this.keyText = text;
    return hashText(text) % this.shards;
  }
}
