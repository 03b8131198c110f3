/**
 * The inspector's view of one message: the body the push service received (kept, bounded,
 * in the core's archive) and its plaintext — unwrapped by the service's profile as its user
 * agents unwrap it (draft-damaggio's JSON `message`) and decrypted with the RFC 8291 keys of
 * the agent that holds the subscription: what that user agent itself would read.
 */
import type { MessageDetail } from '../../../shared/workbench';
import type { Decoded } from '../push/profiles/client-common';
import { clientProfile } from '../push/profiles/registry';
import { decryptPayload, type UaSubscription } from '../agents/user-agent';
import type { PushService } from '../push/service';

/** Bytes of a body shown as hex (a push message is at most 4,096). */
export const BODY_HEX_BYTES_MAX = 4_096;

export interface Holder {
  agentId: string;
  subscription: UaSubscription;
}

/** The message's detail, or a sentence saying why there is none. */
export function inspectMessage(
  messageId: string,
  services: Iterable<PushService>,
  holders: Iterable<Holder>,
): MessageDetail | string {
  for (const service of services) {
    const archived = service.core.archive.get(messageId);
    if (!archived) continue;
    const holder = [...holders].find((h) => h.subscription.id === archived.subscriptionId);
    const base = {
      messageId,
      subscriptionId: archived.subscriptionId,
      ttlRequestedSeconds: archived.ttlRequestedSeconds,
      contentHeaders: { ...archived.contentHeaders },
      bytes: archived.body.length,
      bodyHex: archived.body.subarray(0, BODY_HEX_BYTES_MAX).toString('hex'),
      holderId: holder?.agentId ?? null,
    };
    let decoded: Decoded;
    try {
      decoded = clientProfile(service.profileName).decode(archived.body, archived.contentHeaders);
    } catch (error) {
      return { ...base, plaintext: null, decryption: 'failed', note: (error as Error).message };
    }
    if (decoded.encoding === null) {
      return {
        ...base,
        plaintext: decoded.payload.toString('utf8'),
        decryption: 'not-encrypted',
        note: null,
      };
    }
    if (!holder) {
      return {
        ...base,
        plaintext: null,
        decryption: 'no-keys',
        note: 'the subscription is held outside the lab (its keys are not here)',
      };
    }
    try {
      const plaintext = decryptPayload(decoded, holder.subscription.keys);
      return { ...base, plaintext: plaintext.toString('utf8'), decryption: 'ok', note: null };
    } catch (error) {
      return { ...base, plaintext: null, decryption: 'failed', note: (error as Error).message };
    }
  }
  return `messageId: "${messageId}" is not among the last messages kept (bodies of older ones are forgotten; the trace keeps their events)`;
}
