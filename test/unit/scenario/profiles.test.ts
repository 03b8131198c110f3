/**
 * The same fleet and traffic against each protocol profile (resources/scenarios/compare-*.yaml,
 * which differ only in services[0].profile), on the virtual clock: what each design delivers,
 * collapses, redelivers and reports, and that every invariant holds.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LabEvent, Profile } from '../../../src/shared/events';
import { loadScenario } from '../../../src/main/engine/scenario/load';
import { runScenario } from '../../../src/main/engine/scenario/run';
import type { Scenario } from '../../../src/main/engine/scenario/schema';
import { ReportBuilder, type Report } from '../../../src/main/engine/trace/report';
import type { CheckResult } from '../../../src/main/engine/trace/checker';

const scenariosDir = path.resolve(import.meta.dirname, '../../../resources/scenarios');
const PROFILES: Profile[] = ['rfc8030', 'draft-thomson', 'draft-damaggio'];

interface Run {
  scenario: Scenario;
  scheduleHash: string;
  events: LabEvent[];
  report: Report;
  check: CheckResult;
}

async function load(profile: Profile): Promise<Scenario> {
  const loaded = await loadScenario(path.join(scenariosDir, `compare-${profile}.yaml`));
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  return loaded.scenario;
}

async function run(profile: Profile): Promise<Run> {
  const scenario = await load(profile);
  const events: LabEvent[] = [];
  const builder = new ReportBuilder();
  const outcome = await runScenario(
    scenario,
    {},
    {
      onEvent: (e) => {
        events.push(e);
        builder.add(e);
      },
    },
  );
  const joulesByAgent = Object.fromEntries(
    outcome.energy.devices.map((d) => [d.deviceId, d.joules]),
  );
  const { report, check } = builder.finish(outcome.endT, { energy: { joulesByAgent } });
  return { scenario, scheduleHash: outcome.scheduleHash, events, report, check };
}

const ofKind = <K extends LabEvent['kind']>(events: LabEvent[], kind: K) =>
  events.filter((e): e is Extract<LabEvent, { kind: K }> => e.kind === kind);

/** The tunnel of the compare scenarios: every connection reset, new ones refused. */
function outageWindow(scenario: Scenario): { fromMs: number; toMs: number } {
  const fault = scenario.links[0]!.faults.find(
    (f) => (f as { type: string }).type === 'outage',
  ) as { schedule: { windows: { fromMs: number; toMs: number }[] } };
  return fault.schedule.windows[0]!;
}

/**
 * Redeliveries (message.pushed attempt > 1) that came after the receiving agent lost its
 * connection since the previous push of that message: redelivered after a reconnect.
 */
function redeliveriesAfterReconnect(events: LabEvent[]): number {
  const holder = new Map<string, string>();
  const lastPushT = new Map<string, number>();
  const disconnects = new Map<string, number[]>();
  let count = 0;
  for (const e of events) {
    if (e.kind === 'subscription.created' && e.agentId) holder.set(e.subscriptionId, e.agentId);
    if (e.kind === 'agent.disconnected') {
      const list = disconnects.get(e.agentId) ?? [];
      list.push(e.t);
      disconnects.set(e.agentId, list);
    }
    if (e.kind !== 'message.pushed') continue;
    const before = lastPushT.get(e.messageId);
    lastPushT.set(e.messageId, e.t);
    if (e.attempt < 2 || before === undefined) continue;
    const agent = holder.get(e.subscriptionId);
    const lost = (agent && disconnects.get(agent)) || [];
    if (lost.some((t) => t >= before && t <= e.t)) count += 1;
  }
  return count;
}

describe('one fleet, one traffic, three profiles (compare-*.yaml)', () => {
  const runs = new Map<Profile, Run>();

  beforeAll(async () => {
    for (const profile of PROFILES) runs.set(profile, await run(profile));
  }, 180_000);

  const get = (profile: Profile): Run => runs.get(profile)!;

  it('the three scenarios differ only in the profile (and name): same plan, same faults', async () => {
    const strip = (s: Scenario) => ({
      ...s,
      name: '',
      services: s.services.map((x) => ({ ...x, profile: '' })),
    });
    const [a, b, c] = await Promise.all(PROFILES.map(load));
    expect(strip(b!)).toEqual(strip(a!));
    expect(strip(c!)).toEqual(strip(a!));
    expect(PROFILES.map((p) => get(p).scenario.services[0]!.profile)).toEqual(PROFILES);
    const hashes = new Set(PROFILES.map((p) => get(p).scheduleHash));
    expect(hashes.size).toBe(1);
    for (const p of PROFILES) expect(get(p).report.services[0]!.profile).toBe(p);
  });

  it.each(PROFILES)('%s: messages are delivered', (profile) => {
    const { report, events } = get(profile);
    expect(report.totals.accepted).toBeGreaterThan(500);
    expect(report.totals.delivered).toBeGreaterThan(report.totals.accepted / 2);
    // Every delivery is named, under draft-thomson too (PushService.identifyLatest).
    const received = ofKind(events, 'message.received').filter((e) => !e.duplicate);
    expect(received.length).toBe(report.totals.delivered);
    expect(received.every((e) => e.decryption === 'ok')).toBe(true);
    expect(report.energy!.joulesTotal).toBeGreaterThan(0);
  });

  it('draft-thomson: no acknowledgement, and the outage collapses what piled up', () => {
    const { report, events, scenario } = get('draft-thomson');
    // The UA never DELETEs: no acknowledging, and no subscription was deleted (a DELETE of
    // the promised path, the subscription URI, would have deleted it).
    expect(ofKind(events, 'message.acknowledging')).toHaveLength(0);
    expect(ofKind(events, 'subscription.deleted')).toHaveLength(0);
    // Collapsing: fewer deliveries than sends; the replacements are the outage's pile-up.
    expect(report.totals.replaced).toBeGreaterThan(0);
    expect(report.totals.delivered).toBeLessThan(report.totals.accepted);
    const { fromMs, toMs } = outageWindow(scenario);
    const startT = events[0]!.t;
    const replaced = ofKind(events, 'message.replaced');
    const inOutage = replaced.filter(
      (e) => e.t - startT >= fromMs && e.t - startT <= toMs + 60_000,
    );
    expect(inOutage.length).toBeGreaterThan(replaced.length / 2);
    // No redelivery, no duplicates, no TTL (nothing expires), no receipts.
    expect(report.totals.redeliveries).toBe(0);
    expect(report.totals.duplicates).toBe(0);
    expect(report.totals.expired).toBe(0);
  });

  it.each(['rfc8030', 'draft-damaggio'] as const)(
    '%s: unacknowledged messages are redelivered after reconnects',
    (profile) => {
      const { report, events } = get(profile);
      expect(ofKind(events, 'message.acknowledging').length).toBeGreaterThan(0);
      expect(report.totals.redeliveries).toBeGreaterThan(0);
      expect(redeliveriesAfterReconnect(events)).toBeGreaterThan(0);
    },
  );

  it('receipts arrive under draft-damaggio (204 / 504) and RFC 8030 (204 / 410) only', () => {
    const statuses = (p: Profile) => ofKind(get(p).events, 'receipt.received').map((e) => e.status);
    const rfc = statuses('rfc8030');
    const damaggio = statuses('draft-damaggio');
    expect(rfc.filter((s) => s === 204).length).toBeGreaterThan(0);
    expect(damaggio.filter((s) => s === 204).length).toBeGreaterThan(0);
    expect(rfc.every((s) => s === 204 || s === 410)).toBe(true);
    expect(damaggio.every((s) => s === 204 || s === 504)).toBe(true);
    expect(statuses('draft-thomson')).toEqual([]);
    expect(ofKind(get('draft-thomson').events, 'receipt.sent')).toEqual([]);
  });

  it.each(PROFILES)('%s: the invariant checker finds no violation', (profile) => {
    // draft-thomson too: its messages are finished as acked when pushed (no ack exists), so
    // 'lost' cannot see a push that died with its connection, and its 28-day TTL never runs
    // out within a run. The report's delivered vs accepted − replaced shows such losses.
    expect(get(profile).check.violations).toEqual([]);
  });
});
