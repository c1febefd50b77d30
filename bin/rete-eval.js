#!/usr/bin/env node
// Entry point of the rete-eval command: loads the bundled CLI (built by `npm run build`).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('rete-eval: dist/cli.js is missing; run `npm run build` first\n');
  process.exit(1);
}
await import(cli.href);
