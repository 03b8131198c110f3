/**
 * What several `push-lab serve` processes on one Redis share beyond subscriptions and
 * messages: receipt subscriptions and their receipts, subscription sets, one report per
 * expiry, no 404 for a subscription a moment old on another instance, and a change stream
 * trimmed to what the instances have read, with a reload for one that fell behind it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/poll';
import {
  connect,
  instancesOnRedis,
  linked,
  monitor,
  pathOf,
  request,
  serve,
  subscribe,
  type Cleanups,
  type Instance,
} from '../helpers/instances';
import { noRedisReason, startRedis, type RedisServer } from '../helpers/redis';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const REL_RECEIPT = 'urn:ietf:params:push:receipt';
const CHANGES = 'pushlab:{ps1}:changes';

async function redisWith(...names: string[]): Promise<[RedisServer, ...Instance[]]> {
  const { redis, instances } = await instancesOnRedis(cleanups, names);
  return [redis, ...instances];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A sender's POST asking for a receipt: echoing `receiptPath`, or a new one without it. */
function sendWithReceipt(
  session: Parameters<typeof request>[0],
  pushPath: string,
  body: string,
  receiptPath: string | null,
  ttl = 600,
) {
  return request(
    session,
    {
      ':method': 'POST',
      ':path': pushPath,
      ttl: String(ttl),
      prefer: 'respond-async',
      ...(receiptPath ? { link: `<${receiptPath}>; rel="${REL_RECEIPT}"` } : {}),
    },
    body,
  );
}

describe.skipIf(noRedisReason !== null)(
  `push-lab serve: instances share receipts, sets and expiries ${noRedisReason ?? ''}`,
  () => {
    it('routes a receipt to whichever instance holds its receipt monitor, and shares sets', async () => {
      const [, a, b, c] = await redisWith('a', 'b', 'c');
      const uaA = await connect(cleanups, a!.url, true);
      const sub = await subscribe(uaA);
      const onA = monitor(uaA, sub.path);

      // The application server makes its receipt subscription with a send to A, monitors it there.
      const asA = await connect(cleanups, a!.url, true);
      const first = await sendWithReceipt(asA, sub.pushPath, 'first', null);
      expect(first.status).toBe(202);
      const receiptPath = pathOf(linked(first, REL_RECEIPT)!);
      const receiptsOnA = monitor(asA, receiptPath);

      // A send to B names that receipt subscription (made on A a moment ago): B knows it.
      const asB = await connect(cleanups, b!.url, false);
      const second = await sendWithReceipt(asB, sub.pushPath, 'second', receiptPath);
      expect(second.status).toBe(202);
      expect(pathOf(linked(second, REL_RECEIPT)!)).toBe(receiptPath);
      const secondPath = pathOf(String(second.headers['location']));

      // Both are pushed on A; the second is acked on C, the first on B: both receipts (204)
      // come over A's receipt monitor, once each.
      await eventually('both pushes on A', () => onA.length >= 2);
      const uaC = await connect(cleanups, c!.url, false);
      const pushed = (body: string) => onA.find((p) => p.body === body)!.path;
      expect(pathOf(pushed('second'))).toBe(secondPath);
      expect((await request(uaC, { ':method': 'DELETE', ':path': pushed('second') })).status).toBe(
        204,
      );
      const uaB = await connect(cleanups, b!.url, false);
      expect((await request(uaB, { ':method': 'DELETE', ':path': pushed('first') })).status).toBe(
        204,
      );
      await eventually('two receipts on A', () => receiptsOnA.length >= 2);
      expect(receiptsOnA.map((r) => r.status)).toEqual([204, 204]);
      expect(new Set(receiptsOnA.map((r) => pathOf(r.path)))).toEqual(
        new Set([pathOf(String(first.headers['location'])), secondPath]),
      );

      // The receipt monitor moves to B; a send through C acked on A reports there. (A moves
      // within the moment A announces its deliveries may get those receipts again: waited out.)
      await sleep(300);
      asA.destroy();
      const asB2 = await connect(cleanups, b!.url, true);
      const receiptsOnB = monitor(asB2, receiptPath);
      await sleep(100); // the GET is held on B before the receipt is reported
      const third = await sendWithReceipt(uaC, sub.pushPath, 'third', receiptPath);
      expect(third.status).toBe(202);
      await eventually('the third push on A', () => onA.some((p) => p.body === 'third'));
      expect((await request(uaA, { ':method': 'DELETE', ':path': pushed('third') })).status).toBe(
        204,
      );
      const receipt = await eventually('the third receipt on B', () => receiptsOnB[0]);
      expect(receipt.status).toBe(204);
      expect(pathOf(receipt.path)).toBe(pathOf(String(third.headers['location'])));
      await sleep(300);
      expect(receiptsOnB).toHaveLength(1);

      // The set A made with the subscription: a subscribe on B joins it, a monitor of the set
      // on C gets what is sent to either member.
      const member = await subscribe(uaB, sub.setPath);
      expect(member.setPath).toBe(sub.setPath);
      const setOnC = monitor(await connect(cleanups, c!.url, true), sub.setPath);
      await eventually('C to know the new member', async () => {
        const sent = await request(
          uaB,
          { ':method': 'POST', ':path': member.pushPath, ttl: '60' },
          'to the member',
        );
        return sent.status === 201;
      });
      expect(
        (
          await request(
            uaB,
            { ':method': 'POST', ':path': sub.pushPath, ttl: '60' },
            'to the first',
          )
        ).status,
      ).toBe(201);
      await eventually('both on the set monitor on C', () =>
        ['to the member', 'to the first'].every((body) => setOnC.some((p) => p.body === body)),
      );
    }, 60_000);

    it('reports each expiry once: one message.expired and one 410 receipt across instances', async () => {
      const [, a, b, c] = await redisWith('a', 'b', 'c');
      const ua = await connect(cleanups, a!.url, false);
      const sub = await subscribe(ua); // never monitored: every message expires
      const asC = await connect(cleanups, c!.url, true);
      const made = await sendWithReceipt(asC, sub.pushPath, 'm0', null, 1);
      expect(made.status).toBe(202);
      const receiptPath = pathOf(linked(made, REL_RECEIPT)!);
      const receipts = monitor(asC, receiptPath);
      const asB = await connect(cleanups, b!.url, false);
      const sent = [pathOf(String(made.headers['location']))];
      for (let n = 1; n < 5; n++) {
        const answer = await sendWithReceipt(asB, sub.pushPath, `m${n}`, receiptPath, 1);
        expect(answer.status).toBe(202);
        sent.push(pathOf(String(answer.headers['location'])));
      }
      await eventually('five 410 receipts', () => receipts.length >= 5, { timeoutMs: 10_000 });
      await sleep(500); // any second report would have come by now
      expect(receipts.map((r) => r.status)).toEqual([410, 410, 410, 410, 410]);
      expect(receipts.map((r) => pathOf(r.path)).sort()).toEqual([...sent].sort());
      const expired = [a!, b!, c!]
        .flatMap((i) => i.events())
        .filter((e) => e.kind === 'message.expired');
      expect(expired.map((e) => e['messageId']).sort()).toHaveLength(5);
      expect(new Set(expired.map((e) => e['messageId'])).size).toBe(5);
    }, 60_000);

    it('answers a POST to B right after a subscribe on A (never 404), and trims what all have read', async () => {
      const [redis, a, b] = await redisWith('a', 'b');
      const uaA = await connect(cleanups, a!.url, false);
      const asB = await connect(cleanups, b!.url, false);
      for (let n = 0; n < 20; n++) {
        const sub = await subscribe(uaA);
        const sent = await request(
          asB,
          { ':method': 'POST', ':path': sub.pushPath, ttl: '60' },
          `n${n}`,
        );
        expect(sent.status, `send ${n}`).toBe(201);
      }
      // An unknown token still gets its 404 (after asking).
      expect(
        (await request(asB, { ':method': 'POST', ':path': '/push/nothing-here', ttl: '60' }, 'x'))
          .status,
      ).toBe(404);
      // Both instances have read every entry: the stream is trimmed to the last one or so.
      const written = Number(await redis.command('xlen', CHANGES));
      expect(written).toBeGreaterThan(0);
      await eventually(
        'the stream trimmed to what both have read',
        async () => Number(await redis.command('xlen', CHANGES)) <= 2,
        { timeoutMs: 5000 },
      );
    }, 60_000);

    it('reloads an instance the change stream was trimmed past while it was stalled', async () => {
      const redis = await startRedis();
      cleanups.push(() => redis.stop());
      const store = `${redis.url}?changes-kept=3`;
      const a = await serve(cleanups, store, 'a');
      const b = await serve(cleanups, store, 'b');
      const uaB = await connect(cleanups, b.url, false);
      const before = await subscribe(uaB);

      // A stops reading (SIGSTOP) while B writes far more than the stream keeps.
      a.run.child.kill('SIGSTOP');
      cleanups.push(() => a.run.child.kill('SIGCONT'));
      const subs = [before];
      for (let n = 0; n < 3; n++) subs.push(await subscribe(uaB));
      for (const [i, sub] of subs.entries()) {
        for (let m = 0; m < 3; m++) {
          const sent = await request(
            uaB,
            { ':method': 'POST', ':path': sub.pushPath, ttl: '600' },
            `s${i}m${m}`,
          );
          expect(sent.status).toBe(201);
        }
      }
      expect(Number(await redis.command('xlen', CHANGES))).toBeLessThanOrEqual(3);
      a.run.child.kill('SIGCONT');

      // A notices the gap, reloads, and says so; then it has every subscription and message.
      await eventually(
        'A to report the reload',
        () => a.events().some((e) => e.kind === 'limit.reached' && e['what'] === 'store-changes'),
        { timeoutMs: 10_000 },
      );
      const onA: ReturnType<typeof monitor>[] = [];
      for (const sub of subs) onA.push(monitor(await connect(cleanups, a.url, true), sub.path));
      for (const [i, pushes] of onA.entries()) {
        await eventually(`subscription ${i}'s three messages on A`, () => pushes.length >= 3);
        expect(pushes.map((p) => p.body).sort()).toEqual([`s${i}m0`, `s${i}m1`, `s${i}m2`]);
      }
    }, 60_000);
  },
);
