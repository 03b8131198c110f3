import { afterEach, describe, expect, it } from 'vitest';
import { bytesOf, harness, settle, step, type Harness } from './harness';

let h: Harness;
afterEach(async () => {
  await h.link.close();
});

describe('timeout', () => {
  it('lets nothing through and closes both ends `timeout` ms after it started', async () => {
    h = harness({
      faults: [{ type: 'timeout', stream: 'upstream', attributes: { timeout: 500 } }],
    });
    const { client, server } = await h.open();
    client.socket.write('hello?');
    await step(h.clock, 499);
    expect(server.received).toEqual([]);
    expect(client.endedAtMs).toBeNull();
    await step(h.clock, 1);
    expect(server.received).toEqual([]);
    expect(server.endedAtMs).toBe(500);
    expect(client.endedAtMs).toBe(500);
    expect(h.link.counters()).toMatchObject({ connectionsClosed: 1, connectionsActive: 0 });
    expect(h.connectionEvents.at(-1)).toMatchObject({
      kind: 'closed',
      reason: 'timeout',
      atMs: 500,
    });
  });

  it('with 0 is a blackhole until removed, then releases what it held, in order', async () => {
    h = harness({ faults: [{ type: 'timeout', stream: 'upstream' }] });
    const { client, server } = await h.open();
    client.socket.write('one,');
    await step(h.clock, 10_000);
    client.socket.write('two');
    await step(h.clock, 50_000);
    expect(server.received).toEqual([]);
    expect(h.link.counters()).toMatchObject({
      bytesHeld: 7,
      connectionsBlackholed: 1,
      chunksStalled: 2,
    });
    h.link.removeFault('timeout_upstream');
    await settle();
    expect(bytesOf(server).toString()).toBe('one,two');
    expect(server.received[0]!.atMs).toBe(60_000);
    expect(h.link.counters().bytesHeld).toBe(0);
  });
});
