// A session's beta network: the memories and nodes of a compiled BetaPlan, with their
// contents. Inserting a fact sends it down the patterns' alpha tree; in each memory it
// reaches it is added, then the memory's nodes are told, deepest first (so a fact that
// feeds two patterns of one rule makes each combination once). Retracting a fact takes it
// out of its memories, removes every token built on it (through its child and token
// lists: no scans), then lets not/exists nodes recount. A change to a field some pattern
// reads is a retraction before the write and an insertion after the firing
// (Session.willChange), so the network never holds a value that differs from the one it indexed.

import { cloneValue, type FieldMap } from '../model/value.js';
import { collectMemories } from './alpha-node.js';
import { removeChildren, removeToken, type BetaNode, type BetaRun, type BetaSink } from './beta-node.js';
import type { BetaKind, BetaPlan } from './beta-plan.js';
import { JoinGroup, groupKey } from './join-group.js';
import { HashJoin, JoinNode } from './join-node.js';
import { AlphaMemory } from './memory.js';
import { NegationNode } from './negation-node.js';
import type { Mismatches } from './predicates.js';
import { StartNode } from './start-node.js';
import type { Wme } from './wme.js';

/** What one node of the network holds, for the run report. */
export interface NodeMemoryStats {
  /** `M<n>` for an alpha memory, `B<n>` for a beta node (as explain numbers them). */
  node: string;
  kind: 'alpha-memory' | BetaKind;
  /** The memory's tests, or the node's pattern and join. */
  label: string;
  rules: number[];
  /** Facts (alpha memory) or left matches (join, not, exists) held at the end, and at most. */
  held: number;
  peakHeld: number;
  /** Tokens the node made that were live at the end, and at most (not for alpha memories). */
  tokens: number;
  peakTokens: number;
}

export class BetaNetwork {
  readonly plan: BetaPlan;
  readonly memories: readonly AlphaMemory[];
  readonly nodes: readonly BetaNode[];
  private readonly notNodes: NegationNode[] = [];
  private readonly m: Mismatches;
  private readonly scratch: number[] = [];
  /** Facts in the network now, and at most. */
  held = 0;
  peakHeld = 0;

  /**
   * `retractable`: facts can leave the network (DeleteFact, or changes to fields patterns
   * read); `link`: matches can be taken back, so tokens keep their links.
   */
  constructor(plan: BetaPlan, sink: BetaSink, m: Mismatches, retractable: boolean, link: boolean) {
    this.plan = plan;
    this.m = m;
    const run: BetaRun = { sink, m, recheck: new Array<number>(m.length).fill(0), link };
    const memories = plan.memories.map((s) => new AlphaMemory(s, retractable));
    const nodes: BetaNode[] = [];
    for (const spec of plan.nodes) {
      const memory = memories[spec.memory.id]!;
      const hash = spec.hash ? new HashJoin(spec.hash.left.pattern, spec.hash.left.read, memory.indexes[spec.hash.indexPos]!) : null;
      let node: BetaNode;
      if (spec.kind === 'start') node = new StartNode(spec, run);
      else if (spec.kind === 'join') {
        const sharedLeft = spec.sharedLeftIndex === null ? null : memories[spec.parent!.memory.id]!;
        node = new JoinNode(spec, run, memory, hash, sharedLeft);
      } else {
        const neg = new NegationNode(spec, run, memory, hash);
        if (spec.kind === 'not') this.notNodes.push(neg);
        node = neg;
      }
      nodes.push(node);
      if (spec.parent) nodes[spec.parent.id]!.children.push(node);
    }
    for (const mem of memories) {
      // Joins that would walk the same bucket walk it once, together, in the first one's
      // place (the members are all right after a start node: one depth, so the order holds).
      const groups = new Map<string, JoinNode[]>();
      const slots: (BetaNode | JoinNode[])[] = [];
      for (const s of mem.spec.successors) {
        const node = nodes[s.id]!;
        const key = groupKey(s);
        const group = key === null ? undefined : groups.get(key);
        if (group !== undefined) group.push(node as JoinNode);
        else if (key !== null) {
          const joins = [node as JoinNode];
          groups.set(key, joins);
          slots.push(joins);
        } else slots.push(node);
        if (s.kind !== 'join') mem.onLeave.push(node);
      }
      for (const slot of slots) {
        if (!Array.isArray(slot)) mem.successors.push(slot);
        else mem.successors.push(slot.length === 1 ? slot[0]! : new JoinGroup(slot, m));
      }
    }
    this.memories = memories;
    this.nodes = nodes;
  }

  /**
   * Sends a fact into the network: into each alpha memory it passes, one memory at a
   * time, telling the memory's nodes deepest first. A node thus meets the fact on its
   * right before any match holding the fact reaches its left, so each combination is made
   * once. Returns whether the fact reached some memory.
   */
  insert(w: Wme): boolean {
    const scratch = this.scratch;
    const n = collectMemories(this.plan.root, w.fields, scratch, 0, this.m);
    if (n === 0) return false;
    w.active = true;
    if (++this.held > this.peakHeld) this.peakHeld = this.held;
    // (Nodes never insert facts while they are told of one, so the scratch list stays ours.)
    for (let i = 0; i < n; i++) {
      const mem = this.memories[scratch[i]!]!;
      mem.add(w);
      const ss = mem.successors;
      for (let j = 0; j < ss.length; j++) ss[j]!.rightAdd(w);
    }
    return true;
  }

  /**
   * Takes a fact out: out of its memories, then every token built on it (and their
   * pending activations) goes, then not/exists nodes recount without it.
   */
  retract(w: Wme): void {
    if (!w.active) return;
    const ids = w.more === null ? [w.memory] : [w.memory, ...w.more];
    const ms = ids.map((id) => this.memories[id]!);
    w.memory = -1;
    w.more = null;
    for (let i = 0; i < ms.length; i++) ms[i]!.remove(w);
    removeChildren(w);
    while (w.firstToken !== null) removeToken(w.firstToken);
    w.active = false;
    w.gen++;
    for (let i = 0; i < ms.length; i++) {
      const leave = ms[i]!.onLeave;
      for (let j = 0; j < leave.length; j++) leave[j]!.rightRemove(w);
    }
    this.held--;
  }

  /** --no-chain: the fact is about to change; the network keeps seeing it as it was inserted. */
  freeze(w: Wme): void {
    if (w.active && w.fields === w.fact.fields) w.fields = cloneValue(w.fact.fields) as FieldMap;
  }

  /** End of input: not-patterns are decided from now on. */
  open(): void {
    for (const n of this.notNodes) n.openNow();
  }

  memoryStats(): NodeMemoryStats[] {
    const out: NodeMemoryStats[] = [];
    for (const mem of this.memories) {
      const s = mem.spec;
      out.push({
        node: `M${s.id}`,
        kind: 'alpha-memory',
        label: `${s.aliases.join('/')}: ${s.label}`,
        rules: [...s.rules],
        held: mem.size,
        peakHeld: mem.peak,
        tokens: 0,
        peakTokens: 0,
      });
    }
    for (const n of this.nodes) {
      const s = n.spec;
      const shared = s.sharedLeftIndex !== null;
      out.push({
        node: `B${s.id}`,
        kind: s.kind,
        label:
          `${s.kind} ${s.alias} ← M${s.memory.id}` +
          (s.kind === 'start' ? (s.filter.length > 0 ? `; filters ${s.filter.map((t) => t.label).join(', ')}` : '') : ` (${s.joinLabel})`) +
          (shared ? `; left: the facts of M${s.parent!.memory.id}` : ''),
        rules: [...s.rules],
        // A start node passes its memory's facts on as they are; a join after it reads them there.
        held: n.leftSize(),
        peakHeld: n.peakLeftSize(),
        tokens: n.tokens,
        peakTokens: n.peakTokens,
      });
    }
    return out;
  }
}
