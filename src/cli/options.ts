// Shared option parsing for the commands: integer and choice arguments that fail with a
// usage error naming the option, and the colour decision (TTY, NO_COLOR, FORCE_COLOR).

import { InvalidArgumentError } from 'commander';

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
