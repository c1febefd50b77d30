// "Did you mean" for names a user typed in a rule file or on the command line: the known
// name nearest to an unknown one by edit distance, offered only when close enough to be a
// typo. One definition, used for keys, operators, action kinds, calculators and tags alike.

/**
 * Edit distance with adjacent transpositions (optimal string alignment), case-insensitive:
 * `vaule` → `value` is 1, `greaterthan` → `GreaterThan` is 0.
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const n = s.length;
  const m = t.length;
  if (n === 0) return m;
  if (m === 0) return n;
  // Three rows: the one two back is needed for transpositions.
  let before = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      cur[j] = d;
    }
    [before, prev, cur] = [prev, cur, before];
  }
  return prev[m]!;
}

/** How many edits still look like a typo of a word this long. */
function tolerance(word: string): number {
  return word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
}

/** The known name nearest to `word`, or null when none is near enough (ties: the first listed). */
export function closest(word: string, known: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    if (k === word) continue;
    const d = editDistance(word, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best !== null && bestDistance <= tolerance(word) ? best : null;
}

/** ` (did you mean "value"?)`, or '' when nothing known is close. */
export function didYouMean(word: string, known: Iterable<string>): string {
  const c = closest(word, known);
  return c === null ? '' : ` (did you mean ${JSON.stringify(c)}?)`;
}

/** The JSON path of member `k` of the value at `path`: `$.rules[0].name`, `$[0]["my-key"]`. */
export function jsonPathKey(path: string, k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`;
}

/**
 * Warns about every key of `obj` that is not in `known`: `what` names the object
 * ("condition", "SetField action"), and each warning offers the nearest known key.
 */
export function warnUnknownKeys(
  obj: Record<string, unknown>,
  known: readonly string[],
  path: string,
  what: string,
  warn: (path: string, message: string) => void,
): void {
  // for-in over own keys (the order of Object.keys): run for every object of every rule,
  // it makes no key array and no iterator.
  for (const k in obj) {
    if (hasOwn.call(obj, k) && !known.includes(k)) warn(jsonPathKey(path, k), `unknown ${what} key ${JSON.stringify(k)} is ignored${didYouMean(k, known)}`);
  }
}

const hasOwn = Object.prototype.hasOwnProperty;
