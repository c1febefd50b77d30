// The rete-eval command line: registers one subcommand per file and turns every user
// error into one line on stderr with its documented exit code (no stack traces).

import { Command, CommanderError } from 'commander';
import { ExitCode, RuleEvalError } from '../model/errors.js';
import { abortOpenOutputs } from '../io/output.js';
import { registerRun } from './run.js';
import { registerValidate } from './validate.js';
import { registerExplain } from './explain.js';
import { registerGenerate } from './generate.js';
import { registerBench } from './bench.js';
import { registerServe } from './serve.js';
import { registerSplit } from './split.js';
import { registerMerge } from './merge.js';
import { exitCodesHelp } from './options.js';
import { COMMANDS, type CommandName } from './commands.js';
import { markWorkDone } from '../boot/state.js';

declare const __VERSION__: string;

const REGISTER: { readonly [name in CommandName]: (program: Command) => void } = {
  run: registerRun,
  validate: registerValidate,
  explain: registerExplain,
  generate: registerGenerate,
  bench: registerBench,
  serve: registerServe,
  split: registerSplit,
  merge: registerMerge,
};

export async function main(argv: string[]): Promise<number> {
  const program = new Command('rete-eval')
    .description('Stream fact files through a RETE rule engine; write fired-rule results and a timing report.')
    .version(typeof __VERSION__ === 'string' ? __VERSION__ : 'dev', '-v, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addHelpText('after', exitCodesHelp());
  for (const name of COMMANDS) REGISTER[name](program);
  // Usage errors in the one form of every message: `rete-eval: …`, one line, with where to look.
  for (const cmd of [program, ...program.commands]) {
    const help = cmd === program ? 'rete-eval --help' : `rete-eval ${cmd.name()} --help`;
    cmd.configureOutput({ outputError: (text, write) => write(`rete-eval: ${text.replace(/^error: /, '').trimEnd()} (see ${help})\n`) });
  }
  try {
    await program.parseAsync(argv);
    const code = process.exitCode === undefined ? ExitCode.OK : Number(process.exitCode);
    if (code === ExitCode.OK) markWorkDone();
    return code;
  } catch (e) {
    return reportError(e);
  }
}

export function reportError(e: unknown): number {
  if (e instanceof CommanderError) {
    // Help and version exit 0; commander has already printed the message.
    return e.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
  }
  if (e instanceof RuleEvalError) {
    process.stderr.write(`rete-eval: ${e.message}\n`);
    return e.exitCode;
  }
  const err = e as Error;
  process.stderr.write(`rete-eval: internal error: ${err?.message ?? String(e)} (this is a bug; set RETE_EVAL_DEBUG=1 for the stack)\n`);
  if (process.env.RETE_EVAL_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
  return ExitCode.INTERNAL;
}

// Ctrl-C or a kill mid-run: remove unfinished output files, then exit as the signal would.
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.once(signal, () => {
    abortOpenOutputs();
    process.stderr.write(`rete-eval: interrupted (${signal}); no output file was written\n`);
    process.exit(code);
  });
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.exitCode = reportError(e);
  },
);
