// dist/cli.js, what bin/rete-eval.js loads: starts the CLI bundle (dist/cli.cjs) through the
// code cache, one cache per command, as each compiles a different part of the CLI.

import { fileURLToPath } from 'node:url';
import { isCommandName } from '../cli/commands.js';
import { startBundle } from './code-cache.js';

declare const __BUNDLE_HASH__: string;

const command = process.argv[2];
startBundle({
  file: fileURLToPath(new URL('./cli.cjs', import.meta.url)),
  name: 'cli',
  hash: __BUNDLE_HASH__,
  variant: isCommandName(command) ? command : 'other',
});
