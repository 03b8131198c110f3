import { afterEach, describe, expect, it } from 'vitest';
import type { Direction } from '../../../src/main/engine/net';
import { harness, settle, step, type Harness } from './harness';

let h: Harness;
afterEach(async () => {
  await h.link.close();
});

describe('link observability', () => {
  it('counts bytes and connections and reports fault, state and connection events', async () => {
    h = harness();
    h.link.addFault({ type: 'latency', stream: 'both', attributes: { latency: 10 } });
    h.link.updateFault('latency_both', { attributes: { latency: 20 } });
    const { client, server } = await h.open();
    client.socket.write('12345');
    await step(h.clock, 20);
    server.socket.write('123');
    await step(h.clock, 5);
    expect(h.link.counters()).toMatchObject({
      bytesUpDelivered: 5,
      bytesDownDelivered: 0,
      bytesHeld: 3,
      connectionsOpened: 1,
      connectionsActive: 1,
    });
    h.link.removeFault('latency_both');
    client.socket.end();
    await settle();
    expect(h.link.counters()).toMatchObject({
      bytesDownDelivered: 3,
      bytesHeld: 0,
      connectionsActive: 0,
      connectionsClosed: 1,
    });
    expect(h.faultEvents.map((e) => [e.change, e.fault.name, e.atMs])).toEqual([
      ['added', 'latency_both', 0],
      ['changed', 'latency_both', 0],
      ['removed', 'latency_both', 25],
    ]);
    const changed = h.faultEvents[1]!;
    expect(changed.previous?.spec.attributes).toEqual({ latency: 10, jitter: 0 });
    expect(changed.fault.spec.attributes).toEqual({ latency: 20, jitter: 0 });
    expect(h.stateEvents.map((e) => [e.previous, e.state])).toEqual([
      ['up', 'impaired'],
      ['impaired', 'up'],
    ]);
    expect(h.connectionEvents.map((e) => e.kind)).toEqual(['opened', 'closed']);
  });

  it('hands the radio model every chunk on the client side: sent when taken, received when delivered', async () => {
    h = harness({ faults: [{ type: 'latency', stream: 'both', attributes: { latency: 30 } }] });
    const seen: [Direction, number, number][] = [];
    const off = h.link.onTraffic((direction, bytes, atMs) => seen.push([direction, bytes, atMs]));
    const { client, server } = await h.open();
    client.socket.write('GET');
    await step(h.clock, 30);
    server.socket.write('OK!!');
    await step(h.clock, 30);
    off();
    client.socket.write('ignored');
    await settle();
    expect(seen).toEqual([
      ['upstream', 3, 0],
      ['downstream', 4, 60],
    ]);
  });
});

describe('closing a link', () => {
  it('cancels every timer, ends every connection and refuses new ones', async () => {
    h = harness({
      faults: [
        { type: 'latency', stream: 'both', attributes: { latency: 100 } },
        { type: 'outage', schedule: { kind: 'markov', onMeanMs: 1000, offMeanMs: 1e6 } },
      ],
    });
    const { client, server } = await h.open();
    client.socket.write('in flight');
    await h.link.close();
    await settle();
    expect(h.clock.nextAt()).toBeNull();
    expect(client.closed && server.closed).toBe(true);
    expect(client.error).toBeNull();
    expect(h.link.counters()).toMatchObject({
      connectionsActive: 0,
      bytesHeld: 0,
      bytesDropped: 9,
    });
    const late = await h.open();
    expect(late.client.error?.code).toBe('ECONNREFUSED');
  });

  it('refuses options out of range', () => {
    h = harness();
    expect(() => harness({ heldBytesMax: 0 })).toThrow(
      'heldBytesMax: must be a positive integer (got 0, allowed ≥ 1)',
    );
  });
});
