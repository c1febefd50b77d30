// json-rules-engine rules in the network: tests shared by key (and kept apart where they
// differ), the explain labels, type-mismatch counting, the record keys ruleReads gives the
// projected reader, and the event written byte for byte alike by firingLine and FiringWriter.

import { describe, expect, it } from 'vitest';
import { compileRules } from '../../src/engine.js';
import { FiringWriter, firingLine } from '../../src/io/serialize.js';
import { decodeFact } from '../../src/model/fact.js';
import { ruleReads } from '../../src/model/reads.js';
import type { Firing } from '../../src/model/types.js';
import { formatExplain } from '../../src/rete/explain.js';
import { FiringLog } from '../../src/rete/firing-log.js';
import { Session } from '../../src/rete/session.js';

const cond = (fact: string, operator: string, value: unknown, path?: string) =>
  path === undefined ? { fact, operator, value } : { fact, path, operator, value };
const rule = (all: unknown[], type = 't', extra: object = {}) => ({ conditions: { all }, event: { type }, ...extra });

function network(rules: unknown) {
  return compileRules(rules, 'json-rules-engine').network;
}

describe('sharing', () => {
  it('shares a condition that two rules both have, and keeps apart what reads or compares differently', () => {
    const n = network([
      rule([cond('a', 'equal', 1), cond('b', 'greaterThan', 2)]),
      rule([cond('a', 'equal', 1)]),
      rule([cond('a', 'equal', '1')]),
      rule([cond('x', 'equal', 1, '$.a.b')]),
      rule([cond('x', 'equal', 1, "$['a.b']")]),
      rule([cond('x', 'equal', 1, '$.a.b')]),
      rule([cond('a', 'equal', { fact: 'b' })]),
      rule([cond('a', 'equal', { factx: 'b' })]),
    ]);
    expect(n.tests.map((t) => t.label).sort()).toEqual(
      ['a equal 1', 'a equal "1"', 'a equal {"factx":"b"}', 'a equal {fact: b}', 'b greaterThan 2', 'x $.a.b equal 1', "x $['a.b'] equal 1"].sort(),
    );
  });

  it('shows json-rules-engine conditions in explain', () => {
    const text = formatExplain(
      network({ rules: [rule([cond('account', 'in', ['a', 'b'], '$.type'), { not: cond('tags', 'contains', 'x') }], 'e', { name: 'n', priority: 2 })] }),
    );
    expect(text).toContain('account $.type in ["a","b"]');
    expect(text).toContain('Not(tags contains "x")');
    expect(text).toContain('fires rule 0 "n" (salience 2)');
  });
});

describe('type mismatches', () => {
  it('counts what json-rules-engine refuses or throws on, not a missing fact value', () => {
    const n = network([rule([cond('age', 'lessThan', 30)], 'a'), rule([cond('age', 'in', { fact: 'list' })], 'b'), rule([cond('tags', 'contains', 1)], 'c')]);
    const session = new Session(n, {});
    const facts = [{ age: 'abc' }, { age: 3, list: 5 }, {}, { tags: 'x' }, { age: 3, list: [3], tags: [1] }];
    facts.forEach((f, i) => {
      session.insert(decodeFact(f, i));
    });
    session.end();
    const byLabel = Object.fromEntries(n.tests.map((t) => [t.label, session.stats.mismatches[t.slot]]));
    // `in` against a missing or non-array fact value throws in json-rules-engine: 4 records of 5.
    expect(byLabel).toEqual({ 'age lessThan 30': 1, 'age in {fact: list}': 4, 'tags contains 1': 1 });
    expect(session.stats.firings).toBe(4);
  });
});

describe('ruleReads', () => {
  it('reads each fact as a whole top-level key, a dotted name included, and the facts values name', () => {
    const { rules } = compileRules(
      [rule([cond('a.b', 'equal', 1), cond('account', 'equal', { fact: 'limits', path: '$.max' }, '$.x.y')])],
      'json-rules-engine',
    );
    expect(ruleReads(rules)).toEqual({ whole: false, fields: ['a.b', 'account', 'limits'] });
  });
});

describe('output', () => {
  it('writes the event as the rule has it, in every firing line, alike from firingLine and FiringWriter, plain and tagged', () => {
    const events = [
      { type: 'plain' },
      { type: 'with params', params: { n: 1.5, whole: 2, s: 'é"\\\n', list: [null, true, { deep: [] }], date: '2024-01-15T10:30:00Z' } },
      { type: 7, params: ['x'] },
    ];
    const { network: n } = compileRules(
      events.map((event, i) => ({ name: `r${i}`, conditions: { any: [cond('k', 'equal', i), cond('all', 'equal', true)] }, event })),
      'json-rules-engine',
    );
    const records: Firing[] = [];
    const log = new FiringLog(n);
    const session = new Session(n, { onFiring: (f) => records.push(f), log });
    const facts = [{ k: 0 }, { k: 2 }, { all: true }, { k: 1, id: 40 }];
    facts.forEach((f, i) => {
      session.insert(decodeFact(f, i));
    });
    session.end();
    for (const style of ['plain', 'tagged'] as const) {
      const lines = new FiringWriter(style).lines(log);
      expect(lines).toBe(records.map((f) => firingLine(f, style)).join(''));
      expect(
        lines
          .split('\n')
          .slice(0, -1)
          .map((l) => JSON.parse(l).actions_executed[0].Event),
      ).toEqual([events[0], events[2], events[0], events[1], events[2], events[1]]);
    }
    expect(records.map((f) => [f.rule_id, f.rule_name, f.fact_id])).toEqual([
      [0, 'r0', 0],
      [2, 'r2', 1],
      [0, 'r0', 2],
      [1, 'r1', 2],
      [2, 'r2', 2],
      [1, 'r1', 40],
    ]);
    // One object per rule, whatever the number of firings.
    expect(records[0]!.actions_executed[0]).toBe(records[2]!.actions_executed[0]);
    expect(new FiringWriter('plain').lines(log).split('\n')[0]).toBe(
      '{"rule_id":0,"rule_name":"r0","fact_id":0,"actions_executed":[{"Event":{"type":"plain"}}]}',
    );
  });
});
