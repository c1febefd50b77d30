// `rete-eval serve` once its options are read: compiles the rule sets, listens, prints the
// address, and serves until SIGTERM/SIGINT (a graceful stop; a second signal stops at
// once); SIGHUP reloads the rule files. Built as its own bundle (dist/serve.js) so that
// the other commands never load fastify.

import { InputError, RuleEvalError, RuleFileError, formatIssue } from '../model/errors.js';
import { RuleEvalServer, type ServeConfig } from './server.js';

export type { ServeConfig } from './server.js';

/**
 * Serves until stopped; resolves with the exit code (0: stopped with nothing cut short;
 * 143/130: requests were cut at the end of the grace period, or by a second signal).
 * When it cannot start, prints why on stderr and resolves with the exit code: 3 for
 * invalid rules (every error of every file, as `validate` lists them), 5 for a file or
 * an address it cannot use. (This bundle's error classes are not the CLI bundle's, so
 * its errors are reported here, not thrown to the CLI.)
 */
export async function serve(config: ServeConfig, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  let server: RuleEvalServer;
  let url: string;
  try {
    server = new RuleEvalServer(config);
    try {
      url = await server.listen();
    } catch (e) {
      server.flushLogs();
      throw listenError(e, config);
    }
  } catch (e) {
    if (e instanceof RuleFileError) {
      for (const issue of e.issues) err.write(`rete-eval: ${formatIssue(issue, e.file, { kind: 'error', withRule: true })}\n`);
      err.write(`rete-eval: not serving: invalid rules (${e.issues.length} ${e.issues.length === 1 ? 'error' : 'errors'})\n`);
      return e.exitCode;
    }
    if (e instanceof RuleEvalError) {
      err.write(`rete-eval: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
  out.write(`listening on ${url}\n`);

  // The CLI's own handlers (remove unfinished output files, exit 130/143) do not apply.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  return new Promise<number>((resolve) => {
    let signals = 0;
    const onStop = (signal: 'SIGINT' | 'SIGTERM') => {
      signals++;
      const code = signal === 'SIGINT' ? 130 : 143;
      if (signals > 1) {
        server.log.warn(`${signal} again: stopping now`);
        void server.stopNow();
        return;
      }
      server.log.info(`${signal}: stopping`);
      void server.stop().then((cut) => finish(cut > 0 ? code : 0));
    };
    const finish = (code: number) => {
      server.flushLogs();
      resolve(code);
    };
    process.on('SIGINT', () => onStop('SIGINT'));
    process.on('SIGTERM', () => onStop('SIGTERM'));
    process.on('SIGHUP', () => {
      server.log.info('SIGHUP: reloading the rule files');
      server.reload();
    });
  });
}

function listenError(e: unknown, config: ServeConfig): Error {
  const err = e as NodeJS.ErrnoException;
  const where = `${config.host}:${config.port}`;
  if (err?.code === 'EADDRINUSE')
    return new InputError(`cannot listen on ${where}: the address is in use (another server?); pick another --port, or 0 for any free one`);
  if (err?.code === 'EACCES') return new InputError(`cannot listen on ${where}: permission denied (ports below 1024 need privileges)`);
  if (err?.code === 'EADDRNOTAVAIL' || err?.code === 'ENOTFOUND') return new InputError(`cannot listen on ${where}: no such local address (--host)`);
  return err instanceof Error ? err : new Error(String(e));
}
