// Progress on a TTY while `run` reads: records and bytes read whatever the source (a file,
// gzip, stdin), with a bar and a percentage when the inputs' sizes are known. Shown only
// once the run has lasted a moment, so quick runs print nothing extra.

import cliProgress from 'cli-progress';
import { totalSize } from '../io/source.js';
import { formatCount } from '../model/words.js';
import { formatBytes } from '../report/human.js';

/** Runs shorter than this show no progress at all. */
const SHOW_AFTER_MS = 300;

export interface Progress {
  update(bytes: number, records: number): void;
  stop(): void;
}

/**
 * A progress display on `stream` for reading `inputs`, or null when it is not a TTY. Sizes
 * are raw sizes (compressed for gzip) and so are the bytes counted: the fraction is right
 * for any input, however well it compresses.
 */
export function startProgress(inputs: readonly string[], stream: NodeJS.WriteStream): Progress | null {
  if (stream.isTTY !== true) return null;
  const total = totalSize(inputs.length === 0 ? ['-'] : inputs);
  const started = performance.now();
  let bar: cliProgress.SingleBar | null = null;
  const payload = (bytes: number, records: number) => ({
    records: formatCount(records),
    done: formatBytes(bytes),
    size: total === null ? '' : formatBytes(total),
  });
  return {
    update(bytes, records) {
      if (bar === null) {
        if (performance.now() - started < SHOW_AFTER_MS) return;
        bar = new cliProgress.SingleBar(
          {
            stream,
            format:
              total !== null && total > 0
                ? 'reading |{bar}| {percentage}% · {records} records · {done} of {size} · eta {eta_formatted}'
                : 'reading · {records} records · {done} read',
            hideCursor: true,
            clearOnComplete: true,
            etaBuffer: 20,
            noTTYOutput: false,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total ?? 0, 0, payload(bytes, records));
      }
      bar.update(total === null ? 0 : Math.min(bytes, total), payload(bytes, records));
    },
    stop() {
      bar?.stop();
    },
  };
}
