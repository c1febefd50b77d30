// The start-up code cache (src/boot/): kept after a run that did its work, taken by the next,
// refused and replaced when damaged or made by another build, one per command, and never in
// the way: off on request, and a directory that cannot be written costs only the cache.

import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheDir } from '../../src/boot/code-cache.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { cleanupTempDirs, cli, fixtureFacts, fixtureRules, repoRoot, requireBuild, tempDir } from './helpers.js';

beforeAll(requireBuild);
afterAll(cleanupTempDirs);

const benchChild = join(repoRoot, 'dist', 'bench-child.js');

interface Compiled {
  type: string;
  rules: number;
  codeCache: string;
}

/** One bench child that compiles the simple workload's rules and stops: its "compiled" event. */
async function compileOnce(cacheSetting: string, nodeOptions = ''): Promise<Compiled> {
  const r = await execa(process.execPath, ['--expose-gc', benchChild, '--workload', 'simple', '--size', '1000', '--compile-only'], {
    reject: false,
    env: { RETE_EVAL_CODE_CACHE: cacheSetting, NODE_OPTIONS: nodeOptions },
  });
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  const event = JSON.parse(r.stdout) as Compiled;
  expect(event).toMatchObject({ type: 'compiled', rules: 1 });
  return event;
}

const files = (dir: string): string[] => readdirSync(dir).sort();

describe('the bench child through the code cache', () => {
  it('leaves a cache after its work and starts the next process from it', async () => {
    const dir = join(tempDir(), 'cache');
    expect((await compileOnce(dir)).codeCache).toBe('made');
    const [name, ...more] = files(dir);
    expect(more).toEqual([]);
    // NAME.VARIANT.HASH.RUNTIME.v8, RUNTIME naming Node's version, the architecture and the flags
    // (the command line's and NODE_OPTIONS).
    const fields = name!.split('.');
    expect(fields).toHaveLength(5);
    expect(fields.slice(0, 2)).toEqual(['bench-child', 'engine']);
    expect(fields[2]).toMatch(/^[0-9a-f]{20}$/);
    expect(JSON.parse(Buffer.from(fields[3]!, 'base64url').toString())).toEqual([process.version, process.arch, ['--expose-gc'], '']);
    const bytes = readFileSync(join(dir, name!));
    expect(bytes.readUInt32LE(0)).toBe(crc32(bytes.subarray(4)));

    expect((await compileOnce(dir)).codeCache).toBe('used');
    expect((await compileOnce(dir)).codeCache).toBe('used');
    // Taken, not rewritten.
    expect(readFileSync(join(dir, name!)).equals(bytes)).toBe(true);
  });

  it('refuses a damaged cache, compiles as without one, and replaces it', async () => {
    const dir = join(tempDir(), 'cache');
    await compileOnce(dir);
    const [name] = files(dir);
    const path = join(dir, name!);
    const good = readFileSync(path);
    // A flipped byte in V8's data, which V8 alone would run (its release builds do not check it).
    const flipped = Buffer.from(good);
    const at = flipped.length >> 1;
    flipped[at] = flipped[at]! ^ 0x5a;
    writeFileSync(path, flipped);
    expect((await compileOnce(dir)).codeCache).toBe('remade');
    expect(readFileSync(path).readUInt32LE(0)).toBe(crc32(readFileSync(path).subarray(4)));
    expect((await compileOnce(dir)).codeCache).toBe('used');
    // Cut short, and a file too short to hold even its checksum.
    writeFileSync(path, good.subarray(0, good.length >> 1));
    expect((await compileOnce(dir)).codeCache).toBe('remade');
    writeFileSync(path, good.subarray(0, 3));
    expect((await compileOnce(dir)).codeCache).toBe('remade');
    expect((await compileOnce(dir)).codeCache).toBe('used');
  });

  it("drops other builds' caches of the same use and keeps every other file", async () => {
    const learn = join(tempDir(), 'cache');
    await compileOnce(learn);
    const [name] = files(learn);
    const [, , hash, runtime] = name!.split('.');
    const dir = join(tempDir(), 'cache');
    mkdirSync(dir);
    const otherBuild = `bench-child.engine.${'0'.repeat(20)}.${runtime}.v8`;
    const otherBuildTemp = `${otherBuild}.12345.tmp`;
    const otherRuntime = `bench-child.engine.${hash}.${Buffer.from('["v0.0.0","x64",[]]').toString('base64url')}.v8`;
    const otherUse = `cli.run.${'0'.repeat(20)}.${runtime}.v8`;
    for (const f of [otherBuild, otherBuildTemp, otherRuntime, otherUse, 'notes.txt']) writeFileSync(join(dir, f), 'x');
    expect((await compileOnce(dir)).codeCache).toBe('made');
    expect(files(dir)).toEqual([name!, otherRuntime, otherUse, 'notes.txt'].sort());
  });

  it('keeps a cache per set of node flags, NODE_OPTIONS included, so runs that alternate them do not replace each other', async () => {
    const dir = join(tempDir(), 'cache');
    const big = '--max-old-space-size=4096';
    expect((await compileOnce(dir)).codeCache).toBe('made');
    expect((await compileOnce(dir, big)).codeCache).toBe('made');
    expect((await compileOnce(dir)).codeCache).toBe('used');
    expect((await compileOnce(dir, big)).codeCache).toBe('used');
    expect(files(dir)).toHaveLength(2);
  });

  it('is off with RETE_EVAL_CODE_CACHE=off, and a directory that cannot be made costs only the cache', async () => {
    const root = tempDir();
    expect((await compileOnce('off')).codeCache).toBe('off');
    expect((await compileOnce('0')).codeCache).toBe('off');
    // A regular file where the directory would go: nothing can be written under it.
    writeFileSync(join(root, 'file'), '');
    const blocked = join(root, 'file', 'cache');
    expect((await compileOnce(blocked)).codeCache).toBe('made');
    expect((await compileOnce(blocked)).codeCache).toBe('made');
    expect(statSync(join(root, 'file')).isFile()).toBe(true);
  });
});

describe('the CLI through the code cache', () => {
  it('keeps one cache per command, none after help or a usage error, and answers as without it', async () => {
    const dir = join(tempDir(), 'cache');
    const env = { RETE_EVAL_CODE_CACHE: dir };
    expect((await cli(['--help'], { env })).exitCode).toBe(0);
    expect((await cli(['run', '--help'], { env })).exitCode).toBe(0);
    expect((await cli(['run', '--no-such-option'], { env })).exitCode).toBe(2);
    expect((await cli(['validate', join(tempDir(), 'missing.json')], { env })).exitCode).not.toBe(0);
    expect(() => readdirSync(dir)).toThrow(/ENOENT/);

    const off = await cli(['run', '--rules', fixtureRules, fixtureFacts, '--quiet'], { env: { RETE_EVAL_CODE_CACHE: 'off' } });
    expect(off.exitCode).toBe(0);
    expect(() => readdirSync(dir)).toThrow(/ENOENT/);
    for (let i = 0; i < 2; i++) {
      const r = await cli(['run', '--rules', fixtureRules, fixtureFacts, '--quiet'], { env });
      expect(r).toEqual(off);
      expect((await cli(['validate', fixtureRules], { env })).exitCode).toBe(0);
    }
    expect(files(dir).map((f) => f.split('.').slice(0, 2).join('.'))).toEqual(['cli.run', 'cli.validate']);
  });

  it('has a cache name for each of its commands and no other', async () => {
    const help = await cli(['--help']);
    const listed = help.stdout
      .slice(help.stdout.indexOf('Commands:'))
      .split('\n')
      .map((line) => /^ {2}([a-z]+)\b/.exec(line)?.[1])
      .filter((name) => name !== undefined && name !== 'help');
    expect(listed).toEqual([...COMMANDS]);
  });
});

describe('where the cache lives', () => {
  it('is off, or in the directory given, or under $XDG_CACHE_HOME or ~/.cache', () => {
    expect(cacheDir({ RETE_EVAL_CODE_CACHE: 'off' })).toBeNull();
    expect(cacheDir({ RETE_EVAL_CODE_CACHE: '0' })).toBeNull();
    expect(cacheDir({ RETE_EVAL_CODE_CACHE: '/var/cache/x', XDG_CACHE_HOME: '/xdg' })).toBe('/var/cache/x');
    expect(cacheDir({ RETE_EVAL_CODE_CACHE: '', XDG_CACHE_HOME: '/xdg' })).toBe(join('/xdg', 'rete-eval'));
    // The XDG specification: a relative path is to be ignored.
    const home = cacheDir({ XDG_CACHE_HOME: 'relative' });
    expect(home).toMatch(/[\\/]\.cache[\\/]rete-eval$/);
    expect(cacheDir({})).toBe(home);
  });
});
