/**
 * `push-lab web --proxy`: the proxies handed to the workbench are the sandbox's links. Their
 * faults change from the Links view's command on the very Link objects the Toxiproxy side
 * changes, every change (by either side) is an event of the lab the model folds, their
 * counters are sampled, and a run or a new sandbox does not take them down.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../src/shared/events';
import type { LinkFact } from '../../../src/shared/model-agents';
import { RealClock } from '../../../src/main/engine/clock/real';
import { ProxySet } from '../../../src/main/engine/net/proxy-set';
import { Rng } from '../../../src/main/engine/rng/rng';
import { Workbench } from '../../../src/main/engine/workbench/workbench';
import { commandValue, examplesDir } from '../../helpers/workbench';
import { eventually } from '../../helpers/poll';
import type { LinkView, LinksInfo } from '../../../src/shared/workbench';

let dir: string;
let echo: net.Server;
let proxies: ProxySet;
let bench: Workbench;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'push-lab-proxy-links-'));
  echo = net.createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  proxies = new ProxySet(new RealClock(), new Rng(5));
  const made = await proxies.create({
    name: 'echo',
    upstream: `127.0.0.1:${(echo.address() as AddressInfo).port}`,
  });
  if (!made.ok) throw new Error(made.problem.error);
  bench = new Workbench({ dataDir: dir, examplesDir, proxies });
  await bench.start();
});

afterEach(async () => {
  await bench.stop();
  await proxies.close();
  await new Promise((resolve) => echo.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const fact = (): LinkFact | undefined => bench.snapshot().links.get('proxy:echo');

/** Sends `text` through the proxy and reads it back from the echo server. */
async function roundTrip(text: string): Promise<string> {
  const view = await proxies.get('echo');
  if (!view.ok) throw new Error(view.problem.error);
  const port = Number(view.value.listen.split(':').pop());
  const socket = net.connect(port, '127.0.0.1');
  try {
    socket.write(text);
    let got = '';
    for await (const chunk of socket) {
      got += String(chunk);
      if (got.length >= text.length) return got;
    }
    return got;
  } finally {
    socket.destroy();
  }
}

describe('proxies in the sandbox', () => {
  it('are its links: listed, folded into the model, changed from the Links view and seen by the API', async () => {
    const info = await commandValue<LinksInfo>(bench, { type: 'links' });
    expect(info.links.map((l) => l.id)).toEqual(['proxy:echo']);
    expect(fact()).toMatchObject({ id: 'proxy:echo', agentId: 'echo', state: 'up', faults: [] });

    // The Links view's command puts latency on the proxy: the Toxiproxy side sees that toxic.
    const changed = await commandValue<LinkView[]>(bench, {
      type: 'link.faults',
      linkIds: ['proxy:echo'],
      faults: [{ type: 'latency', attributes: { latency: 40 } }],
    });
    expect(changed[0]!.faults.map((f) => f.name)).toEqual(['latency_downstream']);
    const toxics = await proxies.toxics('echo');
    expect(toxics.ok && toxics.value).toEqual([
      expect.objectContaining({ name: 'latency_downstream', type: 'latency' }),
    ]);
    expect(fact()!.faults.map((f) => f.name)).toEqual(['latency_downstream']);

    // The API adds an outage: the lab's model hears it, as an event, without a command.
    const seen: LabEvent[] = [];
    const unlisten = bench.onEvent((event) => seen.push(event));
    const added = await proxies.addToxic('echo', {
      name: 'cut',
      type: 'outage',
      stream: 'upstream',
    });
    expect(added.ok).toBe(true);
    expect(fact()!.faults.map((f) => f.name)).toEqual(['latency_downstream', 'cut']);
    expect(fact()!.state).toBe('down');
    await eventually('the outage relayed', () => seen.some((e) => e.kind === 'link.changed'));
    unlisten();
    expect(
      seen.filter((e) => 'linkId' in e).map((e) => [e.kind, 'linkId' in e && e.linkId]),
    ).toEqual(
      expect.arrayContaining([
        ['link.faults', 'proxy:echo'],
        ['link.changed', 'proxy:echo'],
      ]),
    );

    // A bad fault from the view is refused whole, naming the field; the proxy keeps its toxics.
    const refused = await bench.execute({
      type: 'link.faults',
      linkIds: ['proxy:echo'],
      faults: [{ type: 'latency', attributes: { latency: -5 } }],
    });
    expect(!refused.ok && refused.error.message).toMatch(/attributes\.latency/);
    const kept = await proxies.toxics('echo');
    expect(kept.ok && kept.value.map((t) => t.name)).toEqual(['latency_downstream', 'cut']);
  });

  it("samples the proxy's counters as bytes go through it", async () => {
    expect(await roundTrip('hello through the proxy')).toBe('hello through the proxy');
    const counters = await eventually(
      'the proxy link sampled',
      () => ((fact()?.counters['bytesUpDelivered'] ?? 0) > 0 ? fact()!.counters : null),
      { timeoutMs: 5_000, intervalMs: 50 },
    );
    expect(counters['bytesDownDelivered']).toBeGreaterThan(0);
  });

  it('a deleted proxy is down in the story; a new sandbox shows the proxies as they are', async () => {
    await commandValue(bench, {
      type: 'link.faults',
      linkIds: ['proxy:echo'],
      faults: [{ type: 'latency', attributes: { latency: 10 } }],
    });
    await commandValue(bench, { type: 'sandbox' });
    // A new sandbox (a new show) starts its story with the proxy as it is now.
    expect(fact()!.faults.map((f) => f.name)).toEqual(['latency_downstream']);
    expect(await roundTrip('still up')).toBe('still up');

    await proxies.delete('echo');
    expect(fact()).toMatchObject({ state: 'down', faults: [] });
    const result = await bench.execute({
      type: 'link.faults',
      linkIds: ['proxy:echo'],
      faults: [],
    });
    expect(!result.ok && result.error.message).toMatch(/no link "proxy:echo"/);
  });
});
