// The position a record of a shard file carries after it on its line (`{...} 1234`): its
// 0-based position in the input that was split, so the shard's facts get the ids and the
// order they had there. One definition, used by the byte scanner (in worker threads too)
// and by the whole-record reader, so both cut a line into record and position alike.

/** The largest position taken: an exact integer. */
const MAX_POSITION = Number.MAX_SAFE_INTEGER;

/**
 * Where positionSuffix found things in the line it was given last (module state, so the
 * scanner's hot loop allocates nothing): the end of the record's text (after its `}`), and
 * the offset of the position's first digit.
 */
export const suffix = { recordEnd: 0, digits: 0 };

/**
 * Reads the position at the end of the line b[start, end) (`end` at its newline): digits,
 * after at least one space or tab that follows the record's closing `}`, then only spaces,
 * tabs or a CR. Returns the position, or -1 when the line has none (it is then a record as
 * it stands, and a bad one gets the usual error); sets `suffix` when it finds one.
 */
export function positionSuffix(b: Uint8Array, start: number, end: number): number {
  let i = end - 1;
  while (i >= start && (b[i] === 32 || b[i] === 9 || b[i] === 13)) i--;
  const last = i;
  while (i >= start && b[i]! >= 48 && b[i]! <= 57) i--;
  const digits = i + 1;
  if (digits > last || last - digits >= 16 || i < start || (b[i] !== 32 && b[i] !== 9)) return -1;
  while (i >= start && (b[i] === 32 || b[i] === 9)) i--;
  if (i < start || b[i] !== 125) return -1;
  let n = 0;
  for (let k = digits; k <= last; k++) n = n * 10 + (b[k]! - 48);
  if (n > MAX_POSITION) return -1;
  suffix.recordEnd = i + 1;
  suffix.digits = digits;
  return n;
}
