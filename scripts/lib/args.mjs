// Argument parsing for the scripts: an unknown or malformed option is a one-line error
// followed by the usage (exit 2), never a stack trace; --help (-h) prints the usage (exit 0).

import { parseArgs } from 'node:util';

/** parseArgs with `help` added; `usage` is the script's usage line(s), without the final newline. */
export function scriptArgs(usage, config) {
  let parsed;
  try {
    parsed = parseArgs({ ...config, options: { ...config.options, help: { type: 'boolean', short: 'h', default: false } } });
  } catch (e) {
    process.stderr.write(`${e.message}\n${usage}\n`);
    process.exit(2);
  }
  if (parsed.values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return parsed;
}
