import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fleet, FLEET_METRICS, FleetError } from '../../../src/main/engine/fleet';
import { parseFleetConfig, parseFlow } from '../../../src/main/engine/fleet/parse';
import { startPushService, type RunningPushService } from '../../../src/main/engine/serve';
import type { VirtualUser } from '../../../src/main/engine/fleet/virtual-user';
import type { UaSubscription } from '../../../src/main/engine/agents/user-agent';
import { Rng } from '../../../src/main/engine/rng/rng';

/** A VU's figures, added up as Artillery would. */
function tally() {
  const counters: Record<string, number> = {};
  const histograms: Record<string, number[]> = {};
  return {
    counters,
    histograms,
    sink: {
      counter: (name: string, value: number) => (counters[name] = (counters[name] ?? 0) + value),
      histogram: (name: string, value: number) => (histograms[name] ??= []).push(value),
    },
  };
}

describe('fleet input: one sentence naming the field', () => {
  it.each([
    [
      'ftp://x',
      {},
      'config.target: got "ftp://x"; allowed an http:// or https:// URL of an RFC 8030 push service',
    ],
    [
      'http://h:1',
      { colour: 1 },
      /^config\.engines\.push-lab: unknown field\(s\) colour; allowed profile, ca,/,
    ],
    [
      'http://h:1',
      { ack: { policy: 'later' } },
      /^config\.engines\.push-lab\.ack\.policy: got "later"; /,
    ],
    [
      'http://h:1',
      { link: { faults: [{ type: 'latency', attributes: { latency: -1 } }] } },
      /^config\.engines\.push-lab\.link\.faults\[0\]\.attributes\.latency: too small \(got -1/,
    ],
  ])('target %s, options %j', (target, options, message) => {
    const parsed = parseFleetConfig(target, options);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });

  it.each([
    [[], /^flow: got \[\]; allowed a list of 1 to 1000 steps$/],
    [
      [{ subscribe: {} }, { wave: 1 }],
      /^flow\.1: got \{"wave":1\}; allowed one of \{ subscribe: … \}/,
    ],
    [[{ send: { count: 0 } }], /^flow\.0\.send\.count: got 0; /],
    [[{ send: { urgency: 'urgent' } }], /^flow\.0\.send\.urgency: got "urgent"; /],
    [[{ think: -1 }], /^flow\.0\.think: got -1; /],
  ])('flow %j', (flow, message) => {
    const parsed = parseFlow(flow);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });

  it('fills in what a step leaves out', () => {
    const parsed = parseFlow([
      { subscribe: null },
      { send: null },
      { receive: {} },
      { think: 0.5 },
    ]);
    expect(parsed.ok && parsed.value).toEqual([
      { subscribe: {} },
      { send: { to: 'self', count: 1, intervalMs: 0, ttl: 60, urgency: 'normal', bytes: 64 } },
      { receive: { count: 1, timeoutMs: 10_000 } },
      { think: 0.5 },
    ]);
  });
});

describe("the pool of running VUs' subscriptions", () => {
  it('picks only subscriptions of VUs still in it, whatever order they leave in', async () => {
    const fleet = await Fleet.start('http://127.0.0.1:1', {});
    const vus = Array.from({ length: 5 }, (_, i) => ({ id: `vu${i}` }) as unknown as VirtualUser);
    const subs = new Map<VirtualUser, UaSubscription[]>();
    for (const vu of vus) {
      const own = [0, 1].map((j) => ({ pushUrl: `${vu.id}/${j}` }) as UaSubscription);
      subs.set(vu, own);
      for (const sub of own) expect(fleet.offer(vu, sub)).toBe(true);
    }
    const rng = new Rng(1);
    const picked = (): Set<string> => {
      const seen = new Set<string>();
      for (let i = 0; i < 400; i++) seen.add(fleet.pick(rng)!.sub.pushUrl);
      return seen;
    };
    expect(picked().size).toBe(10);
    fleet.withdraw(vus[1]!);
    fleet.withdraw(vus[4]!);
    expect([...picked()].sort()).toEqual(['vu0/0', 'vu0/1', 'vu2/0', 'vu2/1', 'vu3/0', 'vu3/1']);
    for (const vu of [vus[0]!, vus[3]!]) fleet.withdraw(vu);
    expect([...picked()].sort()).toEqual(['vu2/0', 'vu2/1']);
    fleet.withdraw(vus[2]!);
    expect(fleet.pick(rng)).toBeNull();
    await fleet.close();
  });
});

describe('fleet VUs against a real push service over TLS', () => {
  let service: RunningPushService;
  let dir: string;
  let ca: string;

  beforeAll(async () => {
    service = await startPushService({ port: 0, subscriptions: 0 });
    dir = await mkdtemp(path.join(tmpdir(), 'push-lab-fleet-'));
    ca = path.join(dir, 'ca.pem');
    await writeFile(ca, service.ca!);
  });

  afterAll(async () => {
    await service?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('delivers every accepted message, to itself and to the pool, with its latency', async () => {
    const fleet = await Fleet.start(service.url, {
      ca,
      seed: 3,
      link: { faults: [{ type: 'latency', attributes: { latency: 5 } }] },
    });
    const { counters, histograms, sink } = tally();
    const steps = Fleet.steps([
      { subscribe: {} },
      {
        send: {
          count: 3,
          ttl: [
            { value: 60, share: 1 },
            { value: 600, share: 1 },
          ],
          urgency: { normal: 1, high: 1 },
          bytes: 300,
        },
      },
      { receive: { count: 3, timeoutMs: 10_000 } },
      { send: { to: 'pool', count: 2 } },
    ]);
    try {
      await Promise.all(Array.from({ length: 5 }, () => fleet.run(steps, sink)));
    } finally {
      await fleet.close();
    }
    expect(counters[FLEET_METRICS.subscribed]).toBe(5);
    expect(counters[FLEET_METRICS.accepted]).toBe(25);
    expect(counters[FLEET_METRICS.delivered]).toBe(25);
    expect(counters[FLEET_METRICS.lost]).toBeUndefined();
    expect(counters[FLEET_METRICS.receiveTimeouts]).toBeUndefined();
    expect(histograms[FLEET_METRICS.latency]).toHaveLength(25);
  }, 60_000);

  it('counts as lost what the service holds past the wait, and a receive that times out', async () => {
    // A phone on battery off Wi-Fi wants normal urgency and above (RFC 8030 §5.3): the
    // service keeps a very-low message for later.
    const fleet = await Fleet.start(service.url, { ca, deliveryWaitMs: 300 });
    const { counters, sink } = tally();
    try {
      await fleet.run(
        Fleet.steps([
          { subscribe: {} },
          { send: { count: 2, urgency: 'very-low' } },
          { receive: { count: 1, timeoutMs: 200 } },
        ]),
        sink,
      );
    } finally {
      await fleet.close();
    }
    expect(counters[FLEET_METRICS.accepted]).toBe(2);
    expect(counters[FLEET_METRICS.delivered]).toBeUndefined();
    expect(counters[FLEET_METRICS.lost]).toBe(2);
    expect(counters[FLEET_METRICS.receiveTimeouts]).toBe(1);
  }, 30_000);

  it('refuses to send to itself before it subscribed', async () => {
    const fleet = await Fleet.start(service.url, { ca });
    try {
      const run = fleet.run(Fleet.steps([{ send: {} }]), tally().sink);
      await expect(run).rejects.toThrow(FleetError);
      await expect(run).rejects.toMatchObject({ code: 'ERR_FLEET_NOT_SUBSCRIBED' });
    } finally {
      await fleet.close();
    }
  });

  it('names an unreadable CA file', async () => {
    await expect(Fleet.start(service.url, { ca: path.join(dir, 'none.pem') })).rejects.toThrow(
      /^config\.engines\.push-lab\.ca: /,
    );
  });
});
