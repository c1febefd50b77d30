// The names of rete-eval's commands, in the order `--help` lists them: the CLI registers one
// file per name (main.ts), and the start-up code cache keeps one cache per command (src/boot/).

export const COMMANDS = ['run', 'validate', 'explain', 'generate', 'bench', 'serve', 'split', 'merge'] as const;

export type CommandName = (typeof COMMANDS)[number];

export function isCommandName(text: string | undefined): text is CommandName {
  return (COMMANDS as readonly (string | undefined)[]).includes(text);
}
