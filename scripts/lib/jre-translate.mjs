// Translates a rete-eval rules file (formats.md §3) into json-rules-engine rules, and
// rete-eval facts into the flat field maps json-rules-engine takes as runtime facts.
//
// Operators:  Equal → equal · NotEqual → notEqual · GreaterThan → greaterThan ·
//   GreaterThanOrEqual → greaterThanInclusive · LessThan → lessThan ·
//   LessThanOrEqual → lessThanInclusive · Contains → reteContains (custom: substring of a
//   string, or member of an array; json-rules-engine's own `contains` is arrays only) ·
//   StartsWith / EndsWith → reteStartsWith / reteEndsWith (custom, strings only).
// Conditions: the top-level list → {all: [...]}; And → all; Or → any; Not → {not: {any: [...]}}
//   (rete-eval's Not holds when none of its children holds).
// Values: tagged values lose their tags ({"Float":8.0} → 8, {"String":"x"} → "x"); numbers
//   then compare by value in both engines (rete-eval: 5 equals 5.0).
// Actions: each rule gets one event {type: "rule-<id>"}; SetField's field and value travel
//   in the event's params and are applied to the fact after the run (rete-eval's SetField
//   changes the fact); Log's message likewise. Other actions, multi-pattern rules (joins),
//   aggregations and stream windows have no json-rules-engine counterpart: rejected.
// Salience → priority (json-rules-engine wants priorities ≥ 1: shifted so the lowest is 1).
// Differences that do not touch the bench workloads: json-rules-engine's ordering operators
// accept only numbers (rete-eval also orders strings and dates), and it evaluates every rule
// against every fact with no chaining (rete-eval re-matches changed facts).

const OPERATORS = {
  Equal: 'equal',
  NotEqual: 'notEqual',
  GreaterThan: 'greaterThan',
  GreaterThanOrEqual: 'greaterThanInclusive',
  LessThan: 'lessThan',
  LessThanOrEqual: 'lessThanInclusive',
  Contains: 'reteContains',
  StartsWith: 'reteStartsWith',
  EndsWith: 'reteEndsWith',
};

/** Custom operators for the rete-eval string/array operators. */
export function addReteOperators(engine) {
  engine.addOperator('reteContains', (a, b) => (typeof a === 'string' && typeof b === 'string' ? a.includes(b) : Array.isArray(a) ? a.includes(b) : false));
  engine.addOperator('reteStartsWith', (a, b) => typeof a === 'string' && typeof b === 'string' && a.startsWith(b));
  engine.addOperator('reteEndsWith', (a, b) => typeof a === 'string' && typeof b === 'string' && a.endsWith(b));
}

/** A tagged value ({"String":"x"}, {"Integer":1}, "Null", ...) as a plain JSON value. */
export function plain(v) {
  if (v === 'Null') return null;
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(plain);
  const keys = Object.keys(v);
  if (keys.length === 1) {
    const k = keys[0];
    const x = v[k];
    switch (k) {
      case 'String':
      case 'Integer':
      case 'Float':
      case 'Boolean':
      case 'Date':
        return x;
      case 'Null':
        return null;
      case 'Array':
        return x.map(plain);
      case 'Object':
        return Object.fromEntries(Object.entries(x).map(([kk, vv]) => [kk, plain(vv)]));
    }
  }
  return Object.fromEntries(Object.entries(v).map(([kk, vv]) => [kk, plain(vv)]));
}

function condition(c, where) {
  if (c && typeof c === 'object' && 'field' in c && 'operator' in c && 'value' in c) {
    const op = OPERATORS[c.operator];
    if (!op) throw new Error(`${where}: operator ${JSON.stringify(c.operator)} has no json-rules-engine counterpart`);
    if (c.value && typeof c.value === 'object' && 'Ref' in c.value) throw new Error(`${where}: Ref values (joins) have no json-rules-engine counterpart`);
    return { fact: c.field, operator: op, value: plain(c.value) };
  }
  if (c && typeof c === 'object' && 'conditions' in c) {
    const kids = c.conditions.map((k, i) => condition(k, `${where}.conditions[${i}]`));
    const op = c.operator ?? 'And';
    if (op === 'And') return { all: kids };
    if (op === 'Or') return { any: kids };
    if (op === 'Not') return { not: { any: kids } };
  }
  throw new Error(`${where}: condition ${JSON.stringify(c).slice(0, 80)} has no json-rules-engine counterpart`);
}

function action(a, where) {
  const [kind, body] = Object.entries(a.action_type ?? {})[0] ?? [];
  if (kind === 'SetField') return { set: { field: body.field, value: plain(body.value) } };
  if (kind === 'Log') return { log: body.message };
  throw new Error(`${where}: action ${JSON.stringify(kind)} is not translated (only SetField and Log)`);
}

/** The rules document → json-rules-engine rule definitions (for engine.addRule). */
export function translateRules(doc) {
  const rules = Array.isArray(doc) ? doc : doc.rules;
  const saliences = rules.map((r) => r.salience ?? 0);
  const lowest = Math.min(...saliences);
  return rules.map((r, i) => {
    const where = `rules[${i}] (id ${r.id})`;
    if (r.patterns) throw new Error(`${where}: multi-pattern rules (joins) have no json-rules-engine counterpart`);
    return {
      name: r.name,
      priority: (r.salience ?? 0) - lowest + 1,
      conditions: { all: (r.conditions ?? []).map((c, j) => condition(c, `${where}.conditions[${j}]`)) },
      event: { type: `rule-${r.id}`, params: { rule_id: r.id, actions: (r.actions ?? []).map((a, j) => action(a, `${where}.actions[${j}]`)) } },
    };
  });
}

/** A rete-eval fact record (reference shape or flat) → a flat map of plain field values. */
export function flatFact(rec) {
  const fields = rec?.data && typeof rec.data === 'object' && rec.data.fields !== undefined ? rec.data.fields : rec;
  const out = {};
  for (const k in fields) out[k] = plain(fields[k]);
  return out;
}
