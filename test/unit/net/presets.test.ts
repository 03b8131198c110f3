import { afterEach, describe, expect, it } from 'vitest';
import {
  gilbertElliottLossRate,
  networkPresets,
  parseFaultSpecs,
  presetFaults,
  presetNames,
} from '../../../src/main/engine/net';
import { harness, step, type Harness } from './harness';

/** The numbers from ../shared/docs/anchors.md, as their sources give them. */
const CHROME = {
  'slow-3g': { down: 50_000, up: 50_000, latencyMs: 2000 },
  'slow-4g': { down: 180_000, up: 84_375, latencyMs: 562.5 },
  'fast-4g': { down: 1_012_500, up: 168_750, latencyMs: 165 },
};
/** Comcast: latency ms / bandwidth kbps / loss %. */
const COMCAST: Record<string, [number, number | null, number]> = {
  gprs: [500, 50, 2],
  edge: [300, 250, 1.5],
  '3g-hsdpa': [250, 750, 1.5],
  'dial-up': [185, 40, 2],
  'dsl-poor': [70, 2000, 2],
  'dsl-good': [40, 8000, 0.5],
  wifi: [40, 30_000, 0.2],
  satellite: [1500, null, 0.2],
};

let h: Harness | null = null;
afterEach(async () => {
  await h?.link.close();
  h = null;
});

describe('network presets', () => {
  it('holds the Chrome DevTools and Comcast numbers', () => {
    const byName = new Map(networkPresets().map((p) => [p.name, p]));
    for (const [name, n] of Object.entries(CHROME)) {
      expect(byName.get(name)).toMatchObject({
        downBytesPerSecond: n.down,
        upBytesPerSecond: n.up,
        latencyMs: n.latencyMs,
        lossRate: 0,
      });
    }
    for (const [name, [latencyMs, kbps, percent]] of Object.entries(COMCAST)) {
      const p = byName.get(name)!;
      const bytesPerSecond = kbps === null ? null : (kbps * 1000) / 8;
      expect(p).toMatchObject({
        latencyMs,
        downBytesPerSecond: bytesPerSecond,
        upBytesPerSecond: bytesPerSecond,
      });
      expect(p.lossRate).toBeCloseTo(percent / 100, 12);
      expect(gilbertElliottLossRate(p.loss!)).toBeCloseTo(percent / 100, 12);
    }
    expect(byName.get('offline')).toMatchObject({ offline: true });
    expect(presetNames()).toEqual(
      expect.arrayContaining([...Object.keys(CHROME), ...Object.keys(COMCAST), 'offline']),
    );
  });

  it('turns a preset into valid fault specs', () => {
    expect(presetFaults('slow-4g').map((s) => [s.name, s.attributes])).toEqual([
      ['latency_upstream', { latency: 281.25, jitter: 0 }],
      ['latency_downstream', { latency: 281.25, jitter: 0 }],
      ['bandwidth_upstream', { rate: 84.375 }],
      ['bandwidth_downstream', { rate: 180 }],
    ]);
    expect(presetFaults('gprs', { namePrefix: 'net-' }).map((s) => s.name)).toEqual([
      'net-latency_upstream',
      'net-latency_downstream',
      'net-bandwidth_upstream',
      'net-bandwidth_downstream',
      'net-loss_both',
    ]);
    expect(presetFaults('satellite').some((s) => s.type === 'bandwidth')).toBe(false);
    expect(presetFaults('offline').map((s) => s.type)).toEqual(['outage']);
    for (const name of presetNames()) expect(parseFaultSpecs(presetFaults(name)).ok).toBe(true);
    expect(() => presetFaults('5g')).toThrow(/preset: unknown \(got "5g", allowed slow-3g, /);
  });

  it('puts half the latency on each direction, so a round trip costs the preset latency', async () => {
    h = harness();
    h.link.setFaults(presetFaults('slow-3g'));
    const { client, server } = await h.open();
    server.socket.on('data', (d: Buffer) => server.socket.write(d)); // echo
    client.socket.write('x');
    await step(h.clock, 2000);
    expect(client.received).toEqual([]);
    await step(h.clock, 1); // + 2 × 1 byte at 50,000 B/s = 0.04 ms
    expect(client.received.map((r) => r.data.toString())).toEqual(['x']);
    expect(client.received[0]!.atMs).toBeCloseTo(2000.04, 6);
  });
});
