// Random rule files and fact lists (wire JSON) for the property tests of multi-fact rules:
// small rule sets mixing multi-pattern rules (Refs, not/exists patterns, targets, Ref'd
// action values) with single-fact rules, over facts with few distinct values, so that
// joins, retractions, changes and created facts meet often.

import fc from 'fast-check';

const kValues = [0, 1, 2, { Float: 1 }, '1', null];
const vValues = [0, 1, 2, 3, 1.5];
const constant = fc.constantFrom<unknown>(0, 1, 2, 3, { Float: 1 }, 1.5, '1', 'a', 'b', null, true);
const OPS = ['Equal', 'Equal', 'Equal', 'NotEqual', 'GreaterThan', 'LessThan', 'GreaterThanOrEqual', 'LessThanOrEqual', 'Contains', 'StartsWith'] as const;

const constCond = fc.record({ field: fc.constantFrom('type', 'k', 'v'), operator: fc.constantFrom(...OPS), value: constant });

/** Conditions of pattern `i` of a rule whose patterns so far bind `aliases`. */
function patternConds(bound: string[]): fc.Arbitrary<unknown[]> {
  const typeCond = fc.constantFrom('a', 'b').map((t) => ({ field: 'type', operator: 'Equal', value: t }));
  const items: { weight: number; arbitrary: fc.Arbitrary<unknown> }[] = [{ weight: 2, arbitrary: constCond }];
  if (bound.length > 0) {
    const refCond = fc
      .record({
        field: fc.constantFrom('k', 'v'),
        operator: fc.constantFrom(...OPS),
        alias: fc.constantFrom(...bound),
        rf: fc.constantFrom('k', 'v', 'missing'),
      })
      .map(({ field, operator, alias, rf }) => ({ field, operator, value: { Ref: `${alias}.${rf}` } }));
    const equalRef = fc
      .record({ field: fc.constantFrom('k', 'v'), alias: fc.constantFrom(...bound) })
      .map(({ field, alias }) => ({ field, operator: 'Equal', value: { Ref: `${alias}.${field}` } }));
    items.push({ weight: 4, arbitrary: equalRef }, { weight: 3, arbitrary: refCond });
    // A Ref inside Or / Not: a join test that is not a plain Simple condition.
    items.push({
      weight: 1,
      arbitrary: fc.record({ operator: fc.constantFrom('Or', 'Not'), conditions: fc.array(fc.oneof(refCond, constCond), { minLength: 1, maxLength: 2 }) }),
    });
  }
  return fc
    .tuple(fc.option(typeCond, { nil: undefined }), fc.array(fc.oneof(...items), { maxLength: bound.length > 0 ? 2 : 1 }))
    .map(([t, rest]) => (t ? [t, ...rest] : rest));
}

function actions(aliases: string[]): fc.Arbitrary<unknown[]> {
  const target = fc.option(fc.constantFrom(...aliases), { nil: undefined });
  const withTarget = (a: fc.Arbitrary<unknown>) =>
    fc.tuple(a, target).map(([action_type, t]) => (t === undefined ? { action_type } : { action_type, target: t }));
  return fc.array(
    fc.oneof(
      { weight: 2, arbitrary: withTarget(fc.constantFrom('x', 'y').map((message) => ({ Log: { message } }))) },
      { weight: 3, arbitrary: withTarget(fc.record({ field: fc.constantFrom('k', 'v', 'type', 'tag'), value: constant }).map((b) => ({ SetField: b }))) },
      // A value read from a bound fact (multi-fact rules: aliases other than '$').
      ...(aliases[0] === '$'
        ? []
        : [
            {
              weight: 2,
              arbitrary: withTarget(
                fc
                  .record({ field: fc.constantFrom('k', 'v', 'tag'), alias: fc.constantFrom(...aliases), rf: fc.constantFrom('k', 'v', 'missing') })
                  .map(({ field, alias, rf }) => ({ SetField: { field, value: { Ref: `${alias}.${rf}` } } })),
              ),
            },
          ]),
      { weight: 2, arbitrary: withTarget(fc.constantFrom(1, -1, 0.5).map((increment) => ({ IncrementField: { field: 'n', increment } }))) },
      { weight: 2, arbitrary: withTarget(fc.constant({ DeleteFact: { fact_id_field: 'ref' } })) },
      {
        weight: 2,
        arbitrary: withTarget(
          fc.record({ k: fc.constantFrom(...kValues), v: fc.constantFrom(...vValues) }, { requiredKeys: [] }).map((updates) => ({
            UpdateFact: { fact_id_field: 'ref', updates: Object.keys(updates).length > 0 ? updates : { tag: 'u' } },
          })),
        ),
      },
      {
        weight: 1,
        arbitrary: withTarget(
          fc
            .record({ type: fc.constantFrom('a', 'b'), k: fc.constantFrom(...kValues), v: fc.constantFrom(...vValues) })
            .map((fields) => ({ CreateFact: { data: { fields } } })),
        ),
      },
    ),
    { maxLength: 2 },
  );
}

const multiRule = (id: number) =>
  fc
    .integer({ min: 1, max: 3 })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => (i === 0 ? fc.constant('pos') : fc.constantFrom('pos', 'pos', 'not', 'exists')))))
    .chain((kinds) => {
      const aliases = kinds.map((_, i) => `p${i}`);
      const boundBefore = (i: number) => aliases.slice(0, i).filter((_, j) => kinds[j] === 'pos');
      return fc
        .record({
          salience: fc.option(fc.integer({ min: -1, max: 1 }), { nil: undefined }),
          conds: fc.tuple(...kinds.map((_, i) => patternConds(boundBefore(i)))),
          actions: actions(aliases.filter((_, j) => kinds[j] === 'pos')),
        })
        .map((r) => ({
          id,
          name: `rule ${id}`,
          ...(r.salience === undefined ? {} : { salience: r.salience }),
          patterns: kinds.map((k, i) => ({
            alias: aliases[i],
            conditions: r.conds[i],
            ...(k === 'not' ? { not: true } : k === 'exists' ? { exists: true } : {}),
          })),
          actions: r.actions,
        }));
    });

const singleRule = (id: number) =>
  fc.record({ conds: patternConds([]), actions: actions(['$']) }).map((r) => ({
    id,
    name: `rule ${id}`,
    conditions: r.conds,
    actions: (r.actions as { action_type: unknown }[]).map((a) => ({ action_type: a.action_type })),
  }));

/** 1-4 rules, mostly multi-fact (with Refs, not/exists, targets, every action kind), some single-fact. */
export const ruleSet = fc
  .uniqueArray(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 4 })
  .chain((ids) => fc.tuple(...ids.map((id) => fc.oneof({ weight: 4, arbitrary: multiRule(id) }, { weight: 1, arbitrary: singleRule(id) }))))
  .map((rs) => JSON.parse(JSON.stringify(rs)) as Record<string, unknown>[]);

/** Up to 8 flat facts with ids 0, 1, 2... of types a and b. */
export const factList = fc
  .array(
    fc.record(
      { type: fc.constantFrom('a', 'b'), k: fc.constantFrom(...kValues), v: fc.constantFrom(...vValues), ref: fc.integer({ min: 0, max: 9 }) },
      { requiredKeys: ['type'] },
    ),
    { maxLength: 8 },
  )
  .map((records) => records.map((r, i) => JSON.parse(JSON.stringify({ id: i, ...r })) as Record<string, unknown>));
