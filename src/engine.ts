// The library-level engine API: load and validate rules (rete-eval's format, or
// json-rules-engine's, translated by src/jre/), compile them into a network, and evaluate
// facts through a session.

import { readFileSync } from 'node:fs';
import { CALCULATORS } from './actions/calculators.js';
import { formulaFields, FormulaSyntaxError } from './actions/formula/index.js';
import { describeIoError, RuleFileError, type RuleIssue } from './model/errors.js';
import { decodeFact, Fact } from './model/fact.js';
import { cloneValue, type FieldMap } from './model/value.js';
import { validateRules, type RuleChecks, type RuleValidation } from './model/rules.js';
import type { Firing, Rule } from './model/types.js';
import { locateJsonError } from './io/json-error.js';
import { findDeepNesting, locateJsonPaths } from './io/json-locate.js';
import { didYouMean } from './model/suggest.js';
import { compileNetwork, type Network } from './rete/network.js';
import { Session, type SessionOptions } from './rete/session.js';
import { detectRulesFormat, type RulesFormat } from './jre/detect.js';
import { translateJreRules } from './jre/translate.js';

/** `auto` (the default): each rule file's format is detected from its content. */
export type RulesFormatOption = 'auto' | RulesFormat;

/** The checks rule validation needs from the action compilers. */
export const RULE_CHECKS: RuleChecks = {
  calculator(name, mapped) {
    const calc = CALCULATORS.get(name);
    if (!calc) return `unknown calculator "${name}"${didYouMean(name, CALCULATORS.keys())}; expected one of ${[...CALCULATORS.keys()].join(', ')}`;
    const missing = calc.required.filter((a) => !mapped.includes(a));
    if (missing.length > 0) return `calculator "${name}" needs input_mapping for ${missing.map((a) => `"${a}"`).join(', ')}`;
    const known = new Set([...calc.required, ...calc.optional]);
    const extra = mapped.filter((a) => !known.has(a));
    if (extra.length > 0) {
      const named = extra.map((a) => `"${a}"${didYouMean(a, known)}`).join(', ');
      return `calculator "${name}" has no argument ${named}; it takes ${[...known].join(', ')}`;
    }
    return null;
  },
  formula(expression) {
    try {
      return { fields: formulaFields(expression) };
    } catch (e) {
      if (e instanceof FormulaSyntaxError) return { error: e.message };
      throw e;
    }
  },
};

export interface LoadedRules {
  readonly rules: Rule[];
  readonly warnings: RuleIssue[];
}

/**
 * Validates a parsed rules document (rete-eval's format or json-rules-engine's, detected from
 * the content unless `format` says); `firstId` numbers json-rules-engine rules, which have no ids.
 */
function validateDocument(doc: unknown, format: RulesFormatOption, lint: boolean, firstId: number): RuleValidation & { format: RulesFormat } {
  const f = format === 'auto' ? detectRulesFormat(doc) : format;
  const v = f === 'rete' ? validateRules(doc, RULE_CHECKS, { lint }) : translateJreRules(doc, { firstId, lint });
  return { ...v, format: f };
}

/** Validates a parsed rules document; throws RuleFileError listing every problem. */
export function loadRules(doc: unknown, name = '<rules>', format: RulesFormatOption = 'auto'): LoadedRules {
  const v = validateDocument(doc, format, false, 0);
  if (v.errors.length > 0) throw new RuleFileError(name, v.errors);
  return { rules: v.rules, warnings: v.warnings };
}

/** Reads a rules file's text (a BOM dropped); I/O failures are InputErrors naming the file. */
function readRulesText(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw describeIoError(e, path, 'read');
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * How deeply a rule file may nest (brackets and braces): far beyond any real rule, and
 * shallow enough for every recursive step after parsing (validation, compilation).
 */
export const MAX_RULE_NESTING = 256;

/** The parsed document, or the JSON syntax error as an issue at FILE:LINE:COL. */
function parseRulesText(path: string, text: string): { doc: unknown } | { issue: RuleIssue } {
  const deep = findDeepNesting(text, MAX_RULE_NESTING);
  if (deep !== null) {
    return {
      issue: { path: '$', message: `nested more than ${MAX_RULE_NESTING} levels deep (brackets and braces); no rule needs that many`, file: path, ...deep },
    };
  }
  try {
    return { doc: JSON.parse(text) };
  } catch {
    const where = locateJsonError(text);
    return { issue: { path: '$', message: `invalid JSON: ${where?.message ?? 'unreadable'}`, file: path, line: where?.line, column: where?.column } };
  }
}

/** Reads and parses a rules file; JSON syntax errors are a RuleFileError at FILE:LINE:COL. */
export function readRulesDocument(path: string): unknown {
  const parsed = parseRulesText(path, readRulesText(path));
  if ('issue' in parsed) throw new RuleFileError(path, [parsed.issue]);
  return parsed.doc;
}

/** What checking a set of rule files found: every rule, error and warning, located. */
export interface RuleFilesCheck {
  readonly rules: Rule[];
  readonly errors: RuleIssue[];
  readonly warnings: RuleIssue[];
  /** Per file: its rule entries (valid or not). */
  readonly files: { file: string; rules: number }[];
  /** Per file, in the same order: its format (null when it is not JSON). */
  readonly formats: (RulesFormat | null)[];
}

export interface RuleFilesOptions {
  /** Also warn where a rule will likely not do what it looks like (validate). */
  readonly lint?: boolean;
  /** The format of every file; `auto` (default): detected per file from its content. */
  readonly format?: RulesFormatOption;
}

/**
 * Reads and validates rule files as one rule set: ids are unique across all of them (a
 * clash is an error naming both places). Every issue carries its file, line and column.
 * Never throws for bad rules (problems are returned); throws InputError for I/O failures.
 */
export function checkRuleFiles(paths: readonly string[], options: RuleFilesOptions = {}): RuleFilesCheck {
  const rules: Rule[] = [];
  const files: RuleFilesCheck['files'] = [];
  const formats: RuleFilesCheck['formats'] = [];
  /** Per file: its text and issues, located all at once at the end (see locateJsonPaths). */
  const read: { file: string; text: string; errors: RuleIssue[]; warnings: RuleIssue[]; clashes: Clash[] }[] = [];
  const parseErrors = new Map<number, RuleIssue>();
  const firstSeen = new Map<number, { at: number; path: string }>();
  paths.forEach((file, at) => {
    const text = readRulesText(file);
    const entry = { file, text, errors: [] as RuleIssue[], warnings: [] as RuleIssue[], clashes: [] as Clash[] };
    read.push(entry);
    const parsed = parseRulesText(file, text);
    if ('issue' in parsed) {
      parseErrors.set(at, parsed.issue);
      files.push({ file, rules: 0 });
      formats.push(null);
      return;
    }
    // json-rules-engine rules are numbered on from the largest id loaded before them.
    const firstId = rules.reduce((max, r) => Math.max(max, r.id + 1), 0);
    const v = validateDocument(parsed.doc, options.format ?? 'auto', options.lint === true, firstId);
    entry.errors = v.errors;
    entry.warnings = v.warnings;
    files.push({ file, rules: v.entries });
    formats.push(v.format);
    for (const r of v.rules) {
      const path = `${r.path}.id`;
      const prior = firstSeen.get(r.id);
      if (prior !== undefined) entry.clashes.push({ path, rule: r, prior });
      else {
        firstSeen.set(r.id, { at, path });
        rules.push(r);
      }
    }
  });

  // Locating scans a file's text: once per file for all its issues, not once per issue
  // (per issue, 2,000 warnings or duplicate ids took 3.4 s to locate).
  const wanted = read.map((f) => [...f.errors, ...f.warnings, ...f.clashes].map((i) => i.path));
  for (const f of read) for (const c of f.clashes) wanted[c.prior.at]!.push(c.prior.path);
  const located = read.map((f, k) => {
    const positions = locateJsonPaths(f.text, wanted[k]!);
    return new Map(wanted[k]!.map((path, j) => [path, positions[j]!]));
  });
  const errors: RuleIssue[] = [];
  const warnings: RuleIssue[] = [];
  read.forEach((f, k) => {
    const parseError = parseErrors.get(k);
    if (parseError !== undefined) errors.push(parseError);
    const at = (i: RuleIssue): RuleIssue => ({ ...i, file: f.file, ...located[k]!.get(i.path) });
    errors.push(...f.errors.map(at).sort(byPosition));
    warnings.push(...f.warnings.map(at).sort(byPosition));
    for (const c of f.clashes) {
      const there = located[c.prior.at]!.get(c.prior.path)!;
      errors.push({
        file: f.file,
        path: c.path,
        ...located[k]!.get(c.path),
        message: `duplicate rule id ${c.rule.id}: also at ${paths[c.prior.at]}:${there.line}:${there.column} (${c.prior.path}); ids must be unique across all rule files`,
        ruleId: c.rule.id,
        ruleName: c.rule.name,
      });
    }
  });
  return { rules, errors, warnings, files, formats };
}

/** A rule whose id an earlier rule has (in this file or an earlier one, `at` in the list). */
interface Clash {
  readonly path: string;
  readonly rule: Rule;
  readonly prior: { readonly at: number; readonly path: string };
}

/** Issues of one file in reading order. */
function byPosition(a: RuleIssue, b: RuleIssue): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}

/**
 * Loads, validates and compiles rule files as one rule set. Throws RuleFileError listing
 * every problem; with `strict`, warnings count as errors.
 */
export function compileRuleFiles(
  paths: readonly string[],
  options: { strict?: boolean; format?: RulesFormatOption } = {},
): LoadedRules & { network: Network; files: RuleFilesCheck['files'] } {
  const check = checkRuleFiles(paths, { format: options.format });
  const errors = options.strict ? [...check.errors, ...check.warnings] : check.errors;
  if (errors.length > 0) throw new RuleFileError(paths[0] ?? '<rules>', errors);
  return { rules: check.rules, warnings: check.warnings, files: check.files, network: compileNetwork(check.rules) };
}

/** Loads, validates and compiles one rules file. */
export function compileRulesFile(path: string): LoadedRules & { network: Network } {
  return compileRuleFiles([path]);
}

/** Compiles a rules document (already parsed; either format, see loadRules) into a network. */
export function compileRules(doc: unknown, format: RulesFormatOption = 'auto'): LoadedRules & { network: Network } {
  const loaded = loadRules(doc, '<rules>', format);
  return { ...loaded, network: compileNetwork(loaded.rules) };
}

/**
 * Evaluates facts (wire JSON objects or decoded Facts) against compiled rules in one call
 * and returns the firings in order, plus the facts as they stand at the end. The inputs are
 * copied, never changed: calling it twice on the same facts gives the same answer.
 */
export function evaluate(
  network: Network,
  facts: Iterable<unknown>,
  options: Omit<SessionOptions, 'onFiring' | 'onFactDone'> = {},
): { firings: Firing[]; facts: Fact[] } {
  const firings: Firing[] = [];
  const out: Fact[] = [];
  const session = new Session(network, { ...options, onFiring: (f) => firings.push(f), onFactDone: (f) => out.push(f) });
  let ordinal = 0;
  for (const raw of facts) {
    session.insert(raw instanceof Fact ? copyFact(raw) : decodeFact(structuredClone(raw), ordinal));
    ordinal++;
  }
  session.end();
  return { firings, facts: out };
}

/** A fact with its own copy of the fields (actions change fields in place). */
function copyFact(f: Fact): Fact {
  return new Fact(f.id, cloneValue(f.fields) as FieldMap, f.timestamp, f.externalId, f.shape);
}
