import { afterEach, describe, expect, it } from 'vitest';
import { NetError } from '../../../src/main/engine/net';
import { bytesOf, harness, settle, step, type Harness } from './harness';

let h: Harness;
afterEach(async () => {
  await h.link.close();
});

const arrivals = (p: { received: { atMs: number; data: Buffer }[] }) =>
  p.received.map((r) => [r.atMs, r.data.toString()]);

describe('changing faults while traffic flows', () => {
  it('applies a new latency to chunks not yet passed on, from when each arrived', async () => {
    h = harness({
      faults: [{ type: 'latency', stream: 'upstream', attributes: { latency: 100 } }],
    });
    const { client, server } = await h.open();
    client.socket.write('A'); // t=0
    await step(h.clock, 50);
    h.link.updateFault('latency_upstream', { attributes: { latency: 300 } });
    await step(h.clock, 10);
    client.socket.write('B'); // t=60
    await step(h.clock, 400);
    expect(arrivals(server)).toEqual([
      [300, 'A'],
      [360, 'B'],
    ]);
  });

  it('releases held chunks at once when a stage is removed, and adds new stages for later chunks', async () => {
    h = harness({
      faults: [{ type: 'latency', stream: 'upstream', attributes: { latency: 1000 } }],
    });
    const { client, server } = await h.open();
    client.socket.write('held');
    await step(h.clock, 10);
    h.link.removeFault('latency_upstream');
    await settle();
    expect(arrivals(server)).toEqual([[10, 'held']]);
    h.link.addFault({ type: 'latency', stream: 'upstream', attributes: { latency: 5 } });
    client.socket.write('later');
    await step(h.clock, 5);
    expect(arrivals(server)).toEqual([
      [10, 'held'],
      [15, 'later'],
    ]);
  });

  it('lets a chunk released by one stage go through the stages after it', async () => {
    h = harness({
      faults: [
        { type: 'timeout', stream: 'upstream' },
        { type: 'latency', stream: 'upstream', attributes: { latency: 100 } },
      ],
    });
    const { client, server } = await h.open();
    client.socket.write('x');
    await step(h.clock, 500);
    h.link.removeFault('timeout_upstream');
    await step(h.clock, 100);
    expect(arrivals(server)).toEqual([[600, 'x']]);
  });

  it('adds a fault without a name beside one holding its default name, as …_2', () => {
    h = harness({
      faults: [{ type: 'latency', stream: 'upstream', attributes: { latency: 100 } }],
    });
    const added = h.link.addFault({
      type: 'latency',
      stream: 'upstream',
      attributes: { latency: 5 },
    });
    expect(added.name).toBe('latency_upstream_2');
    expect(h.link.faults().map((f) => f.name)).toEqual(['latency_upstream', 'latency_upstream_2']);
  });

  it('refuses an invalid change with every problem and keeps the old fault working', async () => {
    h = harness({
      faults: [{ type: 'latency', stream: 'upstream', attributes: { latency: 100 } }],
    });
    const before = h.link.faults();
    const attempt = () =>
      h.link.updateFault('latency_upstream', {
        toxicity: -1,
        attributes: { latency: 'slow', jitter: -3 },
      });
    expect(attempt).toThrow(NetError);
    try {
      attempt();
    } catch (e) {
      expect((e as NetError).code).toBe('ERR_NET_BAD_FAULT');
      expect((e as NetError).problems).toEqual([
        'toxicity: too small (got -1, allowed ≥ 0)',
        'attributes.latency: wrong type (got "slow", allowed a number)',
        'attributes.jitter: too small (got -3, allowed ≥ 0)',
      ]);
    }
    expect(() => h.link.updateFault('latency_upstream', { type: 'bandwidth' })).toThrow(
      'type: cannot be changed (got "bandwidth", allowed "latency")',
    );
    expect(() => h.link.updateFault('nope', {})).toThrow(/name: no such fault on link l1/);
    expect(() => h.link.setFaults([{ type: 'outage' }, { type: 'latency' }])).toThrow(
      '[1].attributes.latency: required (got nothing, allowed a number)',
    );
    expect(() =>
      h.link.addFault({
        type: 'latency',
        name: 'latency_upstream',
        stream: 'upstream',
        attributes: { latency: 1 },
      }),
    ).toThrow(
      'name: already used by another fault (got "latency_upstream", allowed a name not in use)',
    );
    expect(h.link.faults()).toEqual(before);
    expect(h.faultEvents.filter((e) => e.change !== 'added')).toEqual([]);

    const { client, server } = await h.open();
    client.socket.write('still delayed');
    await step(h.clock, 100);
    expect(arrivals(server)).toEqual([[100, 'still delayed']]);
  });

  it('applies toxicity changes per connection, with the same draw as before', async () => {
    h = harness({ faults: [{ type: 'latency', toxicity: 0, attributes: { latency: 50 } }] });
    const conns = await Promise.all(Array.from({ length: 20 }, () => h.open()));
    expect(h.link.connections().every((c) => c.faults.length === 0)).toBe(true);
    h.link.updateFault('latency_downstream', { toxicity: 0.5 });
    const half = h.link
      .connections()
      .filter((c) => c.faults.length === 1)
      .map((c) => c.id);
    expect(half.length).toBeGreaterThan(3);
    expect(half.length).toBeLessThan(17);
    h.link.updateFault('latency_downstream', { toxicity: 0.6 });
    const more = h.link
      .connections()
      .filter((c) => c.faults.length === 1)
      .map((c) => c.id);
    expect(more).toEqual(expect.arrayContaining(half));
    h.link.updateFault('latency_downstream', { toxicity: 1 });
    expect(h.link.connections().every((c) => c.faults.length === 1)).toBe(true);
    expect(bytesOf(conns[0]!.client).length).toBe(0);
  });
});
