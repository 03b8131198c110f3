/**
 * The profile registry is the one list of protocol profiles: exactly the shared `PROFILES`,
 * each with a server factory (one instance per core) and a client strategy of its name. A
 * profile keeps its state in its instance, never in module-level maps, and its route table
 * compiles only patterns it can match.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../src/shared/events';
import { VirtualClock } from '../../../src/main/engine/clock/virtual';
import { PushCore } from '../../../src/main/engine/push/core';
import { ClientProfileError } from '../../../src/main/engine/push/profiles/client-common';
import { RouteTable } from '../../../src/main/engine/push/profiles/common';
import {
  clientProfile,
  PROFILE_REGISTRY,
  profileEntry,
} from '../../../src/main/engine/push/profiles/registry';
import { CLOSED_WORLD_LIMITS, DEFAULT_SERVICE_LIMITS } from '../../../src/main/engine/push/types';
import { EventBus } from '../../../src/main/engine/trace/bus';

const PROFILES_DIR = join(__dirname, '../../../src/main/engine/push/profiles');

function core(): PushCore {
  const clock = new VirtualClock(0);
  return new PushCore('ps1', clock, new EventBus(clock), {
    ...DEFAULT_SERVICE_LIMITS,
    ...CLOSED_WORLD_LIMITS,
  });
}

describe('profile registry', () => {
  it('lists exactly the three profiles, each with a server factory and a client of its name', () => {
    expect(Object.keys(PROFILE_REGISTRY)).toEqual(['rfc8030', 'draft-thomson', 'draft-damaggio']);
    expect(Object.keys(PROFILE_REGISTRY).sort()).toEqual([...PROFILES].sort());
    for (const name of PROFILES) {
      const entry = PROFILE_REGISTRY[name];
      const server = entry.server(core());
      expect(server.name).toBe(name);
      expect(typeof server.handle).toBe('function');
      expect(server.subscribePath).toMatch(/^\//);
      expect(server.pushPath('tok')).toMatch(/^\/.*tok$/);
      expect(entry.client.name).toBe(name);
      expect(clientProfile(name)).toBe(entry.client);
    }
  });

  it("lets only a profile whose state is all the core's use a durable store", () => {
    expect(PROFILES.filter((name) => PROFILE_REGISTRY[name].durable)).toEqual(['rfc8030']);
  });

  it('makes a new server instance per core', () => {
    for (const name of PROFILES) {
      const { server } = PROFILE_REGISTRY[name];
      expect(server(core())).not.toBe(server(core()));
    }
  });

  it('answers an unknown name clearly, and never with a property of Object', () => {
    expect(profileEntry('toString')).toBeNull();
    expect(profileEntry('draft-ietf-webpush-protocol-12')).toBeNull();
    expect(() => clientProfile('nope' as never)).toThrow(ClientProfileError);
    expect(() => clientProfile('nope' as never)).toThrow(
      'profile: got "nope"; allowed rfc8030, draft-thomson, draft-damaggio',
    );
  });

  it('has one folder per profile with its server and client side', () => {
    const folders = readdirSync(PROFILES_DIR, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect(folders).toEqual([...PROFILES].sort());
    for (const name of folders) {
      expect(readdirSync(join(PROFILES_DIR, name)).sort()).toEqual(['client.ts', 'server.ts']);
    }
  });

  it('keeps no profile state at module level (no top-level Map, Set or WeakMap)', () => {
    const files = readdirSync(PROFILES_DIR, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.ts'),
    );
    const offenders = files.flatMap((file) =>
      readFileSync(join(PROFILES_DIR, file), 'utf8')
        .split('\n')
        .filter((line) => /^(export )?(const|let|var) \w+.*new (Weak)?(Map|Set)\b/.test(line))
        .map((line) => `${file}: ${line.trim()}`),
    );
    expect(offenders).toEqual([]);
  });
});

describe('profile clients', () => {
  it("send to the endpoint's path with its query: a real endpoint's query is part of its capability", () => {
    for (const name of PROFILES) {
      const request = clientProfile(name).buildSend({
        url: new URL('https://push.example/w/abc?token=t%2B1'),
        ttlSeconds: 60,
        body: Buffer.from('hi'),
        contentHeaders: { 'content-encoding': 'aes128gcm' },
        authorization: {},
        extraHeaders: {},
        receiptUrl: null,
      });
      expect(request.path, name).toBe('/w/abc?token=t%2B1');
    }
  });

  it('draft-damaggio refuses a body in a coding its envelope cannot carry, naming it', () => {
    const send = (contentHeaders: Record<string, string>) =>
      clientProfile('draft-damaggio').buildSend({
        url: new URL('https://push.example/s/abc'),
        ttlSeconds: 60,
        body: Buffer.from([0xff, 0x00, 0x80]),
        contentHeaders,
        authorization: {},
        extraHeaders: {},
        receiptUrl: null,
      });
    expect(() => send({ 'content-encoding': 'aesgcm', encryption: 'salt=x' })).toThrow(
      ClientProfileError,
    );
    expect(() => send({ 'content-encoding': 'aesgcm' })).toThrow(
      /got "aesgcm"; .*aes128gcm or text only/,
    );
    expect(JSON.parse(send({ 'content-encoding': 'aes128gcm' }).body!.toString())).toMatchObject({
      message: { encoding: 'aes128gcm', data: '_wCA' },
    });
  });
});

describe('RouteTable', () => {
  it('refuses a pattern it could not match', () => {
    const unknown = (): void => {};
    expect(() => new RouteTable([{ path: 'p/x', methods: {} }], unknown)).toThrow(
      'route path: got "p/x"; allowed an absolute path of at most 7 segments',
    );
    expect(() => new RouteTable([{ path: '/a/*/b', methods: {} }], unknown)).toThrow(
      'route path: got "/a/*/b"; "*" is allowed only as the last segment',
    );
  });

  it('lists its patterns with the methods each allows, in Allow order', () => {
    const server = PROFILE_REGISTRY['draft-damaggio'].server(core()) as unknown as {
      routes: RouteTable;
    };
    expect(server.routes.patterns).toEqual([
      { path: '/subscribe/', allow: ['POST'] },
      { path: '/p/:subscription', allow: ['GET', 'POST', 'DELETE'] },
      { path: '/p/:subscription/:message', allow: ['GET', 'DELETE'] },
      { path: '/r/*', allow: ['GET'] },
    ]);
  });
});
