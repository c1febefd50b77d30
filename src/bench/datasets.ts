// The workload files the end-to-end runs (and the comparison scripts) read: the facts as
// NDJSON and the rules file, written once into a cache directory under a name that carries
// a fingerprint of their content, so a changed workload never reuses a stale file.

import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { formatSize, type Workload } from './workloads.js';

export interface Dataset {
  readonly factsFile: string;
  readonly rulesFile: string;
  readonly facts: number;
  readonly bytes: number;
  /** False when the files were already in the cache. */
  readonly written: boolean;
}

/** A short hash over what determines the files: the rules, the count, and sample lines. */
export function datasetFingerprint(w: Workload, size: number): string {
  const n = w.factCount(size);
  const h = createHash('sha256');
  h.update(JSON.stringify(w.rules(size)));
  h.update(`\n${n}\n`);
  for (const i of [0, 1, 2, n >> 1, n - 2, n - 1]) if (i >= 0 && i < n) h.update(w.factLine(i, size) + '\n');
  return h.digest('hex').slice(0, 10);
}

/** Writes the workload's NDJSON and rules into `dir` unless they are there already. */
export function ensureDataset(w: Workload, size: number, dir: string): Dataset {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${w.name}-${formatSize(size)}-${datasetFingerprint(w, size)}`);
  const factsFile = `${base}.ndjson`;
  const rulesFile = `${base}.rules.json`;
  const n = w.factCount(size);
  if (existsSync(factsFile) && existsSync(rulesFile)) {
    return { factsFile, rulesFile, facts: n, bytes: statSync(factsFile).size, written: false };
  }
  writeFileSync(rulesFile, JSON.stringify(w.rules(size), null, 2) + '\n');
  const tmp = `${factsFile}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    let chunk: string[] = [];
    for (let i = 0; i < n; i++) {
      chunk.push(w.factLine(i, size));
      if (chunk.length === 16_384 || i === n - 1) {
        writeSync(fd, chunk.join('\n') + '\n');
        chunk = [];
      }
    }
    closeSync(fd);
    renameSync(tmp, factsFile);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* nothing to remove */
    }
    throw e;
  }
  return { factsFile, rulesFile, facts: n, bytes: statSync(factsFile).size, written: true };
}
