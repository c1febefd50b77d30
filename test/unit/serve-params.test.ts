// Unit tests of what the serve layer reads from a request and from its options: query
// parameters, Accept negotiation, Content-Encoding, sizes and durations, rule-set names;
// and how every kind of error becomes a status and a stable code.

import { describe, expect, it } from 'vitest';
import { FactError, InputError, LimitError, RuleFileError, UsageError } from '../../src/model/errors.js';
import { httpFailure, ServeError } from '../../src/serve/errors.js';
import { checkEncoding, contentLength, parseParams, wantsJson } from '../../src/serve/params.js';
import { checkName, parseRuleSetSpec } from '../../src/serve/rulesets.js';
import { parseBytes, parseDuration } from '../../src/serve/units.js';

describe('query parameters', () => {
  it("defaults to run's defaults and reads each option", () => {
    expect(parseParams({}, {}, 0)).toEqual({
      emit: 'firings',
      values: 'plain',
      chain: true,
      maxFirings: 0,
      format: 'auto',
      reader: 'auto',
      response: 'ndjson',
    });
    expect(
      parseParams({ emit: 'facts', values: 'tagged', chain: 'false', max_firings: '25', format: 'json', reader: 'whole' }, { accept: 'application/json' }, 100),
    ).toEqual({
      emit: 'facts',
      values: 'tagged',
      chain: false,
      maxFirings: 25,
      format: 'json',
      reader: 'whole',
      response: 'json',
    });
  });

  it('refuses unknown, repeated and bad values with a 400 naming them', () => {
    const fail = (q: Record<string, string | string[]>, max = 0) => {
      try {
        parseParams(q, {}, max);
      } catch (e) {
        expect(e).toBeInstanceOf(ServeError);
        expect((e as ServeError).status).toBe(400);
        return (e as ServeError).message;
      }
      throw new Error('accepted');
    };
    expect(fail({ chian: 'false' })).toBe('unknown query parameter "chian" (did you mean "chain"?); expected emit, values, chain, format, reader, max_firings');
    expect(fail({ emit: ['facts', 'firings'] })).toBe('query parameter "emit" is given 2 times; give it once');
    expect(fail({ values: 'raw' })).toBe('values=raw: expected plain or tagged');
    expect(fail({ max_firings: '1e3' })).toContain('expected an integer ≥ 0');
    expect(fail({ max_firings: '1000' }, 999)).toBe('max_firings=1000: this server allows at most 999 (--max-firings)');
  });

  it('prefers JSON only when Accept ranks it above NDJSON', () => {
    expect(wantsJson(undefined)).toBe(false);
    expect(wantsJson('*/*')).toBe(false);
    expect(wantsJson('application/json')).toBe(true);
    expect(wantsJson('application/x-ndjson, application/json')).toBe(false);
    expect(wantsJson('application/json;q=0.9, application/x-ndjson;q=0.5')).toBe(true);
    expect(wantsJson('text/html, application/json;q=0.1')).toBe(true);
  });

  it('accepts identity and gzip bodies only; reads Content-Length', () => {
    for (const enc of [undefined, 'identity', 'gzip', 'GZIP', 'x-gzip', 'identity, gzip'])
      expect(() => checkEncoding({ 'content-encoding': enc })).not.toThrow();
    for (const enc of ['br', 'deflate', 'gzip, gzip']) expect(() => checkEncoding({ 'content-encoding': enc })).toThrow(/unsupported Content-Encoding/);
    expect(contentLength({ 'content-length': '42' })).toBe(42);
    expect(contentLength({})).toBeNull();
  });
});

describe('options and names', () => {
  it('reads sizes and durations with their units', () => {
    expect(parseBytes('64MiB')).toBe(64 * 2 ** 20);
    expect(parseBytes('512k')).toBe(512 * 1024);
    expect(parseBytes('1_048_576')).toBe(1048576);
    expect(parseBytes('1.5G')).toBe(1.5 * 2 ** 30);
    expect(parseBytes('ten')).toBeNull();
    expect(parseBytes('5MB')).toBeNull();
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('10')).toBe(10_000);
    expect(parseDuration('1h')).toBeNull();
  });

  it('names a rule set by its file or NAME=, and refuses names that are not tokens', () => {
    expect(parseRuleSetSpec('rules/payroll.json')).toEqual({ name: 'payroll', path: 'rules/payroll.json' });
    expect(parseRuleSetSpec('pay=rules/payroll.json')).toEqual({ name: 'pay', path: 'rules/payroll.json' });
    expect(parseRuleSetSpec('x=dir/a=b.json')).toEqual({ name: 'x', path: 'dir/a=b.json' });
    expect(() => parseRuleSetSpec('dir/a=b.json')).toThrow('rule set name "a=b": expected 1-64 letters');
    expect(() => parseRuleSetSpec('rules/my rules.json')).toThrow(UsageError);
    expect(checkName('a.b_c-1')).toBeNull();
    expect(checkName('-a')).toMatch(/starting with a letter or digit/);
    expect(checkName('x'.repeat(65))).not.toBeNull();
  });
});

describe('errors as responses', () => {
  it('maps each kind of failure to its status and stable code', () => {
    const fact = httpFailure(new FactError('E_FACT_JSON', 'request', 3, 'bad', 7, '$.x'));
    expect(fact).toMatchObject({
      status: 400,
      internal: false,
      body: { code: 'E_FACT_JSON', message: 'request:3:7: $.x: bad', line: 3, column: 7, path: '$.x' },
    });
    const rules = httpFailure(
      new RuleFileError('request', [{ path: '$[0].id', message: 'expected an integer', file: 'request', line: 2, column: 9, ruleId: 1 }]),
    );
    expect(rules).toMatchObject({
      status: 422,
      body: { code: 'E_RULES_INVALID', issues: [{ path: '$[0].id', message: 'expected an integer', line: 2, column: 9, rule: 1 }] },
    });
    expect(httpFailure(new LimitError('too many'))).toMatchObject({ status: 422, body: { code: 'E_LIMIT' } });
    expect(httpFailure(new InputError('request: cannot read: corrupt gzip data'))).toMatchObject({ status: 400, body: { code: 'E_BODY' } });
    expect(httpFailure(new ServeError(503, 'E_BUSY', 'busy', { 'retry-after': '1' }))).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
    const fastifyError = Object.assign(new Error('Unsupported Media Type'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 });
    expect(httpFailure(fastifyError)).toMatchObject({ status: 415, body: { code: 'E_MEDIA_TYPE' } });
  });

  it('answers a bug with 500 and a message that gives nothing away', () => {
    const bug = httpFailure(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(bug).toEqual({
      status: 500,
      headers: {},
      internal: true,
      body: { code: 'E_INTERNAL', message: 'internal error (this is a bug; the server log has the details)' },
    });
  });
});
