// The library-level engine API: load and validate rules, compile them into a network, and
// evaluate facts through a session.

import { readFileSync } from 'node:fs';
import { CALCULATORS } from './actions/calculators.js';
import { formulaFields, FormulaSyntaxError } from './actions/formula/index.js';
import { describeIoError, RuleFileError, type RuleIssue } from './model/errors.js';
import { decodeFact, Fact } from './model/fact.js';
import { cloneValue, type FieldMap } from './model/value.js';
import { validateRules, type RuleChecks } from './model/rules.js';
import type { Firing, Rule } from './model/types.js';
import { locateJsonError } from './io/json-error.js';
import { compileNetwork, type Network } from './rete/network.js';
import { Session, type SessionOptions } from './rete/session.js';

/** The checks rule validation needs from the action compilers. */
export const RULE_CHECKS: RuleChecks = {
  calculator(name, mapped) {
    const calc = CALCULATORS.get(name);
    if (!calc) return `unknown calculator "${name}"; expected one of ${[...CALCULATORS.keys()].join(', ')}`;
    const missing = calc.required.filter((a) => !mapped.includes(a));
    if (missing.length > 0) return `calculator "${name}" needs input_mapping for ${missing.map((a) => `"${a}"`).join(', ')}`;
    const known = new Set([...calc.required, ...calc.optional]);
    const extra = mapped.filter((a) => !known.has(a));
    if (extra.length > 0) return `calculator "${name}" has no argument ${extra.map((a) => `"${a}"`).join(', ')}; it takes ${[...known].join(', ')}`;
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

/** Validates a parsed rules document; throws RuleFileError listing every problem. */
export function loadRules(doc: unknown, name = '<rules>'): LoadedRules {
  const v = validateRules(doc, RULE_CHECKS);
  if (v.errors.length > 0) throw new RuleFileError(name, v.errors);
  return { rules: v.rules, warnings: v.warnings };
}

/** Reads and parses a rules file; JSON syntax errors name the line and column. */
export function readRulesDocument(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw describeIoError(e, path, 'read');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch {
    const where = locateJsonError(text);
    throw new RuleFileError(path, [
      { path: where ? `line ${where.line}, column ${where.column}` : '$', message: `invalid JSON: ${where?.message ?? 'unreadable'}` },
    ]);
  }
}

/** Loads, validates and compiles a rules file. */
export function compileRulesFile(path: string): LoadedRules & { network: Network } {
  const loaded = loadRules(readRulesDocument(path), path);
  return { ...loaded, network: compileNetwork(loaded.rules) };
}

/** Compiles a rules document (already parsed) into a network. */
export function compileRules(doc: unknown): LoadedRules & { network: Network } {
  const loaded = loadRules(doc);
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
