// `rete-eval validate`: checks rule files (arguments or -r, loaded as one rule set) and lists
// every problem as FILE:LINE:COL with its JSON path, plus warnings for rules that will likely
// not do what they look like; exits 3 on any error (or, with --strict, any warning).

import type { Command } from 'commander';
import { checkRuleFiles, type RulesFormatOption } from '../engine.js';
import { ExitCode, formatIssue, UsageError } from '../model/errors.js';
import { plural } from '../model/words.js';
import { collect, exitCodesHelp, rulesFormatOption } from './options.js';

interface ValidateFlags {
  rules?: string[];
  rulesFormat: RulesFormatOption;
  json?: boolean;
  strict?: boolean;
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check rule files and list every error and warning as FILE:LINE:COL with its JSON path')
    .argument('[files...]', 'rule files (JSON array or {"rules":[...]}), checked as one rule set')
    .option('-r, --rules <file>', 'a rule file, as for run (repeatable; adds to the arguments)', collect)
    .addOption(rulesFormatOption())
    .option('--json', 'print the result as JSON')
    .option('--strict', `treat warnings as errors (exit ${ExitCode.INVALID_RULES})`)
    .addHelpText('after', exitCodesHelp())
    .action((args: string[], flags: ValidateFlags) => {
      const files = [...(flags.rules ?? []), ...args];
      if (files.length === 0) throw new UsageError('validate needs a rule file: rete-eval validate RULES.json... (or -r RULES.json)');
      const check = checkRuleFiles(files, { lint: true, format: flags.rulesFormat });
      const errors = flags.strict ? [...check.errors, ...check.warnings] : check.errors;
      const warnings = flags.strict ? [] : check.warnings;
      const valid = errors.length === 0;
      const rules = check.files.reduce((n, f) => n + f.rules, 0);
      if (flags.json) {
        process.stdout.write(JSON.stringify({ valid, rules, files: check.files, errors, warnings }, null, 2) + '\n');
      } else {
        const kind = (i: (typeof errors)[number]) => (check.warnings.includes(i) ? 'error (--strict)' : 'error');
        for (const e of errors) process.stdout.write(`${formatIssue(e, files[0], { kind: kind(e), withRule: true })}\n`);
        for (const w of warnings) process.stdout.write(`${formatIssue(w, files[0], { kind: 'warning', withRule: true })}\n`);
        const jre = check.formats.every((f) => f === 'json-rules-engine') ? ' (json-rules-engine)' : '';
        const what = files.length === 1 ? `${files[0]!}${jre}` : `${plural(files.length, 'file')}${jre}`;
        const extra = warnings.length > 0 ? ` (${plural(warnings.length, 'warning')})` : '';
        process.stdout.write(valid ? `${what}: ${plural(rules, 'rule')}, valid${extra}\n` : `${what}: ${plural(errors.length, 'error')}${extra}\n`);
      }
      if (!valid) process.exitCode = ExitCode.INVALID_RULES;
    });
}
