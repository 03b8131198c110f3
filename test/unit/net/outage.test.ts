import { afterEach, describe, expect, it } from 'vitest';
import { bytesOf, harness, settle, step, type Harness } from './harness';

let h: Harness;
afterEach(async () => {
  await h.link.close();
});

describe('outage', () => {
  it('resets existing connections and refuses new ones until it ends', async () => {
    h = harness();
    const { client, server } = await h.open();
    h.link.addFault({ type: 'outage' });
    await settle();
    expect(client.error?.code).toBe('ECONNRESET');
    expect(server.error?.code).toBe('ECONNRESET');
    expect(h.link.state()).toBe('down');

    const refused = await h.open().catch(() => null);
    expect(refused?.server).toBeNull();
    expect(refused?.client.error?.code).toBe('ECONNREFUSED');
    expect(h.link.counters()).toMatchObject({ connectionsReset: 1, connectionsRefused: 1 });

    h.link.removeFault('outage_both');
    expect(h.link.state()).toBe('up');
    const again = await h.open();
    again.client.socket.write('back');
    await settle();
    expect(bytesOf(again.server).toString()).toBe('back');
    expect(h.stateEvents.map((e) => e.state)).toEqual(['down', 'up']);
  });

  it('in blackhole mode holds traffic and releases it when a scheduled outage ends', async () => {
    h = harness({
      faults: [
        {
          type: 'outage',
          attributes: { mode: 'blackhole' },
          schedule: { kind: 'timeline', windows: [{ fromMs: 100, toMs: 300 }] },
        },
      ],
    });
    const { client, server } = await h.open();
    await step(h.clock, 150);
    client.socket.write('queued');
    await step(h.clock, 50);
    expect(server.received).toEqual([]);
    const refused = await h.open();
    expect(refused.client.error?.code).toBe('ECONNREFUSED');
    await step(h.clock, 100);
    expect(server.received.map((r) => [r.atMs, r.data.toString()])).toEqual([[300, 'queued']]);
    expect(client.error).toBeNull();
    expect(h.link.counters().connectionsBlackholed).toBe(1);
    expect(h.stateEvents.map((e) => [e.state, e.atMs])).toEqual([
      ['down', 100],
      ['up', 300],
    ]);
    const later = await h.open();
    expect(later.client.error).toBeNull();
  });
});
