// Partition analysis (src/shard/partition.ts) and fact placement (src/shard/key.ts): which
// rule sets split into shards and by what key, which are refused and why (naming the rules),
// and that facts that can meet always land in one shard.

import { describe, it, expect } from 'vitest';
import { compileRuleFiles, compileRules } from '../../src/engine.js';
import { WORKLOADS } from '../../src/bench/workloads.js';
import { analyzePartition, partitionSignature, type Partition } from '../../src/shard/partition.js';
import { describePartition, explainPartition } from '../../src/shard/describe.js';
import { hashText, keyPart, ShardKeys } from '../../src/shard/key.js';
import { decodeFact } from '../../src/model/fact.js';
import { DateValue, FloatValue } from '../../src/model/value.js';

function analyze(rules: unknown[]): Partition {
  const c = compileRules(rules);
  return analyzePartition(c.rules, c.network);
}

const log = { action_type: { Log: { message: 'x' } } };
const eq = (field: string, value: unknown) => ({ field, operator: 'Equal', value });
const ref = (field: string, r: string) => ({ field, operator: 'Equal', value: { Ref: r } });
const single = (id: number, conditions: unknown[], actions: unknown[] = [log]) => ({ id, name: `r${id}`, conditions, actions });
const join = (id: number, patterns: unknown[], actions: unknown[] = [log]) => ({ id, name: `r${id}`, patterns, actions });
const empDept = (id: number, empKey = 'dept_id', deptKey = 'dept_id') =>
  join(id, [
    { alias: 'e', conditions: [eq('type', 'employee')] },
    { alias: 'd', conditions: [eq('type', 'dept'), ref(deptKey, `e.${empKey}`)] },
  ]);
const agg = (id: number, groupBy: string[], extra: unknown[] = []) =>
  single(id, [...extra, { aggregation_type: 'Sum', source_field: 'hours', group_by: groupBy, alias: 's', window: null }]);

function problems(p: Partition): string[] {
  expect(p.partitions).toBe(false);
  return p.partitions ? [] : p.problems.map((x) => x.message);
}

describe('analyzePartition', () => {
  it('lets any cut serve single-fact rules', () => {
    const p = analyze([single(1, [eq('status', 'active')]), single(2, [], [{ action_type: { SetField: { field: 'x', value: 1 } } }])]);
    expect(p).toMatchObject({ partitions: true, kind: 'any' });
    expect(describePartition(p)[0]).toMatch(/^any cut works/);
  });

  it('keys both sides of a join by the fields its Equal Ref compares', () => {
    const p = analyze([empDept(1, 'dept', 'code')]);
    expect(p.partitions && p.kind === 'keyed' && p.classes.map((c) => [c.guard.map((g) => `${g.path}=${String(g.value)}`), c.key])).toEqual([
      [['type=employee'], { kind: 'fields', paths: ['dept'] }],
      [['type=dept'], { kind: 'fields', paths: ['code'] }],
    ]);
    expect(describePartition(p)).toEqual([
      'facts with type = "employee": by dept (rule 1 "r1" joins its pattern e on dept (d.code = e.dept))',
      'facts with type = "dept": by code (rule 1 "r1" joins its pattern d on code (d.code = e.dept))',
      'any other fact: anywhere (no rule relates it to another fact)',
    ]);
  });

  it('gives the bench workloads their verdicts', () => {
    const verdict = (w: keyof typeof WORKLOADS) => {
      const c = compileRules(WORKLOADS[w].rules(100_000));
      return explainPartition(analyzePartition(c.rules, c.network));
    };
    expect(verdict('simple').kind).toBe('any');
    expect(verdict('payroll').kind).toBe('any');
    expect(verdict('join').classes.map((c) => c.key)).toEqual([{ fields: ['dept_id'] }, { fields: ['dept_id'] }]);
    expect(verdict('join10').classes.map((c) => c.rules.length)).toEqual([10, 10]);
    expect(verdict('aggregate').classes).toEqual([
      { when: [], key: { fields: ['employee_id', 'week'] }, rules: [1], because: ['rule 1 "Weekly overtime" groups facts by [employee_id, week]'] },
    ]);
  });

  it('keys the fixtures by the id a rule deletes by, and every other fact by its id', () => {
    const c = compileRuleFiles(['fixtures/rules.json']);
    const p = analyzePartition(c.rules, c.network);
    expect(describePartition(p)).toEqual([
      'facts with record_type = "cancellation": by order_id (rule 30 "Order cancellation" deletes the fact whose id is in order_id)',
      'any other fact: by its id (rule 30 addresses facts by id)',
    ]);
  });

  it('refuses joins that key one kind of fact by two fields, naming both rules', () => {
    const c = compileRuleFiles(['fixtures/join-rules.json']);
    const p = analyzePartition(c.rules, c.network);
    expect(p.partitions).toBe(false);
    if (p.partitions) return;
    expect(p.problems[0]!.rules).toEqual([10, 14]);
    expect(p.problems[0]!.message).toMatch(
      /rule 10 .* keying facts with record_type = "employee" by dept_code; rule 14 .* keying them by emp_code: no single key serves both/,
    );
  });

  it('accepts two keys where Equal tests keep the kinds of fact apart', () => {
    const p = analyze([
      empDept(1),
      join(2, [
        { alias: 't', conditions: [eq('type', 'timesheet')] },
        { alias: 'e', conditions: [eq('type', 'person'), ref('code', 't.emp')] },
      ]),
    ]);
    expect(p.partitions).toBe(true);
  });

  it('refuses a cross product, a pattern keyed twice, a stream window, an aggregation without group_by', () => {
    expect(
      problems(
        analyze([
          join(1, [
            { alias: 'a', conditions: [] },
            { alias: 'b', conditions: [{ field: 'x', operator: 'GreaterThan', value: { Ref: 'a.x' } }] },
          ]),
        ]),
      ),
    ).toEqual(['rule 1 "r1" joins pattern b without an Equal against a Ref (a cross product): every fact meets every other']);
    expect(
      problems(
        analyze([
          join(1, [
            { alias: 'a', conditions: [] },
            { alias: 'b', conditions: [ref('k', 'a.x')] },
            { alias: 'c', conditions: [ref('k', 'a.y')] },
          ]),
        ]),
      ),
    ).toEqual(['rule 1 "r1" joins pattern a on x and on y: its facts would need two keys']);
    const window = { window_spec: { Tumbling: { duration_ms: 1000 } }, aggregation: 'Count', alias: 'n' };
    expect(problems(analyze([single(3, [window])]))[0]).toMatch(/^rule 3 "r3" has stream window \(n\) over all facts/);
    expect(problems(analyze([agg(4, [])]))).toEqual(['rule 4 "r4" aggregates hours without group_by: one group of all facts']);
  });

  it('keys every fact by a group_by field every group and join shares', () => {
    const keyOf = (p: Partition) => (p.partitions && p.kind === 'keyed' ? p.classes.map((c) => c.key) : null);
    expect(keyOf(analyze([agg(1, ['a', 'b']), agg(2, ['b', 'c'])]))).toEqual([{ kind: 'fields', paths: ['b'] }]);
    expect(keyOf(analyze([agg(1, ['dept_id', 'week']), empDept(2)]))).toEqual([{ kind: 'fields', paths: ['dept_id'] }]);
    expect(problems(analyze([agg(1, ['a']), agg(2, ['b'])]))[0]).toMatch(/no field is in every group_by/);
    expect(problems(analyze([agg(1, ['week']), empDept(2)]))[0]).toMatch(/rule 2 .* keyed by dept_id; but rule 1 "r1" groups facts by \[week\]/);
  });

  it('keys facts that UpdateFact/DeleteFact act on by the id field, and refuses id addressing with groups', () => {
    const del = single(1, [eq('kind', 'cancel')], [{ action_type: { DeleteFact: { fact_id_field: 'order_id' } } }]);
    const self = single(2, [eq('kind', 'close')], [{ action_type: { UpdateFact: { fact_id_field: 'id', updates: { closed: true } } } }]);
    const p = analyze([del, self]);
    expect(p.partitions && p.kind === 'keyed' && [p.classes.map((c) => [c.key, c.addresses]), p.otherwise, p.addressing]).toEqual([
      [
        [{ kind: 'fields', paths: ['order_id'] }, true],
        [{ kind: 'id' }, true],
      ],
      { kind: 'id' },
      [1, 2],
    ]);
    expect(problems(analyze([del, agg(3, ['order_id'])]))[0]).toMatch(/rule 1 addresses facts by id, but rule 3 "r3" groups facts by \[order_id\]/);
  });

  it('refuses a key field an action writes, naming the rule that writes it', () => {
    const set = single(5, [eq('type', 'employee')], [{ action_type: { SetField: { field: 'dept_id', value: 3 } } }]);
    expect(problems(analyze([empDept(1), set]))).toEqual(['rule 1 "r1" joins on dept_id, which rule 5 writes: a fact\'s key could change after it is placed']);
  });

  it('drops tests on fields actions write from a kind of fact (its facts may change kind), which can make kinds meet', () => {
    const retype = single(5, [eq('x', 1)], [{ action_type: { SetField: { field: 'type', value: 'dept' } } }]);
    expect(problems(analyze([empDept(1, 'dept_id', 'code'), retype]))[0]).toMatch(/keying every fact by dept_id; .* keying them by code/);
  });

  it('refuses rules that create facts a key class may take, and accepts created facts kept out by a constant', () => {
    const create = (type: string) => single(7, [eq('type', 'employee')], [{ action_type: { CreateFact: { data: { fields: { type: { String: type } } } } } }]);
    expect(problems(analyze([empDept(1), create('dept')]))[0]).toMatch(
      /^rule 7 "r7" creates facts that may be facts with type = "dept", keyed by dept_id .*: a created fact stays in the shard of the fact that created it$/,
    );
    expect(analyze([empDept(1), create('alert')]).partitions).toBe(true);
    expect(problems(analyze([agg(1, ['a']), create('alert')]))[0]).toMatch(/creates facts that may be every fact, keyed by a/);
  });

  it("signs a partition by how it places facts, not by the rules' names or actions", () => {
    const a = partitionSignature(analyze([empDept(1)]));
    expect(partitionSignature(analyze([{ ...empDept(9), name: 'other', actions: [{ action_type: { SetField: { field: 'z', value: 1 } } }] }]))).toBe(a);
    expect(partitionSignature(analyze([empDept(1, 'dept', 'code')]))).not.toBe(a);
    expect(partitionSignature(analyze([single(1, [])]))).toBe('["any"]');
  });
});

describe('fact placement', () => {
  it('hashes values that can be Equal alike, and keeps a missing field apart from null', () => {
    expect(keyPart(5)).toBe(keyPart(new FloatValue(5)));
    expect(keyPart(-0)).toBe(keyPart(0));
    expect(keyPart('2024-01-01T01:00:00+01:00')).toBe(keyPart(new DateValue(Date.UTC(2024, 0, 1))));
    expect(keyPart([1])).toBe(keyPart({ a: 1 }));
    expect(new Set([keyPart(undefined), keyPart(null), keyPart('5'), keyPart(5), keyPart(true), keyPart('t')]).size).toBe(6);
    expect(hashText('abc')).toBe(0x1a47e90b);
  });

  it('sends facts of one key to one shard, whichever class gives it, and others by position', () => {
    const c = compileRules([empDept(1, 'dept', 'code')]);
    const p = analyzePartition(c.rules, c.network);
    if (!p.partitions || p.kind !== 'keyed') throw new Error('keyed expected');
    const keys = new ShardKeys(p.classes, p.otherwise, 7);
    for (let k = 0; k < 50; k++) {
      const e = keys.shardOf(decodeFact({ type: 'employee', dept: k }, 0), 0);
      const d = keys.shardOf(decodeFact({ id: 3, data: { fields: { type: { String: 'dept' }, code: { Float: k } } } }, 1), 1);
      expect(e).toBe(d);
    }
    expect(keys.shardOf(decodeFact({ type: 'other' }, 12), 12)).toBe(12 % 7);
  });

  it('spreads a tuple key over the shards and keeps tuple parts apart', () => {
    const c = compileRules([agg(1, ['a', 'b'])]);
    const p = analyzePartition(c.rules, c.network);
    if (!p.partitions || p.kind !== 'keyed') throw new Error('keyed expected');
    const keys = new ShardKeys(p.classes, p.otherwise, 4);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[keys.shardOf(decodeFact({ a: i % 97, b: i % 13 }, i), i)]!++;
    for (const n of counts) expect(n).toBeGreaterThan(700);
    keys.shardOf(decodeFact({ a: 'x:1', b: 'y' }, 0), 0);
    const t1 = keys.keyText;
    keys.shardOf(decodeFact({ a: 'x', b: '1:y' }, 0), 0);
    expect(keys.keyText).not.toBe(t1);
  });
});
