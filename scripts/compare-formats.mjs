#!/usr/bin/env node
// What each input format costs end to end against plain NDJSON: the same facts as NDJSON,
// a JSON array (one record a line, as JSON.stringify of lines would lay it out), gzip'd
// NDJSON, and a jq-style stream of pretty-printed values; each a whole `rete-eval run`
// process, run in turn (NDJSON, array, gzip, jq, NDJSON, …), ratio to NDJSON per round.
//   node scripts/compare-formats.mjs [--workload simple] [--size 1m] [--pairs 5] [--warmup 1]

import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { fail, fmtMs, fmtRatio, median, parseOptions, prepareWorkload, runReteEval, fmtMiB } from './lib/ab.mjs';
import { join } from 'node:path';

const o = parseOptions(
  'usage: node scripts/compare-formats.mjs [--workload simple|payroll|enterprise|join|aggregate] [--size 1m] [--pairs 5] [--warmup 1] [--cache-dir DIR]',
);
const files = await prepareWorkload(o.workload, o.size, o.cacheDir);
const base = files.factsFile.replace(/\.ndjson$/, '');

/** Writes `path` from the NDJSON lines, unless it is there already. */
async function derive(path, write) {
  if (existsSync(path)) return path;
  const tmp = `${path}.${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  await write(out);
  out.end();
  await once(out, 'finish');
  const { renameSync } = await import('node:fs');
  renameSync(tmp, path);
  return path;
}
const eachLine = async (fn) => {
  let i = 0;
  for await (const line of createInterface({ input: createReadStream(files.factsFile) })) await fn(line, i++);
};
const put = async (out, text) => {
  if (!out.write(text)) await once(out, 'drain');
};

const formats = [
  ['NDJSON', files.factsFile],
  [
    'JSON array',
    await derive(`${base}.json`, async (out) => {
      await put(out, '[\n');
      await eachLine((line, i) => put(out, (i === 0 ? '  ' : ',\n  ') + line));
      await put(out, '\n]\n');
    }),
  ],
  ['gzip NDJSON', `${base}.ndjson.gz`],
  [
    'jq stream',
    await derive(`${base}.jq.json`, async (out) => {
      await eachLine((line) => put(out, JSON.stringify(JSON.parse(line), null, 2) + '\n'));
    }),
  ],
];
if (!existsSync(formats[2][1])) await pipeline(createReadStream(files.factsFile), createGzip(), createWriteStream(formats[2][1]));

const reportFile = join(o.cacheDir, `compare-formats-report-${process.pid}.json`);
const rows = formats.map(() => ({ ms: [], readParse: [], rss: [], firings: new Set() }));
for (let round = 0; round < o.warmup + o.pairs; round++) {
  const line = [];
  for (const [k, [name, file]] of formats.entries()) {
    const { ms, report } = await runReteEval({ factsFile: file, rulesFile: files.rulesFile }, reportFile);
    if (round >= o.warmup) {
      rows[k].ms.push(ms);
      rows[k].readParse.push(report.timings.readParseMs);
      rows[k].rss.push(report.memory.peakRssBytes);
    }
    rows[k].firings.add(report.firings.total);
    line.push(`${name} ${fmtMs(ms)}`);
  }
  process.stderr.write(`  ${round < o.warmup ? 'warm-up' : `round ${round - o.warmup + 1}/${o.pairs}`}: ${line.join(' · ')}\n`);
}
const firings = new Set(rows.flatMap((r) => [...r.firings]));
if (firings.size !== 1) fail(`firing counts differ between formats: ${[...firings].join(', ')}`);

process.stdout.write(`\nInput formats end to end (${o.workload} ${o.size}, ${o.pairs} rounds, whole processes; ratio to NDJSON per round)\n`);
for (const [k, [name, file]] of formats.entries()) {
  const ratios = rows[k].ms.map((ms, i) => ms / rows[0].ms[i]);
  process.stdout.write(
    `  ${name.padEnd(12)} median ${fmtMs(median(rows[k].ms)).padStart(8)} · read+parse ${fmtMs(median(rows[k].readParse)).padStart(8)} · ÷ NDJSON ${fmtRatio(median(ratios))} (min ${fmtRatio(Math.min(...ratios))}, max ${fmtRatio(Math.max(...ratios))}) · peak RSS ${fmtMiB(median(rows[k].rss))} · ${file.split('/').pop()}\n`,
  );
}
