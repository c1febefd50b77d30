// `rete-eval validate`: checks a rules file and lists every problem with its JSON path;
// exits non-zero when there is any. Warnings (unknown keys) do not fail validation.

import type { Command } from 'commander';
import { RULE_CHECKS, readRulesDocument } from '../engine.js';
import { ExitCode, RuleFileError } from '../model/errors.js';
import { validateRules } from '../model/rules.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a rules file and list every error with its JSON path')
    .requiredOption('-r, --rules <file>', 'rules file (JSON array or {"rules":[...]})')
    .option('--json', 'print the result as JSON')
    .action((opts: { rules: string; json?: boolean }) => {
      let doc: unknown;
      try {
        doc = readRulesDocument(opts.rules);
      } catch (e) {
        if (!(e instanceof RuleFileError) || !opts.json) throw e;
        process.stdout.write(JSON.stringify({ file: opts.rules, valid: false, rules: 0, errors: e.issues, warnings: [] }, null, 2) + '\n');
        process.exitCode = ExitCode.INVALID_RULES;
        return;
      }
      const v = validateRules(doc, RULE_CHECKS);
      const valid = v.errors.length === 0;
      if (opts.json) {
        process.stdout.write(JSON.stringify({ file: opts.rules, valid, rules: v.rules.length, errors: v.errors, warnings: v.warnings }, null, 2) + '\n');
      } else {
        const who = (i: { ruleId?: number | undefined; ruleName?: string | undefined }) =>
          i.ruleId !== undefined ? ` (rule ${i.ruleId}${i.ruleName !== undefined ? ` ${JSON.stringify(i.ruleName)}` : ''})` : '';
        for (const e of v.errors) process.stdout.write(`${opts.rules}: error: ${e.path}: ${e.message}${who(e)}\n`);
        for (const w of v.warnings) process.stdout.write(`${opts.rules}: warning: ${w.path}: ${w.message}${who(w)}\n`);
        process.stdout.write(
          valid
            ? `${opts.rules}: ${v.rules.length} rules, valid${v.warnings.length ? ` (${v.warnings.length} warnings)` : ''}\n`
            : `${opts.rules}: ${v.errors.length} error${v.errors.length === 1 ? '' : 's'}\n`,
        );
      }
      if (!valid) process.exitCode = ExitCode.INVALID_RULES;
    });
}
