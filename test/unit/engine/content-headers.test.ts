/**
 * The http layer's reading of a send's Content-Encoding (push/http.ts `parseContentHeaders`):
 * a coding the user agent cannot decrypt is refused with 415, naming the value received and
 * the codings allowed; aesgcm's parameters are kept (bounded) to travel with the message.
 */
import { describe, expect, it } from 'vitest';
import { parseContentHeaders } from '../../../src/main/engine/push/http';
import {
  AESGCM_PARAMS_CHARS_MAX,
  CONTENT_ENCODINGS_ALLOWED,
} from '../../../src/main/engine/push/types';

const refused = (headers: Record<string, string | string[]>) => {
  const parsed = parseContentHeaders(headers);
  if (parsed.ok) throw new Error(`accepted ${JSON.stringify(parsed.value)}`);
  return parsed.problem;
};

describe('parseContentHeaders', () => {
  it.each(['gzip', 'br', 'aes128gcm, gzip', 'aesgcm128', 'identity', ''])(
    'refuses Content-Encoding "%s" with 415 naming it and the allowed codings',
    (value) => {
      const problem = refused({ 'content-encoding': value });
      expect(problem.status).toBe(415);
      expect(problem.detail).toContain(`Content-Encoding header: got "${value}"`);
      expect(problem.detail).toContain(`allowed ${CONTENT_ENCODINGS_ALLOWED.join(', ')}`);
      expect(problem.extraHeaders).toEqual({ 'accept-encoding': 'aes128gcm, aesgcm' });
    },
  );

  it('shows a hostile value cut short, never whole', () => {
    const problem = refused({ 'content-encoding': `"${'\u0000'.repeat(10)}${'q'.repeat(5000)}` });
    expect(problem.status).toBe(415);
    expect(problem.detail.length).toBeLessThan(300);
    expect(problem.detail).toContain('5011 characters');
  });

  it('keeps aesgcm with its Encryption and Crypto-Key parameters, case-insensitively', () => {
    const parsed = parseContentHeaders({
      'content-encoding': 'AESGCM',
      encryption: 'salt=abc',
      'crypto-key': ['dh=def', 'p256ecdsa=ghi'],
    });
    expect(parsed).toEqual({
      ok: true,
      value: {
        'content-encoding': 'AESGCM',
        encryption: 'salt=abc',
        'crypto-key': 'dh=def, p256ecdsa=ghi',
      },
    });
    // aes128gcm carries its parameters in the body: the headers are not kept.
    expect(
      parseContentHeaders({ 'content-encoding': 'aes128gcm', encryption: 'salt=abc' }),
    ).toEqual({ ok: true, value: { 'content-encoding': 'aes128gcm' } });
  });

  it('refuses aesgcm parameters over their bound with 400 naming the header and the bound', () => {
    const problem = refused({
      'content-encoding': 'aesgcm',
      'crypto-key': `dh=${'k'.repeat(AESGCM_PARAMS_CHARS_MAX)}`,
    });
    expect(problem.status).toBe(400);
    expect(problem.detail).toBe(
      `Crypto-Key header: got ${AESGCM_PARAMS_CHARS_MAX + 3} characters; allowed at most ${AESGCM_PARAMS_CHARS_MAX}`,
    );
  });
});
