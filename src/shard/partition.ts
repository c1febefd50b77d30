// Partition analysis: whether a rule set can run on parts of its input (shards) and give,
// together, what one run over all of it gives; and by what key each fact is placed. Facts
// that can meet in a rule (joined patterns, one aggregation group, a fact and the fact an
// UpdateFact/DeleteFact addresses by id) must land in one shard; facts no rule relates may
// land anywhere. Worked out from the validated rules and the compiled network's writes.
//
// The model: each need is a role, "facts passing these Equal tests are keyed by this key".
// A role's tests are its Equal-against-a-constant conditions on fields no action writes (so
// a fact's role never changes after it is placed; fewer tests only widen a role). Two roles
// whose tests can both hold must use the same key, else no single key serves both.

import { rootField, readPath } from '../model/path.js';
import type { Action, Condition, Pattern, Rule } from '../model/types.js';
import { DateValue, formatRfc3339, FloatValue, parseRfc3339, valuesEqual, type FieldMap, type Value } from '../model/value.js';
import { canonical } from '../rete/keys.js';
import type { Network } from '../rete/network.js';

/** What a fact is keyed by: the values at some field paths (a tuple), or its fact id. */
export type KeySource = { readonly kind: 'fields'; readonly paths: readonly string[] } | { readonly kind: 'id' };

/** An Equal test against a constant, on a field no action writes. */
export interface GuardTest {
  readonly path: string;
  readonly value: Value;
}

/** Facts passing every test of `guard` are keyed by `key`, because of `because`. */
export interface KeyClass {
  readonly guard: readonly GuardTest[];
  readonly key: KeySource;
  readonly rules: readonly number[];
  /** Why, in words: `rule 1 joins e.dept_id = d.dept_id`. */
  readonly because: readonly string[];
  /** The key is an id its rules address facts by (UpdateFact, DeleteFact): the facts with that id must be in the same shard. */
  readonly addresses: boolean;
}

/** Why a rule set does not partition, naming the rules. */
export interface PartitionProblem {
  readonly rules: readonly number[];
  readonly message: string;
}

export type Partition =
  /** Only single-fact rules (no fact relates to another): any cut works; split cuts contiguous blocks. */
  | { readonly partitions: true; readonly kind: 'any'; readonly reason: string }
  | {
      readonly partitions: true;
      readonly kind: 'keyed';
      /** Tried in order: a fact takes the key of the first class whose guard it passes. */
      readonly classes: readonly KeyClass[];
      /** The key of a fact in no class: its id (rules address facts by id), or null: anywhere. */
      readonly otherwise: KeySource | null;
      /**
       * Rules that address facts by id from a field (UpdateFact, DeleteFact): a fact keyed by
       * anything but its id must not be one they address; split checks that on the input.
       */
      readonly addressing: readonly number[];
    }
  | { readonly partitions: false; readonly problems: readonly PartitionProblem[] };

/** One need of one rule, before roles are merged into classes. */
interface Role {
  readonly rule: Rule;
  readonly guard: readonly GuardTest[];
  readonly key: KeySource;
  readonly because: string;
  /** An aggregation's group: every fact is in one, so its key must serve every fact. */
  readonly everyFact: boolean;
  /** The key is the id of a fact the rule addresses. */
  readonly addresses?: boolean;
}

/** Analyses validated rules with their compiled network (for what actions write). */
export function analyzePartition(rules: readonly Rule[], network: Network): Partition {
  const written = new Set<string>();
  for (const t of network.terminals) for (const a of t.actions) for (const w of a.writes()) written.add(w);
  const writers = (field: string) =>
    rules.filter((r) => network.terminals.some((t) => t.rule === r && t.actions.some((a) => a.writes().includes(field)))).map((r) => r.id);
  const problems: PartitionProblem[] = [];
  const roles: Role[] = [];
  const addressing: number[] = [];
  const creators: { rule: Rule; action: Extract<Action, { kind: 'CreateFact' }> }[] = [];
  const guardOf = (conds: readonly Condition[]) => guardTests(conds).filter((g) => !written.has(rootField(g.path)));
  /** A key read from fields an action writes: a fact could change key after it is placed. */
  const keyWritten = (rule: Rule, paths: readonly string[], what: string): boolean => {
    const hit = paths.find((p) => written.has(rootField(p)));
    if (hit === undefined) return false;
    const by = writers(rootField(hit));
    problems.push({
      rules: [rule.id, ...by],
      message: `${ruleName(rule)} ${what} ${hit}, which ${rulesText(by)} write${by.length === 1 ? 's' : ''}: a fact's key could change after it is placed`,
    });
    return true;
  };

  for (const rule of rules) {
    const patterns = rule.patterns;
    // The conditions each fact of the rule passes, by pattern (a single-fact rule: one "pattern").
    const conds: readonly (readonly Condition[])[] = patterns === null ? [rule.conditions] : patterns.map((p) => p.conditions);
    const windows = rule.conditions.flatMap((c) => (c.kind === 'stream' ? [c.alias] : []));
    if (windows.length > 0) {
      problems.push({
        rules: [rule.id],
        message: `${ruleName(rule)} has stream window${windows.length === 1 ? '' : 's'} (${windows.join(', ')}) over all facts, in time or input order: no key keeps a window's facts together`,
      });
    }
    for (const c of rule.conditions) {
      if (c.kind === 'aggregation') {
        if (c.groupBy.length === 0) {
          problems.push({ rules: [rule.id], message: `${ruleName(rule)} aggregates ${c.sourceField} without group_by: one group of all facts` });
        } else if (!keyWritten(rule, c.groupBy, 'groups by')) {
          roles.push({
            rule,
            guard: [],
            key: { kind: 'fields', paths: c.groupBy },
            because: `${ruleName(rule)} groups facts by [${c.groupBy.join(', ')}]`,
            everyFact: true,
          });
        }
      }
    }
    if (patterns !== null && patterns.length > 1) joinRoles(rule, patterns, guardOf, keyWritten, roles, problems);
    for (const a of rule.actions) {
      if (a.kind === 'CreateFact') creators.push({ rule, action: a });
      if (a.kind !== 'UpdateFact' && a.kind !== 'DeleteFact') continue;
      addressing.push(rule.id);
      // The fact the id is read from: the action's target pattern, or the alias the field names.
      let at = patterns === null || a.target === null ? 0 : patterns.findIndex((p) => p.alias === a.target);
      let path = a.factIdField;
      const alias = rootField(path);
      const named = patterns?.findIndex((p) => p.alias === alias && !p.not && !p.exists) ?? -1;
      if (named >= 0 && alias !== path) {
        at = named;
        path = path.slice(alias.length + 1);
      }
      const key: KeySource = path === 'id' ? { kind: 'id' } : { kind: 'fields', paths: [path] };
      if (key.kind === 'fields' && keyWritten(rule, key.paths, `addresses facts by the id in`)) continue;
      const how = a.kind === 'UpdateFact' ? 'updates' : 'deletes';
      roles.push({
        rule,
        guard: guardOf(conds[at]!),
        key,
        because: `${ruleName(rule)} ${how} the fact whose id is in ${a.factIdField}`,
        everyFact: false,
        addresses: true,
      });
    }
  }
  if (problems.length > 0) return { partitions: false, problems: dedupe(problems) };
  if (roles.length === 0 && addressing.length === 0) {
    return { partitions: true, kind: 'any', reason: 'every rule reads one fact at a time' };
  }

  const classes = mergeRoles(roles, addressing, problems);
  if (problems.length === 0) checkCreated(creators, classes, written, problems);
  if (problems.length > 0) return { partitions: false, problems: dedupe(problems) };
  const uniqueAddressing = [...new Set(addressing)];
  return { partitions: true, kind: 'keyed', classes, otherwise: uniqueAddressing.length > 0 ? { kind: 'id' } : null, addressing: uniqueAddressing };
}

/**
 * The roles of a multi-fact rule's patterns: each is keyed by the field its hash join
 * compares (the first Equal against a Ref, as the beta network joins), and a pattern
 * referenced by a join is keyed by the field the Ref names. A pattern keyed two ways, or
 * joined without an Equal Ref, has no one key.
 */
function joinRoles(
  rule: Rule,
  patterns: readonly Pattern[],
  guardOf: (conds: readonly Condition[]) => GuardTest[],
  keyWritten: (rule: Rule, paths: readonly string[], what: string) => boolean,
  roles: Role[],
  problems: PartitionProblem[],
): void {
  const keys = new Array<string | undefined>(patterns.length);
  const joins: string[] = [];
  const index = new Map(patterns.map((p, i) => [p.alias, i]));
  const setKey = (i: number, path: string): boolean => {
    const known = keys[i];
    if (known !== undefined && known !== path) {
      problems.push({
        rules: [rule.id],
        message: `${ruleName(rule)} joins pattern ${patterns[i]!.alias} on ${known} and on ${path}: its facts would need two keys`,
      });
      return false;
    }
    keys[i] = path;
    return true;
  };
  for (let i = 1; i < patterns.length; i++) {
    const p = patterns[i]!;
    const hash = hashJoin(p.conditions);
    if (hash === null) {
      problems.push({
        rules: [rule.id],
        message: `${ruleName(rule)} joins pattern ${p.alias} without an Equal against a Ref (a cross product): every fact meets every other`,
      });
      return;
    }
    const left = index.get(hash.alias)!;
    if (!setKey(i, hash.path) || !setKey(left, hash.refPath)) return;
    joins.push(`${p.alias}.${hash.path} = ${hash.alias}.${hash.refPath}`);
  }
  patterns.forEach((p, i) => {
    const path = keys[i];
    if (path === undefined) {
      problems.push({ rules: [rule.id], message: `${ruleName(rule)}: its pattern ${p.alias} is in no join, so nothing keys its facts` });
      return;
    }
    if (keyWritten(rule, [path], `joins on`)) return;
    const because = `${ruleName(rule)} joins its pattern ${p.alias} on ${path} (${joins.join(', ')})`;
    roles.push({ rule, guard: guardOf(p.conditions), key: { kind: 'fields', paths: [path] }, because, everyFact: false });
  });
}

/** The hash join of a pattern: its first Equal against a Ref (outside Or/Not), as the beta network picks it. */
function hashJoin(conds: readonly Condition[]): { path: string; alias: string; refPath: string } | null {
  for (const c of conds) {
    if (c.kind === 'and') {
      const inner = hashJoin(c.conditions);
      if (inner !== null) return inner;
    } else if (c.kind === 'simple' && c.ref !== null && c.operator === 'Equal') return { path: c.field, alias: c.ref.alias, refPath: c.ref.field };
  }
  return null;
}

/** The Equal-against-a-constant conditions a fact must pass (top level, or inside And). */
function guardTests(conds: readonly Condition[]): GuardTest[] {
  const out: GuardTest[] = [];
  for (const c of conds) {
    if (c.kind === 'and') out.push(...guardTests(c.conditions));
    else if (c.kind === 'simple' && c.ref === null && c.operator === 'Equal') out.push({ path: c.field, value: c.value });
  }
  return out;
}

/**
 * Merges roles into key classes. An aggregation group holds every fact, so with one the
 * whole input has one key: the group_by fields all groups share (or the one field joins and
 * id-addressing use, when it is one of them). Otherwise roles whose tests can hold together
 * must agree on their key.
 */
function mergeRoles(roles: readonly Role[], addressing: readonly number[], problems: PartitionProblem[]): KeyClass[] {
  const groups = roles.filter((r) => r.everyFact);
  if (groups.length > 0) {
    const g0 = groups[0]!;
    if (addressing.length > 0) {
      problems.push({
        rules: unique([...addressing, g0.rule.id]),
        message: `rule ${addressing[0]} addresses facts by id, but ${g0.because}, and every fact is in a group: a fact and the fact it addresses may be in different groups`,
      });
      return [];
    }
    let shared = fieldPaths(g0.key).slice();
    for (const g of groups.slice(1)) shared = shared.filter((p) => fieldPaths(g.key).includes(p));
    if (shared.length === 0) {
      problems.push({
        rules: unique(groups.map((g) => g.rule.id)),
        message: `${unique(groups.map((g) => g.because)).join('; ')}: no field is in every group_by`,
      });
      return [];
    }
    for (const r of roles) {
      if (r.everyFact) continue;
      const paths = fieldPaths(r.key);
      const single = paths.length === 1 ? paths[0]! : null;
      if (single === null || !shared.includes(single)) {
        problems.push({
          rules: unique([r.rule.id, g0.rule.id]),
          message: `${r.because}, keyed by ${keyText(r.key)}; but ${g0.because}, and every fact is in a group: no single key serves both`,
        });
        return [];
      }
      shared = [single];
    }
    return [
      {
        guard: [],
        key: { kind: 'fields', paths: shared },
        rules: unique(roles.map((r) => r.rule.id)),
        because: unique(roles.map((r) => r.because)),
        addresses: false,
      },
    ];
  }
  const classes: { guard: GuardTest[]; key: KeySource; rules: number[]; because: string[]; first: Role; addresses: boolean }[] = [];
  for (const r of roles) {
    const same = classes.find((c) => sameKey(c.key, r.key) && sameGuard(c.guard, r.guard));
    if (same !== undefined) {
      if (!same.rules.includes(r.rule.id)) same.rules.push(r.rule.id);
      if (!same.because.includes(r.because)) same.because.push(r.because);
      if (r.addresses === true) same.addresses = true;
      continue;
    }
    const clash = classes.find((c) => !sameKey(c.key, r.key) && !disjoint(c.guard, r.guard));
    if (clash !== undefined) {
      // The facts both can take: those passing both guards.
      const kind = guardText([...clash.guard, ...r.guard.filter((g) => !clash.guard.some((x) => x.path === g.path && valuesEqual(x.value, g.value)))]);
      problems.push({
        rules: unique([clash.first.rule.id, r.rule.id]),
        message: `${clash.first.because}, keying ${kind} by ${keyText(clash.key)}; ${r.because}, keying them by ${keyText(r.key)}: no single key serves both`,
      });
      continue;
    }
    classes.push({ guard: [...r.guard], key: r.key, rules: [r.rule.id], because: [r.because], first: r, addresses: r.addresses === true });
  }
  return classes.map(({ guard, key, rules, because, addresses }) => ({ guard, key, rules, because, addresses }));
}

/**
 * Facts a rule creates stay in the shard of the fact that created them: they must not be
 * able to enter a key class (their key could name another shard). A created fact is kept
 * out of a class when one of its Equal tests fails on the created fields: a constant that
 * differs, or a field it does not set (guard fields are never written, so they stay so).
 */
function checkCreated(
  creators: readonly { rule: Rule; action: Extract<Action, { kind: 'CreateFact' }> }[],
  classes: readonly KeyClass[],
  written: ReadonlySet<string>,
  problems: PartitionProblem[],
): void {
  for (const { rule, action } of creators) {
    const fields: FieldMap = {};
    const unknown = new Set<string>(['id']);
    for (const [name, v] of Object.entries(action.fields)) {
      if (v.ref === null) fields[name] = v.value;
      else unknown.add(rootField(name));
    }
    for (const c of classes) {
      const kept = c.guard.some((g) => {
        const root = rootField(g.path);
        if (unknown.has(root) || written.has(root)) return false;
        const v = readPath(fields, g.path);
        return v === undefined || !valuesEqual(v, g.value);
      });
      if (!kept) {
        problems.push({
          rules: unique([rule.id, ...c.rules]),
          message: `${ruleName(rule)} creates facts that may be ${guardText(c.guard)}, keyed by ${keyText(c.key)} (${c.because[0]}): a created fact stays in the shard of the fact that created it`,
        });
      }
    }
  }
}

/** Two guards no fact can pass together: an Equal test on one field against two different constants. */
function disjoint(a: readonly GuardTest[], b: readonly GuardTest[]): boolean {
  return a.some((x) => b.some((y) => x.path === y.path && plainConstant(x.value) && plainConstant(y.value) && !valuesEqual(x.value, y.value)));
}

/** A constant whose Equal is not by instant (a date, or a string that reads as one, can equal values of either kind). */
function plainConstant(v: Value): boolean {
  return !(v instanceof DateValue) && !(typeof v === 'string' && !Number.isNaN(parseRfc3339(v)));
}

function fieldPaths(key: KeySource): readonly string[] {
  return key.kind === 'fields' ? key.paths : [];
}

function sameKey(a: KeySource, b: KeySource): boolean {
  if (a.kind !== b.kind) return false;
  return (
    a.kind === 'id' ||
    (a.paths.length === (b as { paths: readonly string[] }).paths.length && a.paths.every((p, i) => p === (b as { paths: readonly string[] }).paths[i]))
  );
}

function sameGuard(a: readonly GuardTest[], b: readonly GuardTest[]): boolean {
  return a.length === b.length && a.every((x) => b.some((y) => x.path === y.path && valuesEqual(x.value, y.value)));
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

function dedupe(problems: readonly PartitionProblem[]): PartitionProblem[] {
  const byMessage = new Map<string, PartitionProblem>();
  for (const p of problems) if (!byMessage.has(p.message)) byMessage.set(p.message, p);
  return [...byMessage.values()];
}

function ruleName(rule: Rule): string {
  return `rule ${rule.id} ${JSON.stringify(rule.name)}`;
}

function rulesText(ids: readonly number[]): string {
  return ids.length === 1 ? `rule ${ids[0]}` : `rules ${ids.join(', ')}`;
}

/** A value as a rule would write it, for messages. */
export function valueText(v: Value): string {
  if (v instanceof FloatValue) return String(v.value);
  if (v instanceof DateValue) return JSON.stringify(formatRfc3339(v.ms));
  return JSON.stringify(v) ?? String(v);
}

/** `facts with type = "employee"`, or `every fact`. */
export function guardText(guard: readonly GuardTest[]): string {
  return guard.length === 0 ? 'every fact' : `facts with ${guard.map((g) => `${g.path} = ${valueText(g.value)}`).join(' and ')}`;
}

/** `dept_id`, `[employee_id, week]`, or `their id`. */
export function keyText(key: KeySource): string {
  if (key.kind === 'id') return 'their id';
  return key.paths.length === 1 ? key.paths[0]! : `[${key.paths.join(', ')}]`;
}

/**
 * The partition as one canonical text (JSON of its classes' tests, keys and default key):
 * two rule sets that place every fact alike have the same signature. Shards carry it, so a
 * shard is run only with rules that place facts as the split did.
 */
export function partitionSignature(p: Partition): string {
  if (!p.partitions) return 'none';
  if (p.kind === 'any') return JSON.stringify(['any']);
  const key = (k: KeySource | null) => (k === null ? null : k.kind === 'id' ? ['id'] : ['fields', ...k.paths]);
  return JSON.stringify(['keyed', p.classes.map((c) => [c.guard.map((g) => [g.path, canonical(g.value)]), key(c.key)]), key(p.otherwise)]);
}
