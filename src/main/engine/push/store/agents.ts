/**
 * The built-in user agents' side of a durable service (`push-lab serve --store`, the UI's
 * sandbox): their subscriptions' URLs and RFC 8291 private keys, kept beside the store in
 * `agents.json` (mode 0600: it holds private keys), so a PushSubscription a developer
 * copied keeps working — and decrypting — after a restart.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { UaSubscription } from '../../agents/user-agent';
import { b64uDecode, b64uEncode } from '../../crypto/base64url';
import { writeFileAtomic } from '../../fs/atomic-write';

export const AGENTS_FILE = 'agents.json';
/** Kept subscriptions per agent (more than `serve --subscriptions` allows). */
export const AGENT_SUBSCRIPTIONS_KEPT_MAX = 1000;

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
 * agent id → its saved subscriptions, as UaSubscriptions under `serviceUrl`. A missing
 * file is an empty map; a damaged one too (the agents then subscribe anew).
 */
export async function loadAgentSubscriptions(
  storeDir: string,
  serviceUrl: string,
): Promise<Map<string, UaSubscription[]>> {
  const result = new Map<string, UaSubscription[]>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path.join(storeDir, AGENTS_FILE), 'utf8'));
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

/** Writes every agent's subscriptions: atomically (0600), so a crash leaves one whole file. */
export async function saveAgentSubscriptions(
  storeDir: string,
  agents: Iterable<{ id: string; subscriptions: readonly UaSubscription[] }>,
): Promise<void> {
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
  const file = path.join(storeDir, AGENTS_FILE);
  // Private keys inside: 0600 whatever the file was.
  await writeFileAtomic(file, JSON.stringify(saved), { mode: 0o600, keepMode: false });
}
