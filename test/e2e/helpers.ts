// Helpers for the end-to-end tests: run the built CLI as a real process (execa), manage
// temporary directories, and check output records against docs/output.md.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const binPath = fileURLToPath(new URL('../../bin/rete-eval.js', import.meta.url));
export const distCli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
export const fixtureRules = join(repoRoot, 'fixtures', 'rules.json');
export const fixtureFacts = join(repoRoot, 'fixtures', 'facts.ndjson');

/** Fails with a clear message when the CLI has not been built (the `pretest` script builds it). */
export function requireBuild(): void {
  if (!existsSync(distCli)) {
    throw new Error(`dist/cli.js is missing (${distCli}): run \`npm run build\` before the e2e tests (\`npm test\` does it via pretest)`);
  }
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Text or bytes for stdin; stdin is empty (not inherited) when omitted. */
  input?: string | Uint8Array;
  /** Extra environment variables (the base environment has no colour or debug variables). */
  env?: Record<string, string>;
  cwd?: string;
}

/** The environment the CLI runs in: the test's own, minus anything that changes output. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (k === 'NO_COLOR' || k === 'FORCE_COLOR' || k === 'RETE_EVAL_DEBUG' || k.startsWith('VITEST') || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  return env;
}

/** Runs `node bin/rete-eval.js ...args` and returns its exit code and full output. */
export async function cli(args: readonly string[], opts: RunOptions = {}): Promise<CliResult> {
  const r = await execa(process.execPath, [binPath, ...args], {
    reject: false,
    cwd: opts.cwd ?? repoRoot,
    env: { ...baseEnv(), ...opts.env },
    extendEnv: false,
    stripFinalNewline: false,
    ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' as const }),
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Runs a shell pipeline with bash (`set -o pipefail` is the caller's to add). */
export async function shell(script: string, cwd = repoRoot): Promise<CliResult> {
  const r = await execa('bash', ['-c', script], { reject: false, cwd, env: baseEnv(), extendEnv: false, stripFinalNewline: false });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** A fresh directory under the OS temp dir; removed by cleanupTempDirs(). */
const tempDirs: string[] = [];
export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'rete-eval-e2e-'));
  tempDirs.push(d);
  return d;
}
export function cleanupTempDirs(): void {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Writes files into `dir` (name → text, or a value to serialize as JSON); returns their paths. */
export function writeFiles(dir: string, files: Record<string, string | Uint8Array | object>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    const p = join(dir, name);
    writeFileSync(p, typeof content === 'string' || content instanceof Uint8Array ? content : JSON.stringify(content, null, 2));
    out[name] = p;
  }
  return out;
}

/** NDJSON lines of a command's stdout, parsed. Every line must be valid JSON and end with "\n". */
export function ndjson(text: string): any[] {
  if (text === '') return [];
  if (!text.endsWith('\n')) throw new Error(`output does not end with a newline: ${JSON.stringify(text.slice(-80))}`);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line, i) => {
      try {
        return JSON.parse(line);
      } catch (_e) {
        throw new Error(`output line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
      }
    });
}

// ---------------------------------------------------------------------------
// docs/output.md: the shape of a firing record.

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isId = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isStr = (v: unknown) => typeof v === 'string';
const any = () => true;
const SEVERITIES = ['Low', 'Medium', 'High', 'Critical'];
const NOTIFICATION_TYPES = ['Email', 'Sms', 'Push', 'Webhook', 'Slack', 'Teams', 'InApp'];

/** Field checks of each action result kind, by the names docs/output.md gives. */
const RESULT_KINDS: Record<string, Record<string, (v: unknown) => boolean>> = {
  FieldSet: { fact_id: isId, field: isStr, value: any },
  CalculatorResult: { calculator: isStr, result: isStr, output_field: isStr, parsed_value: any },
  Logged: { message: isStr },
  FactCreated: { fact_id: isId, fact_data: (v) => isObj(v) && isObj(v.fields) && Object.keys(v).length === 1 },
  FactUpdated: { fact_id: isId, updated_fields: isObj },
  FactDeleted: { fact_id: isId },
  FieldIncremented: { fact_id: isId, field: isStr, old_value: any, new_value: any },
  ArrayAppended: { fact_id: isId, field: isStr, appended_value: any, new_length: isId },
  NotificationSent: { recipient: isStr, notification_type: (v) => NOTIFICATION_TYPES.includes(v as string), subject: isStr },
  AlertTriggered: { alert_type: isStr, severity: (v) => SEVERITIES.includes(v as string), message: isStr },
};

/** Problems with one output line as a §4 firing record; empty when it is one. */
export function firingProblems(rec: unknown): string[] {
  const problems: string[] = [];
  if (!isObj(rec)) return ['not an object'];
  const allowed = new Set(['rule_id', 'rule_name', 'fact_id', 'fact_ids', 'actions_executed']);
  for (const k of Object.keys(rec)) if (!allowed.has(k)) problems.push(`unexpected key ${k}`);
  if (!isId(rec.rule_id)) problems.push('rule_id is not a non-negative integer');
  if (!isStr(rec.rule_name)) problems.push('rule_name is not a string');
  if (!isId(rec.fact_id)) problems.push('fact_id is not a non-negative integer');
  if (rec.fact_ids !== undefined && !(Array.isArray(rec.fact_ids) && rec.fact_ids.every(isId))) problems.push('fact_ids is not an array of ids');
  if (!Array.isArray(rec.actions_executed)) return [...problems, 'actions_executed is not an array'];
  rec.actions_executed.forEach((r, i) => {
    const keys = isObj(r) ? Object.keys(r) : [];
    const kind = keys[0];
    if (!isObj(r) || keys.length !== 1 || kind === undefined || !(kind in RESULT_KINDS)) {
      problems.push(`actions_executed[${i}] is not {Kind: {...}} with a known kind: ${JSON.stringify(r)}`);
      return;
    }
    const body = r[kind];
    const spec = RESULT_KINDS[kind]!;
    if (!isObj(body)) {
      problems.push(`actions_executed[${i}].${kind} is not an object`);
      return;
    }
    const want = Object.keys(spec).sort().join(',');
    const got = Object.keys(body).sort().join(',');
    if (want !== got) problems.push(`actions_executed[${i}].${kind} has keys ${got}, expected ${want}`);
    for (const [field, check] of Object.entries(spec)) {
      if (field in body && !check(body[field])) problems.push(`actions_executed[${i}].${kind}.${field} is malformed: ${JSON.stringify(body[field])}`);
    }
  });
  return problems;
}

/** The kind of each action result of a firing, e.g. ["FieldSet", "Logged"]. */
export function resultKinds(firing: { actions_executed: object[] }): string[] {
  return firing.actions_executed.map((r) => Object.keys(r)[0]!);
}

/** Matches one line on stderr: the whole of stderr is `rete-eval: <rest>\n`. */
export function oneLineError(rest: RegExp): RegExp {
  return new RegExp(`^rete-eval: ${rest.source}\\n$`);
}

export const ANSI = new RegExp(`${String.fromCharCode(27)}\\[`);
