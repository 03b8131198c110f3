import { afterEach, describe, expect, it } from 'vitest';
import { harness, settle, step, type Harness } from './harness';

let h: Harness;
afterEach(async () => {
  await h.link.close();
});

describe('slow_close', () => {
  it('passes bytes at once and holds the end of the stream for `delay` ms', async () => {
    h = harness({ faults: [{ type: 'slow_close', attributes: { delay: 500 } }] });
    const { client, server } = await h.open();
    server.socket.end('bye');
    await settle();
    expect(client.received.map((r) => [r.atMs, r.data.toString()])).toEqual([[0, 'bye']]);
    await step(h.clock, 499);
    expect(client.endedAtMs).toBeNull();
    await step(h.clock, 1);
    expect(client.endedAtMs).toBe(500);
  });

  it('lets a held end go at once when the fault is removed', async () => {
    h = harness({ faults: [{ type: 'slow_close', attributes: { delay: 500 } }] });
    const { client, server } = await h.open();
    server.socket.end();
    await step(h.clock, 100);
    h.link.removeFault('slow_close_downstream');
    await settle();
    expect(client.endedAtMs).toBe(100);
  });
});
