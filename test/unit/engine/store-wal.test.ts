import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { crc32, crc32Table } from '../../../src/main/engine/push/store/crc32';
import { LOCK_FILE } from '../../../src/main/engine/push/store/lock';
import type { MessageRecord } from '../../../src/main/engine/push/store/store';
import {
  COMPACTION_RATIO,
  nodeIo,
  WAL_FILE,
  WalStore,
  type WalIo,
} from '../../../src/main/engine/push/store/wal';

const dirs: string[] = [];
const stores: WalStore[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'push-lab-store-'));
  dirs.push(dir);
  return dir;
}
async function open(dir: string, options: Parameters<typeof WalStore.open>[1] = {}) {
  const store = await WalStore.open(dir, options);
  stores.push(store);
  return store;
}
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function message(n: number, extra: Partial<MessageRecord> = {}): MessageRecord {
  return {
    id: `ps1.m${n}`,
    token: `tok${n}`,
    subscriptionId: 'ps1.s1',
    body: Buffer.from(`body ${n} `.repeat(8)),
    contentHeaders: { 'content-encoding': 'aes128gcm' },
    ttlSeconds: 60,
    // Asked for more than the service kept; sent by a lab agent, signed the draft way.
    ttlRequestedSeconds: 90,
    acceptedAtMs: 1000 + n,
    expiresAtMs: 61_000 + n,
    urgency: 'normal',
    topic: null,
    receiptSubscriptionId: null,
    senderId: 'as1',
    legacyVapid: true,
    attempts: 0,
    ...extra,
  };
}

function seed(store: WalStore): void {
  store.putSet({ id: 'ps1.set1', token: 'settok' });
  store.putReceiptSubscription({ id: 'ps1.r1', token: 'rtok' });
  store.putSubscription({
    id: 'ps1.s1',
    token: 'subtok',
    pushToken: 'pushtok',
    agentId: 'ua1',
    createdAtMs: 5,
    vapidKey: null,
    setId: 'ps1.set1',
  });
}

const ids = (store: WalStore) => [...store.state().messages].map((m) => m.id);

describe('crc32', () => {
  it('matches the CRC-32 check value and continues across pieces', () => {
    expect(crc32Table(Buffer.from('123456789'))).toBe(0xcbf43926);
    const data = Buffer.from('The quick brown fox jumps over the lazy dog, twice over.');
    expect(crc32Table(data.subarray(13), crc32Table(data.subarray(0, 13)))).toBe(crc32Table(data));
    expect(crc32(data)).toBe(crc32Table(data));
    const native = (zlib as unknown as { crc32?: (d: Uint8Array) => number }).crc32;
    if (native) expect(native(data)).toBe(crc32Table(data));
  });

  it('agrees with the bitwise definition at every length and alignment', () => {
    const bitwise = (d: Uint8Array): number => {
      let c = 0xffffffff;
      for (const byte of d) {
        c ^= byte;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      }
      return ~c >>> 0;
    };
    const data = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff));
    for (let start = 0; start < 9; start++) {
      for (let length = 0; length <= 120; length++) {
        const piece = data.subarray(start, start + length);
        expect(crc32Table(piece)).toBe(bitwise(piece));
      }
    }
  });
});

describe('WalStore', () => {
  it('replays what was appended: records, attempts, finishes, bodies byte for byte', async () => {
    const dir = tempDir();
    const a = await open(dir);
    seed(a);
    for (let n = 1; n <= 5; n++) a.putMessage(message(n, { topic: n === 2 ? 't' : null }));
    a.setAttempts('ps1.m3', 2);
    a.finishMessage('ps1.m4');
    await a.durable();
    await a.close();

    const b = await open(dir);
    const state = b.state();
    expect([...state.sets]).toEqual([{ id: 'ps1.set1', token: 'settok' }]);
    expect([...state.receiptSubscriptions]).toEqual([{ id: 'ps1.r1', token: 'rtok' }]);
    expect([...state.subscriptions][0]).toMatchObject({ id: 'ps1.s1', setId: 'ps1.set1' });
    const messages = [...state.messages];
    expect(messages.map((m) => m.id)).toEqual(['ps1.m1', 'ps1.m2', 'ps1.m3', 'ps1.m5']);
    expect(messages[1]).toEqual(message(2, { topic: 't' }));
    expect(messages[2]!.attempts).toBe(2);
    expect(b.stats.discardedBytes).toBe(0);
  });

  it('a torn last record, cut at every byte offset, replays everything before it', async () => {
    const dir = tempDir();
    const a = await open(dir);
    seed(a);
    a.putMessage(message(1));
    await a.durable();
    const before = statSync(path.join(dir, WAL_FILE)).size;
    a.putMessage(message(2));
    await a.durable();
    await a.close();
    const whole = readFileSync(path.join(dir, WAL_FILE));
    expect(whole.length).toBeGreaterThan(before + 100);

    for (let cut = before; cut < whole.length; cut++) {
      const copy = tempDir();
      writeFileSync(path.join(copy, WAL_FILE), whole.subarray(0, cut));
      const store = await WalStore.open(copy);
      try {
        expect(ids(store)).toEqual(['ps1.m1']);
        expect(store.stats.discardedBytes).toBe(cut - before);
        // The tail is gone from the file: new records follow the last whole one.
        store.putMessage(message(3));
        await store.durable();
      } finally {
        await store.close();
      }
      const again = await WalStore.open(copy);
      expect(ids(again)).toEqual(['ps1.m1', 'ps1.m3']);
      expect(again.stats.discardedBytes).toBe(0);
      await again.close();
      rmSync(copy, { recursive: true, force: true });
      dirs.pop();
    }
  });

  it('stops at a record whose CRC does not match and cuts the log there', async () => {
    const dir = tempDir();
    const a = await open(dir);
    seed(a);
    a.putMessage(message(1));
    await a.durable();
    const firstEnd = statSync(path.join(dir, WAL_FILE)).size;
    a.putMessage(message(2));
    a.putMessage(message(3));
    await a.close();
    const file = path.join(dir, WAL_FILE);
    const data = readFileSync(file);
    // One bit flipped inside message 2's body: its length still fits, its CRC does not.
    data.writeUInt8(data.readUInt8(firstEnd + 8 + 5 + 40) ^ 0x01, firstEnd + 8 + 5 + 40);
    writeFileSync(file, data);

    const b = await open(dir);
    expect(ids(b)).toEqual(['ps1.m1']);
    expect(b.stats.discardedBytes).toBe(data.length - firstEnd);
    expect([...b.state().subscriptions]).toHaveLength(1);
  });

  it('reads a log written before messages kept their sender: they restore as they did then', async () => {
    // Version 1's frames as its header comment gives them, from a store made before s22.
    const frame = (type: number, json: object, body: Buffer): Buffer => {
      const text = Buffer.from(JSON.stringify(json));
      const head = Buffer.alloc(5);
      head.writeUInt8(type, 0);
      head.writeUInt32LE(text.length, 1);
      const payload = Buffer.concat([head, text, body]);
      const frameHead = Buffer.alloc(8);
      frameHead.writeUInt32LE(payload.length, 0);
      frameHead.writeUInt32LE(crc32(payload), 4);
      return Buffer.concat([frameHead, payload]);
    };
    const { ttlRequestedSeconds, senderId, legacyVapid, body, ...older } = message(1);
    expect([ttlRequestedSeconds, senderId, legacyVapid]).toEqual([90, 'as1', true]);
    const dir = tempDir();
    writeFileSync(
      path.join(dir, WAL_FILE),
      Buffer.concat([Buffer.from('PUSHLAB-WAL 1\n'), frame(7, older, body)]),
    );
    const store = await open(dir);
    expect([...store.state().messages]).toEqual([
      { ...older, body, ttlRequestedSeconds: 60, senderId: null, legacyVapid: false },
    ]);
    expect(store.stats.discardedBytes).toBe(0);
  });

  it('refuses a file that is not a store log, with a sentence', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, WAL_FILE), 'hello, this is not a log at all\n');
    await expect(WalStore.open(dir)).rejects.toMatchObject({
      code: 'ERR_STORE_FORMAT',
      message: expect.stringMatching(/is not a Push Lab store log/),
    });
  });

  it('compaction rewrites exactly the live state and bounds the log', async () => {
    const dir = tempDir();
    const store = await open(dir, { compactionLogBytesMin: 8 * 1024 });
    seed(store);
    const live = new Map<string, MessageRecord>();
    for (let n = 1; n <= 2000; n++) {
      const m = message(n, { topic: n % 7 === 0 ? `t${n % 3}` : null });
      store.putMessage(m);
      live.set(m.id, m);
      if (n % 10 !== 0) {
        store.finishMessage(m.id);
        live.delete(m.id);
      } else if (n % 20 === 0) {
        store.setAttempts(m.id, 3);
        live.set(m.id, { ...m, attempts: 3 });
      }
      if (n % 50 === 0) await store.durable();
    }
    store.deleteReceiptSubscription('ps1.r1');
    await store.durable();
    const stats = store.snapshotStats();
    expect(stats.compactions).toBeGreaterThan(0);
    expect(stats.logBytes).toBe(statSync(path.join(dir, WAL_FILE)).size);
    expect(stats.logBytes).toBeLessThanOrEqual(COMPACTION_RATIO * stats.liveBytes + 16 * 1024);
    const expected = [...live.values()];
    expect([...store.state().messages]).toEqual(expected);
    await store.close();
    stores.pop();

    const reopened = await open(dir);
    expect([...reopened.state().messages]).toEqual(expected);
    expect([...reopened.state().receiptSubscriptions]).toEqual([]);
    expect([...reopened.state().subscriptions]).toHaveLength(1);
  });

  it('a snapshot drops finished records but keeps the highest ids issued', async () => {
    const dir = tempDir();
    const store = await open(dir, { compactionLogBytesMin: 1024 });
    seed(store);
    for (let n = 1; n <= 300; n++) store.putMessage(message(n));
    for (let n = 1; n <= 300; n++) store.finishMessage(`ps1.m${n}`);
    store.deleteReceiptSubscription('ps1.r1');
    await store.durable();
    expect(store.stats.compactions).toBe(1);
    expect(statSync(path.join(dir, WAL_FILE)).size).toBeLessThan(1024);
    await store.close();
    stores.pop();
    const reopened = await open(dir);
    expect([...reopened.state().messages]).toEqual([]);
    expect(reopened.state().highestIds).toEqual({
      sets: 1,
      receiptSubscriptions: 1,
      subscriptions: 1,
      messages: 300,
    });
  });

  it('keeps held receipts until released, through a snapshot, and drops them with their receipt subscription', async () => {
    const dir = tempDir();
    const store = await open(dir, { compactionLogBytesMin: 1024 });
    seed(store);
    store.putReceiptSubscription({ id: 'ps1.r2', token: 'rtok2' });
    const held = (n: number, r = 'ps1.r1') => ({
      receiptSubscriptionId: r,
      messageId: `ps1.m${n}`,
      messageToken: `tok${n}`,
      status: n % 2 ? (204 as const) : (410 as const),
    });
    for (const n of [1, 2, 3]) store.holdReceipt(held(n));
    store.holdReceipt(held(4, 'ps1.r2'));
    store.releaseReceipt('ps1.r1', 'tok2');
    store.deleteReceiptSubscription('ps1.r2');
    // Enough churn to compact: the snapshot must carry what is still held.
    for (let n = 10; n <= 300; n++) store.putMessage(message(n));
    for (let n = 10; n <= 300; n++) store.finishMessage(`ps1.m${n}`);
    await store.durable();
    expect(store.stats.compactions).toBe(1);
    await store.close();
    stores.pop();
    const reopened = await open(dir);
    expect([...(reopened.state().heldReceipts ?? [])]).toEqual([held(1), held(3)]);
  });

  it('group commit: a thousand appends in one turn cost one write and one fdatasync', async () => {
    let syncs = 0;
    let writes = 0;
    const counting: WalIo = {
      async open(file, flags) {
        const inner = await nodeIo.open(file, flags);
        return {
          append: (data) => ((writes += 1), inner.append(data)),
          sync: () => ((syncs += 1), inner.sync()),
          close: () => inner.close(),
        };
      },
    };
    const store = await open(tempDir(), { io: counting });
    const [syncs0, writes0] = [syncs, writes];
    seed(store);
    const waits: Promise<void>[] = [];
    for (let n = 1; n <= 1000; n++) {
      store.putMessage(message(n));
      waits.push(store.durable());
    }
    await Promise.all(waits);
    expect(syncs - syncs0).toBe(1);
    expect(writes - writes0).toBe(1);
    expect(store.stats.syncs).toBe(syncs);

    // Appends arriving while a batch is being written wait for the next one, together.
    const [syncs1] = [syncs];
    const later: Promise<void>[] = [];
    for (let turn = 0; turn < 200; turn++) {
      store.putMessage(message(2000 + turn));
      later.push(store.durable());
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(later);
    expect(syncs - syncs1).toBeGreaterThan(0);
    expect(syncs - syncs1).toBeLessThan(200);
  });

  it('a write that fails rejects every waiter and every later one, once reported', async () => {
    let fail = false;
    const failing: WalIo = {
      async open(file, flags) {
        const inner = await nodeIo.open(file, flags);
        return {
          append: (data) =>
            fail
              ? Promise.reject(Object.assign(new Error('no space'), { code: 'ENOSPC' }))
              : inner.append(data),
          sync: () => inner.sync(),
          close: () => inner.close(),
        };
      },
    };
    const store = await open(tempDir(), { io: failing });
    const failures: Error[] = [];
    store.onFailure((e) => failures.push(e));
    seed(store);
    await store.durable();
    fail = true;
    store.putMessage(message(1));
    await expect(store.durable()).rejects.toThrow(/writing push\.wal failed \(ENOSPC\)/);
    store.putMessage(message(2));
    await expect(store.durable()).rejects.toThrow(/ENOSPC/);
    expect(failures).toHaveLength(1);
  });

  it('a store that cannot be written is refused at open, with a sentence', async () => {
    const full: WalIo = {
      async open() {
        return {
          append: () => Promise.reject(Object.assign(new Error('full'), { code: 'ENOSPC' })),
          sync: () => Promise.resolve(),
          close: () => Promise.resolve(),
        };
      },
    };
    const dir = tempDir();
    await expect(WalStore.open(dir, { io: full })).rejects.toMatchObject({
      code: 'ERR_STORE_IO',
      message: expect.stringMatching(/ENOSPC/),
    });
    // The refused open released its lock: a working open succeeds.
    await open(dir);
    // A path that is a file, not a directory.
    const file = path.join(tempDir(), 'plain-file');
    writeFileSync(file, 'x');
    await expect(WalStore.open(file)).rejects.toMatchObject({
      code: 'ERR_STORE_IO',
      message: expect.stringMatching(new RegExp(`store ${file}: cannot create the directory`)),
    });
    // Where mkdir answers ENOENT under an existing parent (node's recursive mkdir never returns).
    if (process.platform === 'linux') {
      await expect(WalStore.open('/proc/push-lab-none/store')).rejects.toMatchObject({
        code: 'ERR_STORE_IO',
        message: 'store /proc/push-lab-none/store: cannot create the directory (ENOENT)',
      });
    }
  });
});

describe('store lock', () => {
  it('refuses a store held by a live process, naming its pid', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, LOCK_FILE), `${process.ppid}\n`);
    await expect(WalStore.open(dir)).rejects.toMatchObject({
      code: 'ERR_STORE_LOCKED',
      message: `store ${dir} is in use by process ${process.ppid} (lock file ${path.join(dir, LOCK_FILE)}); stop that process or choose another store directory`,
    });
  });

  it('refuses a second open in the same process', async () => {
    const dir = tempDir();
    await open(dir);
    await expect(WalStore.open(dir)).rejects.toMatchObject({ code: 'ERR_STORE_LOCKED' });
  });

  it('takes over the lock of a process killed with -9, and releases it on close', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    const exited = new Promise((r) => child.once('exit', r));
    writeFileSync(path.join(dir, LOCK_FILE), `${child.pid}\n`);
    child.kill('SIGKILL');
    await exited;
    const store = await WalStore.open(dir);
    expect(readFileSync(path.join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    await store.close();
    expect(() => statSync(path.join(dir, LOCK_FILE))).toThrow();
    // …and a copy of a store with a stale lock opens too (what a restart after kill -9 sees).
    const copy = tempDir();
    copyFileSync(path.join(dir, WAL_FILE), path.join(copy, WAL_FILE));
    await open(copy);
  });
});
