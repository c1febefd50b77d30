// Working-memory elements and partial matches. A Wme is a session's record of one fact it
// holds: the fact stays the domain value (id, fields, timestamp, shape); what a run knows
// about it (insertion order, retraction, the rules that fired on it, pending activations,
// its place in the beta network) lives here, owned by the session.
//
// A match of a multi-fact rule's first pattern is the fact's Wme itself: no object is made
// for it. A match of two or more patterns is a Token: the facts bound so far (null for a
// not/exists pattern, which binds none), its parent match and the node that made it. When
// matches can be taken back (facts retracted or changed, not/exists counts moving), tokens
// keep intrusive doubly-linked lists of their children and of the tokens sharing their fact,
// so retracting a fact visits exactly the tokens built on it: no scans. When nothing can be
// taken back, tokens are not linked, and a token nobody holds is garbage.

import type { Fact } from '../model/fact.js';
import type { FieldMap } from '../model/value.js';

/** A match of the first k patterns of a rule: a Wme (k = 1) or a Token (k ≥ 2). */
export interface PartialMatch {
  /** The fact bound by pattern `p` (< k); null for a not/exists pattern. */
  factAt(p: number): Wme | null;
  /** Passed on to children and terminals now (activations on an inactive match are stale). */
  readonly active: boolean;
  /** Bumped each time the match is withdrawn. */
  readonly gen: number;
  firstChild: Token | null;
}

/** An activation as a fact's list of pending ones sees it. */
export interface PendingActivation {
  cancelled: boolean;
  readonly terminal: { readonly index: number };
}

/** The beta node that made a token, as token removal sees it. */
export interface TokenOwner {
  /** Nodes whose left input the owner's matches are. */
  readonly children: readonly { leftRemove(t: PartialMatch): void }[];
  /** Active tokens the owner holds. */
  tokens: number;
  /** A token it made is being removed for good. */
  ownedRemoved(t: Token): void;
}

// Wme flag bits.
const RETRACTED = 1;
const DIRTY = 2;
const ACTIVE = 4;

/**
 * What a Wme needs only in some runs (pending activations and fired rules when facts can be
 * matched again or deleted, a second alpha memory, linked tokens): made when first set, so
 * the record every held fact has stays 7 fields (80 bytes instead of 128; on bench join 1M
 * the records are held for every fact to the end).
 */
class WmeLinks {
  fired: number[] | null = null;
  pending: PendingActivation[] | null = null;
  more: number[] | null = null;
  firstChild: Token | null = null;
  firstToken: Token | null = null;
}

export class Wme implements PartialMatch {
  /** The fact (reassigned only when the session hands a free record on: RunPlan.recycleRecords). */
  fact: Fact;
  /** Insertion order in the session: the agenda's last tie-break, and refraction's identity. */
  seq: number;
  /**
   * The fields the beta network reads: the fact's own, or under --no-chain a copy taken
   * before its first change (the network keeps seeing the fact as inserted). Invariant:
   * these values do not change while the Wme is in the beta network (a change in a field
   * some pattern reads takes it out first), so keys computed at removal equal those at insertion.
   */
  fields: FieldMap;
  /** RETRACTED, DIRTY and ACTIVE (see their accessors). */
  private flags = 0;
  /** Bumped each time it leaves the beta network: activations made on it before are stale. */
  gen = 0;
  /** The id of the first alpha memory holding it (-1: none); the others are in `more`. */
  memory = -1;
  private links: WmeLinks | null = null;

  constructor(fact: Fact, seq: number) {
    this.fact = fact;
    this.seq = seq;
    this.fields = fact.fields;
  }

  /** Whether nothing holds this record: it is not in the beta network and has no links. */
  get free(): boolean {
    return (this.flags & ACTIVE) === 0 && this.links === null;
  }

  /** Makes a free record (see `free`) the record of another fact (RunPlan.recycleRecords). */
  reuse(fact: Fact, seq: number): void {
    this.fact = fact;
    this.seq = seq;
    this.fields = fact.fields;
    this.flags = 0;
  }

  /** As a one-fact partial match: the first pattern's fact is itself. */
  factAt(): Wme {
    return this;
  }

  get retracted(): boolean {
    return (this.flags & RETRACTED) !== 0;
  }
  set retracted(v: boolean) {
    this.flags = v ? this.flags | RETRACTED : this.flags & ~RETRACTED;
  }
  /** Queued for re-propagation after the current firing. */
  get dirty(): boolean {
    return (this.flags & DIRTY) !== 0;
  }
  set dirty(v: boolean) {
    this.flags = v ? this.flags | DIRTY : this.flags & ~DIRTY;
  }
  /** In the beta network now: as the first pattern's match, it is passed on while active. */
  get active(): boolean {
    return (this.flags & ACTIVE) !== 0;
  }
  set active(v: boolean) {
    this.flags = v ? this.flags | ACTIVE : this.flags & ~ACTIVE;
  }

  private linked(): WmeLinks {
    if (this.links === null) this.links = new WmeLinks();
    return this.links;
  }
  /** Terminal indexes of the single-fact rules that fired on it (kept when it can re-propagate). */
  get fired(): number[] | null {
    return this.links === null ? null : this.links.fired;
  }
  set fired(v: number[] | null) {
    if (v !== null || this.links !== null) this.linked().fired = v;
  }
  /** Activations waiting on it (kept when they can be cancelled). */
  get pending(): PendingActivation[] | null {
    return this.links === null ? null : this.links.pending;
  }
  set pending(v: PendingActivation[] | null) {
    if (v !== null || this.links !== null) this.linked().pending = v;
  }
  /** The ids of the alpha memories holding it besides `memory` (null while there are none). */
  get more(): number[] | null {
    return this.links === null ? null : this.links.more;
  }
  set more(v: number[] | null) {
    if (v !== null || this.links !== null) this.linked().more = v;
  }
  /** Tokens extending it (it is their parent), linked through Token.prevSibling/nextSibling. */
  get firstChild(): Token | null {
    return this.links === null ? null : this.links.firstChild;
  }
  set firstChild(v: Token | null) {
    if (v !== null || this.links !== null) this.linked().firstChild = v;
  }
  /** Tokens binding it as a later pattern's fact, linked through Token.prevOfWme/nextOfWme. */
  get firstToken(): Token | null {
    return this.links === null ? null : this.links.firstToken;
  }
  set firstToken(v: Token | null) {
    if (v !== null || this.links !== null) this.linked().firstToken = v;
  }
}

export class Token implements PartialMatch {
  readonly parent: Wme | Token;
  /** This pattern's fact; null for a not/exists pattern. */
  readonly wme: Wme | null;
  /** The facts of every pattern up to this one, in pattern order. */
  readonly facts: readonly (Wme | null)[];
  /** The node that made this token. */
  readonly node: TokenOwner;
  firstChild: Token | null = null;
  prevSibling: Token | null = null;
  nextSibling: Token | null = null;
  prevOfWme: Token | null = null;
  nextOfWme: Token | null = null;
  /** Not/exists tokens: how many facts of the pattern's memory match (with Refs bound). */
  count = 0;
  /**
   * Passed on to the node's children and terminals. Join tokens are active from birth until
   * removed; a not/exists token is active while its condition holds.
   */
  active = false;
  /** Bumped each time an active token is withdrawn: activations made before are stale. */
  gen = 0;

  constructor(parent: Wme | Token, wme: Wme | null, node: TokenOwner, link: boolean) {
    this.parent = parent;
    this.wme = wme;
    this.node = node;
    this.facts = parent instanceof Token ? [...parent.facts, wme] : [parent, wme];
    if (!link) return;
    const first = parent.firstChild;
    this.nextSibling = first;
    if (first !== null) first.prevSibling = this;
    parent.firstChild = this;
    if (wme !== null) {
      const head = wme.firstToken;
      this.nextOfWme = head;
      if (head !== null) head.prevOfWme = this;
      wme.firstToken = this;
    }
  }

  factAt(p: number): Wme | null {
    return this.facts[p]!;
  }

  /** Takes this token out of its parent's child list and its fact's token list. */
  unlink(): void {
    const parent = this.parent;
    if (this.prevSibling !== null) this.prevSibling.nextSibling = this.nextSibling;
    else if (parent.firstChild === this) parent.firstChild = this.nextSibling;
    if (this.nextSibling !== null) this.nextSibling.prevSibling = this.prevSibling;
    const wme = this.wme;
    if (wme !== null) {
      if (this.prevOfWme !== null) this.prevOfWme.nextOfWme = this.nextOfWme;
      else if (wme.firstToken === this) wme.firstToken = this.nextOfWme;
      if (this.nextOfWme !== null) this.nextOfWme.prevOfWme = this.prevOfWme;
    }
    this.prevSibling = this.nextSibling = this.prevOfWme = this.nextOfWme = null;
  }
}
