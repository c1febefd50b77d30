// Which format a parsed rule file is in: rete-eval's own (rules with ids, condition arrays and
// actions) or json-rules-engine's (rules with a conditions object and an event), from its
// content, so `--rules-format auto` needs no file naming convention.

export const RULES_FORMATS = ['rete', 'json-rules-engine'] as const;
export type RulesFormat = (typeof RULES_FORMATS)[number];

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The format of the first rule that says: an event or a conditions object, or actions, patterns or a conditions array. */
function entriesFormat(list: readonly unknown[]): RulesFormat {
  for (const e of list) {
    if (!isObj(e)) continue;
    if ('event' in e || isObj(e.conditions)) return 'json-rules-engine';
    if ('actions' in e || 'patterns' in e || Array.isArray(e.conditions)) return 'rete';
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
  return 'event' in doc || isObj(doc.conditions) ? 'json-rules-engine' : 'rete';
}
