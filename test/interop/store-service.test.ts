/**
 * The push service with a durable store, over real HTTP/2: answers wait for durability,
 * a store that fails answers 503 (never 201), and a store in use is refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STORE_FAILED_RETRY_AFTER_SECONDS } from '../../src/main/engine/push/profiles/common';
import { nodeIo, WalStore, type WalIo } from '../../src/main/engine/push/store/wal';
import { call, client, linkPath, startService } from '../helpers/h2';

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
  const ctx = await startService({ store: () => WalStore.open(dir, io ? { io } : {}) });
  cleanup.push(() => ctx.service.stop());
  const session = await client(ctx.service.url);
  cleanup.push(() => session.destroy());
  const sub = await call(session, { ':method': 'POST', ':path': '/subscribe' });
  expect(sub.status).toBe(201);
  return { ...ctx, dir, session, pushPath: linkPath(sub.headers, 'urn:ietf:params:push')! };
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
