/**
 * Several `push-lab serve` processes on one Redis report each fact once: an instance that
 * only applies another's change marks its events `mirrored`; a set emptied on one instance
 * stays while another monitors it; and an idle deadline on one instance waits for the last
 * use any instance recorded in Redis before it deletes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/poll';
import {
  connect,
  instancesOnRedis,
  monitor,
  request,
  subscribe,
  type Cleanups,
  type Instance,
} from '../helpers/instances';
import { noRedisReason } from '../helpers/redis';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const instances = async (names: string[], more: string[] = []): Promise<Instance[]> =>
  (await instancesOnRedis(cleanups, names, more)).instances;

/** Waits for `i` to apply a subscription (and its set) made on another instance. */
const knows = (i: Instance) =>
  eventually('the subscription on the other instance', () =>
    i.events().some((e) => e.kind === 'subscription.created'),
  );

/** Events of `kind` across instances: [unmarked, marked `mirrored`]. */
function counted(all: Instance[], kind: string): [number, number] {
  const events = all.flatMap((i) => i.events()).filter((e) => e.kind === kind);
  const mirrored = events.filter((e) => e['mirrored'] === true).length;
  return [events.length - mirrored, mirrored];
}

describe.skipIf(noRedisReason !== null)(
  `push-lab serve: instances report once, keep shared sets, idle by shared use ${noRedisReason ?? ''}`,
  () => {
    it('reports an unsubscribe and its dropped messages once, the mirrors marked', async () => {
      const all = await instances(['a', 'b', 'c']);
      const [a, b, c] = all as [Instance, Instance, Instance];
      const ua = await connect(cleanups, a.url, false);
      const sub = await subscribe(ua); // never monitored: both messages stay queued
      const as = await connect(cleanups, b.url, false);
      for (const body of ['one', 'two']) {
        const sent = await request(
          as,
          { ':method': 'POST', ':path': sub.pushPath, ttl: '600' },
          body,
        );
        expect(sent.status).toBe(201);
      }
      // A and C mirror both before the unsubscribe (else A would have nothing to drop).
      await eventually('A and C to mirror both messages', () =>
        [a, c].every((i) => counted([i], 'message.accepted')[1] >= 2),
      );
      expect((await request(ua, { ':method': 'DELETE', ':path': sub.path })).status).toBe(204);
      await eventually('every instance to apply the unsubscribe', () =>
        all.every((i) => i.events().some((e) => e.kind === 'subscription.deleted')),
      );
      await sleep(300); // a second unmarked report would have come by now
      // Each fact once unmarked (by the instance that made it), once marked per other instance.
      expect(counted(all, 'subscription.created')).toEqual([1, 2]);
      expect(counted(all, 'message.accepted')).toEqual([2, 4]);
      expect(counted(all, 'subscription.deleted')).toEqual([1, 2]);
      // The drops are A's alone: its finishes go on the stream before its delete, so a
      // mirror finishes the messages silently and finds the queue empty.
      expect(counted(all, 'message.dropped')).toEqual([2, 0]);
      const unmarked = (i: Instance, kind: string) =>
        i.events().filter((e) => e.kind === kind && e['mirrored'] !== true).length;
      expect(unmarked(a, 'subscription.deleted')).toBe(1);
      expect(unmarked(a, 'message.dropped')).toBe(2);
      expect(unmarked(b, 'message.accepted')).toBe(2);
    }, 60_000);

    it("keeps a set emptied on A while B monitors it: a member joining later reaches B's monitor", async () => {
      const [a, b] = (await instances(['a', 'b'])) as [Instance, Instance];
      const ua = await connect(cleanups, a.url, false);
      const first = await subscribe(ua);
      await knows(b);
      const onB = monitor(await connect(cleanups, b.url, true), first.setPath);
      // Sends `body` until B's set monitor has it (each send accepted).
      const sendUntilOnB = (what: string, pushPath: string, body: string) =>
        eventually(what, async () => {
          const sent = await request(ua, { ':method': 'POST', ':path': pushPath, ttl: '60' }, body);
          expect(sent.status).toBe(201);
          await sleep(100);
          return onB.some((p) => p.body === body);
        });
      await sendUntilOnB('B to monitor the set', first.pushPath, 'probe');

      // A's only member goes: A holds no monitor of the set, so before, A dropped the set
      // everywhere and B's set monitor ended.
      expect((await request(ua, { ':method': 'DELETE', ':path': first.path })).status).toBe(204);
      await eventually('B to apply the unsubscribe', () =>
        b.events().some((e) => e.kind === 'subscription.deleted'),
      );
      await sleep(300);
      const second = await subscribe(ua, first.setPath);
      expect(second.setPath).toBe(first.setPath);
      await sendUntilOnB("the new member's message on B's set monitor", second.pushPath, 'after');
    }, 60_000);

    it('does not idle out on A what B monitors, and idles it once B lets go', async () => {
      const all = await instances(['a', 'b'], ['--subscription-idle', '3']);
      const [a, b] = all as [Instance, Instance];
      const ua = await connect(cleanups, a.url, false);
      const sub = await subscribe(ua); // idle on A from now
      const watcher = await connect(cleanups, b.url, true);
      await knows(b);
      const onB = monitor(watcher, sub.path);

      // Two idle windows pass on A while B holds the monitor.
      await sleep(6000);
      expect(
        all.flatMap((i) => i.events()).filter((e) => e.kind === 'subscription.deleted'),
      ).toEqual([]);
      const sent = await request(ua, { ':method': 'POST', ':path': sub.pushPath, ttl: '60' }, 'x');
      expect(sent.status).toBe(201);
      await eventually('the message on B', () => onB.some((p) => p.body === 'x'));

      // B lets go: an idle window after its last use the subscription goes (reported once).
      watcher.destroy();
      await eventually(
        'the idle expiry',
        () =>
          counted(all, 'subscription.deleted')[0] + counted(all, 'subscription.deleted')[1] >= 2,
        { timeoutMs: 10_000 },
      );
      const deleted = all
        .flatMap((i) => i.events())
        .filter((e) => e.kind === 'subscription.deleted' && e['mirrored'] !== true);
      expect(deleted.map((e) => e['reason'])).toEqual(['expired']);
    }, 60_000);
  },
);
