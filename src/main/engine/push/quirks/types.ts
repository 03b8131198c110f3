/**
 * What a provider quirk overlay is: data (limits, whether receipts exist, which VAPID
 * claims it insists on) and small hooks the rfc8030 profile calls at named points — the
 * accept-time checks, the answer to a refused send, the answer for a push resource that is
 * not there, the headers of a 201. Each provider's file says only what differs from
 * RFC 8030; every rule in them is cited in docs/profiles.md ("Provider quirks").
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http2';
import type { VapidClaims } from '../../crypto/vapid';
import type { Problem } from '../http';
import type { ServiceLimits } from '../types';

/** The providers modelled, in the order `--quirks` lists them. */
export const QUIRK_NAMES = ['autopush', 'fcm', 'apple'] as const;
export type QuirkName = (typeof QUIRK_NAMES)[number];

/** Why the profile refused a send: the point at which an overlay may answer its own way. */
export type Refusal =
  | 'ttl-missing'
  | 'ttl-invalid'
  | 'topic-invalid'
  | 'vapid'
  | 'body-too-large'
  /** The subscription was deleted while the body arrived. */
  | 'gone-during-request';

/** How a subscription stopped existing (the core's deletion reasons). */
export type GoneReason = 'unsubscribed' | 'expired';

/** A push resource the service once issued and deleted, as the overlay remembers it. */
export interface Gone {
  reason: GoneReason;
  /** Lab time of the deletion. */
  atMs: number;
}

/** What an overlay's hooks may read of the service besides the request. */
export interface QuirkContext {
  /** Lab time now (ms). */
  nowMs(): number;
  /** A fresh unguessable value (the service's capability tokens). */
  newToken(): string;
}

export interface QuirkOverlay {
  readonly name: QuirkName;
  /** One line for serve's banner: what this overlay changes. */
  readonly summary: string;
  /** Service limits the provider documents; explicit limits (flags, scenario) still win. */
  readonly limits: Partial<Pick<ServiceLimits, 'ttlSecondsMax' | 'bodyBytesMax'>>;
  /** false: `Prefer: respond-async` is ignored and every accepted send is a 201. */
  readonly receipts: boolean;
  /**
   * After RFC 8292's own checks passed (`claims` null when the send carried no VAPID):
   * a refusal (in RFC 8030's words; `refuse('vapid', …)` gives the provider's) for what this
   * provider also insists on, else null.
   */
  vapid(claims: VapidClaims | null): Problem | null;
  /** A request header of this provider's own, checked before anything is stored (its own answer). */
  admit?(headers: IncomingHttpHeaders, ctx: QuirkContext): Problem | null;
  /** The answer to a refused send; `problem` is RFC 8030's (returned as is when no rule applies). */
  refuse(refusal: Refusal, problem: Problem, ctx: QuirkContext): Problem;
  /** The answer for a push resource that is not there: deleted (`gone`) or never issued (null). */
  missing(gone: Gone | null, problem: Problem, ctx: QuirkContext): Problem;
  /** Headers added to a 201, given the TTL kept and the message's token. */
  accepted?(
    kept: { ttlSeconds: number; messageToken: string },
    headers: IncomingHttpHeaders,
  ): Record<string, string>;
}

/**
 * A provider's answer: its status and body, with RFC 8030's detail kept for the lab (the
 * `message.rejected` event) and prefixed with the overlay's name so the trace says a quirk
 * decided it.
 */
export function providerAnswer(
  name: QuirkName,
  problem: Problem,
  status: number,
  body: { contentType: string; text: string },
  rule: string,
  extraHeaders?: Record<string, string>,
): Problem {
  return {
    status,
    title: problem.title,
    detail: `${problem.detail} [${name} quirk: ${rule}]`,
    body,
    ...(extraHeaders || problem.extraHeaders
      ? { extraHeaders: { ...problem.extraHeaders, ...extraHeaders } }
      : {}),
  };
}

/**
 * A `mailto:` address, or a URL of one of `urlSchemes`: the contact `sub` claim Apple and
 * autopush insist on (autopush names mailto: and https:, Apple "a URL or mailto:").
 */
export function isContactUri(
  sub: string | undefined,
  urlSchemes: readonly string[] = ['https:'],
): boolean {
  if (sub === undefined) return false;
  if (/^mailto:[^@\s]+@[^@\s]+$/i.test(sub)) return true;
  try {
    return urlSchemes.includes(new URL(sub).protocol);
  } catch {
    return false;
  }
}

/** A UUID (8-4-4-4-12 hex) made from a capability token, so it is as unguessable as the token. */
export function uuidFrom(token: string): string {
  const hex = createHash('sha256').update(token).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
