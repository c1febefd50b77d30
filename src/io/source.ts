// Input sources: opens a fact file or stdin as a stream of text chunks, sniffing gzip
// from the first bytes (content, not the file name), and reports raw bytes read.

import { createReadStream, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { describeIoError } from '../model/errors.js';

export interface Source {
  /** The name used in messages: the path, or `<stdin>`. */
  readonly name: string;
  /** Size in bytes when known (regular files), for progress. */
  readonly size: number | null;
  /** Text chunks, decoded from UTF-8 (gunzipped first when the content is gzip). */
  text(onBytes?: (n: number) => void): AsyncGenerator<string>;
  /** Whether the content turned out to be gzip (known once text() has started). */
  readonly gzip: boolean;
}

const CHUNK = 1 << 20;

export function openSource(path: string): Source {
  const isStdin = path === '-';
  const name = isStdin ? '<stdin>' : path;
  let size: number | null = null;
  if (!isStdin) {
    try {
      const st = statSync(path);
      if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      size = st.isFile() ? st.size : null;
    } catch (e) {
      throw describeIoError(e, name, 'read');
    }
  }
  const state = { gzip: false };
  return {
    name,
    size,
    get gzip() {
      return state.gzip;
    },
    async *text(onBytes) {
      const raw: Readable = isStdin ? process.stdin : createReadStream(path, { highWaterMark: CHUNK });
      const it = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      let first: IteratorResult<Buffer>;
      try {
        first = await it.next();
      } catch (e) {
        throw describeIoError(e, name, 'read');
      }
      if (first.done) return;
      const counted = async function* (): AsyncGenerator<Buffer> {
        let chunk: Buffer = first.value;
        for (;;) {
          onBytes?.(chunk.length);
          yield chunk;
          const r = await it.next();
          if (r.done) return;
          chunk = r.value;
        }
      };
      let bytes: AsyncIterable<Buffer> = counted();
      if (first.value.length >= 2 && first.value[0] === 0x1f && first.value[1] === 0x8b) {
        state.gzip = true;
        const gunzip = createGunzip({ chunkSize: CHUNK });
        const src = Readable.from(bytes);
        src.on('error', (e) => gunzip.destroy(e));
        src.pipe(gunzip);
        bytes = gunzip;
      }
      const decoder = new StringDecoder('utf8');
      let bom = true;
      try {
        for await (const chunk of bytes) {
          let s = decoder.write(chunk);
          if (bom) {
            if (s.length === 0) continue;
            if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
            bom = false;
          }
          if (s.length > 0) yield s;
        }
      } catch (e) {
        throw describeIoError(e, name, 'read');
      }
      const tail = decoder.end();
      if (tail.length > 0) yield tail;
    },
  };
}

/** File size for progress totals; null for stdin and non-regular files. */
export function totalSize(paths: readonly string[]): number | null {
  let total = 0;
  for (const p of paths) {
    if (p === '-') return null;
    try {
      total += statSync(p).size;
    } catch {
      return null;
    }
  }
  return total;
}
