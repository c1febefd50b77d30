// `rete-eval serve`: reads the options, then loads the HTTP service (dist/serve.js, kept
// out of the CLI bundle so other commands never load fastify) and serves until stopped.

import { createRequire } from 'node:module';
import { Option, InvalidArgumentError, type Command } from 'commander';
import { UsageError } from '../model/errors.js';
import { parseRuleSetSpec, type RuleSetSpec } from '../serve/rulesets.js';
import { parseBytes, parseDuration } from '../serve/units.js';
import type { ServeConfig } from '../serve/start.js';
import { collect, exitCodesHelp, integerOption } from './options.js';
import { DEFAULT_MAX_FIRINGS } from './run.js';

interface ServeFlags {
  rules?: string[];
  host: string;
  port: number;
  maxBody: number;
  maxConcurrent: number;
  requestTimeout: number;
  grace: number;
  maxFirings: number;
  maxHeap?: number;
  strict?: boolean;
  logLevel: string;
  alertP99Ms?: number;
  alertRssMb?: number;
  alertWindow: number;
  alertInterval: number;
}

const bytes = (text: string): number => {
  const n = parseBytes(text);
  if (n === null || n < 1) throw new InvalidArgumentError(`expected a size such as 64MiB, 512KiB or 1048576, got "${text}"`);
  return n;
};
const duration = (text: string): number => {
  const n = parseDuration(text);
  if (n === null || n < 1) throw new InvalidArgumentError(`expected a duration such as 30s, 500ms or 2m, got "${text}"`);
  return n;
};
const positive = (text: string): number => {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number > 0, got "${text}"`);
  return n;
};
const port = (text: string): number => {
  const n = integerOption(0)(text);
  if (n > 65535) throw new InvalidArgumentError(`expected a port from 0 to 65535, got "${text}"`);
  return n;
};

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve rule evaluation over HTTP: POST facts, get firings back (one session per request)')
    .option(
      '-r, --rules <[NAME=]file>',
      'a rule set: a rules file, named by its file name without extension or NAME= (repeat for more; the first is the default)',
      collect,
    )
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free port; the line printed at start says which)', port, 8080)
    .option('--max-body <size>', 'largest request body (as sent: compressed bytes for gzip); larger ones get 413', bytes, 64 * 2 ** 20)
    .option('--max-concurrent <n>', 'evaluate requests in flight at once; more get 503 with Retry-After', integerOption(1), 64)
    .option('--request-timeout <duration>', 'longest an evaluate request may take, reading included; past it: 408', duration, 30_000)
    .option('--grace <duration>', 'on SIGTERM/SIGINT, how long requests in flight may take to finish', duration, 10_000)
    .option('--max-firings <n>', 'largest max_firings a request may ask for, and the default (0 = no limit)', integerOption(0), DEFAULT_MAX_FIRINGS)
    .option('--max-heap <MB>', 'stop a request (422 E_LIMIT) when the JS heap passes this many MB (default: 85% of the heap limit)', integerOption(1))
    .option('--strict', 'treat warnings about the rules as errors (at start, on PUT and on reload)')
    .addOption(
      new Option('--log-level <level>', 'JSON log lines on stderr at this level and above')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
        .default('info'),
    )
    .option('--alert-p99-ms <ms>', 'alert (a warn log line and a metric) when the p99 latency of evaluate requests passes this', positive)
    .option('--alert-rss-mb <MB>', 'alert (a warn log line and a metric) when resident memory passes this', positive)
    .option('--alert-window <duration>', 'the window of the p99 latency', duration, 60_000)
    .option('--alert-interval <duration>', 'how often alert thresholds are checked', duration, 5_000)
    .addHelpText('after', exitCodesHelp())
    .action(async (flags: ServeFlags) => {
      const specs = ruleSetSpecs(flags.rules ?? []);
      const config: ServeConfig = {
        host: flags.host,
        port: flags.port,
        ruleSets: specs,
        strict: flags.strict === true,
        maxBodyBytes: flags.maxBody,
        maxConcurrent: flags.maxConcurrent,
        requestTimeoutMs: flags.requestTimeout,
        graceMs: flags.grace,
        maxFirings: flags.maxFirings,
        maxHeapBytes: flags.maxHeap === undefined ? undefined : flags.maxHeap * 2 ** 20,
        logLevel: flags.logLevel,
        alerts: { p99Ms: flags.alertP99Ms, rssMb: flags.alertRssMb, windowSeconds: flags.alertWindow / 1000, intervalMs: flags.alertInterval },
      };
      // The bundle beside this one (dist/serve.cjs), loaded only for this command.
      const { serve } = createRequire(import.meta.url)('./serve.cjs') as typeof import('../serve/start.js');
      process.exitCode = await serve(config);
    });
}

function ruleSetSpecs(texts: readonly string[]): RuleSetSpec[] {
  if (texts.length === 0) throw new UsageError('serve needs a rules file: -r, --rules [NAME=]FILE');
  const specs = texts.map(parseRuleSetSpec);
  const seen = new Map<string, string>();
  for (const s of specs) {
    const prior = seen.get(s.name);
    if (prior !== undefined) throw new UsageError(`two rule sets named "${s.name}" (${prior} and ${s.path}); name one with NAME=${s.path}`);
    seen.set(s.name, s.path);
  }
  return specs;
}
