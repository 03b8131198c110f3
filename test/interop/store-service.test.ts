/**
 * The push service with a durable store, over real HTTP/2: answers wait for durability,
 * a store that fails answers 503 (never 201), and a store in use is refused. The same
 * three cases on the write-ahead log (its file operations held or failed) and on Redis (a
 * real redis-server paused or killed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RealClock } from '../../src/main/engine/clock/real';
import { STORE_FAILED_RETRY_AFTER_SECONDS } from '../../src/main/engine/push/profiles/common';
import { storeLocation } from '../../src/main/engine/push/store/location';
import { RedisStore } from '../../src/main/engine/push/store/redis';
import type { PushStore } from '../../src/main/engine/push/store/store';
import { nodeIo, WalStore, type WalIo } from '../../src/main/engine/push/store/wal';
import { call, client, linkPath, startService } from '../helpers/h2';
import { noRedisReason, startRedis } from '../helpers/redis';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'push-lab-store-svc-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** File operations whose fdatasync can be held back, or whose writes can fail. */
function controlledIo() {
  const control = { hold: null as Promise<void> | null, failWith: null as string | null };
  const io: WalIo = {
    async open(file, flags) {
      const inner = await nodeIo.open(file, flags);
      return {
        append: (data) =>
          control.failWith
            ? Promise.reject(Object.assign(new Error('write failed'), { code: control.failWith }))
            : inner.append(data),
        sync: async () => {
          if (control.hold) await control.hold;
          return inner.sync();
        },
        close: () => inner.close(),
      };
    },
  };
  return { control, io };
}

async function durableService(io?: WalIo) {
  const dir = tempDir();
  return { ...(await serviceOn(() => WalStore.open(dir, io ? { io } : {}))), dir };
}

async function serviceOn(store: () => Promise<PushStore>) {
  const ctx = await startService({ store });
  cleanup.push(() => ctx.service.stop());
  const session = await client(ctx.service.url);
  cleanup.push(() => session.destroy());
  const sub = await call(session, { ':method': 'POST', ':path': '/subscribe' });
  expect(sub.status).toBe(201);
  return { ...ctx, session, pushPath: linkPath(sub.headers, 'urn:ietf:params:push')! };
}

const push = (session: Awaited<ReturnType<typeof client>>, pushPath: string) =>
  call(session, { ':method': 'POST', ':path': pushPath, ttl: '60' }, 'hello');

describe('push service with a durable store', () => {
  it('answers 201 to a push only once its record is synced', async () => {
    const { control, io } = controlledIo();
    const { session, pushPath } = await durableService(io);
    let release!: () => void;
    control.hold = new Promise((r) => (release = r));
    let answered = false;
    const reply = push(session, pushPath).then((r) => ((answered = true), r));
    await new Promise((r) => setTimeout(r, 200));
    expect(answered).toBe(false);
    release();
    control.hold = null;
    expect((await reply).status).toBe(201);
  });

  it('answers 503 (problem+json) when the store cannot write, and reports it once', async () => {
    const { control, io } = controlledIo();
    const { session, pushPath, events } = await durableService(io);
    control.failWith = 'ENOSPC';
    for (let i = 0; i < 2; i++) {
      const reply = await push(session, pushPath);
      expect(reply.status).toBe(503);
      expect(reply.headers['content-type']).toBe('application/problem+json');
      expect(reply.headers['retry-after']).toBe(String(STORE_FAILED_RETRY_AFTER_SECONDS));
      expect(JSON.parse(reply.body).detail).toMatch(
        /writing push\.wal failed \(ENOSPC\).*not stored/,
      );
    }
    const subscribe = await call(session, { ':method': 'POST', ':path': '/subscribe' });
    expect(subscribe.status).toBe(503);
    expect(events.filter((e) => e.kind === 'store.failed')).toHaveLength(1);
  });

  it('a second service on the same store is refused at start, with a sentence', async () => {
    const { dir } = await durableService();
    await expect(startService({ store: () => WalStore.open(dir) })).rejects.toMatchObject({
      code: 'ERR_STORE_LOCKED',
      message: expect.stringContaining(dir),
    });
  });
});

describe.skipIf(noRedisReason !== null)(
  `push service with a Redis store ${noRedisReason ?? ''}`,
  () => {
    async function redisService() {
      const redis = await startRedis();
      cleanup.push(() => redis.stop());
      const location = storeLocation(redis.url);
      if (!('redis' in location)) throw new Error('not a Redis URL');
      const open = () =>
        RedisStore.open(location.redis, { serviceId: 'ps1', clock: new RealClock() });
      return { redis, open, ...(await serviceOn(open)) };
    }

    it('answers 201 to a push only once Redis answered its write', async () => {
      const { redis, session, pushPath } = await redisService();
      // Redis holds every write command until unpaused (reads, and UNPAUSE, go on).
      await redis.command('client', 'pause', 10_000, 'write');
      let answered = false;
      const reply = push(session, pushPath).then((r) => ((answered = true), r));
      await new Promise((r) => setTimeout(r, 200));
      expect(answered).toBe(false);
      await redis.command('client', 'unpause');
      expect((await reply).status).toBe(201);
      // And it is there: the message is in Redis's hash of this service.
      expect(await redis.command('hlen', 'pushlab:{ps1}:msg')).toBe(1);
    });

    it('answers 503 (problem+json) once the connection to Redis is lost, and reports it once', async () => {
      const { redis, session, pushPath, events } = await redisService();
      expect((await push(session, pushPath)).status).toBe(201);
      await redis.kill();
      for (let i = 0; i < 2; i++) {
        const reply = await push(session, pushPath);
        expect(reply.status).toBe(503);
        expect(reply.headers['content-type']).toBe('application/problem+json');
        expect(reply.headers['retry-after']).toBe(String(STORE_FAILED_RETRY_AFTER_SECONDS));
        expect(JSON.parse(reply.body).detail).toMatch(
          new RegExp(`^store ${redis.url}: the connection to Redis was lost .*not stored$`),
        );
      }
      const subscribe = await call(session, { ':method': 'POST', ':path': '/subscribe' });
      expect(subscribe.status).toBe(503);
      expect(events.filter((e) => e.kind === 'store.failed')).toHaveLength(1);
    });

    it('a second service on the same Redis is refused at start, with a sentence', async () => {
      const { redis, open } = await redisService();
      await expect(startService({ store: open })).rejects.toMatchObject({
        code: 'ERR_STORE_LOCKED',
        message: expect.stringContaining(`store ${redis.url} is in use by process ${process.pid}`),
      });
    });
  },
);
