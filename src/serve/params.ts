// What an evaluate request asks for, from its query string and headers: the options of
// `run` (emit, values, chain, max_firings, format, reader), the response form (NDJSON, or one JSON
// object under `Accept: application/json`) and the body's encoding. Bad values are 400s.

import type { IncomingHttpHeaders } from 'node:http';
import type { InputFormat } from '../io/reader.js';
import type { ValueStyle } from '../io/serialize.js';
import { didYouMean } from '../model/suggest.js';
import { ServeCode, ServeError } from './errors.js';

export interface EvaluateParams {
  emit: 'firings' | 'facts';
  values: ValueStyle;
  chain: boolean;
  /** 0: the server's limit. */
  maxFirings: number;
  format: InputFormat;
  /** As run's --reader: projected (only the fields the rules read), whole, or auto. */
  reader: 'auto' | 'projected' | 'whole';
  /** The response: NDJSON lines as `run` writes them, or `{"firings":[…],"report":{…}}`. */
  response: 'ndjson' | 'json';
}

const CHOICES = {
  emit: ['firings', 'facts'],
  values: ['plain', 'tagged'],
  chain: ['true', 'false'],
  format: ['auto', 'ndjson', 'json'],
  reader: ['auto', 'projected', 'whole'],
} as const;
const KNOWN = [...Object.keys(CHOICES), 'max_firings'];

const bad = (message: string) => new ServeError(400, ServeCode.BAD_PARAM, message);

/** Reads the query parameters; `serverMax` caps max_firings (0: no cap). Throws a 400. */
export function parseParams(query: Record<string, string | string[] | undefined>, headers: IncomingHttpHeaders, serverMax: number): EvaluateParams {
  for (const key of Object.keys(query)) {
    if (!KNOWN.includes(key)) throw bad(`unknown query parameter "${key}"${didYouMean(key, KNOWN)}; expected ${KNOWN.join(', ')}`);
  }
  const one = (key: string): string | undefined => {
    const v = query[key];
    if (Array.isArray(v)) throw bad(`query parameter "${key}" is given ${v.length} times; give it once`);
    return v;
  };
  const choice = <K extends keyof typeof CHOICES>(key: K, fallback: (typeof CHOICES)[K][number]): (typeof CHOICES)[K][number] => {
    const v = one(key);
    if (v === undefined) return fallback;
    const allowed = CHOICES[key] as readonly string[];
    if (!allowed.includes(v)) throw bad(`${key}=${v}: expected ${allowed.join(' or ')}`);
    return v as (typeof CHOICES)[K][number];
  };
  let maxFirings = 0;
  const mf = one('max_firings');
  if (mf !== undefined) {
    const n = /^\d{1,16}$/.test(mf) ? Number(mf) : Number.NaN;
    if (!Number.isSafeInteger(n)) throw bad(`max_firings=${mf}: expected an integer ≥ 0 (0: the server's limit)`);
    if (serverMax > 0 && n > serverMax) throw bad(`max_firings=${mf}: this server allows at most ${serverMax} (--max-firings)`);
    maxFirings = n;
  }
  return {
    emit: choice('emit', 'firings'),
    values: choice('values', 'plain'),
    chain: choice('chain', 'true') === 'true',
    maxFirings,
    format: choice('format', 'auto'),
    reader: choice('reader', 'auto'),
    response: wantsJson(headers.accept) ? 'json' : 'ndjson',
  };
}

/**
 * True when the Accept header prefers application/json to NDJSON: the first of the two
 * with the highest q (no Accept, `*\/*` or anything else: NDJSON, as `run` writes).
 */
export function wantsJson(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  let best: 'json' | 'ndjson' | null = null;
  let bestQ = 0;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    const kind = type === 'application/json' ? 'json' : type === 'application/x-ndjson' || type === 'application/ndjson' ? 'ndjson' : null;
    if (kind === null) continue;
    let q = 1;
    for (const p of params) {
      const [k, v] = p.trim().split('=');
      if (k === 'q' && v !== undefined) q = Number(v);
    }
    if (Number.isFinite(q) && q > bestQ) {
      best = kind;
      bestQ = q;
    }
  }
  return best === 'json';
}

/** Checks Content-Encoding (identity or gzip; gzip is recognized from the bytes themselves). */
export function checkEncoding(headers: IncomingHttpHeaders): void {
  const enc = headers['content-encoding'];
  if (enc === undefined) return;
  const codings = enc
    .toLowerCase()
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0 || (codings.length === 1 && (codings[0] === 'gzip' || codings[0] === 'x-gzip'))) return;
  throw new ServeError(415, ServeCode.ENCODING, `unsupported Content-Encoding "${enc}"; send the body as is or gzip-compressed (Content-Encoding: gzip)`);
}

/** The declared body length, or null (chunked). */
export function contentLength(headers: IncomingHttpHeaders): number | null {
  const v = headers['content-length'];
  if (v === undefined) return null;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}
