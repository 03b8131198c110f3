import { afterEach, describe, expect, it } from 'vitest';
import { bytesOf, harness, pattern, settle, type Harness } from './harness';

let h: Harness;
afterEach(async () => {
  await h.link.close();
});

describe('limit_data', () => {
  it('passes exactly `bytes` bytes, then closes the connection', async () => {
    h = harness({
      faults: [{ type: 'limit_data', stream: 'upstream', attributes: { bytes: 1000 } }],
    });
    const { client, server } = await h.open();
    const data = pattern(1200);
    client.socket.write(data.subarray(0, 600));
    await settle();
    expect(server.endedAtMs).toBeNull();
    client.socket.write(data.subarray(600));
    await settle();
    expect(bytesOf(server).equals(data.subarray(0, 1000))).toBe(true);
    expect(server.endedAtMs).toBe(0);
    expect(client.endedAtMs).toBe(0);
    expect(h.link.counters()).toMatchObject({
      bytesUpDelivered: 1000,
      bytesDropped: 200,
      connectionsClosed: 1,
    });
    expect(h.connectionEvents.at(-1)).toMatchObject({ kind: 'closed', reason: 'limit_data' });
  });

  it('closes at once when lowered below what has already passed', async () => {
    h = harness({
      faults: [{ type: 'limit_data', stream: 'upstream', attributes: { bytes: 1000 } }],
    });
    const { client, server } = await h.open();
    client.socket.write(pattern(300));
    await settle();
    h.link.updateFault('limit_data_upstream', { attributes: { bytes: 200 } });
    await settle();
    expect(bytesOf(server).length).toBe(300);
    expect(server.endedAtMs).toBe(0);
  });
});
