// Shard runs and merge, in process: on random inputs for a rule set with joins fired at
// insertion, not/exists patterns decided at end of input, facts created (and their ids
// renumbered) at both times, deletes by id and salience, split → run each shard → merge
// must give the bytes one run over the whole input gives, for any number of shards. Also:
// the renumbering of created ids, and the checks merge makes on what it is given.

import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBatch } from '../../src/pipeline.js';
import { splitInput } from '../../src/shard/split.js';
import { mergeOutputs, renumber } from '../../src/shard/merge.js';
import { FIRST_CREATED_ID } from '../../src/model/fact.js';
import { InputError, PartitionError, RejectLimitError, UsageError } from '../../src/model/errors.js';

const RULES = [
  {
    id: 1,
    name: 'Employee in a department',
    salience: 5,
    patterns: [
      {
        alias: 'e',
        conditions: [
          { field: 'type', operator: 'Equal', value: 'employee' },
          { field: 'salary', operator: 'GreaterThan', value: 50 },
        ],
      },
      {
        alias: 'd',
        conditions: [
          { field: 'type', operator: 'Equal', value: 'dept' },
          { field: 'dept_id', operator: 'Equal', value: { Ref: 'e.dept_id' } },
        ],
      },
    ],
    actions: [
      { target: 'e', action_type: { SetField: { field: 'in_dept', value: true } } },
      { action_type: { CreateFact: { data: { fields: { type: 'alert', dept_id: { Ref: 'd.dept_id' } } } } } },
    ],
  },
  {
    id: 2,
    name: 'Alert seen',
    conditions: [{ field: 'type', operator: 'Equal', value: 'alert' }],
    actions: [{ action_type: { SetField: { field: 'seen', value: true } } }],
  },
  {
    id: 3,
    name: 'Empty department',
    patterns: [
      { alias: 'd', conditions: [{ field: 'type', operator: 'Equal', value: 'dept' }] },
      {
        alias: 'e',
        not: true,
        conditions: [
          { field: 'type', operator: 'Equal', value: 'employee' },
          { field: 'dept_id', operator: 'Equal', value: { Ref: 'd.dept_id' } },
        ],
      },
    ],
    actions: [{ action_type: { CreateFact: { data: { fields: { type: 'alert', empty: true, dept_id: { Ref: 'd.dept_id' } } } } } }],
  },
  {
    id: 4,
    name: 'Well-paid member',
    salience: 2,
    patterns: [
      { alias: 'd', conditions: [{ field: 'type', operator: 'Equal', value: 'dept' }] },
      {
        alias: 'e',
        exists: true,
        conditions: [
          { field: 'type', operator: 'Equal', value: 'employee' },
          { field: 'dept_id', operator: 'Equal', value: { Ref: 'd.dept_id' } },
          { field: 'salary', operator: 'GreaterThan', value: 90 },
        ],
      },
    ],
    actions: [{ action_type: { Log: { message: 'has a well-paid member' } } }],
  },
  {
    id: 5,
    name: 'Cancel',
    conditions: [{ field: 'type', operator: 'Equal', value: 'cancel' }],
    actions: [{ action_type: { DeleteFact: { fact_id_field: 'order_id' } } }],
  },
  {
    id: 6,
    name: 'Order',
    salience: -1,
    conditions: [{ field: 'type', operator: 'Equal', value: 'order' }],
    actions: [{ action_type: { SetField: { field: 'priced', value: true } } }],
  },
];

let dir: string;
let rules: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shard-merge-'));
  rules = join(dir, 'rules.json');
  writeFileSync(rules, JSON.stringify(RULES));
});

let runs = 0;

/** split into n shards → run each → merge; and one run over the whole: both outputs. */
async function splitRunMerge(
  lines: readonly string[],
  n: number,
  values: 'plain' | 'tagged' = 'plain',
): Promise<{ single: string; merged: string; unordered: number }> {
  const d = join(dir, `case-${runs++}`);
  const facts = join(dir, `facts-${runs}.ndjson`);
  writeFileSync(facts, lines.map((l) => l + '\n').join(''));
  await splitInput({ rulesFiles: [rules], inputs: [facts], shards: n, outDir: d });
  const shards = readdirSync(d).sort();
  const outputs: string[] = [];
  for (const s of shards) {
    const out = join(d, `${s}.out`);
    await runBatch({ rulesFiles: [rules], inputs: [join(d, s)], output: out, readerWorkers: 0, values });
    outputs.push(out);
  }
  const merged = join(d, 'merged.ndjson');
  const r = await mergeOutputs({ outputs: outputs.reverse(), output: merged });
  const single = join(d, 'single.ndjson');
  await runBatch({ rulesFiles: [rules], inputs: [facts], output: single, readerWorkers: 0, values });
  return { single: readFileSync(single, 'utf8'), merged: readFileSync(merged, 'utf8'), unordered: r.unordered };
}

/** A random fact line: departments, employees, orders and their cancellations, others; ids unique (≥ 1000) or left to position. */
const factLine = fc
  .tuple(fc.constantFrom('employee', 'employee', 'dept', 'order', 'cancel', 'other'), fc.nat(5), fc.nat(120), fc.nat(30), fc.boolean(), fc.boolean())
  .map(([type, dept, salary, order, withId, reference]) => ({ type, dept, salary, order, withId, reference }));

function lines(facts: { type: string; dept: number; salary: number; order: number; withId: boolean; reference: boolean }[]): string[] {
  return facts.map((f, i) => {
    const fields: Record<string, unknown> = { type: f.type, dept_id: f.dept, salary: f.salary };
    // Cancellations name orders (ids from 5000; an order's id may repeat), never other facts.
    if (f.type === 'cancel') fields.order_id = 5000 + f.order;
    const id = f.type === 'order' ? 5000 + f.order : 1000 + i;
    if (f.reference) return JSON.stringify({ id, data: { fields } });
    return JSON.stringify(f.withId || f.type === 'order' ? { id, ...fields } : fields);
  });
}

describe('split → run each shard → merge', () => {
  it("gives one run's bytes, for any number of shards (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(factLine, { maxLength: 40 }), fc.integer({ min: 1, max: 4 }), async (facts, n) => {
        const r = await splitRunMerge(lines(facts), n);
        expect(r.merged).toBe(r.single);
        expect(r.unordered).toBe(0);
      }),
      { numRuns: 25 },
    );
  });

  it('renumbers created facts and merges end-of-input firings across shards in agenda order', async () => {
    const facts = [
      '{"type":"dept","dept_id":1}',
      '{"type":"dept","dept_id":2}',
      '{"type":"employee","dept_id":2,"salary":95}',
      '{"type":"dept","dept_id":3}',
      '{"type":"employee","dept_id":1,"salary":60}',
      '{"type":"dept","dept_id":4}',
      '{"type":"employee","dept_id":3,"salary":99}',
      '{"type":"dept","dept_id":5}',
    ];
    const r = await splitRunMerge(facts, 3);
    expect(r.merged).toBe(r.single);
    // Alerts made at insertion and at the end, with ids in creation order.
    expect(r.single.match(/"FactCreated":\{"fact_id":(\d+)/g)!.map((m) => Number(m.slice(25)) - FIRST_CREATED_ID)).toEqual([0, 1, 2, 3, 4]);
  });

  it('merges tagged output alike, created ids inside tagged values renumbered', async () => {
    const facts = [
      '{"type":"dept","dept_id":1}',
      '{"type":"employee","dept_id":1,"salary":60}',
      '{"type":"dept","dept_id":2}',
      '{"type":"employee","dept_id":2,"salary":70}',
    ];
    const r = await splitRunMerge(facts, 2, 'tagged');
    expect(r.merged).toBe(r.single);
    expect(r.single).toMatch(/"FactCreated":\{"fact_id":9000000000000001,"fact_data":\{"fields":\{"type":\{"String":"alert"\}/);
  });

  it('refuses, as run does, an input all of whose records are rejected', async () => {
    const facts = join(dir, 'all-bad.ndjson');
    writeFileSync(facts, 'nope\n{"a":\n');
    await expect(splitInput({ rulesFiles: [rules], inputs: [facts], shards: 2, outDir: join(dir, 'all-bad'), onError: 'skip' })).rejects.toThrow(
      RejectLimitError,
    );
  });

  it('keeps the set of firings when ids repeat in a shard, and says how many end firings it could not place for sure', async () => {
    // Two departments with one id in one shard (one key): the end firings on them name id 7 alike.
    const facts = [
      '{"id":7,"type":"dept","dept_id":1}',
      '{"id":8,"type":"dept","dept_id":2}',
      '{"id":7,"type":"dept","dept_id":1}',
      '{"id":9,"type":"dept","dept_id":3}',
      '{"id":10,"type":"dept","dept_id":4}',
    ];
    const r = await splitRunMerge(facts, 2);
    // The same firings; facts those firings create are numbered in the merged order.
    const set = (text: string) =>
      text
        .replace(/9000000000000\d{3}/g, 'CREATED')
        .split('\n')
        .sort();
    expect(set(r.merged)).toEqual(set(r.single));
    expect(r.unordered).toBeGreaterThan(0);
  });

  it('refuses an input where a fact an id addresses is keyed by a field', async () => {
    // The cancellation (keyed by order_id 1001) is itself the fact another cancellation deletes.
    const facts = join(dir, 'addressing.ndjson');
    writeFileSync(facts, '{"id":1000,"type":"order"}\n{"id":1001,"type":"cancel","order_id":1000}\n{"id":1002,"type":"cancel","order_id":1001}\n');
    await expect(splitInput({ rulesFiles: [rules], inputs: [facts], shards: 2, outDir: join(dir, 'refused') })).rejects.toThrow(PartitionError);
    await expect(splitInput({ rulesFiles: [rules], inputs: [facts], shards: 2, outDir: join(dir, 'refused') })).rejects.toThrow(
      /^the input does not partition: rule 5 addresses fact 1001 by id, but fact 1001 is itself keyed by a field/,
    );
    expect(readdirSync(join(dir, 'refused'))).toEqual([]);
  });
});

describe('merge checks what it is given', () => {
  let outputs: string[];
  beforeAll(async () => {
    const d = join(dir, 'checks');
    const facts = join(dir, 'checks.ndjson');
    writeFileSync(facts, '{"type":"dept","dept_id":1}\n{"type":"employee","dept_id":1,"salary":70}\n{"type":"dept","dept_id":2}\n');
    await splitInput({ rulesFiles: [rules], inputs: [facts], shards: 2, outDir: d });
    outputs = [];
    for (const s of readdirSync(d).sort()) {
      const out = join(d, `${s}.out`);
      await runBatch({ rulesFiles: [rules], inputs: [join(d, s)], output: out, readerWorkers: 0 });
      outputs.push(out);
    }
  });

  it('refuses a missing shard, a shard given twice, and a file that is no shard output', async () => {
    await expect(mergeOutputs({ outputs: [outputs[0]!], output: join(dir, 'm1') })).rejects.toThrow(/the split has 2 shards; the output of shard 1 is missing/);
    await expect(mergeOutputs({ outputs: [outputs[0]!, outputs[0]!], output: join(dir, 'm2') })).rejects.toThrow(UsageError);
    await expect(mergeOutputs({ outputs: [outputs[0]!, rules], output: join(dir, 'm3') })).rejects.toThrow(/is not the output of rete-eval run on a shard/);
  });

  it('refuses a truncated shard output, writing nothing', async () => {
    const cut = join(dir, 'cut.out');
    const text = readFileSync(outputs[1]!, 'utf8');
    writeFileSync(cut, text.slice(0, text.lastIndexOf('{"rete_eval_shard_end"')));
    await expect(mergeOutputs({ outputs: [outputs[0]!, cut], output: join(dir, 'm4') })).rejects.toThrow(InputError);
    expect(readdirSync(dir).includes('m4')).toBe(false);
  });

  it('refuses shards run with different options', async () => {
    const other = join(dir, 'tagged.out');
    writeFileSync(other, readFileSync(outputs[1]!, 'utf8').replace('"values":"plain"', '"values":"tagged"'));
    await expect(mergeOutputs({ outputs: [outputs[0]!, other], output: join(dir, 'm6') })).rejects.toThrow(
      /was run with --values tagged, .* with --values plain: run every shard with the same options/,
    );
  });

  it('refuses outputs of two different splits', async () => {
    const other = join(dir, 'other.out');
    writeFileSync(other, readFileSync(outputs[1]!, 'utf8').replace(/"split":"[^"]+"/, '"split":"another"'));
    await expect(mergeOutputs({ outputs: [outputs[0]!, other], output: join(dir, 'm5') })).rejects.toThrow(/is from another split/);
  });
});

describe('renumber', () => {
  const first = FIRST_CREATED_ID + 1;
  it("replaces a shard's created ids (first + shards × n) by their merged ids, outside strings only", () => {
    const id = (n: number) => String(first + 3 * n);
    const line = `{"fact_id":${id(1)},"fact_ids":[5,${id(0)}],"x":"${id(1)}","v":{"Integer":${id(1)}},"f":${id(1)}.5,"y":${first + 1}}`;
    expect(renumber(line, first, 3, [4, 9])).toBe(
      `{"fact_id":${FIRST_CREATED_ID + 9},"fact_ids":[5,${FIRST_CREATED_ID + 4}],"x":"${id(1)}","v":{"Integer":${FIRST_CREATED_ID + 9}},"f":${id(1)}.5,"y":${first + 1}}`,
    );
    // Ids the shard has not created (yet) stay.
    expect(renumber(`{"a":${id(2)}}`, first, 3, [4, 9])).toBe(`{"a":${id(2)}}`);
  });
});
