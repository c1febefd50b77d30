// Starts one of our CommonJS bundles (dist/*.cjs) through V8's code cache, which Node 20 does
// not keep for us (Node 22's module.enableCompileCache does): the first run that completes its
// work stores the bytecode V8 made, functions compiled at first call included, and later runs
// take it instead of compiling our code again (32–55 ms of a start on this machine: README).

import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { Script } from 'node:vm';
import * as zlib from 'node:zlib';
import { type CodeCacheState, initCodeCacheState, workDone } from './state.js';

export interface Bundle {
  /** Absolute path of the CommonJS bundle. */
  readonly file: string;
  /** The bundle's name in cache file names ([a-z-]+). */
  readonly name: string;
  /** Hex digest of the bundle's text, taken by the build (V8 itself checks only its length). */
  readonly hash: string;
  /** Which use of the bundle this is ([a-z]+, e.g. the CLI's command): V8 stores the functions
   * a run compiled, so each use keeps a cache of its own. */
  readonly variant: string;
}

// The CommonJS wrapper, as Node's own loader applies it (line numbers stay those of the file).
const WRAP_START = '(function (exports, require, module, __filename, __dirname) { ';
const WRAP_END = '\n});';
/** Cache file: a CRC-32 of the rest (V8 does not check its payload in release builds), then V8's data. */
const CRC_BYTES = 4;

export function startBundle(bundle: Bundle): void {
  const path = cachePath(bundle);
  const cached = path === null ? undefined : readCache(path);
  const source = readFileSync(bundle.file, 'utf8');
  const script = new Script(WRAP_START + source + WRAP_END, {
    filename: bundle.file,
    cachedData: cached === null ? undefined : cached,
  });
  const state: CodeCacheState =
    path === null ? 'off' : cached === undefined ? 'made' : cached === null || script.cachedDataRejected === true ? 'remade' : 'used';
  initCodeCacheState(state);
  if (path !== null && state !== 'used') {
    process.once('exit', (code) => {
      if (code === 0 && workDone()) store(script, path, bundle);
    });
  }
  const wrapper = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
  const module = { exports: {}, filename: bundle.file };
  wrapper.call(module.exports, module.exports, createRequire(bundle.file), module, bundle.file, dirname(bundle.file));
}

/**
 * RETE_EVAL_CODE_CACHE: `off` (or `0`) turns the cache off, a directory puts it there; by
 * default $XDG_CACHE_HOME/rete-eval or ~/.cache/rete-eval. Null: no cache.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const setting = env.RETE_EVAL_CODE_CACHE;
  if (setting === 'off' || setting === '0') return null;
  if (setting !== undefined && setting !== '') return setting;
  const xdg = env.XDG_CACHE_HOME;
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'rete-eval');
  let home = '';
  try {
    home = homedir();
  } catch {
    // No home directory (a system account): no cache.
  }
  return home === '' ? null : join(home, '.cache', 'rete-eval');
}

/**
 * NAME.VARIANT.HASH.RUNTIME.v8, RUNTIME the base64url of Node's version, the architecture
 * and the node flags, from the command line and NODE_OPTIONS (V8 refuses a cache made under
 * other flags: runs alternating two sets would each replace the other's). Name, variant and
 * hash hold no dots and the last field is an encoding, so two keys never share a file.
 */
function cachePath(bundle: Bundle): string | null {
  if (typeof zlib.crc32 !== 'function') return null; // Node < 20.15
  const dir = cacheDir();
  if (dir === null) return null;
  const runtime = Buffer.from(JSON.stringify([process.version, process.arch, process.execArgv, process.env.NODE_OPTIONS ?? ''])).toString('base64url');
  const name = `${bundle.name}.${bundle.variant}.${bundle.hash}.${runtime}.v8`;
  return name.length > 240 ? null : join(dir, name);
}

/** The cached data; undefined when there is none, null when it is damaged. */
function readCache(path: string): Buffer | null | undefined {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch {
    return undefined;
  }
  if (raw.length <= CRC_BYTES) return null;
  const data = raw.subarray(CRC_BYTES);
  return raw.readUInt32LE(0) === zlib.crc32(data) ? data : null;
}

/**
 * Writes the cache whole (a temporary file renamed into place) and drops other builds' caches
 * of this use. The file is opened before V8 serializes its code (a few ms): where nothing can
 * be written (a read-only home), a run pays for the failed open alone.
 */
function store(script: Script, path: string, bundle: Bundle): void {
  const tmp = `${path}.${process.pid}.tmp`;
  let fd: number;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    fd = openSync(tmp, 'w', 0o600);
  } catch {
    return; // A cache that cannot be written only means compiling again next time.
  }
  try {
    const data = script.createCachedData();
    const crc = Buffer.alloc(CRC_BYTES);
    crc.writeUInt32LE(zlib.crc32(data));
    const bytes = Buffer.concat([crc, data]);
    if (writeSync(fd, bytes) !== bytes.length) throw new Error('short write'); // a full disk
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
    prune(dirname(path), bundle);
  } catch {
    if (fd >= 0) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // Renamed already, or never made.
    }
  }
}

/** Removes this bundle's and variant's caches (and leftover temporary files) made from other builds. */
function prune(dir: string, bundle: Bundle): void {
  const prefix = `${bundle.name}.${bundle.variant}.`;
  for (const file of readdirSync(dir)) {
    if (!file.startsWith(prefix)) continue;
    const hash = file.slice(prefix.length, file.indexOf('.', prefix.length));
    if (hash === bundle.hash) continue;
    try {
      unlinkSync(join(dir, file));
    } catch {
      // Another process removed it first.
    }
  }
}
