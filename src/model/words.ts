// Counts in messages, written one way everywhere: grouped digits (`1,204,112`) and the noun
// in the right number (`1 rule`, `2 rules`).

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `1 rule`, `2 rules`, with the count grouped: every count with a noun is written with it. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : many}`;
}
