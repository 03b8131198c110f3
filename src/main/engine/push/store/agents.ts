/**
 * The built-in user agents' side of a durable service (`push-lab serve --store`, the UI's
 * sandbox): their subscriptions' URLs and RFC 8291 private keys, kept beside the store
 * (`agents.json`, mode 0600, in a directory; a key in Redis: both hold private keys), so a
 * PushSubscription a developer copied keeps working — and decrypting — after a restart.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { UaSubscription } from '../../agents/user-agent';
import { b64uDecode, b64uEncode } from '../../crypto/base64url';
import { writeFileAtomic } from '../../fs/atomic-write';

export const AGENTS_FILE = 'agents.json';
/**
 * Kept subscriptions per agent: what `serve --subscriptions` (1,000 at most) makes at start
 * plus what its control API may add (HARNESS_SUBSCRIPTIONS_MAX, 1,000), so none is cut.
 */
export const AGENT_SUBSCRIPTIONS_KEPT_MAX = 2000;

interface SavedSubscription {
  path: string;
  pushPath: string;
  setPath: string | null;
  privateKey: string;
  publicKey: string;
  authSecret: string;
}

/** Paths, not URLs: a restart on another port keeps the subscriptions (at new URLs). */
function pathOf(url: string): string {
  return new URL(url, 'http://relative.invalid').pathname;
}

function valid(s: unknown): s is SavedSubscription {
  if (s === null || typeof s !== 'object') return false;
  const o = s as Record<string, unknown>;
  const text = (k: string) => typeof o[k] === 'string' && (o[k] as string).startsWith('/');
  return (
    text('path') &&
    text('pushPath') &&
    (o['setPath'] === null || text('setPath')) &&
    ['privateKey', 'publicKey', 'authSecret'].every((k) => typeof o[k] === 'string')
  );
}

/**
 * Where a store keeps the agents' subscriptions: `agents.json` beside the log (a directory
 * store), or a key beside the service's state (a Redis store, redis.ts).
 */
export interface AgentShelf {
  /** The saved text; null when nothing was saved. */
  read(): Promise<string | null>;
  write(text: string): Promise<void>;
}

/** `agents.json` in a store directory: 0600, written atomically (one whole file after a crash). */
export function agentFile(storeDir: string): AgentShelf {
  const file = path.join(storeDir, AGENTS_FILE);
  return {
    async read() {
      try {
        return await readFile(file, 'utf8');
      } catch {
        return null;
      }
    },
    // Private keys inside: 0600 whatever the file was.
    async write(text) {
      await writeFileAtomic(file, text, { mode: 0o600, keepMode: false });
    },
  };
}

/**
 * agent id → its saved subscriptions, as UaSubscriptions under `serviceUrl`. Nothing saved
 * is an empty map; damaged text too (the agents then subscribe anew).
 */
export function parseAgentSubscriptions(
  text: string | null,
  serviceUrl: string,
): Map<string, UaSubscription[]> {
  const result = new Map<string, UaSubscription[]>();
  let parsed: unknown;
  try {
    parsed = text === null ? null : JSON.parse(text);
  } catch {
    return result;
  }
  if (parsed === null || typeof parsed !== 'object') return result;
  for (const [agentId, list] of Object.entries(parsed as Record<string, unknown>)) {
    if (!Array.isArray(list)) continue;
    const subs = list
      .filter(valid)
      .slice(0, AGENT_SUBSCRIPTIONS_KEPT_MAX)
      .map((s) => {
        const publicKey = b64uDecode(s.publicKey);
        const authSecret = b64uDecode(s.authSecret);
        return {
          id: null,
          url: serviceUrl + s.path,
          pushUrl: serviceUrl + s.pushPath,
          setUrl: s.setPath === null ? null : serviceUrl + s.setPath,
          registrationUrl: null,
          keys: {
            privateKey: b64uDecode(s.privateKey),
            publicKey,
            authSecret,
            p256dh: b64uEncode(publicKey),
            auth: b64uEncode(authSecret),
          },
        };
      });
    result.set(agentId, subs);
  }
  return result;
}

/** Every agent's subscriptions as the text a shelf keeps. */
export function agentSubscriptionsJson(
  agents: Iterable<{ id: string; subscriptions: readonly UaSubscription[] }>,
): string {
  const saved: Record<string, SavedSubscription[]> = {};
  for (const agent of agents) {
    saved[agent.id] = agent.subscriptions.slice(0, AGENT_SUBSCRIPTIONS_KEPT_MAX).map((s) => ({
      path: pathOf(s.url),
      pushPath: pathOf(s.pushUrl),
      setPath: s.setUrl === null ? null : pathOf(s.setUrl),
      privateKey: b64uEncode(s.keys.privateKey),
      publicKey: b64uEncode(s.keys.publicKey),
      authSecret: b64uEncode(s.keys.authSecret),
    }));
  }
  return JSON.stringify(saved);
}
