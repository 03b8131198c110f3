import { afterEach, describe, expect, it } from 'vitest';
import { harness, step, type Harness } from './harness';

let h: Harness;
afterEach(async () => {
  await h.link.close();
});

describe('reset_peer', () => {
  it('passes bytes until `timeout` ms, then resets both ends like a TCP RST', async () => {
    h = harness({ faults: [{ type: 'reset_peer', attributes: { timeout: 300 } }] });
    const { client, server } = await h.open();
    server.socket.write('still here');
    await step(h.clock, 299);
    expect(client.received.map((r) => r.data.toString())).toEqual(['still here']);
    expect(client.error).toBeNull();
    await step(h.clock, 1);
    expect(client.error?.code).toBe('ECONNRESET');
    expect(server.error?.code).toBe('ECONNRESET');
    expect(client.closed && server.closed).toBe(true);
    expect(h.link.counters()).toMatchObject({ connectionsReset: 1, connectionsActive: 0 });
    expect(h.connectionEvents.at(-1)).toMatchObject({
      kind: 'reset',
      reason: 'reset_peer',
      atMs: 300,
    });
  });

  it('with 0 resets every new connection at once', async () => {
    h = harness({ faults: [{ type: 'reset_peer' }] });
    const { client, server } = await h.open();
    expect(client.error?.code).toBe('ECONNRESET');
    expect(server.error?.code).toBe('ECONNRESET');
  });
});
