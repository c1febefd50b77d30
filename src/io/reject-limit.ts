// The --max-errors rule for reading with --on-error skip, one definition for run and split:
// a cron job must notice an input that was mostly (or wholly) rejected.

import { RejectLimitError } from '../model/errors.js';
import type { ReaderStats, Reject } from './reader.js';

/**
 * The --max-errors rule: more than `max` rejected records fails the run; without `max`,
 * an input file all of whose records were rejected does (checked for files read to the
 * end: all of them once `atEnd`).
 */
export function checkRejects(stats: ReaderStats, max: number | undefined, atEnd: boolean): void {
  if (max !== undefined) {
    if (stats.skipped > max) {
      throw new RejectLimitError(`more than ${max} ${max === 1 ? 'record' : 'records'} rejected (--max-errors ${max})${example(stats.firstRejects[0])}`);
    }
    return;
  }
  const files = atEnd ? stats.files : stats.files.slice(0, -1);
  for (const f of files) {
    if (f.records > 0 && f.skipped === f.records) {
      throw new RejectLimitError(
        `${f.name}: every record was rejected (${f.records} of ${f.records}): is it the right file? ` +
          `give --max-errors N to accept up to N rejects${example(stats.firstRejects.find((r) => r.file === f.name))}`,
      );
    }
  }
}

/** `; the first: FILE:LINE:COL: reason`, or '' when no reject is known. */
function example(r: Reject | undefined): string {
  if (r === undefined) return '';
  const where = r.line === undefined ? r.file : `${r.file}:${r.line}${r.column !== undefined ? `:${r.column}` : ''}`;
  return `; the first: ${where}: ${r.jsonPath ? r.jsonPath + ': ' : ''}${r.reason}`;
}
