// json-rules-engine over a rule file as its users load one (engine.setCondition for shared
// conditions, engine.addRule per rule, allowUndefinedFacts), in a process of its own: reads
// the NDJSON records (1 MiB chunks, line split, JSON.parse: the parsing floor), then runs each
// record through engine.run in input order, awaited one at a time. Prints one JSON line:
//   {"records":N,"events":E,"byType":{type:count},"parseMs":P,"evalMs":V}
// Usage: node scripts/lib/jre-child.mjs RULES.json FACTS.ndjson

import { createReadStream, readFileSync } from 'node:fs';
import { Engine } from 'json-rules-engine';

const [rulesFile, factsFile] = process.argv.slice(2);
if (!rulesFile || !factsFile) {
  process.stderr.write('usage: jre-child.mjs RULES FACTS\n');
  process.exit(2);
}

const doc = JSON.parse(readFileSync(rulesFile, 'utf8'));
const engine = new Engine([], { allowUndefinedFacts: true });
const rules = Array.isArray(doc) ? doc : Array.isArray(doc.rules) ? doc.rules : [doc];
if (!Array.isArray(doc) && Array.isArray(doc.rules) && doc.conditions) {
  for (const [name, c] of Object.entries(doc.conditions)) engine.setCondition(name, c);
}
for (const r of rules) engine.addRule(r);

const t0 = performance.now();
const records = [];
let carry = '';
for await (const chunk of createReadStream(factsFile, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
  const text = carry + chunk;
  let start = 0;
  let nl;
  while ((nl = text.indexOf('\n', start)) !== -1) {
    if (nl > start) records.push(JSON.parse(text.slice(start, nl)));
    start = nl + 1;
  }
  carry = text.slice(start);
}
if (carry.trim() !== '') records.push(JSON.parse(carry));
const parseMs = performance.now() - t0;

const t1 = performance.now();
let events = 0;
const byType = {};
for (const record of records) {
  const { events: fired } = await engine.run(record);
  events += fired.length;
  for (const e of fired) byType[e.type] = (byType[e.type] ?? 0) + 1;
}
const evalMs = performance.now() - t1;
process.stdout.write(JSON.stringify({ records: records.length, events, byType, parseMs, evalMs }) + '\n');
