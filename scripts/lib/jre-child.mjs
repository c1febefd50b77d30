// json-rules-engine over a rete-eval workload, in a process of its own: reads the NDJSON
// facts (line split + JSON.parse, as the parsing floor) into flat field maps, then runs the
// translated rules over each fact in input order (engine.run per fact, awaited one at a
// time) and applies the SetField events to the fact. Prints one JSON line:
//   {"records":N,"events":E,"parseMs":P,"evalMs":V}
// Usage: node scripts/lib/jre-child.mjs RULES.json FACTS.ndjson

import { readFileSync, createReadStream } from 'node:fs';
import { Engine } from 'json-rules-engine';
import { addReteOperators, flatFact, translateRules } from './jre-translate.mjs';

const [rulesFile, factsFile] = process.argv.slice(2);
if (!rulesFile || !factsFile) {
  process.stderr.write('usage: jre-child.mjs RULES FACTS\n');
  process.exit(2);
}

const engine = new Engine([], { allowUndefinedFacts: true });
addReteOperators(engine);
for (const r of translateRules(JSON.parse(readFileSync(rulesFile, 'utf8')))) engine.addRule(r);

const t0 = performance.now();
const facts = [];
let carry = '';
for await (const chunk of createReadStream(factsFile, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
  const text = carry + chunk;
  let start = 0;
  let nl;
  while ((nl = text.indexOf('\n', start)) !== -1) {
    if (nl > start) facts.push(flatFact(JSON.parse(text.slice(start, nl))));
    start = nl + 1;
  }
  carry = text.slice(start);
}
if (carry.trim() !== '') facts.push(flatFact(JSON.parse(carry)));
const parseMs = performance.now() - t0;

const t1 = performance.now();
let events = 0;
for (const fact of facts) {
  const { events: fired } = await engine.run(fact);
  events += fired.length;
  for (const e of fired) for (const a of e.params.actions) if (a.set) fact[a.set.field] = a.set.value;
}
const evalMs = performance.now() - t1;
process.stdout.write(JSON.stringify({ records: facts.length, events, parseMs, evalMs }) + '\n');
