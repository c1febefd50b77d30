// Loading json-rules-engine rule files: format detection, the translation into rules (ids,
// names, salience, events), and every error and warning with its JSON path and reason,
// located at FILE:LINE:COL when read from files.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from 'json-rules-engine';
import { checkRuleFiles, compileRules, loadRules } from '../../src/engine.js';
import { detectRulesFormat } from '../../src/jre/detect.js';
import { translateJreRules } from '../../src/jre/translate.js';
import { RuleFileError } from '../../src/model/errors.js';

const fact = (extra: object = {}) => ({ fact: 'age', operator: 'greaterThan', value: 18, ...extra });
const rule = (extra: object = {}) => ({ conditions: { all: [fact()] }, event: { type: 'adult' }, ...extra });

/** The issues of one document as `path: message` lines. */
function issues(doc: unknown, lint = false): { errors: string[]; warnings: string[] } {
  const v = translateJreRules(doc, { lint });
  return { errors: v.errors.map((e) => `${e.path}: ${e.message}`), warnings: v.warnings.map((w) => `${w.path}: ${w.message}`) };
}

describe('detecting the format', () => {
  it.each<[string, unknown, string]>([
    ['one json-rules-engine rule', rule(), 'json-rules-engine'],
    ['an array of them', [rule()], 'json-rules-engine'],
    ['{"rules": [...]} of them', { rules: [rule()] }, 'json-rules-engine'],
    ['shared conditions', { conditions: { a: { all: [] } }, rules: [] }, 'json-rules-engine'],
    ['a rule with only an event', [{ event: { type: 'x' } }], 'json-rules-engine'],
    ['rete-eval rules', [{ id: 1, name: 'r', conditions: [], actions: [] }], 'rete'],
    ['{"rules": [...]} of rete-eval rules', { rules: [{ id: 1, name: 'r', conditions: [], actions: [] }] }, 'rete'],
    ['a rete-eval rule whose conditions are mistakenly an object', [{ id: 1, name: 'r', conditions: {}, actions: [] }], 'rete'],
    ['the first rule that says', [{}, 3, rule()], 'json-rules-engine'],
    ['an empty array', [], 'rete'],
    ['something else', 42, 'rete'],
  ])('%s', (_what, doc, format) => {
    expect(detectRulesFormat(doc)).toBe(format);
  });

  it('can be forced: a json-rules-engine rule read as rete-eval fails there, and the other way round', () => {
    expect(() => loadRules([rule()], 'r.json', 'rete')).toThrow(RuleFileError);
    expect(() => loadRules([{ id: 1, name: 'r', conditions: [], actions: [] }], 'r.json', 'json-rules-engine')).toThrow(
      /\$\[0\]\.conditions: expected \{"all": \[\.\.\.\]\}.*rete-eval's own format/,
    );
  });
});

describe('the translation', () => {
  it('numbers rules by position, names them, and takes priority as salience and the event as it is', () => {
    const v = translateJreRules(
      [
        rule({ name: 'adults', priority: 5, event: { type: 'adult', params: { discount: 10, nested: [1, { a: null }] } } }),
        rule({ priority: '3', event: { type: { odd: 'type' }, params: null } }),
        rule({ name: 0, priority: 0 }),
        rule({ name: '' }),
      ],
      { firstId: 7 },
    );
    expect(v.errors).toEqual([]);
    expect(v.rules.map((r) => [r.id, r.name, r.salience, r.path])).toEqual([
      [7, 'adults', 5, '$[0]'],
      [8, 'rule 8', 3, '$[1]'],
      [9, '0', 1, '$[2]'],
      [10, 'rule 10', 1, '$[3]'],
    ]);
    expect(v.rules[0]!.actions).toEqual([{ kind: 'Event', event: { type: 'adult', params: { discount: 10, nested: [1, { a: null }] } }, target: null }]);
    // Falsy params are left out, as json-rules-engine leaves them out of the events it emits.
    expect(v.rules[1]!.actions).toEqual([{ kind: 'Event', event: { type: { odd: 'type' } }, target: null }]);
  });

  it('translates all / any / not, an empty any (which holds), paths and fact-valued values', () => {
    const { rules } = compileRules(
      {
        conditions: { grown: { any: [fact(), { fact: 'account', path: "$['odd key'][0]", operator: 'equal', value: { fact: 'other', path: '$.x' } }] } },
        rules: [{ conditions: { all: [{ condition: 'grown' }, { not: { any: [] } }, { any: [] }] }, event: { type: 't' } }],
      },
      'json-rules-engine',
    );
    expect(rules[0]!.conditions).toEqual([
      {
        kind: 'or',
        conditions: [
          { kind: 'jre', fact: 'age', path: null, pathText: null, operator: 'greaterThan', value: 18, ref: null },
          {
            kind: 'jre',
            fact: 'account',
            path: ['odd key', '0'],
            pathText: "$['odd key'][0]",
            operator: 'equal',
            value: undefined,
            ref: { fact: 'other', path: ['x'], pathText: '$.x' },
          },
        ],
      },
      { kind: 'not', conditions: [{ kind: 'and', conditions: [] }] },
      { kind: 'and', conditions: [] },
    ]);
  });

  it('reads one rule object, and {"rules": [...]}, with the rule paths of each', () => {
    expect(translateJreRules(rule()).rules.map((r) => r.path)).toEqual(['$']);
    expect(translateJreRules({ rules: [rule(), rule()] }).rules.map((r) => r.path)).toEqual(['$.rules[0]', '$.rules[1]']);
  });
});

describe('what cannot be honoured is refused, at its JSON path, with the reason', () => {
  it.each<[string, unknown, string]>([
    [
      'a custom operator',
      rule({ conditions: { all: [fact({ operator: 'startsWith' })] } }),
      "$.conditions.all[0].operator: expected one of json-rules-engine's operators",
    ],
    ['a custom operator: why', rule({ conditions: { all: [fact({ operator: 'startsWith' })] } }), 'a custom operator (engine.addOperator) is JavaScript code'],
    ['a misspelt operator', [rule({ conditions: { any: [fact({ operator: 'greaterThen' })] } })], '$[0].conditions.any[0].operator: expected one of'],
    ['a misspelt operator: suggestion', [rule({ conditions: { any: [fact({ operator: 'greaterThen' })] } })], '(did you mean "greaterThan"?)'],
    ['operator decorators', rule({ conditions: { all: [fact({ operator: 'someFact:equal' })] } }), 'operator decorators (someFact:) are not supported'],
    [
      'params: facts computed by functions',
      rule({ conditions: { all: [fact({ params: { id: 1 } })] } }),
      '$.conditions.all[0].params: params are passed to facts computed by functions',
    ],
    [
      'params in a fact-valued value',
      rule({ conditions: { all: [fact({ value: { fact: 'limit', params: {} } })] } }),
      '$.conditions.all[0].value.params: params are passed to facts computed by functions',
    ],
    ['onSuccess', rule({ onSuccess: 'notify' }), '$.onSuccess: onSuccess is a JavaScript callback'],
    ['onFailure', [rule(), rule({ onFailure: {} })], '$[1].onFailure: onFailure is a JavaScript callback'],
    ['no event', { conditions: { all: [] } }, '$.event: expected an "event"'],
    ['an event without a type', rule({ event: { params: {} } }), '$.event: expected an event with a "type"'],
    ['no conditions', { event: { type: 'x' } }, '$.conditions: expected "conditions"'],
    [
      'a fact condition at the root',
      rule({ conditions: fact() }),
      '$.conditions: expected {"all": [...]}, {"any": [...]}, {"not": {...}} or {"condition": "name"}',
    ],
    ['any that is not an array', rule({ conditions: { any: fact() } }), '$.conditions.any: expected an array of conditions'],
    ['not that is an array', rule({ conditions: { not: [fact()] } }), '$.conditions.not: expected one condition object'],
    [
      'a missing value',
      rule({ conditions: { all: [{ fact: 'age', operator: 'equal', vaule: 1 }] } }),
      '(missing value), {"all"|"any": [...]}, {"not": {...}} or {"condition": "name"}; found "vaule" (did you mean "value"?)',
    ],
    ['an empty fact name', rule({ conditions: { all: [fact({ fact: '' })] } }), '$.conditions.all[0].fact: expected a fact name'],
    ['a fact name that is not a string', rule({ conditions: { all: [fact({ fact: 3 })] } }), '$.conditions.all[0].fact: expected a fact name'],
    [
      'a path outside the subset',
      rule({ conditions: { all: [fact({ path: '$..age' })] } }),
      '$.conditions.all[0].path: "$..age" uses recursive descent (..); rete-eval reads only the simple JSONPath subset',
    ],
    ['a path that is not a string', rule({ conditions: { all: [fact({ path: 3 })] } }), '$.conditions.all[0].path: expected a JSONPath string'],
    [
      'in against a number',
      rule({ conditions: { all: [fact({ operator: 'in', value: 3 })] } }),
      '$.conditions.all[0].value: expected an array (or a string) for in: json-rules-engine calls value.indexOf(fact), which throws',
    ],
    ['notIn against an object', rule({ conditions: { all: [fact({ operator: 'notIn', value: { a: 1 } })] } }), 'expected an array (or a string) for notIn'],
    [
      'a priority below 1',
      rule({ priority: -2 }),
      '$.priority: expected a positive integer priority, got number -2 (json-rules-engine refuses priorities below 1)',
    ],
    ['a priority that is no number', rule({ priority: 'high' }), '$.priority: expected a positive integer priority'],
    [
      'an unknown shared condition',
      { conditions: { adult: { all: [] } }, rules: [rule({ conditions: { condition: 'adults' } })] },
      '$.rules[0].conditions.condition: no shared condition named "adults" (did you mean "adult"?)',
    ],
    ['a reference without shared conditions', [rule({ conditions: { all: [{ condition: 'x' }] } })], 'the file defines no shared conditions'],
    [
      'a shared condition that refers to itself',
      { conditions: { a: { all: [{ condition: 'b' }] }, b: { any: [{ condition: 'a' }] } }, rules: [] },
      '$.conditions.b.any[0].condition: shared condition "a" refers to itself ("a" → "b" → "a")',
    ],
    ['a reference with more beside it', rule({ conditions: { all: [{ condition: 'x', all: [] }] } }), 'a reference {"condition": …} must stand alone'],
    ['shared conditions that are not an object', { conditions: [], rules: [] }, '$.conditions: expected shared conditions'],
    ['a shared condition with a fact root', { conditions: { 'odd name': fact() }, rules: [] }, '$.conditions["odd name"]: expected {"all": [...]}'],
    [
      'an integer JSON cannot hold',
      rule({ event: { type: 'x', params: { n: 2 ** 60 } } }),
      '$.event.params.n: the number 1152921504606847000 is an integer beyond ±(2^53−1)',
    ],
    [
      'an integer JSON cannot hold, in a constant',
      rule({ conditions: { all: [fact({ value: [1, -(2 ** 54)] })] } }),
      '$.conditions.all[0].value[1]: the number',
    ],
    ['a rules list that is not an array', { rules: {} }, '$.rules: expected an array of rules'],
    ['a rule that is not an object', [rule(), 'x'], '$[1]: expected a json-rules-engine rule'],
  ])('%s', (_what, doc, message) => {
    expect(issues(doc).errors.join('\n')).toContain(message);
  });

  it('reports every problem of a file, not just the first', () => {
    const e = issues([rule({ onSuccess: 1 }), rule({ conditions: { all: [fact({ operator: 'x' }), fact({ path: '$[*]' })] } })]).errors;
    expect(e.map((x) => x.split(':')[0])).toEqual(['$[0].onSuccess', '$[1].conditions.all[0].operator', '$[1].conditions.all[1].path']);
  });

  it('drops only the rules in error', () => {
    const v = translateJreRules([rule(), rule({ event: {} }), rule()]);
    expect(v.rules.map((r) => r.id)).toEqual([0, 2]);
    expect(v.entries).toBe(3);
  });
});

describe('what json-rules-engine ignores is a warning', () => {
  it.each<[string, unknown, string]>([
    ['an unknown rule key', rule({ priorty: 2 }), '$.priorty: unknown rule key "priorty" is ignored (did you mean "priority"?)'],
    ['an unknown event key', rule({ event: { type: 'x', parmas: {} } }), '$.event.parmas: unknown event key "parmas" is ignored (did you mean "params"?)'],
    [
      'all beside any',
      rule({ conditions: { any: [], all: [fact()] } }),
      '$.conditions.all: "all" is ignored: with "any" present, json-rules-engine uses only "any"',
    ],
    ['fact keys on a boolean condition', rule({ conditions: { all: [], fact: 'age' } }), '$.conditions.fact: "fact" is ignored'],
    ['an unknown condition key', rule({ conditions: { all: [fact({ operater: 1 })] } }), '$.conditions.all[0].operater: unknown condition key'],
    ['actions on a rule', rule({ actions: [] }), '$.actions: json-rules-engine rules have no actions'],
    ['an empty file', [], '$: the file holds no rules'],
  ])('%s', (_what, doc, message) => {
    expect(issues(doc).warnings.join('\n')).toContain(message);
  });

  it('validate also warns about conditions that never or always hold', () => {
    const w = issues(
      rule({ conditions: { all: [fact({ operator: 'equal', value: { a: 1 } }), fact({ operator: 'notEqual', value: [] })], any: [] } }),
      true,
    ).warnings;
    expect(w.join('\n')).toContain('$.conditions.all: "all" is ignored');
    const w2 = issues(
      rule({ conditions: { all: [fact({ operator: 'equal', value: { a: 1 } }), fact({ operator: 'notEqual', value: [] }), { any: [] }] } }),
      true,
    ).warnings;
    expect(w2).toEqual([
      "$.conditions.all[0].value: json-rules-engine compares with ===, so no record matches: an object written in the rule is never the same object as a record's value",
      "$.conditions.all[1].value: json-rules-engine compares with ===, so every record matches: an array written in the rule is never the same object as a record's value",
      '$.conditions.all[2].any: an empty "any" holds for every record in json-rules-engine (as an empty "all" does)',
    ]);
    expect(issues(rule({ conditions: { all: [{ any: [] }] } })).warnings).toEqual([]);
  });
});

describe('rule files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rete-eval-jre-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, doc: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, JSON.stringify(doc, null, 2));
    return p;
  };

  it('number json-rules-engine rules on from the largest id loaded before them', () => {
    const rete = write('rete.json', [{ id: 41, name: 'r', conditions: [], actions: [] }]);
    const a = write('a.json', [rule(), rule()]);
    const b = write('b.json', rule());
    const check = checkRuleFiles([rete, a, b]);
    expect(check.errors).toEqual([]);
    expect(check.rules.map((r) => r.id)).toEqual([41, 42, 43, 44]);
    expect(check.files.map((f, i) => [f.rules, check.formats[i]])).toEqual([
      [1, 'rete'],
      [2, 'json-rules-engine'],
      [1, 'json-rules-engine'],
    ]);
  });

  it('locates every issue at FILE:LINE:COL', () => {
    const p = write('bad.json', { conditions: { x: { all: [] } }, rules: [rule(), rule({ conditions: { all: [fact({ operator: 'like' })] } })] });
    const check = checkRuleFiles([p]);
    expect(check.errors).toHaveLength(1);
    expect(check.errors[0]).toMatchObject({ file: p, path: '$.rules[1].conditions.all[0].operator', line: 27, column: 13, ruleId: 1 });
  });

  it('can be read in the format given, whatever they look like', () => {
    const p = write('looks-rete.json', [{ id: 1, name: 'r', conditions: [], actions: [] }]);
    const check = checkRuleFiles([p], { format: 'json-rules-engine' });
    expect(check.errors.map((e) => e.path).sort()).toEqual(['$[0].conditions', '$[0].event']);
  });
});

describe('json-rules-engine itself, where rete-eval chooses otherwise', () => {
  it('loses event params named like Object.prototype members; rete-eval writes the event as the file has it', async () => {
    const r = rule({ event: { type: 'x', params: { toString: 'kept', constructor: 1, a: 2 } } });
    const engine = new Engine([structuredClone(r)], { allowUndefinedFacts: true });
    const { events } = await engine.run({ age: 20 });
    expect(JSON.stringify(events[0])).toBe('{"type":"x","params":{"a":2}}');
    const v = translateJreRules(r);
    expect(JSON.stringify(v.rules[0]!.actions[0])).toContain('"params":{"toString":"kept","constructor":1,"a":2}');
  });
});
