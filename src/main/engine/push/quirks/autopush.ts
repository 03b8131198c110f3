/**
 * Mozilla autopush (autoendpoint), as its docs and source describe it (docs/profiles.md,
 * "Provider quirks", cites each rule): TTL silently capped at 30 days and always echoed, only
 * 201 (no push receipts), `{code, errno, error, message, more_info}` error bodies with its
 * errno table, and a VAPID `sub` that must be a mailto: or https: contact.
 */
import { STATUS_CODES } from 'node:http';
import type { Problem } from '../http';
import { isContactUri, providerAnswer, type QuirkOverlay, type Refusal } from './types';

/** autopush-common `MAX_NOTIFICATION_TTL`: 30 days; larger TTLs are lowered without an error. */
export const AUTOPUSH_TTL_SECONDS_MAX = 2_592_000;

/** Its docs: "the normal 4096 bytes" of data. */
export const AUTOPUSH_BODY_BYTES_MAX = 4096;

/** Where autopush's error bodies point (`more_info`). */
const MORE_INFO = 'http://autopush.readthedocs.io/en/latest/http.html#error-codes';

/** Status and errno of each refusal (docs/src/errors.md). */
const ERRNO: Record<Refusal, { status: number; errno: number; rule: string }> = {
  'ttl-missing': { status: 400, errno: 111, rule: 'errno 111, missing TTL header' },
  'ttl-invalid': { status: 400, errno: 112, rule: 'errno 112, invalid TTL header value' },
  'topic-invalid': { status: 400, errno: 113, rule: 'errno 113, invalid Topic header value' },
  vapid: { status: 401, errno: 109, rule: 'errno 109, invalid authentication' },
  'body-too-large': { status: 413, errno: 104, rule: 'errno 104, data payload too large' },
  'gone-during-request': {
    status: 410,
    errno: 105,
    rule: 'errno 105, endpoint became unavailable during request',
  },
};

function answer(problem: Problem, status: number, errno: number, rule: string): Problem {
  const body = {
    code: status,
    errno,
    error: STATUS_CODES[status] ?? '',
    message: problem.detail,
    more_info: MORE_INFO,
  };
  return providerAnswer(
    'autopush',
    problem,
    status,
    { contentType: 'application/json', text: JSON.stringify(body) },
    rule,
  );
}

export const autopush: QuirkOverlay = {
  name: 'autopush',
  summary: `autopush: TTL capped at ${AUTOPUSH_TTL_SECONDS_MAX} s and always echoed, body ≤ ${AUTOPUSH_BODY_BYTES_MAX} B, always 201 (no receipts), errno JSON errors (404 errno 102, 410 errno 103), VAPID sub must be mailto: or https:`,
  limits: { ttlSecondsMax: AUTOPUSH_TTL_SECONDS_MAX, bodyBytesMax: AUTOPUSH_BODY_BYTES_MAX },
  receipts: false,
  vapid(claims) {
    if (claims === null || isContactUri(claims.sub)) return null;
    return {
      status: 401,
      title: 'Unauthorized',
      detail: `Authorization JWT sub: got ${JSON.stringify(claims.sub ?? null)}; allowed a mailto: address or an https: URL`,
    };
  },
  refuse(refusal, problem) {
    const { status, errno, rule } = ERRNO[refusal];
    return answer(problem, status, errno, rule);
  },
  missing(gone, problem) {
    return gone
      ? answer(problem, 410, 103, `errno 103, expired URL endpoint (${gone.reason})`)
      : answer(problem, 404, 102, 'errno 102, invalid URL endpoint');
  },
  accepted: ({ ttlSeconds }) => ({ ttl: String(ttlSeconds) }),
};
