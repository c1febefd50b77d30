// Builds the CLI and the bench child as CommonJS bundles started through V8's code cache
// (src/boot/: a small ESM entry per bundle, told the bundle's digest), the library entry and
// the reader's worker as ESM bundles, then the library's type declarations with tsc.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  define: { __VERSION__: JSON.stringify(pkg.version) },
};
const esm = {
  ...common,
  format: 'esm',
  // commander and other CommonJS dependencies call require(): give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
};
// Code that finds files beside itself through import.meta.url gets the bundle's own URL.
const cjs = {
  ...common,
  format: 'cjs',
  define: { ...common.define, 'import.meta.url': '__importMetaUrl' },
  banner: { js: "var __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};

rmSync('dist', { recursive: true, force: true });
await Promise.all([
  build({ ...cjs, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.cjs' }),
  // The engine-only child of `rete-eval bench`: one workload size per process.
  build({ ...cjs, entryPoints: ['src/bench/child.ts'], outfile: 'dist/bench-child.cjs' }),
  // `rete-eval serve`, required by the CLI only for that command: the HTTP packages stay in
  // node_modules and out of every other command's start-up (stream-json, which is ESM only
  // and so cannot be required on Node 20, is bundled).
  build({ ...cjs, entryPoints: ['src/serve/start.ts'], outfile: 'dist/serve.cjs', external: ['fastify', 'pino', 'prom-client'] }),
  build({ ...esm, entryPoints: ['src/index.ts'], outfile: 'dist/index.js', packages: 'external' }),
  // The fact reader's worker thread (loaded from beside dist/cli.cjs and dist/index.js).
  build({ ...esm, entryPoints: ['src/io/scan-worker.ts'], outfile: 'dist/scan-worker.js' }),
]);

// The entries bin/rete-eval.js and `rete-eval bench` start: each knows its bundle's digest,
// which keys the code cache (V8 checks a cache against the source's length only).
const digest = (file) => createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 20);
await Promise.all(
  ['cli', 'bench-child'].map((name) =>
    build({
      ...esm,
      banner: undefined,
      entryPoints: [`src/boot/${name}.ts`],
      outfile: `dist/${name}.js`,
      define: { ...common.define, __BUNDLE_HASH__: JSON.stringify(digest(`dist/${name}.cjs`)) },
    }),
  ),
);
