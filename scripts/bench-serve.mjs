// Load benchmark of `rete-eval serve` on loopback: requests/s, facts/s, p50/p99 latency,
// the server's CPU and RSS, for 1-fact and 1,000-fact requests on the simple and enterprise
// rule sets at 1, 16 and 64 connections (autocannon); medians over rounds, the cells of a
// round alternated so that the machine's noise spreads over all; GET /healthz as the floor
// (what the HTTP stack alone gets from the machine). Then a soak: RSS sampled through a
// long run, to see it stay flat. Bounded: every cell runs a fixed time.
//
//   npm run build && node scripts/bench-serve.mjs [--rounds 3] [--seconds 5] [--soak 60]
//     [--connections 1,16,64] [--workloads simple,enterprise] [--sizes 1,1000] [--markdown FILE]

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { scriptArgs } from './lib/args.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'rete-eval.js');

const USAGE =
  'usage: node scripts/bench-serve.mjs [--rounds 3] [--seconds 5] [--soak 60] [--connections 1,16,64]\n' +
  '         [--workloads simple,enterprise] [--sizes 1,1000] [--markdown FILE]\n';
const { values } = scriptArgs(USAGE.trimEnd(), {
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    soak: { type: 'string', default: '60' },
    connections: { type: 'string', default: '1,16,64' },
    workloads: { type: 'string', default: 'simple,enterprise' },
    sizes: { type: 'string', default: '1,1000' },
    markdown: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const soakSeconds = Number(values.soak);
const connectionsList = values.connections.split(',').map(Number);
const workloads = values.workloads.split(',');
const sizes = values.sizes.split(',').map(Number);
const markdown = values.markdown ?? null;

// ---------------------------------------------------------------------------
// The workloads' rules and facts, from `rete-eval generate` (the bench's own definitions).

const dir = mkdtempSync(join(tmpdir(), 'rete-eval-bench-serve-'));
const sets = {};
for (const w of workloads) {
  const rules = join(dir, `${w}.json`);
  const facts = join(dir, `${w}.ndjson`);
  execFileSync(process.execPath, [bin, 'generate', '-w', w, '-n', '1000', '-o', facts, '--rules-out', rules]);
  const lines = readFileSync(facts, 'utf8').trimEnd().split('\n');
  sets[w] = { rules, lines, batch: lines.join('\n') + '\n' };
}

// ---------------------------------------------------------------------------
// The server, a child process; its CPU time and RSS from /proc.

const server = spawn(process.execPath, [bin, 'serve', '--port', '0', '--max-concurrent', '256', ...workloads.flatMap((w) => ['-r', `${w}=${sets[w].rules}`])], {
  stdio: ['ignore', 'pipe', 'ignore'],
});
const url = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (b) => {
    out += b;
    const m = /listening on (\S+)/.exec(out);
    if (m) resolve(m[1]);
  });
  server.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
});
const TICK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
const cpuSeconds = () => {
  const f = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK; // utime + stime
};
const rssMiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))[1]) / 1024;

function requestsFor(w, size) {
  const path = `/v1/rulesets/${w}/evaluate`;
  const headers = { 'content-type': 'application/x-ndjson' };
  // One-fact requests go through the 1,000 facts in turn; 1,000-fact requests send them all.
  if (size === 1) return sets[w].lines.map((l) => ({ method: 'POST', path, headers, body: l + '\n' }));
  return [{ method: 'POST', path, headers, body: sets[w].lines.slice(0, size).join('\n') + '\n' }];
}

async function load(w, size, connections, duration) {
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  // The floor: GET /healthz, what the machine gives the HTTP stack alone at this moment.
  const requests = w === 'healthz' ? [{ method: 'GET', path: '/healthz' }] : requestsFor(w, size);
  const r = await autocannon({ url, connections, duration, requests, timeout: 30 });
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds() - cpu0;
  if (r.errors > 0 || r.non2xx > 0 || r.timeouts > 0)
    throw new Error(`${w} ${size}×${connections}: ${r.errors} errors, ${r.non2xx} non-2xx, ${r.timeouts} timeouts`);
  const rps = r.requests.total / r.duration;
  // Server CPU per request: what a request costs, whatever share of a core the server got.
  return {
    rps,
    factsPerSec: rps * size,
    p50: r.latency.p50,
    p99: r.latency.p99,
    cpu: (100 * cpu) / wall,
    cpuMs: (1000 * cpu) / r.requests.total,
    rss: rssMiB(),
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// ---------------------------------------------------------------------------

const cells = [{ w: 'healthz', size: 0, c: 16, runs: [] }];
for (const w of workloads) for (const size of sizes) for (const c of connectionsList) cells.push({ w, size, c, runs: [] });
process.stderr.write(`serve at ${url}; warm-up\n`);
for (const w of workloads) for (const size of sizes) await load(w, size, 16, 2);
for (let round = 1; round <= rounds; round++) {
  for (const cell of round % 2 ? cells : [...cells].reverse()) {
    cell.runs.push(await load(cell.w, cell.size, cell.c, seconds));
    const last = cell.runs.at(-1);
    process.stderr.write(
      `round ${round} ${cell.w} ${cell.size} fact(s) × ${cell.c}: ${last.rps.toFixed(0)} req/s, p99 ${last.p99} ms, CPU ${last.cpu.toFixed(0)} %\n`,
    );
  }
}

const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const rows = cells.map((cell) => {
  const m = (k) => median(cell.runs.map((r) => r[k]));
  const rps = cell.runs.map((r) => r.rps);
  const tail = `${fmt(m('p50'), 1)} | ${fmt(m('p99'), 1)} | ${fmt(m('cpu'))} % | ${fmt(m('cpuMs'), 3)} | ${fmt(m('rss'))} |`;
  if (cell.w === 'healthz') return `| (GET /healthz) | – | ${cell.c} | ${fmt(m('rps'))} (${fmt(Math.min(...rps))}–${fmt(Math.max(...rps))}) | – | ${tail}`;
  return `| ${cell.w} | ${fmt(cell.size)} | ${cell.c} | ${fmt(m('rps'))} (${fmt(Math.min(...rps))}–${fmt(Math.max(...rps))}) | ${fmt(m('factsPerSec'))} | ${tail}`;
});
const table = [
  '| rule set | facts/request | connections | requests/s (min–max) | facts/s | p50 ms | p99 ms | server CPU | server CPU ms/request | server RSS MiB |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows,
].join('\n');

let soak = '';
if (soakSeconds > 0) {
  const w = workloads[0];
  const samples = [];
  const started = performance.now();
  const timer = setInterval(() => samples.push({ t: (performance.now() - started) / 1000, rss: rssMiB() }), 5000);
  const r = await load(w, 1000, 16, soakSeconds);
  clearInterval(timer);
  const rss = samples.map((s) => s.rss);
  soak =
    `Soak: ${w}, 1,000-fact requests at 16 connections for ${soakSeconds} s: ${fmt(r.rps)} requests/s, p99 ${r.p99} ms; ` +
    `RSS every 5 s: ${rss.map((x) => fmt(x)).join(', ')} MiB (first ${fmt(rss[0])}, last ${fmt(rss.at(-1))}, max ${fmt(Math.max(...rss))}).`;
}

server.kill('SIGTERM');
await new Promise((resolve) => server.once('exit', resolve));
rmSync(dir, { recursive: true, force: true });
const loadAverage = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const text = `${table}\n\n${soak}\n\nMedians of ${rounds} rounds of ${seconds} s per cell (autocannon on loopback, in this process; the server is one process). Load average at the end: ${loadAverage}.\n`;
process.stdout.write(text);
if (markdown) writeFileSync(markdown, text);
