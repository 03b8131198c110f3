/**
 * The report on a hand-made trace whose numbers are worked out in the comments: delivery
 * ratios, nearest-rank percentiles, stale, lost, redeliveries, duplicates, per service, per
 * agent class (user agent, gateway, device), per sender, receipts, energy and links.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeTrace } from '../../../src/main/engine/trace/analyze';
import { LatencyDigest } from '../../../src/main/engine/trace/latency';
import { TraceReader } from '../../../src/main/engine/trace/reader';
import {
  buildReport,
  reportToJson,
  type ReportExtras,
} from '../../../src/main/engine/trace/report';
import { TraceWriter } from '../../../src/main/engine/trace/writer';
import { LabStream } from './lab-stream';

const END_T = 10_000;
const EXTRAS: ReportExtras = {
  energy: {
    joulesByAgent: { ua1: 1.5, gw1: 2, dev1: 0.25 },
    joulesByClass: { 'sensor-ble': 0.25, 'phone-lte': 1.5 },
  },
  links: { l1: { bytesDown: 100, bytesUp: 40 } },
};

/** The run; every message's fate is in the comment beside it. */
function handMade(): LabStream {
  const s = new LabStream().service(0).service(0, 'ps2', 'draft-thomson');
  s.agent(0, 'ua1', 'user-agent')
    .agent(0, 'gw1', 'gateway')
    .agent(0, 'dev1', 'device')
    .agent(0, 'as1', 'app-server', 'shop');
  s.subscribe(0, 'ps1.s1', 'ua1')
    .subscribe(0, 'ps1.s2', 'gw1')
    .subscribe(0, 'ps2.s1', 'ua1', 'ps2');
  s.at(0, { kind: 'agent.connected', agentId: 'ua1', serviceId: 'ps1' });
  s.at(0, { kind: 'agent.connected', agentId: 'ua1', serviceId: 'ps2' });
  s.at(0, { kind: 'agent.connected', agentId: 'gw1', serviceId: 'ps1' });
  const sent = (t: number, messageId: string, attempt = 1, status = 201): void => {
    s.at(t, {
      kind: 'send.attempted',
      agentId: 'as1',
      subscriptionId: 'ps1.s1',
      status,
      messageId: status < 300 ? messageId : null,
      attempt,
      retryInMs: status === 429 ? 100 : null,
    });
  };
  const ua = { senderId: 'as1' };
  sent(0, 'm1');
  s.delivered(0, 'm1', 10, { ...ua, receiptRequested: true }).receipt(10, 'm1', 204); // 10 ms
  s.at(12, { kind: 'receipt.received', agentId: 'as1', messageId: 'm1', status: 204 });
  sent(100, 'm2');
  s.delivered(100, 'm2', 20, ua); // 20 ms
  sent(200, 'm3');
  s.delivered(200, 'm3', 30, ua); // 30 ms
  sent(300, 'm4');
  s.accept(300, 'm4', ua)
    .push(300, 'm4')
    .push(330, 'm4', 2)
    .receive(340, 'm4')
    .receive(345, 'm4', 'ua1', true)
    .ack(345, 'm4'); // 40 ms, 1 redelivery, 1 duplicate
  sent(400, 'm5');
  s.accept(400, 'm5', { ...ua, ttlSeconds: 1 })
    .push(400, 'm5')
    .expire(1400, 'm5')
    .receive(1500, 'm5'); // 1100 ms, stale, expired
  sent(500, 'm6');
  s.accept(500, 'm6', { ...ua, ttlSeconds: 2 }); // lost: TTL over at 2500, nothing happened
  sent(600, 'm7');
  s.accept(600, 'm7', { ...ua, topic: 'news' });
  sent(700, 'm8');
  s.accept(700, 'm8', { ...ua, topic: 'news' })
    .replace(700, 'm7', 'm8')
    .push(700, 'm8')
    .receive(750, 'm8')
    .ack(750, 'm8'); // m7 replaced; m8 50 ms
  sent(800, 'm9', 1, 429);
  sent(900, 'm9', 2);
  s.accept(900, 'm9', ua).at(950, {
    kind: 'message.dropped',
    subscriptionId: 'ps1.s1',
    messageId: 'm9',
    reason: 'subscription-deleted',
  }); // dropped
  s.at(960, { kind: 'agent.disconnected', agentId: 'ua1', serviceId: 'ps1', reason: 'reset' });
  // Gateway-held subscription: g1 reaches the device, g2 only the gateway.
  s.accept(1000, 'g1', { subscriptionId: 'ps1.s2' })
    .push(1000, 'g1', 1, 'very-low', 'ps1.s2')
    .receive(1005, 'g1', 'gw1', false, 'ps1.s2')
    .ack(1005, 'g1', 'ps1.s2');
  s.at(1025, {
    kind: 'device.delivered',
    gatewayId: 'gw1',
    deviceId: 'dev1',
    messageId: 'g1',
    confirmed: true,
  }); // gateway 5 ms, device 25 ms
  s.accept(1100, 'g2', { subscriptionId: 'ps1.s2' })
    .push(1100, 'g2', 1, 'very-low', 'ps1.s2')
    .receive(1110, 'g2', 'gw1', false, 'ps1.s2')
    .ack(1110, 'g2', 'ps1.s2'); // gateway 10 ms
  // ps2: one delivered in 3 ms, one rejected.
  s.delivered(2000, 'p1', 3, { serviceId: 'ps2', subscriptionId: 'ps2.s1' });
  s.at(2100, {
    kind: 'message.rejected',
    serviceId: 'ps2',
    subscriptionId: 'ps2.s1',
    status: 413,
    detail: 'too large',
  });
  s.at(3000, { kind: 'link.reset', linkId: 'l1', reason: 'fault' });
  s.at(3100, { kind: 'link.reset', linkId: 'l1', reason: 'fault' });
  return s;
}

describe('report', () => {
  const s = handMade();
  const report = buildReport(s.events, { endT: END_T, extras: EXTRAS });

  it('per push service: ratio, nearest-rank percentiles, stale, lost, redeliveries, duplicates', () => {
    const [ps1, ps2] = report.services;
    // ps1: m1–m9 and g1, g2 accepted (11); delivered m1–m5, m8, g1, g2 (8).
    // Latencies sorted [5, 10, 10, 20, 30, 40, 50, 1100]: p50 = 4th = 20, p90 = 8th = 1100.
    expect(ps1).toMatchObject({
      serviceId: 'ps1',
      profile: 'rfc8030',
      accepted: 11,
      delivered: 8,
      deliveryRatio: 0.7273,
      latencyMs: { count: 8, p50: 20, p90: 1100, p99: 1100, max: 1100, exact: true },
      stale: 1,
      expired: 1,
      replaced: 1,
      dropped: 1,
      lost: 1,
      redeliveries: 1,
      duplicates: 1,
      rejectedByStatus: {},
      receiptsSentByStatus: { '204': 1 },
      connectionsOpened: 2,
      disconnects: 1,
    });
    expect(ps2).toMatchObject({
      serviceId: 'ps2',
      profile: 'draft-thomson',
      accepted: 1,
      delivered: 1,
      deliveryRatio: 1,
      rejectedByStatus: { '413': 1 },
      connectionsOpened: 1,
    });
    expect(ps2!.latencyMs).toEqual({ count: 1, p50: 3, p90: 3, p99: 3, max: 3, exact: true });
    // Totals: 12 accepted, 9 delivered.
    expect(report.totals).toMatchObject({
      accepted: 12,
      delivered: 9,
      deliveryRatio: 0.75,
      lost: 1,
      stale: 1,
    });
  });

  it('per agent class: user agents by message.received, devices by device.delivered', () => {
    const byClass = Object.fromEntries(report.classes.map((c) => [c.agentClass, c]));
    // ua1 holds ps1.s1 (m1–m9) and ps2.s1 (p1): 10 accepted, 7 delivered; [3, 10, 20, 30, 40, 50, 1100].
    expect(byClass['user-agent']).toMatchObject({
      agentCount: 1,
      accepted: 10,
      delivered: 7,
      deliveryRatio: 0.7,
      latencyMs: { p50: 30, p90: 1100, max: 1100 },
      stale: 1,
      lost: 1,
      connectionsOpened: 2,
      disconnects: 1,
      joules: 1.5,
      joulesPerDeliveredMessage: 0.214286,
    });
    expect(byClass.gateway).toMatchObject({
      agentCount: 1,
      accepted: 2,
      delivered: 2,
      deliveryRatio: 1,
      latencyMs: { p50: 5, p90: 10, max: 10 },
      joules: 2,
      joulesPerDeliveredMessage: 1,
    });
    // Devices: the gateway's two messages; only g1 reached dev1, 25 ms after acceptance.
    expect(byClass.device).toMatchObject({
      agentCount: 1,
      accepted: 2,
      delivered: 1,
      deliveryRatio: 0.5,
      latencyMs: { p50: 25, max: 25 },
      joules: 0.25,
      joulesPerDeliveredMessage: 0.25,
    });
  });

  it('per sender: attempts, retries, statuses, receipts received', () => {
    expect(report.senders).toHaveLength(1);
    expect(report.senders[0]).toMatchObject({
      agentId: 'as1',
      label: 'shop',
      sendAttempts: 10,
      retries: 1,
      responsesByStatus: { '201': 9, '429': 1 },
      rejectedByStatus: { '429': 1 },
      accepted: 9,
      delivered: 6,
      deliveryRatio: 0.6667,
      receiptsReceivedByStatus: { '204': 1 },
    });
  });

  it('span, receipts, energy, links, violations', () => {
    expect(report.span).toEqual({
      eventCount: s.events.length,
      firstSeq: 1,
      lastSeq: s.events.length,
      firstT: 0,
      lastT: 3100,
      durationMs: 3100,
    });
    expect(report.receipts).toEqual({ sentByStatus: { '204': 1 }, receivedByStatus: { '204': 1 } });
    expect(report.energy).toEqual({
      joulesTotal: 3.75,
      joulesPerDeliveredMessage: 0.416667,
      byClass: { 'phone-lte': 1.5, 'sensor-ble': 0.25 },
    });
    expect(report.links).toEqual({
      resetsById: { l1: 2 },
      countersById: { l1: { bytesDown: 100, bytesUp: 40 } },
    });
    expect(report.violations.count).toBe(1);
    expect(report.violations.countByRule.lost).toBe(1);
    expect(report.violations.listed[0]).toMatchObject({ rule: 'lost', messageId: 'm6' });
    expect(report.notes).toEqual([]);
  });

  it('histogram bins hold every delivered message', () => {
    const bins = report.totals.latencyHistogram;
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(9);
    expect(bins[0]).toEqual({ fromMs: 0, toMs: 1, count: 0 });
    expect(bins[bins.length - 1]).toEqual({ fromMs: 1000, toMs: 2000, count: 1 });
  });

  it('JSON is stable: same input, same bytes, fixed key order', () => {
    const again = reportToJson(buildReport(handMade().events, { endT: END_T, extras: EXTRAS }));
    expect(reportToJson(report)).toBe(again);
    expect(Object.keys(report)).toEqual([
      'reportVersion',
      'meta',
      'scheduleHash',
      'span',
      'totals',
      'services',
      'classes',
      'senders',
      'receipts',
      'energy',
      'links',
      'violations',
      'notes',
    ]);
    expect(Object.keys(report.totals).slice(0, 4)).toEqual([
      'accepted',
      'delivered',
      'deliveryRatio',
      'latencyMs',
    ]);
  });

  it('reads a trace file into the same report (analyzeTrace)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'push-lab-report-'));
    try {
      const path = join(dir, 'run.jsonl');
      const writer = TraceWriter.toFile(path, {
        scenario: 'hand-made',
        seed: 7,
        clockMode: 'virtual',
      });
      for (const event of s.events) writer.write(event);
      await writer.close();
      const { report: fromFile, warnings } = await analyzeTrace(await TraceReader.open(path), {
        endT: END_T,
        extras: EXTRAS,
      });
      expect(warnings).toEqual([]);
      expect(fromFile.meta).toMatchObject({ scenario: 'hand-made', seed: 7 });
      expect({ ...fromFile, meta: null }).toEqual(report);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('LatencyDigest', () => {
  it('nearest-rank percentiles, exact while under the bound', () => {
    const d = new LatencyDigest();
    for (let ms = 100; ms >= 1; ms--) d.add(ms);
    expect([d.percentile(50), d.percentile(90), d.percentile(99), d.percentile(100)]).toEqual([
      50, 90, 99, 100,
    ]);
    expect(d.exact).toBe(true);
  });

  it('folds into 1 % buckets past the bound: percentiles within 1 %, max exact', () => {
    const d = new LatencyDigest(100);
    for (let ms = 1; ms <= 10_000; ms++) d.add(ms);
    expect(d.exact).toBe(false);
    expect(d.maxMs).toBe(10_000);
    for (const [p, want] of [
      [50, 5000],
      [90, 9000],
      [99, 9900],
    ] as const) {
      expect(Math.abs(d.percentile(p)! - want) / want).toBeLessThan(0.01);
    }
    expect(d.histogram().reduce((n, b) => n + b.count, 0)).toBe(10_000);
  });
});
