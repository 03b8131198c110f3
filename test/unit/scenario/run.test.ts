/**
 * Whole scenarios on the virtual clock, with real HTTP/2 over in-memory links: determinism,
 * the invariant checker, and the seed's reliability argument (end-to-end acks).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../src/shared/events';
import { loadScenario, validateScenario } from '../../../src/main/engine/scenario/load';
import { runScenario } from '../../../src/main/engine/scenario/run';
import type { Scenario } from '../../../src/main/engine/scenario/schema';
import { ReportBuilder } from '../../../src/main/engine/trace/report';

const scenariosDir = path.resolve(import.meta.dirname, '../../../resources/scenarios');

function scenario(input: unknown): Scenario {
  const loaded = validateScenario(input);
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  return loaded.scenario;
}

async function run(s: Scenario, overrides = {}) {
  const events: LabEvent[] = [];
  const builder = new ReportBuilder();
  const outcome = await runScenario(s, overrides, {
    onEvent: (e) => {
      events.push(e);
      builder.add(e);
    },
  });
  const { report, check } = builder.finish(outcome.endT);
  return { outcome, events, report, check };
}

const small = (seed: number | string) =>
  scenario({
    name: 'small',
    seed,
    duration: '2m',
    services: [{ id: 'ps1' }],
    links: [{ id: 'cell', faults: [{ type: 'latency', attributes: { latency: 50, jitter: 20 } }] }],
    userAgents: [{ id: 'phone', count: 3, service: 'ps1', link: 'cell' }],
    appServers: [
      {
        id: 'as',
        service: 'ps1',
        traffic: { pattern: 'poisson', ratePerSecond: 1 },
        mix: { ttl: [{ value: 60, share: 1 }], receiptShare: 0.5, topicShare: 0.3 },
      },
    ],
  });

describe('running scenarios on the virtual clock', () => {
  it('same scenario and seed give the same schedule hash and the same events; another seed does not', async () => {
    const a = await run(small(1));
    const b = await run(small(1));
    const c = await run(small(2));
    expect(a.outcome.scheduleHash).toBe(b.outcome.scheduleHash);
    expect(a.outcome.scheduleHash).not.toBe(c.outcome.scheduleHash);
    // A virtual run repeats event for event, byte for byte (capability tokens included).
    const lines = (events: LabEvent[]) => events.map((e) => JSON.stringify(e));
    expect(lines(a.events)).toEqual(lines(b.events));
    expect(lines(a.events)).not.toEqual(lines(c.events));
    expect(a.check.violationCount).toBe(0);
    expect(a.report.totals.accepted).toBeGreaterThan(60);
    expect(a.report.totals.deliveryRatio).toBeGreaterThan(0.9);
  }, 60_000);

  it('reruns the example scenarios event for event, over bandwidth-shaped links and with VAPID', async () => {
    for (const name of ['smoke', 'field-gateway']) {
      const loaded = await loadScenario(`resources/scenarios/${name}.yaml`);
      if (!loaded.ok) throw new Error(loaded.problems.join('; '));
      const short = { ...loaded.scenario, duration: Math.min(loaded.scenario.duration, 300_000) };
      const lines = (events: LabEvent[]) => events.map((e) => JSON.stringify(e));
      const [a, b] = [await run(short), await run(short)];
      expect(a.events.length).toBeGreaterThan(100);
      expect(lines(a.events), name).toEqual(lines(b.events));
    }
  }, 120_000);

  it('plans the same schedule in scaled time as in virtual time, and delivers on the scaled clock', async () => {
    const s = small(5);
    const virtual = await run({ ...s, duration: 20_000 });
    // Speed 20: 20 s of lab time in about 1 s of wall time.
    const scaled = await run({ ...s, duration: 20_000, clock: { mode: 'scaled', speed: 20 } });
    expect(scaled.outcome.scheduleHash).toBe(virtual.outcome.scheduleHash);
    expect(scaled.outcome.mode).toBe('scaled');
    expect(scaled.report.totals.accepted).toBeGreaterThan(0);
    // A scaled clock follows the wall clock, so on a loaded machine the sends of the last lab
    // seconds may still be in flight when the run ends: every message accepted at least 10 s
    // of lab time (0.5 s of wall time) before the end must have reached its phone.
    const received = new Set(
      scaled.events.flatMap((e) => (e.kind === 'message.received' ? [e.messageId] : [])),
    );
    const early = scaled.events.filter(
      (e) => e.kind === 'message.accepted' && e.t <= scaled.outcome.endT - 10_000,
    );
    expect(early.length).toBeGreaterThan(0);
    for (const e of early) {
      if (e.kind === 'message.accepted') expect(received.has(e.messageId), e.messageId).toBe(true);
    }
    expect(scaled.check.violationCount).toBe(0);
  }, 30_000);

  it('applies link latency in lab time: pushed → received takes the link delay exactly', async () => {
    const s = scenario({
      name: 'latency',
      duration: '30s',
      services: [{ id: 'ps1' }],
      links: [
        {
          id: 'slow',
          faults: [{ type: 'latency', stream: 'downstream', attributes: { latency: 400 } }],
        },
      ],
      userAgents: [{ id: 'phone', service: 'ps1', link: 'slow' }],
      appServers: [
        { id: 'as', service: 'ps1', traffic: { pattern: 'script', sends: [{ at: '10s' }] } },
      ],
    });
    const { events } = await run(s);
    const pushed = events.find((e) => e.kind === 'message.pushed')!;
    const received = events.find((e) => e.kind === 'message.received')!;
    expect(received.t - pushed.t).toBe(400);
  }, 30_000);

  it('end-to-end acks lose nothing when sensors sleep through a backhaul outage', async () => {
    const s = scenario({
      name: 'gateway',
      seed: 3,
      duration: '40m',
      services: [{ id: 'ps1' }],
      links: [
        {
          id: 'backhaul',
          faults: [
            {
              type: 'outage',
              attributes: { mode: 'reset' },
              schedule: { kind: 'timeline', windows: [{ fromMs: 300_000, toMs: 900_000 }] },
            },
          ],
        },
      ],
      gateways: [
        {
          id: 'gw',
          service: 'ps1',
          link: 'backhaul',
          ackMode: 'end-to-end',
          devices: {
            count: 5,
            wakeEvery: '5m',
            awake: '2s',
            localLink: { latency: '40ms', loss: 0.2 },
          },
        },
      ],
      appServers: [
        {
          id: 'as',
          service: 'ps1',
          traffic: { pattern: 'constant', ratePerSecond: 0.05 },
          stop: '20m',
          mix: { ttl: [{ value: 7200, share: 1 }], receiptShare: 1 },
        },
      ],
    });
    const { events, check } = await run(s);
    const accepted = new Set(
      events
        .filter((e) => e.kind === 'message.accepted')
        .map((e) => (e as { messageId: string }).messageId),
    );
    const onDevice = new Set(
      events.filter((e) => e.kind === 'device.delivered').map((e) => e.messageId),
    );
    expect(accepted.size).toBeGreaterThan(40);
    expect([...accepted].filter((id) => !onDevice.has(id))).toEqual([]);
    const receipts = events.filter((e) => e.kind === 'receipt.received');
    expect(receipts.every((r) => r.kind === 'receipt.received' && r.status === 204)).toBe(true);
    expect(check.violationCount).toBe(0);
  }, 60_000);

  it.each(['commute.yaml', 'field-gateway.yaml', 'ttl-vs-outage.yaml'])(
    'runs the example %s with every invariant holding',
    async (file) => {
      const loaded = await loadScenario(path.join(scenariosDir, file));
      if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
      const { check, report } = await run(loaded.scenario);
      expect(check.violations).toEqual([]);
      expect(report.totals.accepted).toBeGreaterThan(0);
      expect(report.totals.delivered).toBeGreaterThan(0);
    },
    120_000,
  );
});

describe("a run's consumer and its own bookkeeping", () => {
  it('a consumer that throws on every event changes neither the event count nor the energy meter', async () => {
    const loaded = await loadScenario(path.join(scenariosDir, 'smoke.yaml'));
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const outcomeOf = async (fails: boolean) => {
      const seen: LabEvent[] = [];
      const outcome = await runScenario(
        loaded.scenario,
        { durationMs: 30_000 },
        {
          onEvent: (e) => {
            seen.push(e);
            if (fails) throw new Error('consumer broken');
          },
        },
      );
      return { outcome, seen };
    };
    const healthy = await outcomeOf(false);
    const broken = await outcomeOf(true);
    const delivered = (events: LabEvent[]): number =>
      events.filter((e) => e.kind === 'message.received' && !e.duplicate).length;
    expect(delivered(healthy.seen)).toBeGreaterThan(0);
    // The meter counted every delivery although the consumer threw on each.
    expect(broken.outcome.energy.total.deliveredCount).toBe(delivered(broken.seen));
    expect(broken.outcome.energy.total.deliveredCount).toBe(
      healthy.outcome.energy.total.deliveredCount,
    );
    // The count that settles virtual time saw every event the consumer saw, failures reported.
    expect(broken.outcome.eventCount).toBe(broken.seen.length);
    expect(broken.seen.some((e) => e.kind === 'lab.error')).toBe(true);
  }, 60_000);
});
