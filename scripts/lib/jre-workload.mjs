// A json-rules-engine workload for compare-json-rules-engine.mjs, written the way its users
// write rule files: N rules over customer records (fact conditions with JSONPath into nested
// objects and arrays, all / any / not, in / contains / orderings, a fact compared with another
// fact, shared conditions by reference, priorities), and the records as NDJSON. Seeded, so a
// size and a rule count always give the same files; each rule's event type is its name, so
// both engines' counts per rule can be compared.

import { createWriteStream, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { mulberry32 } from './prng.mjs';

const COUNTRIES = ['FR', 'DE', 'US', 'GB', 'ES', 'IT', 'NL', 'BE', 'SE', 'PL', 'JP', 'BR'];
const SEGMENTS = ['retail', 'smb', 'enterprise', 'student', 'public'];
const TYPES = ['basic', 'premium', 'gold', 'business'];
const TAGS = ['vip', 'new', 'churn-risk', 'beta', 'employee', 'partner'];

export function parseSize(text) {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(String(text));
  if (!m) throw new Error(`expected a size such as 200k, got "${text}"`);
  return Math.round(Number(m[1]) * (m[2].toLowerCase() === 'k' ? 1e3 : m[2].toLowerCase() === 'm' ? 1e6 : 1));
}

function pick(rnd, list) {
  return list[Math.floor(rnd() * list.length)];
}

function some(rnd, list, n) {
  const out = [];
  while (out.length < n) {
    const x = pick(rnd, list);
    if (!out.includes(x)) out.push(x);
  }
  return out;
}

function int(rnd, lo, hi) {
  return lo + Math.floor(rnd() * (hi - lo + 1));
}

/** One customer record. */
function record(rnd, i) {
  const orders = Array.from({ length: int(rnd, 0, 3) }, () => ({
    sku: `SKU-${String(int(rnd, 1, 200)).padStart(4, '0')}`,
    qty: int(rnd, 1, 5),
    price: Math.round(rnd() * 50000) / 100,
  }));
  const r = {
    id: i,
    age: int(rnd, 16, 80),
    country: pick(rnd, COUNTRIES),
    segment: pick(rnd, SEGMENTS),
    account: {
      type: pick(rnd, TYPES),
      balance: int(rnd, -500, 20000),
      'credit limit': int(rnd, 0, 5000),
      opened: `20${int(rnd, 10, 24)}-0${int(rnd, 1, 9)}-1${int(rnd, 0, 9)}`,
    },
    tags: some(rnd, TAGS, int(rnd, 0, 3)),
    spent: Math.round(rnd() * 1000000) / 100,
    orders,
    score: Math.round(rnd() * 1000) / 1000,
    email: `customer${i}@example.com`,
  };
  // Batch records vary: some lack a fact or hold another type.
  if (rnd() < 0.05) delete r.account;
  if (rnd() < 0.03) r.age = String(r.age);
  return r;
}

const fact = (f, operator, value, path) => (path === undefined ? { fact: f, operator, value } : { fact: f, path, operator, value });

/** Rule i, one of seven shapes, each true for a few percent of records. */
function rule(rnd, i) {
  const shape = i % 7;
  let conditions;
  switch (shape) {
    case 0:
      conditions = { all: [fact('country', 'equal', pick(rnd, COUNTRIES)), fact('segment', 'equal', pick(rnd, SEGMENTS)), { condition: 'adult' }] };
      break;
    case 1:
      conditions = { all: [fact('account', 'equal', pick(rnd, TYPES), '$.type'), fact('account', 'greaterThan', int(rnd, 12000, 19000), '$.balance')] };
      break;
    case 2:
      conditions = {
        all: [
          { any: [fact('tags', 'contains', pick(rnd, TAGS)), fact('segment', 'in', some(rnd, SEGMENTS, 2))] },
          fact('age', 'lessThan', int(rnd, 20, 30)),
          fact('country', 'in', some(rnd, COUNTRIES, 3)),
        ],
      };
      break;
    case 3:
      conditions = { any: [fact('orders', 'equal', `SKU-${String(int(rnd, 1, 200)).padStart(4, '0')}`, '$[0].sku'), fact('score', 'greaterThan', 0.995)] };
      break;
    case 4:
      conditions = {
        all: [
          { not: fact('spent', 'lessThanInclusive', { fact: 'account', path: "$['credit limit']" }) },
          fact('country', 'equal', pick(rnd, COUNTRIES)),
          fact('score', 'lessThan', 0.2),
        ],
      };
      break;
    case 5:
      conditions = {
        all: [
          fact('score', 'greaterThan', 0.9),
          fact('tags', 'doesNotContain', 'churn-risk'),
          fact('account', 'notEqual', 'basic', '$.type'),
          fact('country', 'equal', pick(rnd, COUNTRIES)),
        ],
      };
      break;
    default:
      conditions = { all: [{ condition: 'premium' }, fact('segment', 'equal', pick(rnd, SEGMENTS)), fact('age', 'greaterThanInclusive', int(rnd, 60, 75))] };
  }
  return { name: `rule-${i}`, priority: 1 + (i % 3), conditions, event: { type: `rule-${i}`, params: { rule: i, shape } } };
}

/** The rule file with n rules (and its two shared conditions). */
export function jreRules(n) {
  const rnd = mulberry32(0x5eed + n);
  return {
    conditions: {
      adult: { all: [fact('age', 'greaterThanInclusive', 18)] },
      premium: { any: [fact('account', 'in', ['premium', 'gold'], '$.type')] },
    },
    rules: Array.from({ length: n }, (_, i) => rule(rnd, i)),
  };
}

/** Writes (once) the rule file with `rules` rules and `size` records; returns their paths. */
export async function prepareJreWorkload(rules, size, cacheDir) {
  mkdirSync(cacheDir, { recursive: true });
  const n = parseSize(size);
  const rulesFile = join(cacheDir, `compare-jre-${rules}-rules.json`);
  const factsFile = join(cacheDir, `compare-jre-${size}.ndjson`);
  writeFileSync(rulesFile, JSON.stringify(jreRules(rules), null, 2) + '\n');
  if (!existsSync(factsFile)) {
    const tmp = `${factsFile}.${process.pid}.tmp`;
    const out = createWriteStream(tmp);
    const rnd = mulberry32(0xfac75);
    let chunk = '';
    for (let i = 0; i < n; i++) {
      chunk += JSON.stringify(record(rnd, i)) + '\n';
      if (chunk.length > 1 << 20) {
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
      }
    }
    out.end(chunk);
    await once(out, 'finish');
    renameSync(tmp, factsFile);
  }
  return { rulesFile, factsFile, records: n };
}
