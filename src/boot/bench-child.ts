// dist/bench-child.js, what `rete-eval bench` starts for each workload size: the bench child's
// bundle (dist/bench-child.cjs) through the code cache, so that its first compile is timed as
// a user's second run meets it, with our own code already compiled.

import { fileURLToPath } from 'node:url';
import { startBundle } from './code-cache.js';

declare const __BUNDLE_HASH__: string;

startBundle({
  file: fileURLToPath(new URL('./bench-child.cjs', import.meta.url)),
  name: 'bench-child',
  hash: __BUNDLE_HASH__,
  variant: 'engine',
});
