/**
 * Provider quirk overlays, one line each, and the per-service session the rfc8030 profile
 * consults: the overlay's hooks plus what they need to remember (which push resources this
 * service deleted, and how, so a provider can tell "gone" from "never issued").
 */
import type { IncomingHttpHeaders } from 'node:http2';
import { BoundedMap } from '../../bounded-map';
import type { VapidClaims } from '../../crypto/vapid';
import type { PushCore } from '../core';
import type { Problem } from '../http';
import { apple } from './apple';
import { autopush } from './autopush';
import { fcm } from './fcm';
import {
  type Gone,
  type QuirkContext,
  type QuirkName,
  QUIRK_NAMES,
  type QuirkOverlay,
  type Refusal,
} from './types';

export { QUIRK_NAMES, type QuirkName, type Refusal } from './types';

export const QUIRK_REGISTRY: Readonly<Record<QuirkName, QuirkOverlay>> = { autopush, fcm, apple };

/** The overlay of a name that came from outside the type system (a flag, a scenario); null if unknown. */
export function quirkOverlay(name: string): QuirkOverlay | null {
  return Object.hasOwn(QUIRK_REGISTRY, name) ? QUIRK_REGISTRY[name as QuirkName] : null;
}

/** "got X; allowed …" for an unknown name, the words `--quirks` and the scenario field share. */
export function unknownQuirk(name: string): string {
  return `got ${JSON.stringify(name)}; allowed ${QUIRK_NAMES.join(', ')}`;
}

/** Deleted push tokens a session remembers, to answer "gone" rather than "never issued". */
export const GONE_TOKENS_MAX = 10_000;

/**
 * One service's overlay at work. Without an overlay every hook answers as RFC 8030 does, so
 * the profile calls them unconditionally and has no provider `if`s.
 */
export class QuirkSession {
  private readonly gone: BoundedMap<string, Gone> | null;
  private readonly ctx: QuirkContext;

  constructor(
    private readonly core: PushCore,
    readonly overlay: QuirkOverlay | null,
    now: () => number,
  ) {
    this.ctx = { nowMs: now, newToken: () => core.newToken() };
    const gone = overlay ? new BoundedMap<string, Gone>(GONE_TOKENS_MAX) : null;
    this.gone = gone;
    if (gone)
      core.onGone({
        subscription: (sub, reason) => gone.set(sub.pushToken, { reason, atMs: now() }),
      });
  }

  /** RFC 8030 as it is, with no overlay. */
  static none(core: PushCore): QuirkSession {
    return new QuirkSession(core, null, () => 0);
  }

  get name(): QuirkName | null {
    return this.overlay?.name ?? null;
  }

  /** Whether `Prefer: respond-async` gets a receipt subscription (RFC 8030 §5.1). */
  get receipts(): boolean {
    return this.overlay?.receipts ?? true;
  }

  admit(headers: IncomingHttpHeaders): Problem | null {
    return this.overlay?.admit?.(headers, this.ctx) ?? null;
  }

  vapid(claims: VapidClaims | null): Problem | null {
    const refused = this.overlay?.vapid(claims) ?? null;
    return refused && this.refuse('vapid', refused);
  }

  refuse(refusal: Refusal, problem: Problem): Problem {
    return this.overlay ? this.overlay.refuse(refusal, problem, this.ctx) : problem;
  }

  /** The answer for a push token no subscription has; null keeps the profile's own 404. */
  missing(pushToken: string, problem: Problem): Problem | null {
    if (!this.overlay) return null;
    return this.overlay.missing(this.gone!.get(pushToken) ?? null, problem, this.ctx);
  }

  accepted(
    kept: { ttlSeconds: number; messageToken: string },
    headers: IncomingHttpHeaders,
  ): Record<string, string> | null {
    return this.overlay?.accepted?.(kept, headers) ?? null;
  }
}
