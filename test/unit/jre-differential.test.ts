// Differential test against json-rules-engine itself: random rule files over every supported
// feature and random records (missing facts and paths, mixed types, nested objects and
// arrays) run through `engine.run(record)` there, one record at a time, and through rete-eval
// here: the rules translated and compiled into the network, the records written as NDJSON
// and read by both of rete-eval's readers (projected on ruleReads, and whole). For every
// record json-rules-engine accepts, the multiset of its events must equal rete-eval's firings
// on that record. Where json-rules-engine throws (and rejects the whole record), rete-eval
// counts a mismatch and takes the condition as false: so rete-eval must also equal a
// json-rules-engine whose operators return false instead of throwing, on every record.

import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Engine, Operator } from 'json-rules-engine';
import { compileRules } from '../../src/engine.js';
import { FactReader } from '../../src/io/reader.js';
import { streamSource } from '../../src/io/source.js';
import { ruleReads } from '../../src/model/reads.js';
import type { Network } from '../../src/rete/network.js';
import { Session } from '../../src/rete/session.js';
import { JRE_OPERATORS } from '../../src/model/types.js';
import { record, ruleFile } from './jre-arbitraries.js';

/** A json-rules-engine engine over a rule file, as its users load one; `safe`: operators that throw return false. */
function jreEngine(doc: any, safe: boolean): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true });
  if (safe) {
    for (const name of JRE_OPERATORS) {
      const op = (engine as any).operators.get(name) as { evaluate(a: unknown, b: unknown): boolean };
      engine.addOperator(
        new Operator(name, (a: unknown, b: unknown) => {
          try {
            return op.evaluate(a, b);
          } catch {
            return false;
          }
        }),
      );
    }
  }
  const rules = Array.isArray(doc) ? doc : Array.isArray(doc.rules) ? doc.rules : [doc];
  if (!Array.isArray(doc) && Array.isArray(doc.rules) && doc.conditions) {
    for (const [name, c] of Object.entries(doc.conditions)) engine.setCondition(name, structuredClone(c) as any);
  }
  for (const r of rules) engine.addRule(structuredClone(r));
  return engine;
}

/**
 * Per record: its events as sorted JSON, or null where engine.run rejected. After a rejected
 * run the engine is made anew: json-rules-engine 7.3 finishes the rejected run's promise chain
 * later and marks the engine finished in the middle of the next run, which then skips rules.
 */
async function jreEvents(doc: unknown, safe: boolean, records: readonly object[]): Promise<(string[] | null)[]> {
  const out: (string[] | null)[] = [];
  let engine = jreEngine(doc, safe);
  for (const r of records) {
    try {
      const { events } = await engine.run(structuredClone(r) as Record<string, unknown>);
      out.push(events.map((e) => JSON.stringify(e)).sort());
    } catch {
      out.push(null);
      engine = jreEngine(doc, safe);
    }
  }
  return out;
}

/** Per record: rete-eval's firings' events as sorted JSON, the records read by one of its readers. */
async function reteEvents(network: Network, fields: readonly string[] | null, text: string, n: number): Promise<string[][]> {
  const out: string[][] = Array.from({ length: n }, () => []);
  const session = new Session(network, {
    onFiring: (f) => {
      for (const r of f.actions_executed) out[f.fact_id]!.push(JSON.stringify((r as { Event: unknown }).Event));
    },
  });
  const bytes = Buffer.from(text);
  const reader = new FactReader([streamSource('records.ndjson', Readable.from([bytes]), bytes.length)], { fields, workers: 0 });
  for await (const batch of reader.batches()) for (const fact of batch) session.insert(fact);
  session.end();
  return out.map((events) => events.sort());
}

const seen = { cases: 0, records: 0, compared: 0, rejected: 0, events: 0 };

describe('json-rules-engine rule files: rete-eval against json-rules-engine itself', () => {
  it('gives every record the events json-rules-engine gives it (both readers)', async () => {
    await fc.assert(
      fc.asyncProperty(ruleFile, fc.array(record, { maxLength: 12 }), async (doc, records) => {
        const { rules, network } = compileRules(structuredClone(doc), 'json-rules-engine');
        const reads = ruleReads(rules);
        expect(reads.whole).toBe(false);
        const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
        const projected = await reteEvents(network, reads.whole ? null : reads.fields, text, records.length);
        const whole = await reteEvents(network, null, text, records.length);
        expect(projected).toEqual(whole);
        const pure = await jreEvents(doc, false, records);
        const safe = await jreEvents(doc, true, records);
        seen.cases++;
        records.forEach((r, i) => {
          seen.records++;
          const want = pure[i];
          if (want === null || want === undefined) seen.rejected++;
          else {
            seen.compared++;
            seen.events += want.length;
            expect({ record: r, events: whole[i] }).toEqual({ record: r, events: want });
          }
          expect({ record: r, events: whole[i] }).toEqual({ record: r, events: safe[i] });
        });
      }),
      { numRuns: Number(process.env.JRE_RUNS ?? 250) },
    );
    // Not vacuous: most records compared with json-rules-engine as it is, and many events fired.
    expect(seen.compared).toBeGreaterThan(seen.records * 0.6);
    expect(seen.events).toBeGreaterThan(200);
  });
});
