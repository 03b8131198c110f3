/**
 * A report as wide as a real fleet makes it: several push services and senders, a thousand
 * messages with fractional latencies from 0.4 ms to 20 min, receipts and answers under
 * several statuses, energy in fractional joules, and links with every counter the net layer
 * keeps. The HTML report's layout tests (unit and Playwright) render it.
 */
import { buildReport } from '../../../src/main/engine/trace/report';
import type { Report } from '../../../src/main/engine/trace/report-types';
import { LabStream } from './lab-stream';

const LINK_COUNTERS = {
  bytesUpDelivered: 123_456_789,
  bytesDownDelivered: 98_765_432.5,
  bytesHeld: 0,
  bytesDropped: 4096,
  chunksStalled: 17,
  connectionsOpened: 2048,
  connectionsActive: 20,
  connectionsRefused: 3,
  connectionsReset: 12,
  connectionsBlackholed: 0,
  connectionsClosed: 2016,
  backpressurePauses: 0,
};

export function wideReport(): Report {
  const s = new LabStream();
  const services = ['ps1', 'ps2', 'ps10'];
  for (const id of services) s.service(0, id);
  s.agent(0, 'ua1', 'user-agent').agent(0, 'shop', 'app-server', 'Shop backend');
  services.forEach((serviceId) => s.subscribe(0, `${serviceId}.s1`, 'ua1', serviceId));
  let t = 1000;
  for (let i = 0; i < 1000; i += 1) {
    const serviceId = services[i % services.length]!;
    const subscriptionId = `${serviceId}.s1`;
    // Latencies spread over the histogram's bins: 0.4 ms … ~20 min, never whole.
    const latencyMs = 0.4 * 1.0135 ** i + 0.123;
    s.delivered(t, `m${i}`, latencyMs, {
      serviceId,
      subscriptionId,
      senderId: 'shop',
      ttlSeconds: 86_400,
      receiptRequested: i % 7 === 0,
    });
    if (i % 7 === 0) s.receipt(t + latencyMs, `m${i}`, i % 2 === 0 ? 204 : 410);
    t += 1234.567;
  }
  const links: Record<string, Record<string, number>> = {};
  for (const id of ['cell:phone-10', 'cell:phone-2', 'wifi:phone-1', 'backbone'])
    links[id] = LINK_COUNTERS;
  return buildReport(s.events, {
    endT: t + 2_000_000,
    meta: { scenario: 'wide', seed: '1', clockMode: 'virtual', pushLabVersion: '0.1.0' },
    extras: {
      energy: {
        joulesByAgent: { ua1: 10431.695963 },
        joulesByClass: { 'phone-lte': 10431.695963, 'phone-wifi': 0.0421 },
      },
      links,
    },
  });
}
