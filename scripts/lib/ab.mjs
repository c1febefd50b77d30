// Shared helpers of the whole-process comparison scripts (compare-*.mjs): argument parsing,
// the workload files (written by `rete-eval generate`), timing one process with execa, and
// the A B A B alternation with a ratio per pair.

import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { scriptArgs } from './args.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'rete-eval.js');

/** Common options: --workload, --size, --pairs, --warmup, --cache-dir, plus the script's own; `usage` for --help and errors. */
export function parseOptions(usage, extra = {}) {
  const { values } = scriptArgs(usage, {
    options: {
      workload: { type: 'string', short: 'w', default: 'simple' },
      size: { type: 'string', short: 'n', default: '200k' },
      pairs: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      'cache-dir': { type: 'string', default: join(ROOT, '.bench') },
      ...extra,
    },
  });
  const pairs = Number(values.pairs);
  const warmup = Number(values.warmup);
  if (!Number.isSafeInteger(pairs) || pairs < 1) fail(`--pairs: expected an integer ≥ 1, got "${values.pairs}"`);
  if (!Number.isSafeInteger(warmup) || warmup < 0) fail(`--warmup: expected an integer ≥ 0, got "${values.warmup}"`);
  return { ...values, pairs, warmup, cacheDir: resolve(values['cache-dir']) };
}

export function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** Writes the workload's facts (NDJSON) and rules with `rete-eval generate`; returns their paths. */
export async function prepareWorkload(workload, size, cacheDir) {
  mkdirSync(cacheDir, { recursive: true });
  const base = join(cacheDir, `compare-${workload}-${size}`);
  const factsFile = `${base}.ndjson`;
  const rulesFile = `${base}.rules.json`;
  await execa(process.execPath, [BIN, 'generate', '-w', workload, '-n', size, '-o', factsFile, '--rules-out', rulesFile], { stdio: 'inherit' });
  return { factsFile, rulesFile };
}

/** Runs one process to completion; returns its wall time (ms) and output. Throws on failure. */
export async function timeProcess(file, args, options = {}) {
  const t0 = performance.now();
  const r = await execa(file, args, { reject: false, stdin: 'ignore', ...options });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0 || r.signal) {
    throw new Error(`${[file, ...args].join(' ')} failed (${r.signal ?? `exit ${r.exitCode}`}): ${String(r.stderr ?? '').trim()}`);
  }
  return { ms, stdout: typeof r.stdout === 'string' ? r.stdout : '', stderr: typeof r.stderr === 'string' ? r.stderr : '' };
}

/**
 * `rete-eval run` over the files, whole process: results to stdout, which the process gets as
 * the null device (not `-o /dev/null`: -o writes a temporary file and renames it into place,
 * which would replace the device node), and the run report read back for firings and stages.
 */
export async function runReteEval({ factsFile, rulesFile }, reportFile, flags = []) {
  rmSync(reportFile, { force: true });
  const { ms } = await timeProcess(process.execPath, [BIN, 'run', '-r', rulesFile, factsFile, '--quiet', '--no-progress', '--report', reportFile, ...flags], {
    stdout: 'ignore',
  });
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  rmSync(reportFile, { force: true });
  return { ms, report };
}

export function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return '–';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`;
}

export const fmtMiB = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** The stage times of rete-eval's run reports (`timings`), medians over the given runs, in one line. */
export function stagesLine(timings) {
  const m = (k) => fmtMs(median(timings.map((t) => t[k])));
  return `read+parse+decode ${m('readParseMs')} · compile ${m('compileMs')} · evaluate ${m('evaluateMs')} · write ${m('writeMs')} · total ${m('totalMs')}`;
}

export const fmtRatio = (r) => (!Number.isFinite(r) ? '–' : r >= 10 ? `${r.toFixed(1)}×` : r >= 0.1 ? `${r.toFixed(2)}×` : `${r.toPrecision(2)}×`);

/**
 * Runs A and B alternately (A B A B …): `warmup` unmeasured pairs, then `pairs` measured ones.
 * Each side's run() returns { ms, detail? }. Returns per-pair times and ratios (A ÷ B) and the
 * medians. Alternating spreads slow drift of the machine over both sides alike.
 */
export async function alternate({ a, b, pairs, warmup, log = (s) => process.stderr.write(s + '\n') }) {
  const rows = [];
  for (let i = 0; i < warmup + pairs; i++) {
    const ra = await a.run();
    const rb = await b.run();
    const measured = i >= warmup;
    const label = measured ? `pair ${i - warmup + 1}/${pairs}` : `warm-up ${i + 1}/${warmup}`;
    log(`  ${label.padEnd(11)} ${a.name} ${fmtMs(ra.ms).padStart(8)}   ${b.name} ${fmtMs(rb.ms).padStart(8)}   ratio ${fmtRatio(ra.ms / rb.ms)}`);
    if (measured) rows.push({ a: ra, b: rb, ratio: ra.ms / rb.ms });
  }
  const ratios = rows.map((r) => r.ratio);
  return {
    rows,
    medianA: median(rows.map((r) => r.a.ms)),
    medianB: median(rows.map((r) => r.b.ms)),
    medianRatio: median(ratios),
    minRatio: Math.min(...ratios),
    maxRatio: Math.max(...ratios),
  };
}

/** Prints the summary of an alternation. */
export function printSummary(title, aName, bName, s) {
  const out = [
    '',
    title,
    `  ${aName}: median ${fmtMs(s.medianA)}`,
    `  ${bName}: median ${fmtMs(s.medianB)}`,
    `  ratio ${aName} ÷ ${bName} per pair: median ${fmtRatio(s.medianRatio)} (min ${fmtRatio(s.minRatio)}, max ${fmtRatio(s.maxRatio)}, ${s.rows.length} pairs)`,
    `  (${bName} ÷ ${aName}: ${fmtRatio(1 / s.medianRatio)})`,
  ];
  process.stdout.write(out.join('\n') + '\n');
}
