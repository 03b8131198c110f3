import { afterEach, describe, expect, it } from 'vitest';
import { bytesOf, harness, settle, step, type Harness } from './harness';

let h: Harness;
afterEach(async () => {
  await h.link.close();
});

describe('idle_timeout', () => {
  it('forgets a connection idle longer than `timeout`; after that bytes vanish both ways, for good', async () => {
    h = harness({ faults: [{ type: 'idle_timeout', attributes: { timeout: 1000 } }] });
    const { client, server } = await h.open();
    client.socket.write('a');
    await step(h.clock, 900);
    server.socket.write('b'); // activity in either direction keeps the mapping
    await step(h.clock, 999);
    client.socket.write('c');
    await settle();
    expect(bytesOf(server).toString()).toBe('ac');
    expect(bytesOf(client).toString()).toBe('b');

    await step(h.clock, 1000); // idle since 1899: forgotten at 2899
    expect(h.connectionEvents.at(-1)).toMatchObject({
      kind: 'blackholed',
      reason: 'idle_timeout',
      atMs: 2899,
    });
    client.socket.write('lost up');
    server.socket.write('lost down');
    await step(h.clock, 10_000);
    h.link.removeFault('idle_timeout_upstream');
    client.socket.write('still lost');
    client.socket.end(); // even the FIN vanishes
    await step(h.clock, 10_000);
    expect(bytesOf(server).toString()).toBe('ac');
    expect(bytesOf(client).toString()).toBe('b');
    expect(server.endedAtMs).toBeNull();
    expect(client.error ?? server.error).toBeNull();
    expect(h.link.connections()[0]).toMatchObject({ forgotten: true });
    expect(h.link.counters()).toMatchObject({
      connectionsBlackholed: 1,
      bytesDropped: 'lost up'.length + 'lost down'.length + 'still lost'.length,
    });
  });
});
