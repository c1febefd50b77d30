// What went wrong with one record, as a FactError naming the file, line and column (and
// JSON path): a syntax error found again in the record's text, nesting past the limit,
// or a decode failure located by its path, a number quoted as it was written.

import { describeDecodeFailure } from '../model/fact.js';
import { FactError } from '../model/errors.js';
import { MAX_NESTING, numberProblem } from '../model/value.js';
import { lineColumn, locateJsonError, locateValue, numberTextAt } from './json-error.js';

/**
 * The FactError for a record whose JSON.parse or decodeFact threw `e`. `raw`: the record's
 * text; `line`/`column`: where that text starts in the file (1-based; line undefined when
 * unknown). `prefix`: a JSON path for records without text of their own (stream-json).
 * Rethrows anything that is not a record's problem.
 */
export function recordError(e: unknown, file: string, line: number | undefined, raw: string, column = 1, prefix?: string): FactError {
  const at = (where: { line: number; column: number }) => ({
    line: line === undefined ? undefined : line + where.line - 1,
    column: where.line === 1 ? column + where.column - 1 : where.column,
  });
  if (e instanceof SyntaxError) {
    const where = locateJsonError(raw);
    if (!where) return new FactError('E_FACT_JSON', file, line, `invalid JSON: ${e.message}`);
    const p = at(where);
    return new FactError('E_FACT_JSON', file, p.line, `invalid JSON: ${where.message}`, p.column);
  }
  const d = describeDecodeFailure(e);
  if (d.problem === 'nesting') {
    const where = locateJsonError(raw, MAX_NESTING);
    const p = where ? at(where) : { line, column: undefined };
    return new FactError('E_FACT_INVALID', file, p.line, d.message, p.column);
  }
  const path = prefix ? prefix + d.jsonPath.slice(1) : d.jsonPath;
  const offset = prefix ? -1 : locateValue(raw, d.segments);
  if (offset < 0) return new FactError('E_FACT_INVALID', file, line, d.message, undefined, path);
  const p = at(lineColumn(raw, offset));
  const literal = d.problem === 'number' ? numberTextAt(raw, offset) : undefined;
  return new FactError('E_FACT_INVALID', file, p.line, literal === undefined ? d.message : numberProblem(Number(literal), literal), p.column, path);
}
