// A hand-written hash join over a join workload's facts (bench join and join10): read the
// NDJSON file as the parsing floor does, keep every employee, map departments by id, then
// test each employee against its department for every rule and write a firing line per
// match to stdout, as `rete-eval run` would (same fields, any order). The rules are read
// from the workload's rule file: pattern e (type employee and its own constant tests) and
// pattern d (type dept, dept_id Equal e.dept_id, and its own constant tests).
// Usage: node scripts/lib/hash-join.mjs RULES FACTS > out   → stderr: {"records","firings","ms","peakRssBytes"}

import { createReadStream, readFileSync } from 'node:fs';

const [rulesFile, factsFile] = process.argv.slice(2);
if (!rulesFile || !factsFile) {
  process.stderr.write('usage: hash-join.mjs RULES FACTS\n');
  process.exit(2);
}
const t0 = performance.now();

const plain = (v) => (v !== null && typeof v === 'object' ? (v.String ?? v.Integer ?? v.Float ?? v.Boolean) : v);
const compare = {
  Equal: (a, b) => a === b,
  GreaterThan: (a, b) => a > b,
  GreaterThanOrEqual: (a, b) => a >= b,
  LessThan: (a, b) => a < b,
  LessThanOrEqual: (a, b) => a <= b,
};
/** The constant tests of a pattern (its Ref'd Equal is the join itself). */
const testsOf = (pattern) =>
  pattern.conditions
    .filter((c) => c.field !== 'type' && !(c.value && typeof c.value === 'object' && 'Ref' in c.value))
    .map((c) => {
      const op = compare[c.operator];
      const v = plain(c.value);
      return (fields) => op(fields[c.field], v);
    });
const doc = JSON.parse(readFileSync(rulesFile, 'utf8'));
const rules = (Array.isArray(doc) ? doc : doc.rules).map((r) => ({
  id: r.id,
  prefix: `{"rule_id":${r.id},"rule_name":${JSON.stringify(r.name)},"fact_id":`,
  suffix: `,"actions_executed":[${JSON.stringify({ Logged: { message: r.actions[0].action_type.Log.message } })}]}\n`,
  e: testsOf(r.patterns[0]),
  d: testsOf(r.patterns[1]),
}));

// Read: employees kept in input order, departments by id.
const employees = [];
const depts = new Map();
let records = 0;
let carry = '';
const take = (line) => {
  const rec = JSON.parse(line);
  const f = rec.data.fields;
  const fields = {};
  for (const k in f) fields[k] = plain(f[k]);
  if (fields.type === 'dept') depts.set(fields.dept_id, { id: rec.id, fields });
  else if (fields.type === 'employee') employees.push({ id: rec.id, fields });
  records++;
};
for await (const chunk of createReadStream(factsFile, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
  const text = carry + chunk;
  let start = 0;
  let nl;
  while ((nl = text.indexOf('\n', start)) !== -1) {
    if (nl > start) take(text.slice(start, nl));
    start = nl + 1;
  }
  carry = text.slice(start);
}
if (carry.trim() !== '') take(carry);

// Join and write, in 256 KiB pieces.
let out = '';
let firings = 0;
const flush = () =>
  new Promise((resolve) => {
    if (process.stdout.write(out)) resolve();
    else process.stdout.once('drain', resolve);
    out = '';
  });
for (const e of employees) {
  const d = depts.get(e.fields.dept_id);
  if (d === undefined) continue;
  for (const r of rules) {
    if (!r.e.every((t) => t(e.fields)) || !r.d.every((t) => t(d.fields))) continue;
    out += `${r.prefix}${e.id},"fact_ids":[${e.id},${d.id}]${r.suffix}`;
    firings++;
  }
  if (out.length > 1 << 18) await flush();
}
await flush();
process.stderr.write(JSON.stringify({ records, firings, ms: performance.now() - t0, peakRssBytes: process.resourceUsage().maxRSS * 1024 }) + '\n');
