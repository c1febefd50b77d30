// Tests for loading several rule files as one rule set (src/engine.ts): ids unique across
// files (a clash names both places), every issue located as FILE:LINE:COL, JSON syntax
// errors too, and --strict turning warnings into errors.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkRuleFiles, compileRuleFiles, MAX_RULE_NESTING } from '../../src/engine.js';
import { formatIssue, RuleFileError } from '../../src/model/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'rete-eval-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const rule = (id: number, extra = '') => `{"id": ${id}, "name": "r${id}", "conditions": [], "actions": []${extra}}`;

describe('several rule files', () => {
  const a = file('a.json', `[\n  ${rule(1)},\n  ${rule(2)}\n]\n`);
  const b = file('b.json', `{"rules": [\n  ${rule(3)},\n  ${rule(4, ', "colour": "red"')}\n]}\n`);
  const clash = file('clash.json', `[\n  ${rule(5)},\n  ${rule(2)}\n]\n`);

  it('load together, in order', () => {
    const c = compileRuleFiles([a, b]);
    expect(c.rules.map((r) => r.id)).toEqual([1, 2, 3, 4]);
    expect(c.network.terminals).toHaveLength(4);
    expect(c.files).toEqual([
      { file: a, rules: 2 },
      { file: b, rules: 2 },
    ]);
    expect(c.warnings).toEqual([expect.objectContaining({ file: b, line: 3, path: '$.rules[1].colour' })]);
  });

  it('a rule id used in two files is an error naming both files and JSON paths', () => {
    const check = checkRuleFiles([a, clash]);
    expect(check.errors).toHaveLength(1);
    const e = check.errors[0]!;
    expect(e).toMatchObject({ file: clash, line: 3, column: 4, path: '$[1].id', ruleId: 2 });
    expect(e.message).toBe(`duplicate rule id 2: also at ${a}:3:4 ($[1].id); ids must be unique across all rule files`);
    expect(() => compileRuleFiles([a, clash])).toThrow(RuleFileError);
  });

  it('many clashes and warnings, across files and within one, each at its own place, in file order', () => {
    // A file's own errors (a repeated id within it) come first, then its clashes with earlier rules.
    const again = file('again.json', `[\n  ${rule(1, ', "colour": "red"')},\n  ${rule(9)},\n  ${rule(9)},\n  ${rule(2)}\n]\n`);
    const check = checkRuleFiles([a, b, again]);
    expect(check.errors.map((e) => [e.file, e.line, e.column, e.message.replace(/; ids must.*/, '')])).toEqual([
      [again, 4, 4, 'duplicate rule id 9 (also at $[1])'],
      [again, 2, 4, `duplicate rule id 1: also at ${a}:2:4 ($[0].id)`],
      [again, 5, 4, `duplicate rule id 2: also at ${a}:3:4 ($[1].id)`],
    ]);
    expect(check.warnings.map((w) => [w.file, w.line, w.path])).toEqual([
      [b, 3, '$.rules[1].colour'],
      [again, 2, '$[0].colour'],
    ]);
  });

  it('a JSON syntax error is an issue at FILE:LINE:COL, and other files are still checked', () => {
    const broken = file('broken.json', '[\n  {"id": 1,\n   "name" "x"}\n]');
    const check = checkRuleFiles([broken, b]);
    expect(check.errors).toEqual([{ path: '$', message: 'invalid JSON: expected ":", found "\\""', file: broken, line: 3, column: 11 }]);
    expect(formatIssue(check.errors[0]!)).toBe(`${broken}:3:11: invalid JSON: expected ":", found "\\""`);
    expect(check.files).toEqual([
      { file: broken, rules: 0 },
      { file: b, rules: 2 },
    ]);
  });

  it('counts rule entries whether or not they are valid', () => {
    const bad = file('bad.json', `[${rule(1)}, {"id": -1}, ${rule(3)}]`);
    const check = checkRuleFiles([bad]);
    expect(check.files).toEqual([{ file: bad, rules: 3 }]);
    expect(check.rules).toHaveLength(2);
    expect(check.errors.length).toBeGreaterThan(0);
  });

  it('a file nested deeper than any rule needs is one located error, not a stack overflow', () => {
    const depth = 50_000;
    const deep = file('deep.json', `[{"id": 1, "name": "d", "conditions": [${'{"conditions": ['.repeat(depth)}${']}'.repeat(depth)}], "actions": []}]`);
    const check = checkRuleFiles([deep]);
    expect(check.errors).toEqual([
      { path: '$', message: expect.stringContaining(`nested more than ${MAX_RULE_NESTING} levels deep`), file: deep, line: 1, column: expect.any(Number) },
    ]);
    // Broken and deep: the same, before the JSON syntax error would be looked for.
    const broken = file('deep-broken.json', '['.repeat(depth));
    expect(checkRuleFiles([broken]).errors[0]!.message).toContain('nested more than');
    // As deep as allowed still loads and compiles.
    const levels = (MAX_RULE_NESTING - 4) / 2;
    const ok = file('ok-deep.json', `[{"id": 1, "name": "d", "conditions": [${'{"conditions": ['.repeat(levels)}${']}'.repeat(levels)}], "actions": []}]`);
    expect(compileRuleFiles([ok]).rules).toHaveLength(1);
  });

  it('an empty rule list is a warning', () => {
    const empty = file('empty.json', '{"rules": []}');
    expect(checkRuleFiles([empty]).warnings).toEqual([expect.objectContaining({ path: '$.rules', message: expect.stringContaining('no rules') })]);
  });

  it('--strict makes warnings errors', () => {
    expect(() => compileRuleFiles([b], { strict: true })).toThrow(/b\.json:3:\d+: \$\.rules\[1\]\.colour: unknown rule key "colour"/);
  });
});
