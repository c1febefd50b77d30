// The rule sets a server evaluates with, by name: each compiled once into an immutable
// network that any number of requests share. A new version (PUT, SIGHUP) is compiled
// aside and swapped in with one assignment; a request keeps the set it started with.

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { compileRuleFiles } from '../engine.js';
import { describeIoError, RuleFileError, UsageError, type RuleIssue } from '../model/errors.js';
import type { Network } from '../rete/network.js';
import { ServeCode, ServeError } from './errors.js';

export interface RuleSet {
  readonly name: string;
  /** The first 16 hex digits of the SHA-256 of the rule file's bytes. */
  readonly version: string;
  /** The compiled rules; `network.reads` is what they read (for the projected reader). */
  readonly network: Network;
  readonly rules: number;
  /** `file`: loaded from `path` (given at start; SIGHUP reloads it); `upload`: PUT. */
  readonly source: 'file' | 'upload';
  readonly path: string | null;
  /** What the run report names as the rule file. */
  readonly label: string;
  readonly warnings: readonly RuleIssue[];
  readonly loadedAt: Date;
  readonly compileMs: number;
}

/** A rule set named on the command line: `NAME=path`, or a path (named by its file name). */
export interface RuleSetSpec {
  readonly name: string;
  readonly path: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkName(name: string): string | null {
  return NAME.test(name) ? null : `rule set name "${name}": expected 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`;
}

/** `NAME=path` or `path` (the name is the file name without its extension). Throws UsageError. */
export function parseRuleSetSpec(text: string): RuleSetSpec {
  const eq = text.indexOf('=');
  const named = eq > 0 && checkName(text.slice(0, eq)) === null;
  const name = named ? text.slice(0, eq) : basename(text, extname(text));
  const path = named ? text.slice(eq + 1) : text;
  if (path === '') throw new UsageError(`--rules ${text}: no file after "="`);
  const bad = checkName(name);
  if (bad !== null) throw new UsageError(`--rules ${text}: ${bad}; name it with NAME=${text}`);
  return { name, path };
}

/** A version string: injective in the bytes (a hash, not a join of user text). */
function versionOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

export type RuleSetChange = { set: RuleSet; previous: RuleSet | undefined };

export class RuleSetRegistry {
  private readonly sets = new Map<string, RuleSet>();
  /** Names in the order they came: the first is the default rule set. */
  private readonly names: string[] = [];
  private readonly strict: boolean;
  private readonly onChange: (change: RuleSetChange) => void;
  /** Where rule bytes are written to be compiled (the compiler reads files; see compileBytes). */
  private scratch: string | null = null;

  constructor(options: { strict?: boolean; onChange?: (change: RuleSetChange) => void } = {}) {
    this.strict = options.strict === true;
    this.onChange = options.onChange ?? (() => undefined);
  }

  get(name: string): RuleSet | undefined {
    return this.sets.get(name);
  }

  /** The rule set of `POST /v1/evaluate`: the first one given at start. */
  get defaultSet(): RuleSet {
    return this.sets.get(this.names[0]!)!;
  }

  list(): RuleSet[] {
    return this.names.map((n) => this.sets.get(n)!);
  }

  /** Reads and compiles a rule file; throws RuleFileError (every issue) or InputError. */
  loadFile(spec: RuleSetSpec): RuleSet {
    let bytes: Buffer;
    try {
      bytes = readFileSync(spec.path);
    } catch (e) {
      throw describeIoError(e, spec.path, 'read');
    }
    const current = this.sets.get(spec.name);
    const version = versionOf(bytes);
    if (current !== undefined && current.version === version && current.path === spec.path) return current;
    const set = this.compile(spec.name, bytes, version, 'file', spec.path, spec.path);
    this.swap(set);
    return set;
  }

  /**
   * Compiles an uploaded rule file and swaps it in under `name`; throws RuleFileError
   * naming `request` as the file. `created`: the name was new.
   */
  put(name: string, bytes: Buffer): { set: RuleSet; created: boolean } {
    const bad = checkName(name);
    if (bad !== null) throw new ServeError(400, ServeCode.BAD_NAME, bad);
    const created = !this.sets.has(name);
    const set = this.compile(name, bytes, versionOf(bytes), 'upload', null, `rulesets/${name} (uploaded)`, 'request');
    this.swap(set);
    return { set, created };
  }

  /**
   * SIGHUP: reads every file given at start again (also where a PUT replaced its set since).
   * A file that fails keeps its set as it was; the errors are returned.
   */
  reload(specs: readonly RuleSetSpec[]): { name: string; set?: RuleSet; changed: boolean; error?: unknown }[] {
    return specs.map((spec) => {
      const before = this.sets.get(spec.name);
      try {
        const set = this.loadFile(spec);
        return { name: spec.name, set, changed: set !== before };
      } catch (error) {
        return { name: spec.name, changed: false, error };
      }
    });
  }

  /** Removes the scratch directory. */
  close(): void {
    if (this.scratch !== null) rmSync(this.scratch, { recursive: true, force: true });
    this.scratch = null;
  }

  private swap(set: RuleSet): void {
    const previous = this.sets.get(set.name);
    if (previous === undefined) this.names.push(set.name);
    // The one step that makes the new version visible: requests that already hold the
    // previous set keep running on it.
    this.sets.set(set.name, set);
    this.onChange({ set, previous });
  }

  /**
   * Validates and compiles rule bytes, exactly as `run` and `validate` do a file: the
   * compiler reads files, so the bytes are written to a private scratch file first (the
   * same bytes that were hashed), and issues name `display` instead of it.
   */
  private compile(
    name: string,
    bytes: Buffer,
    version: string,
    source: RuleSet['source'],
    path: string | null,
    label: string,
    display = path ?? name,
  ): RuleSet {
    this.scratch ??= mkdtempSync(join(tmpdir(), 'rete-eval-serve-'));
    const file = join(this.scratch, 'rules.json');
    writeFileSync(file, bytes);
    const t = performance.now();
    const rename = (i: RuleIssue): RuleIssue => (i.file === file ? { ...i, file: display } : i);
    let compiled: ReturnType<typeof compileRuleFiles>;
    try {
      compiled = compileRuleFiles([file], { strict: this.strict });
    } catch (e) {
      if (e instanceof RuleFileError) throw new RuleFileError(display, e.issues.map(rename));
      throw e;
    } finally {
      rmSync(file, { force: true });
    }
    return {
      name,
      version,
      network: compiled.network,
      rules: compiled.rules.length,
      source,
      path,
      label,
      warnings: compiled.warnings.map(rename),
      loadedAt: new Date(),
      compileMs: performance.now() - t,
    };
  }
}
