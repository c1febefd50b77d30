#!/usr/bin/env node
// Generates fixtures/facts.ndjson: a deterministic batch of HR/payroll and order-compliance
// facts for the rules in fixtures/rules.json (a realistic smoke-test input, also used by the
// end-to-end tests in test/e2e and by `npm start`).
//
// Usage:  node scripts/make-fixtures.mjs [out-file]     (default: fixtures/facts.ndjson)
//
// Determinism: every choice comes from a mulberry32 PRNG with a fixed seed (SEED below) and
// every timestamp from a fixed base time, so the output is byte-identical on every run and
// platform. Change SEED or COUNT deliberately, and re-run the e2e tests afterwards.
//
// What the file holds (COUNT lines, one fact each, in this mix):
// - employees (~40%): mostly the reference shape {"id","external_id","timestamp","data":{"fields"}},
//   every fifth one a flat record; field values tagged ({"Float":..}, {"String":..}, {"Date":..},
//   "Null") or plain JSON, chosen per field; `department` is a nested object (dotted path
//   `department.code`), tagged {"Object":..} or plain.
// - orders (~40%): flat records, every fourth one in the reference shape; `customer` is a nested
//   object for `customer.address.country` / `customer.name`; two orders carry the flattened key
//   "customer.address.country" instead (a key with dots, matched whole); two have the amount
//   "pending" (a string: type mismatches in the report, never a match).
// - expenses (~12%): flat records; some have a string `id` ("EXP-2025-0007"), so their fact id
//   is their position in the input.
// - timesheets (~5%): flat records that no rule matches.
// - cancellations (~3%): flat records naming an earlier order in `order_id` (rule 30 deletes it).
// Fact ids are 1000 + 10·n, so the ids rules give created facts (next free id) never collide
// with a later input fact.
// A handful of records are pinned (see PINNED) so that every rule fires at least once.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from './lib/prng.mjs';

const SEED = 0x5eed2025;
const COUNT = 420;
const BASE_TIME = Date.UTC(2025, 2, 3, 8, 0, 0); // 2025-03-03T08:00:00Z

const rand = mulberry32(SEED);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const chance = (p) => rand() < p;
const money = (x) => Math.round(x * 100) / 100;
const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
const pad = (n, w) => String(n).padStart(w, '0');

// Tagged forms (docs/input.md (values)).
const tagStr = (s) => ({ String: s });
const tagInt = (n) => ({ Integer: n });
const tagFloat = (x) => ({ Float: x });

const FIRST = ['Ada', 'Bo', 'Chen', 'Dana', 'Eli', 'Farah', 'Goran', 'Hana', 'Ivan', 'Jo', 'Kemal', 'Lena', 'Mo', 'Nia', 'Omar', 'Pia'];
const LAST = ['Lovelace', 'Berg', 'Wei', 'Okafor', 'Silva', 'Haddad', 'Novak', 'Sato', 'Petrov', 'Kim', 'Yilmaz', 'Fischer', 'Diaz', 'Moreau'];
const DEPARTMENTS = [
  { code: 'ENG', name: 'Engineering' },
  { code: 'ENG', name: 'Engineering' },
  { code: 'FIN', name: 'Finance' },
  { code: 'OPS', name: 'Operations' },
  { code: 'SAL', name: 'Sales' },
  { code: 'HR', name: 'People' },
];
const COUNTRIES = ['US', 'US', 'US', 'US', 'DE', 'GB', 'FR', 'JP', 'BR', 'CA', 'IN', 'MX'];
const CITIES = {
  US: 'Austin',
  DE: 'Berlin',
  GB: 'Leeds',
  FR: 'Lyon',
  JP: 'Osaka',
  BR: 'Recife',
  CA: 'Calgary',
  IN: 'Pune',
  MX: 'Puebla',
  IR: 'Tabriz',
  KP: 'Pyongyang',
};
const COMPANIES = ['Northwind Traders', 'Contoso GmbH', 'Globex Corp', 'Initech', 'Umbrella Retail', 'Stark Supply', 'Wayne Logistics', 'Acme Outlet'];
const SKUS = ['HW-1040', 'HW-2210', 'BK-0100', 'SW-0042-DIG', 'SW-0077-DIG', 'GC-0025-DIG', 'AC-3300', 'HW-5120'];
const TAG_SETS = [[], [], ['priority'], ['gift-wrap'], ['gift-wrap', 'priority'], ['b2b'], ['returning-customer']];
const EXPENSE_CATEGORIES = ['travel', 'travel', 'meals', 'software', 'equipment', 'training'];

// Records pinned by position so that every rule fires at least once, whatever SEED yields.
const PINNED = new Map([
  [3, { kind: 'employee', salary: 148000, employment: 'full_time', overtime: 6, dept: 0, onCall: true }],
  [5, { kind: 'employee', salary: 72000, employment: 'contractor', contractEnd: 'null' }],
  [8, { kind: 'order', country: 'IR', amount: 2400, quantity: 12 }],
  [11, { kind: 'order', country: 'DE', amount: 18500, quantity: 40 }],
  [14, { kind: 'order', country: 'US', sku: 'SW-0042-DIG', tags: ['gift-wrap'], quantity: 150, unit: 9.99 }],
  [17, { kind: 'expense', category: 'equipment', amount: 1299 }],
  [21, { kind: 'cancellation' }],
  [26, { kind: 'order', country: 'GB', customer: 'Shell Holdings Ltd', amount: 900, quantity: 3 }],
  [33, { kind: 'order', flattenedCountry: 'KP', amount: 12000, quantity: 60 }],
  [61, { kind: 'order', flattenedCountry: 'CA', amount: 640, quantity: 8 }],
  [47, { kind: 'order', country: 'FR', pendingAmount: true }],
  [212, { kind: 'order', country: 'US', pendingAmount: true }],
]);

const orderIds = [];
const cancelled = new Set();

function employee(n, id, ts, pin) {
  const tagged = (p = 0.5) => chance(p);
  const employment = pin?.employment ?? pick(['full_time', 'full_time', 'full_time', 'part_time', 'contractor']);
  const salary = pin?.salary ?? (employment === 'part_time' ? int(28, 60) * 1000 : int(45, 175) * 1000 + pick([0, 250, 500]));
  const dept = DEPARTMENTS[pin?.dept ?? int(0, DEPARTMENTS.length - 1)];
  const overtime = pin?.overtime ?? (chance(0.35) ? int(1, 14) : 0);
  const fields = {
    record_type: tagged() ? tagStr('employee') : 'employee',
    name: `${pick(FIRST)} ${pick(LAST)}`,
    salary: tagged(0.7) ? tagFloat(salary) : salary,
    payroll_tax_rate: tagged() ? tagFloat(0.0765) : 0.0765,
    employment_type: employment,
    status: chance(0.92) ? 'active' : 'on_leave',
    tenure_months: tagged() ? tagInt(int(1, 180)) : int(1, 180),
    overtime_hours: tagged() ? tagInt(overtime) : overtime,
    on_call: pin?.onCall ?? (dept.code === 'ENG' ? chance(0.5) : false),
    hire_date: { Date: iso(BASE_TIME - int(30, 5000) * 86_400_000) },
    department: tagged() ? { Object: { code: tagStr(dept.code), name: tagStr(dept.name) } } : { code: dept.code, name: dept.name },
  };
  if (employment === 'contractor') {
    const end = pin?.contractEnd ?? pick(['date', 'date', 'missing', 'null']);
    if (end === 'date') fields.contract_end = `2025-${pad(int(4, 12), 2)}-${pad(int(1, 28), 2)}`;
    else if (end === 'null') fields.contract_end = 'Null';
  }
  const externalId = chance(0.9) ? `emp-${pad(n, 4)}` : null;
  if (n % 5 === 4 && !pin) {
    // A flat record, as an HR export would have it (plain values only).
    return { id, external_id: externalId, timestamp: ts, ...plainFields(fields) };
  }
  return { id, external_id: externalId, timestamp: ts, data: { fields } };
}

/** The plain-JSON form of tagged fields (used for flat records). */
function plainFields(fields) {
  const plain = (v) => {
    if (v === 'Null') return null;
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(plain);
    const keys = Object.keys(v);
    if (keys.length === 1 && ['String', 'Integer', 'Float', 'Boolean', 'Date'].includes(keys[0])) return v[keys[0]];
    if (keys.length === 1 && keys[0] === 'Object') return plain(v.Object);
    if (keys.length === 1 && keys[0] === 'Array') return v.Array.map(plain);
    return Object.fromEntries(keys.map((k) => [k, plain(v[k])]));
  };
  return plain(fields);
}

function order(n, id, ts, pin) {
  const sku = pin?.sku ?? pick(SKUS);
  const quantity = pin?.quantity ?? (chance(0.15) ? int(100, 400) : int(1, 60));
  const unit = pin?.unit ?? money(sku.endsWith('-DIG') ? 4.99 + int(0, 50) : 12 + rand() * 480);
  const amount = pin?.pendingAmount ? 'pending' : (pin?.amount ?? money(quantity * unit));
  const country = pin?.country ?? pick(COUNTRIES);
  const customer = { name: pin?.customer ?? pick(COMPANIES), address: { country, city: CITIES[country] } };
  const rec = {
    id,
    record_type: 'order',
    order_no: `SO-2025-${pad(n, 5)}`,
    timestamp: ts,
    customer,
    sku,
    quantity,
    unit_price: unit,
    amount,
    currency: 'USD',
    tags: pin?.tags ?? pick(TAG_SETS),
    status: 'confirmed',
  };
  if (pin?.flattenedCountry) {
    // A flattened export: the dotted key is matched whole by `customer.address.country`.
    delete rec.customer;
    rec['customer.name'] = pick(COMPANIES);
    rec['customer.address.country'] = pin.flattenedCountry;
  }
  orderIds.push(id);
  if (n % 4 === 1 && !pin?.flattenedCountry) {
    // The reference shape, with tagged values.
    const { id: _id, timestamp, ...fields } = rec;
    const t = {
      ...fields,
      record_type: tagStr('order'),
      quantity: tagInt(quantity),
      unit_price: tagFloat(unit),
      amount: typeof amount === 'number' ? tagFloat(amount) : tagStr(amount),
      tags: { Array: rec.tags.map(tagStr) },
    };
    return { id, external_id: rec.order_no, timestamp, data: { fields: t } };
  }
  return rec;
}

function expense(n, id, ts, pin) {
  const category = pin?.category ?? pick(EXPENSE_CATEGORIES);
  const amount = pin?.amount ?? money(chance(0.3) ? 500 + rand() * 2500 : 15 + rand() * 480);
  return {
    // Some expense exports carry their own string id: the fact id is then the input position.
    id: n % 3 === 0 ? `EXP-2025-${pad(n, 4)}` : id,
    record_type: 'expense',
    employee_ref: `emp-${pad(int(0, COUNT - 1), 4)}`,
    category,
    amount,
    currency: 'USD',
    submitted_at: ts,
    approved: chance(0.6),
  };
}

function timesheet(id, ts) {
  return {
    id,
    record_type: 'timesheet',
    employee_ref: `emp-${pad(int(0, COUNT - 1), 4)}`,
    week: `2025-W${pad(int(1, 20), 2)}`,
    hours: int(20, 45),
    timestamp: ts,
  };
}

function cancellation(id, ts) {
  const open = orderIds.filter((o) => !cancelled.has(o));
  if (open.length === 0) return timesheet(id, ts);
  const target = open[Math.floor(rand() * open.length)];
  cancelled.add(target);
  return { id, record_type: 'cancellation', order_id: target, reason: pick(['customer request', 'payment failed', 'duplicate order']), timestamp: ts };
}

export function makeFacts() {
  const lines = [];
  for (let n = 0; n < COUNT; n++) {
    const id = 1000 + 10 * n;
    const ts = iso(BASE_TIME + n * 17 * 60_000);
    const pin = PINNED.get(n);
    const r = rand();
    const kind = pin?.kind ?? (r < 0.4 ? 'employee' : r < 0.8 ? 'order' : r < 0.92 ? 'expense' : r < 0.97 ? 'timesheet' : 'cancellation');
    const fact =
      kind === 'employee'
        ? employee(n, id, ts, pin)
        : kind === 'order'
          ? order(n, id, ts, pin)
          : kind === 'expense'
            ? expense(n, id, ts, pin)
            : kind === 'cancellation'
              ? cancellation(id, ts)
              : timesheet(id, ts);
    lines.push(JSON.stringify(fact));
  }
  return lines.join('\n') + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? fileURLToPath(new URL('../fixtures/facts.ndjson', import.meta.url));
  writeFileSync(out, makeFacts());
  process.stderr.write(`wrote ${COUNT} facts to ${out}\n`);
}
