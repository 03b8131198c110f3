/**
 * Opens the store a location names (location.ts): the embedded log for a directory, Redis
 * for a redis:// URL. The core gets a PushStore either way and never learns which.
 */
import type { Clock } from '../../clock/clock';
import { agentFile, type AgentShelf } from './agents';
import type { StoreLocation } from './location';
import { RedisStore } from './redis';
import type { PushStore } from './store';
import { WalStore } from './wal';

export interface OpenedStore {
  store: PushStore;
  /** Where the lab's built-in user agents keep their subscriptions beside it. */
  agents: AgentShelf;
}

export async function openStore(
  location: StoreLocation,
  context: { serviceId: string; clock: Clock; instance?: string },
): Promise<OpenedStore> {
  if (location.kind === 'directory') {
    if (context.instance !== undefined)
      throw new Error(`instance: several instances share a Redis store, not a directory`);
    return { store: await WalStore.open(location.dir), agents: agentFile(location.dir) };
  }
  const store = await RedisStore.open(location.redis, context);
  return {
    store,
    agents: { read: () => store.readAgents(), write: (text) => store.writeAgents(text) },
  };
}
