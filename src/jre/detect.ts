// Which format a parsed rule file is in: rete-eval's own (rules with ids, condition arrays and
// actions) or json-rules-engine's (rules with a conditions object and an event), from its
// content, so `--rules-format auto` needs no file naming convention.

export const RULES_FORMATS = ['rete', 'json-rules-engine'] as const;
export type RulesFormat = (typeof RULES_FORMATS)[number];

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * The format of one rule, or null when it does not say: actions, patterns or a conditions
 * array are rete-eval's (first, so a rete-eval rule with a mistaken conditions object still
 * gets rete-eval's messages); an event or a conditions object json-rules-engine's.
 */
function ruleFormat(e: Record<string, unknown>): RulesFormat | null {
  if ('actions' in e || 'patterns' in e || Array.isArray(e.conditions)) return 'rete';
  if ('event' in e || isObj(e.conditions)) return 'json-rules-engine';
  return null;
}

/** The format of the first rule that says. */
function entriesFormat(list: readonly unknown[]): RulesFormat {
  for (const e of list) {
    const f = isObj(e) ? ruleFormat(e) : null;
    if (f !== null) return f;
  }
  return 'rete';
}

/**
 * The format of a rule document. json-rules-engine: one rule object `{"conditions": {…},
 * "event": {…}}`, an array of them, `{"rules": […]}` of them, or `{"conditions": {name: …},
 * "rules": […]}` with shared conditions. Anything undecided is rete-eval's (whose validator
 * then says what is wrong).
 */
export function detectRulesFormat(doc: unknown): RulesFormat {
  if (Array.isArray(doc)) return entriesFormat(doc);
  if (!isObj(doc)) return 'rete';
  if (Array.isArray(doc.rules)) return isObj(doc.conditions) ? 'json-rules-engine' : entriesFormat(doc.rules);
  return ruleFormat(doc) ?? 'rete';
}
