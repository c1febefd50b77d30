// Shared option parsing for the commands: integer and repeatable arguments that fail with
// a usage error naming the option, the exit-code help text, and the colour decision.

import { InvalidArgumentError, Option } from 'commander';
import { EXIT_CODE_MEANINGS } from '../model/errors.js';

export function integerOption(min: number) {
  return (text: string): number => {
    const n = Number(text.replace(/_/g, ''));
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}, got "${text}"`);
    return n;
  };
}

/** Colour on stderr only on a TTY, never under NO_COLOR. */
export function useColor(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

/** For a repeatable option (`-r a.json -r b.json`): gathers every value in order. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The exit codes, as `--help` lists them. */
export function exitCodesHelp(): string {
  const width = Math.max(...EXIT_CODE_MEANINGS.map(([c]) => c.length));
  return `\nExit codes:\n${EXIT_CODE_MEANINGS.map(([c, m]) => `  ${c.padEnd(width)}  ${m}`).join('\n')}\n`;
}

/** `--rules-format`, the same on run, validate and explain. */
export function rulesFormatOption(): Option {
  return new Option('--rules-format <format>', "rule file format: rete-eval's own, json-rules-engine's, or detected per file from its content")
    .choices(['auto', 'rete', 'json-rules-engine'])
    .default('auto');
}
