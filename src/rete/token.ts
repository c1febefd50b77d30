// Tokens and working-memory elements of the beta network (multi-fact rules).
//
// A Wme is one fact as the beta network holds it: the fact itself (never copied), the
// field map the network reads (the fact's own, or under --no-chain a snapshot taken when
// the fact is about to change), the alpha memories it sits in, and the tokens built on it.
//
// A Token is a partial match: a linked list back to the first pattern, one link per
// pattern. Each link names the Wme its pattern bound (null for a not/exists pattern,
// which binds nothing) and the node that made it. Tokens keep intrusive doubly-linked
// lists of their children and of the tokens sharing their Wme, so that retracting a fact
// visits exactly the tokens built on it and their descendants: no scans.

import type { Fact } from '../model/fact.js';
import type { FieldMap } from '../model/value.js';
import type { AlphaMemory } from './memory.js';
import type { BetaNode } from './beta-node.js';

export class Wme {
  readonly fact: Fact;
  /**
   * The fields the network reads. Normally `fact.fields`; under --no-chain a copy taken
   * before the fact's first change, so the network keeps seeing the fact as inserted.
   * Invariant: these values do not change while the Wme is in the network (a change in a
   * field some pattern reads retracts the fact first), so keys and tests recomputed at
   * retraction equal those computed at insertion.
   */
  fields: FieldMap;
  /** The fact's insertion order (agenda order and refraction keys use it). */
  readonly seq: number;
  /** The first alpha memory holding this Wme, and the others (null while there are none), in the order it entered them. */
  memory: AlphaMemory | null;
  more: AlphaMemory[] | null;
  /** Head of the list of tokens that bind this Wme (linked through Token.prevOfWme/nextOfWme). */
  firstToken: Token | null;
  dead: boolean;
  constructor(fact: Fact, fields: FieldMap) {
    this.fact = fact;
    this.fields = fields;
    this.seq = fact.seq;
    this.memory = null;
    this.more = null;
    this.firstToken = null;
    this.dead = false;
  }
}

export class Token {
  /** The token of the previous pattern; null for a first-pattern token. */
  readonly parent: Token | null;
  /** The Wme this token's pattern bound; null for a not/exists pattern. */
  readonly wme: Wme | null;
  /** The node that made this token (its pattern's node). */
  readonly node: BetaNode;
  firstChild: Token | null;
  prevSibling: Token | null;
  nextSibling: Token | null;
  prevOfWme: Token | null;
  nextOfWme: Token | null;
  /** Not/exists tokens: how many facts of the pattern's memory match (with Refs bound). */
  count: number;
  /**
   * Passed on to the node's children and terminals. Join and first-pattern tokens are
   * active from birth until removed; a not/exists token is active while its condition holds.
   */
  active: boolean;
  /** Bumped each time an active token is withdrawn: activations made before are stale. */
  gen: number;

  constructor(parent: Token | null, wme: Wme | null, node: BetaNode) {
    this.parent = parent;
    this.wme = wme;
    this.node = node;
    this.firstChild = null;
    this.prevSibling = null;
    this.nextSibling = null;
    this.prevOfWme = null;
    this.nextOfWme = null;
    this.count = 0;
    this.active = false;
    this.gen = 0;
    if (parent !== null) {
      const first = parent.firstChild;
      this.nextSibling = first;
      if (first !== null) first.prevSibling = this;
      parent.firstChild = this;
    }
    if (wme !== null) {
      const first = wme.firstToken;
      this.nextOfWme = first;
      if (first !== null) first.prevOfWme = this;
      wme.firstToken = this;
    }
  }

  /** Takes this token out of its parent's child list and its Wme's token list. */
  unlink(): void {
    const parent = this.parent;
    if (parent !== null) {
      if (this.prevSibling !== null) this.prevSibling.nextSibling = this.nextSibling;
      else parent.firstChild = this.nextSibling;
      if (this.nextSibling !== null) this.nextSibling.prevSibling = this.prevSibling;
    }
    const wme = this.wme;
    if (wme !== null) {
      if (this.prevOfWme !== null) this.prevOfWme.nextOfWme = this.nextOfWme;
      else wme.firstToken = this.nextOfWme;
      if (this.nextOfWme !== null) this.nextOfWme.prevOfWme = this.prevOfWme;
    }
    this.prevSibling = this.nextSibling = this.prevOfWme = this.nextOfWme = null;
  }
}

/** The field map bound by the pattern `steps` links above `t` (0 = t's own pattern). */
export function fieldsAt(t: Token, steps: number): FieldMap {
  let cur = t;
  for (let i = 0; i < steps; i++) cur = cur.parent!;
  return cur.wme!.fields;
}
