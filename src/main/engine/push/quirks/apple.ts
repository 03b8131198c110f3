/**
 * Apple's web push service (web.push.apple.com), as Apple's web push and APNs documentation
 * and the team's verified facts describe it (docs/profiles.md, "Provider quirks", cites each
 * rule): VAPID on every send with a mailto:/https: `sub` (exp within a day is RFC 8292's own
 * check), 403 `{"reason":"BadJwtToken"}` otherwise, 410 `{"reason":"Unregistered"}` with its
 * timestamp for a deleted subscription, `{"reason":…}` bodies for 404 and 413, and an
 * `apns-id` on every 201 and on the refusals it answers (TTL, Topic, VAPID, size, gone).
 */
import type { IncomingHttpHeaders } from 'node:http2';
import type { Problem } from '../http';
import {
  isContactUri,
  providerAnswer,
  type QuirkContext,
  type QuirkOverlay,
  uuidFrom,
  UUID_PATTERN,
} from './types';

export const APPLE_BODY_BYTES_MAX = 4096;

/** Apple refuses a `sub` "that is not a URL or mailto:" (anchors.md): any web URL will do. */
const APPLE_SUB_URL_SCHEMES = ['https:', 'http:'] as const;

function answer(
  problem: Problem,
  status: number,
  reason: string,
  ctx: QuirkContext,
  extra: Record<string, unknown> = {},
): Problem {
  return providerAnswer(
    'apple',
    problem,
    status,
    { contentType: 'application/json', text: JSON.stringify({ reason, ...extra }) },
    `${status} ${reason}`,
    { 'apns-id': uuidFrom(ctx.newToken()) },
  );
}

function apnsId(headers: IncomingHttpHeaders): string | undefined {
  const value = headers['apns-id'];
  return typeof value === 'string' ? value : undefined;
}

export const apple: QuirkOverlay = {
  name: 'apple',
  summary: `apple: VAPID required on every send with a mailto: or http(s) URL sub (else 403 BadJwtToken), 410 Unregistered for a deleted subscription, body ≤ ${APPLE_BODY_BYTES_MAX} B (413 PayloadTooLarge), apns-id on 201s and on refused sends (TTL, Topic, VAPID, size, gone)`,
  limits: { bodyBytesMax: APPLE_BODY_BYTES_MAX },
  receipts: true,
  vapid(claims) {
    if (claims !== null && isContactUri(claims.sub, APPLE_SUB_URL_SCHEMES)) return null;
    return {
      status: 403,
      title: 'Forbidden',
      detail:
        claims === null
          ? 'Authorization: missing; this provider requires VAPID on every send'
          : `Authorization JWT sub: got ${JSON.stringify(claims.sub ?? null)}; allowed a mailto: address or an http(s) URL`,
    };
  },
  admit(headers, ctx) {
    const id = apnsId(headers);
    if (id === undefined || UUID_PATTERN.test(id)) return null;
    const problem = {
      status: 400,
      title: 'Bad Request',
      detail: `apns-id header: got ${JSON.stringify(id.slice(0, 64))}; allowed a UUID (8-4-4-4-12 hexadecimal digits)`,
    };
    return answer(problem, 400, 'BadMessageId', ctx);
  },
  refuse(refusal, problem, ctx) {
    switch (refusal) {
      case 'vapid':
        return answer(problem, 403, 'BadJwtToken', ctx);
      case 'body-too-large':
        return answer(problem, 413, 'PayloadTooLarge', ctx);
      case 'gone-during-request':
        return answer(problem, 410, 'Unregistered', ctx, { timestamp: ctx.nowMs() });
      default:
        // RFC 8030's answer stands; APNs still names every response with an apns-id.
        return {
          ...problem,
          extraHeaders: { ...problem.extraHeaders, 'apns-id': uuidFrom(ctx.newToken()) },
        };
    }
  },
  missing(gone, problem, ctx) {
    return gone
      ? answer(problem, 410, 'Unregistered', ctx, { timestamp: gone.atMs })
      : answer(problem, 404, 'BadPath', ctx);
  },
  accepted: ({ messageToken }, headers) => ({
    'apns-id': apnsId(headers) ?? uuidFrom(messageToken),
  }),
};
