// The specification's bench workloads, regenerated exactly:
// each gives its rules, its facts (as reference-shape NDJSON lines, tagged values) and the
// firing count the spec states, so a bench that computes wrong answers fails loudly.

export type WorkloadName = 'simple' | 'payroll' | 'enterprise' | 'join' | 'join10' | 'aggregate';

export interface Workload {
  readonly name: WorkloadName;
  /** Sizes the bench runs by default. */
  readonly sizes: readonly number[];
  /** The rules, as a rules-file document. */
  rules(size: number): unknown[];
  /** The NDJSON line of fact `i` (no newline). */
  factLine(i: number, size: number): string;
  /** Number of facts for `size` (join: employees plus departments). */
  factCount(size: number): number;
  expectedFirings(size: number): number;
  /** Reference engine figures (ms, engine only) by size, where the spec gives them. */
  readonly reference: Readonly<Record<number, number>>;
  /** The spec's time targets (ms) by size. */
  readonly targets: Readonly<Record<number, number>>;
}

const TS = '2025-01-01T00:00:00Z';
const str = (s: string) => `{"String":${JSON.stringify(s)}}`;
const int = (n: number) => `{"Integer":${n}}`;
const float = (x: number) => `{"Float":${Number.isInteger(x) ? x.toFixed(1) : String(x)}}`;
const bool = (b: boolean) => `{"Boolean":${b}}`;
const fact = (i: number, fields: string) => `{"id":${i},"timestamp":"${TS}","data":{"fields":{${fields}}}}`;

function setFieldRule(id: number, name: string, field: string, op: string, value: unknown, set: string, setValue: unknown) {
  return {
    id,
    name,
    conditions: [{ field, operator: op, value }],
    actions: [{ action_type: { SetField: { field: set, value: setValue } } }],
  };
}

/** Count of i in [0, n) with i % m < k. */
function countMod(n: number, m: number, k: number): number {
  return Math.floor(n / m) * k + Math.min(n % m, k);
}

type SimpleVariant = { rule: unknown; line: (i: number) => string; firings: (n: number) => number };

function simpleVariant(size: number): SimpleVariant {
  switch (size) {
    case 100_000:
      return {
        rule: setFieldRule(1, 'Active status', 'status', 'Equal', { String: 'active' }, 'processed', { Boolean: true }),
        line: (i) => fact(i, `"entity_id":${int(i)},"status":${str(i % 3 === 0 ? 'active' : 'inactive')},"category":${str(`cat_${i % 100}`)}`),
        firings: (n) => countMod(n, 3, 1),
      };
    case 200_000:
      return {
        rule: setFieldRule(1, 'Active status', 'status', 'Equal', { String: 'active' }, 'processed', { Boolean: true }),
        line: (i) => fact(i, `"entity_id":${int(i)},"status":${str(i % 4 === 0 ? 'active' : 'inactive')},"region":${str(`region_${i % 20}`)}`),
        firings: (n) => countMod(n, 4, 1),
      };
    case 500_000:
      return {
        rule: setFieldRule(1, 'Category 1', 'category', 'Equal', { String: 'cat_1' }, 'processed', { Boolean: true }),
        line: (i) => fact(i, `"entity_id":${int(i)},"category":${str(`cat_${i % 100}`)},"value":${float(i * 1.5)}`),
        firings: (n) => countMod(n, 100, 2) - countMod(n, 100, 1),
      };
    default:
      // 1M, and any size the spec does not list.
      return {
        rule: setFieldRule(1, 'Active status', 'status', 'Equal', { String: 'active' }, 'million_processed', { Boolean: true }),
        line: (i) => fact(i, `"entity_id":${int(i)},"status":${str(i % 4 === 0 ? 'active' : 'inactive')},"region":${str(`region_${i % 50}`)}`),
        firings: (n) => countMod(n, 4, 1),
      };
  }
}

const simple: Workload = {
  name: 'simple',
  sizes: [100_000, 200_000, 500_000, 1_000_000],
  rules: (size) => [simpleVariant(size).rule],
  factLine: (i, size) => simpleVariant(size).line(i),
  factCount: (size) => size,
  expectedFirings: (size) => simpleVariant(size).firings(size),
  reference: { 100000: 57, 200000: 104, 500000: 312, 1000000: 693 },
  targets: { 100000: 3000, 200000: 6000, 500000: 10_000, 1000000: 30_000 },
};

const payroll: Workload = {
  name: 'payroll',
  sizes: [100_000, 200_000, 500_000, 1_000_000],
  rules: () => [
    setFieldRule(1, 'Regular shift', 'shift_type', 'Equal', { String: 'regular' }, 'regular_pay', { Boolean: true }),
    setFieldRule(2, 'Overtime', 'hours', 'GreaterThan', { Float: 8.0 }, 'overtime', { Boolean: true }),
    setFieldRule(3, 'Weekend premium', 'day_of_week', 'Equal', { String: 'weekend' }, 'weekend_premium', { Boolean: true }),
    setFieldRule(4, 'Night shift', 'shift_start_hour', 'GreaterThanOrEqual', { Integer: 22 }, 'night_differential', { Boolean: true }),
  ],
  factLine: (i) => {
    const long = i % 20 < 3;
    return fact(
      i,
      `"employee_id":${int(i)},"shift_type":${str('regular')},"hours":${float(long ? 9.5 : 8.0)},"day_of_week":${str(i % 10 === 0 ? 'weekend' : 'weekday')},"shift_start_hour":${int(long ? 22 : 9)}`,
    );
  },
  factCount: (size) => size,
  expectedFirings: (n) => n + 2 * countMod(n, 20, 3) + countMod(n, 10, 1),
  reference: { 100000: 99 },
  targets: {},
};

const enterprise: Workload = {
  name: 'enterprise',
  sizes: [100_000, 200_000, 500_000, 1_000_000],
  rules: () => {
    const rules: unknown[] = [];
    for (let id = 1; id <= 200; id++) {
      if (id <= 50) rules.push(setFieldRule(id, `Calculation ${id}`, 'calculation_type', 'Equal', { String: 'basic' }, `calc_${id}`, { Float: id * 10 }));
      else if (id <= 100) rules.push(setFieldRule(id, `Tier ${id}`, 'tier', 'Equal', { String: 'premium' }, `tier_${id}`, { Float: id * 15 }));
      else if (id <= 150) rules.push(setFieldRule(id, `Risk ${id}`, 'risk_category', 'Equal', { String: 'high' }, `risk_${id}`, { Integer: id }));
      else rules.push(setFieldRule(id, `Compliance ${id}`, 'compliance_required', 'Equal', { Boolean: true }, `compliance_${id}`, { String: 'checked' }));
    }
    return rules;
  },
  factLine: (i) =>
    fact(
      i,
      `"calculation_type":${str(i % 77 === 0 ? 'basic' : 'standard')},"tier":${str(i % 111 === 0 ? 'premium' : 'regular')},"risk_category":${str(i % 200 === 0 ? 'high' : 'low')},"compliance_required":${bool(i % 200 === 0)},"amount":${float(i * 1.5)}`,
    ),
  factCount: (size) => size,
  expectedFirings: (n) => 50 * (countMod(n, 77, 1) + countMod(n, 111, 1) + 2 * countMod(n, 200, 1)),
  reference: {},
  targets: {},
};

const join: Workload = {
  name: 'join',
  sizes: [100_000, 200_000, 500_000, 1_000_000],
  rules: () => [
    {
      id: 1,
      name: 'Well-paid employee in a low-budget department',
      patterns: [
        {
          alias: 'e',
          conditions: [
            { field: 'type', operator: 'Equal', value: { String: 'employee' } },
            { field: 'salary', operator: 'GreaterThan', value: { Float: 90000.0 } },
          ],
        },
        {
          alias: 'd',
          conditions: [
            { field: 'type', operator: 'Equal', value: { String: 'dept' } },
            { field: 'dept_id', operator: 'Equal', value: { Ref: 'e.dept_id' } },
            { field: 'budget', operator: 'LessThan', value: { Float: 50000.0 } },
          ],
        },
      ],
      actions: [{ action_type: { Log: { message: 'salary above budget band' } } }],
    },
  ],
  factLine: (i, size) => {
    const depts = Math.max(1, Math.floor(size / 10));
    if (i < depts) return fact(i, `"type":${str('dept')},"dept_id":${int(i)},"budget":${float((i % 10) * 10000)}`);
    const e = i - depts;
    return fact(i, `"type":${str('employee')},"emp_id":${int(e)},"dept_id":${int(e % depts)},"salary":${float(30000 + (e % 70) * 1000)}`);
  },
  factCount: (size) => size + Math.max(1, Math.floor(size / 10)),
  expectedFirings: (n) => {
    const depts = Math.max(1, Math.floor(n / 10));
    let count = 0;
    for (let e = 0; e < n; e++) if (e % 70 > 60 && (e % depts) % 10 < 5) count++;
    return count;
  },
  reference: {},
  targets: {},
};

/** A small seeded PRNG (mulberry32): the same sequence on every machine, so workloads are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The ten rules of join10: each its own test on the employee and on the department's budget. */
const JOIN10_TESTS: readonly (readonly [string, string, number, string, number])[] = [
  ['salary', 'LessThanOrEqual', 97000, 'GreaterThan', 170000],
  ['level', 'GreaterThan', 6, 'LessThan', 30000],
  ['salary', 'GreaterThan', 90000, 'GreaterThanOrEqual', 100000],
  ['level', 'LessThanOrEqual', 3, 'LessThan', 40000],
  ['salary', 'LessThan', 40000, 'GreaterThan', 90000],
  ['level', 'GreaterThanOrEqual', 9, 'LessThanOrEqual', 60000],
  ['salary', 'GreaterThanOrEqual', 95000, 'GreaterThan', 0],
  ['level', 'GreaterThanOrEqual', 8, 'LessThan', 20000],
  ['salary', 'LessThan', 50000, 'GreaterThan', 160000],
  ['salary', 'GreaterThan', 60000, 'LessThan', 10000],
];

const holdsNum = (op: string, a: number, b: number): boolean =>
  op === 'GreaterThan' ? a > b : op === 'GreaterThanOrEqual' ? a >= b : op === 'LessThan' ? a < b : op === 'LessThanOrEqual' ? a <= b : a === b;

/**
 * The facts of join10 at size n, generated once per size: 1% departments, interleaved at
 * random with the employees (most employees arrive before their department); departments
 * numbered in order of arrival, each employee in a random one.
 */
interface Join10Layout {
  /** Per position: the department's id, or -1 for an employee. */
  readonly dept: Int32Array;
  /** Per position: employee fields (unused for departments). */
  readonly empId: Int32Array;
  readonly empDept: Int32Array;
  readonly salary: Int32Array;
  readonly level: Int8Array;
  /** Per department id: its budget. */
  readonly budget: Int32Array;
}

const join10Layouts = new Map<number, Join10Layout>();

function join10Layout(n: number): Join10Layout {
  const known = join10Layouts.get(n);
  if (known) return known;
  const rand = prng(0x10_10_10);
  const depts = Math.max(1, Math.floor(n / 100));
  const dept = new Int32Array(n).fill(-1);
  const empId = new Int32Array(n);
  const empDept = new Int32Array(n);
  const salary = new Int32Array(n);
  const level = new Int8Array(n);
  const budget = new Int32Array(depts);
  // Selection sampling: exactly `depts` department positions, uniformly spread.
  let left = depts;
  let emps = 0;
  for (let i = 0; i < n; i++) {
    if (rand() * (n - i) < left) {
      const d = depts - left--;
      dept[i] = d;
      budget[d] = Math.floor(rand() * 20) * 10000;
    } else {
      empId[i] = emps++;
      empDept[i] = Math.floor(rand() * depts);
      salary[i] = 30000 + Math.floor(rand() * 71) * 1000;
      level[i] = 1 + Math.floor(rand() * 10);
    }
  }
  const layout = { dept, empId, empDept, salary, level, budget };
  join10Layouts.set(n, layout);
  return layout;
}

/**
 * join10 (rete-eval's own, for many join rules at scale): ten rules joining employees to
 * their department on dept_id, each with its own test on the employee and on the budget.
 */
const join10: Workload = {
  name: 'join10',
  sizes: [100_000, 200_000, 500_000, 1_000_000],
  rules: () =>
    JOIN10_TESTS.map(([field, op, value, budgetOp, budget], k) => ({
      id: k + 1,
      name: `Employee ${field} ${op} ${value} in a department with budget ${budgetOp} ${budget}`,
      patterns: [
        {
          alias: 'e',
          conditions: [
            { field: 'type', operator: 'Equal', value: { String: 'employee' } },
            { field, operator: op, value: field === 'salary' ? { Float: value } : { Integer: value } },
          ],
        },
        {
          alias: 'd',
          conditions: [
            { field: 'type', operator: 'Equal', value: { String: 'dept' } },
            { field: 'dept_id', operator: 'Equal', value: { Ref: 'e.dept_id' } },
            { field: 'budget', operator: budgetOp, value: { Float: budget } },
          ],
        },
      ],
      actions: [{ action_type: { Log: { message: `rule ${k + 1}` } } }],
    })),
  factLine: (i, size) => {
    const l = join10Layout(size);
    const d = l.dept[i]!;
    if (d >= 0) return fact(i, `"type":${str('dept')},"dept_id":${int(d)},"budget":${float(l.budget[d]!)}`);
    return fact(
      i,
      `"type":${str('employee')},"emp_id":${int(l.empId[i]!)},"dept_id":${int(l.empDept[i]!)},"salary":${float(l.salary[i]!)},"level":${int(l.level[i]!)}`,
    );
  },
  factCount: (size) => size,
  expectedFirings: (n) => {
    const l = join10Layout(n);
    let count = 0;
    for (let i = 0; i < n; i++) {
      if (l.dept[i]! >= 0) continue;
      const b = l.budget[l.empDept[i]!]!;
      for (const [field, op, value, budgetOp, budget] of JOIN10_TESTS) {
        if (holdsNum(op, field === 'salary' ? l.salary[i]! : l.level[i]!, value) && holdsNum(budgetOp, b, budget)) count++;
      }
    }
    return count;
  },
  reference: {},
  targets: {},
};

/** Employees of the aggregate workload at size n: 40 shifts each (10 a week for 4 weeks). */
const aggregateEmployees = (n: number) => Math.max(1, Math.floor(n / 40));

/**
 * aggregate (rete-eval's own, for the cost of an end-of-input rule): N shifts of N/40
 * employees, 10 a week for 4 weeks; rule: total hours per employee per week above 80 →
 * SetField on each of that week's shifts. Hours are 6 + ((i + week) % 5), so totals vary.
 */
const aggregate: Workload = {
  name: 'aggregate',
  sizes: [100_000, 200_000, 500_000, 1_000_000],
  rules: () => [
    {
      id: 1,
      name: 'Weekly overtime',
      conditions: [
        { field: 'type', operator: 'Equal', value: { String: 'shift' } },
        {
          aggregation_type: 'Sum',
          source_field: 'hours',
          group_by: ['employee_id', 'week'],
          having: { field: 'week_hours', operator: 'GreaterThan', value: { Float: 80.0 } },
          alias: 'week_hours',
          window: null,
        },
      ],
      actions: [{ action_type: { SetField: { field: 'weekly_overtime', value: { Boolean: true } } } }],
    },
  ],
  factLine: (i, size) => {
    const e = aggregateEmployees(size);
    const week = Math.floor(i / (e * 10)) % 4;
    return fact(i, `"type":${str('shift')},"employee_id":${int(i % e)},"week":${int(week)},"hours":${float(6 + ((i + week) % 5))}`);
  },
  factCount: (size) => size,
  expectedFirings: (n) => {
    const e = aggregateEmployees(n);
    const totals = new Map<string, { hours: number; shifts: number }>();
    for (let i = 0; i < n; i++) {
      const week = Math.floor(i / (e * 10)) % 4;
      const key = `${i % e}/${week}`;
      const t = totals.get(key) ?? { hours: 0, shifts: 0 };
      t.hours += 6 + ((i + week) % 5);
      t.shifts++;
      totals.set(key, t);
    }
    let firings = 0;
    for (const t of totals.values()) if (t.hours > 80) firings += t.shifts;
    return firings;
  },
  reference: {},
  targets: {},
};

export const WORKLOADS: Readonly<Record<WorkloadName, Workload>> = { simple, payroll, enterprise, join, join10, aggregate };

/** Parses `100k`, `1m`, `250000`, `1_000_000`. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim().replace(/_/g, ''));
  if (!m) return NaN;
  const mult = m[2]!.toLowerCase() === 'k' ? 1e3 : m[2]!.toLowerCase() === 'm' ? 1e6 : 1;
  const n = Number(m[1]) * mult;
  return Number.isSafeInteger(n) && n > 0 ? n : NaN;
}

export function formatSize(n: number): string {
  if (n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n % 1000 === 0) return `${n / 1000}K`;
  return String(n);
}
