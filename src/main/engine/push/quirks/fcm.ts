/**
 * FCM's web push endpoint, as Google documents it and as senders have logged its answers
 * (docs/profiles.md, "Provider quirks", cites each rule): TTL at most 2,419,200 s (28 days),
 * 4096-byte payloads, 410 with a plain-text body for an unsubscribed endpoint, and 404 for a
 * stale (expired) or unknown one. Other refusals keep RFC 8030's answers: nothing citable
 * says FCM words them differently.
 */
import type { Problem } from '../http';
import { providerAnswer, type QuirkOverlay } from './types';

/** Firebase: "a duration from 0 to 2,419,200 seconds (28 days)". */
export const FCM_TTL_SECONDS_MAX = 2_419_200;

export const FCM_BODY_BYTES_MAX = 4096;

/** The body senders log for an unsubscribed FCM endpoint (text/plain). */
export const FCM_GONE_TEXT = 'push subscription has unsubscribed or expired.\n';

/** The body Google's 404 carries for a stale or invalid endpoint. */
export const FCM_NOT_FOUND_TEXT =
  'A valid push subscription endpoint should be specified in the URL as such: https://fcm.googleapis.com/wp/dHIoDxE7Hdg:APA91bH1Zj0kNa...\n';

const text = (value: string) => ({ contentType: 'text/plain; charset=utf-8', text: value });

function notFound(problem: Problem, rule: string): Problem {
  return providerAnswer('fcm', problem, 404, text(FCM_NOT_FOUND_TEXT), rule);
}

export const fcm: QuirkOverlay = {
  name: 'fcm',
  summary: `fcm: TTL capped at ${FCM_TTL_SECONDS_MAX} s, body ≤ ${FCM_BODY_BYTES_MAX} B, 410 text/plain for an unsubscribed endpoint, 404 for an expired (stale) or unknown one`,
  limits: { ttlSecondsMax: FCM_TTL_SECONDS_MAX, bodyBytesMax: FCM_BODY_BYTES_MAX },
  receipts: true,
  vapid: () => null,
  refuse(refusal, problem) {
    if (refusal !== 'gone-during-request') return problem;
    return providerAnswer(
      'fcm',
      problem,
      410,
      text(FCM_GONE_TEXT),
      'unsubscribed during the request',
    );
  },
  missing(gone, problem) {
    if (gone?.reason === 'unsubscribed')
      return providerAnswer(
        'fcm',
        problem,
        410,
        text(FCM_GONE_TEXT),
        '410 for an unsubscribed endpoint',
      );
    return notFound(
      problem,
      gone ? '404 for a stale (expired) endpoint' : '404 for an unknown endpoint',
    );
  },
};
