// Builds the CLI as one ESM bundle (fast start: one file to load) and the library entry,
// then emits the library's type declarations with tsc.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  define: { __VERSION__: JSON.stringify(pkg.version) },
  // commander and other CommonJS dependencies call require(): give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
};

await Promise.all([
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js' }),
  build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.js', packages: 'external' }),
  // The engine-only child of `rete-eval bench`: one workload size per process.
  build({ ...common, entryPoints: ['src/bench/child.ts'], outfile: 'dist/bench-child.js' }),
  // The fact reader's worker thread (loaded from beside dist/cli.js and dist/index.js).
  build({ ...common, entryPoints: ['src/io/scan-worker.ts'], outfile: 'dist/scan-worker.js' }),
  // `rete-eval serve`, loaded by the CLI only for that command (fastify and the rest stay
  // in node_modules and out of every other command's start-up).
  build({ ...common, entryPoints: ['src/serve/start.ts'], outfile: 'dist/serve.js', packages: 'external' }),
]);
