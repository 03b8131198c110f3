/** The UI's sandbox push service keeps its state in `<data dir>/store` across restarts. */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WalStore } from '../../../src/main/engine/push/store/wal';
import { SANDBOX_STORE_DIR, Workbench } from '../../../src/main/engine/workbench/workbench';

const examplesDir = path.resolve('resources/scenarios');
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function started(dataDir: string): Promise<Workbench> {
  const bench = new Workbench({ dataDir, examplesDir });
  await bench.start();
  cleanups.push(() => bench.stop());
  return bench;
}

const subscriptionIds = (bench: Workbench) =>
  [...bench.sandbox!.service.core.allSubscriptions()].map((s) => s.id);

describe('the sandbox with a durable store', () => {
  it("keeps the sandbox's subscriptions across a restart, in <data dir>/store", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'push-lab-wb-store-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const first = await started(dataDir);
    const before = subscriptionIds(first);
    expect(before).toHaveLength(1);
    expect((await stat(path.join(dataDir, SANDBOX_STORE_DIR))).isDirectory()).toBe(true);
    const keys = first.sandbox!.userAgents[0]!.subscriptions[0]!.keys.p256dh;
    // The sandbox command while in the sandbox lets go of the store before taking it again.
    const again = await first.execute({ type: 'sandbox' });
    expect(again.ok).toBe(true);
    expect(subscriptionIds(first)).toEqual(before);
    await first.stop();
    cleanups.pop();

    // Restarted: the same subscription, held by the same user agent with the same keys.
    const second = await started(dataDir);
    expect(subscriptionIds(second)).toEqual(before);
    const ua = second.sandbox!.userAgents[0]!;
    expect(ua.subscriptions.map((s) => s.id)).toEqual(before);
    expect(ua.subscriptions[0]!.keys.p256dh).toBe(keys);
  });

  it('runs in memory when another process holds the store, instead of failing', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'push-lab-wb-store-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const held = await WalStore.open(path.join(dataDir, SANDBOX_STORE_DIR));
    cleanups.push(() => held.close());
    const bench = await started(dataDir);
    expect(bench.status()).toMatchObject({ mode: 'sandbox', state: 'running' });
    expect(subscriptionIds(bench)).toHaveLength(1);
  });
});
