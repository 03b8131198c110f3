/**
 * The protocol profiles, one line each: a name (shared/events.ts `PROFILES`) → the factory
 * of its server side (one instance per push service, holding that service's profile state)
 * and its client side (a stateless strategy for user agents and application servers). The
 * push service and the agents find a profile only here.
 */
import type { Profile } from '../../../../shared/events';
import { type ClientProfile, ClientProfileError } from './client-common';
import type { ProfileServerFactory } from './common';
import { draftDamaggioClient } from './draft-damaggio/client';
import { DraftDamaggioServer, SUBSCRIBE_PATH as DAMAGGIO_SUBSCRIBE } from './draft-damaggio/server';
import { draftThomsonClient } from './draft-thomson/client';
import { DraftThomsonServer, SUBSCRIBE_PATH as THOMSON_SUBSCRIBE } from './draft-thomson/server';
import { rfc8030Client } from './rfc8030/client';
import { Rfc8030Server, SUBSCRIBE_PATH as RFC8030_SUBSCRIBE } from './rfc8030/server';

export interface ProfileEntry {
  readonly server: ProfileServerFactory;
  readonly client: ClientProfile;
  /**
   * Where user agents subscribe (draft-thomson: register) on a service of this profile: the
   * lab's own servers answer there, and an external service whose url names no path is
   * assumed to agree.
   */
  readonly subscribePath: string;
  /**
   * Can a service of this profile journal to and restore from a durable store? Only when
   * all its state is the core's (the drafts keep registrations and receipt resources in
   * their instance, which the store does not hold).
   */
  readonly durable: boolean;
  /** Does its server apply provider quirk overlays (`push/quirks/`, `--quirks`)? */
  readonly quirks: boolean;
}

export const PROFILE_REGISTRY: Readonly<Record<Profile, ProfileEntry>> = {
  rfc8030: {
    server: (core, quirks) => new Rfc8030Server(core, quirks),
    client: rfc8030Client,
    subscribePath: RFC8030_SUBSCRIBE,
    durable: true,
    quirks: true,
  },
  'draft-thomson': {
    server: (core) => new DraftThomsonServer(core),
    client: draftThomsonClient,
    subscribePath: THOMSON_SUBSCRIBE,
    durable: false,
    quirks: false,
  },
  'draft-damaggio': {
    server: (core) => new DraftDamaggioServer(core),
    client: draftDamaggioClient,
    subscribePath: DAMAGGIO_SUBSCRIBE,
    durable: false,
    quirks: false,
  },
};

/** The registry's entry for a name that came from outside the type system (a scenario, the UI). */
export function profileEntry(name: string): ProfileEntry | null {
  return Object.hasOwn(PROFILE_REGISTRY, name) ? PROFILE_REGISTRY[name as Profile] : null;
}

/** The client strategy for a profile; an unknown name is a clear error. */
export function clientProfile(name: Profile = 'rfc8030'): ClientProfile {
  const found = profileEntry(name);
  if (!found) {
    throw new ClientProfileError(
      `profile: got ${JSON.stringify(name)}; allowed ${Object.keys(PROFILE_REGISTRY).join(', ')}`,
    );
  }
  return found.client;
}
