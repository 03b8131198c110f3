/**
 * `push-lab proxy` as a real process in front of a real push service (h2c on port 0), its
 * faults driven live by toxiproxy-node-client — a Toxiproxy client written by others — and
 * traffic sent through it with node:http2 and curl.
 */
import { execFile } from 'node:child_process';
import type { ClientHttp2Session } from 'node:http2';
import net from 'node:net';
import { promisify } from 'node:util';
import { Toxiproxy, type Proxy, type Toxic } from 'toxiproxy-node-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { presetFaults } from '../../src/main/engine/net/presets';
import type { PushService } from '../../src/main/engine/push/service';
import { hasTool, runCli, startCli, type Running } from '../helpers/cli';
import { call, client, startService } from '../helpers/h2';
import { eventually } from '../helpers/poll';

const haveCurl = hasTool('curl');
const execFileAsync = promisify(execFile);

/** A round trip through `session`: a subscribe answered by the push service (201). */
async function roundTripMs(session: ClientHttp2Session): Promise<number> {
  const started = performance.now();
  const reply = await call(session, { ':method': 'POST', ':path': '/subscribe' });
  expect(reply.status).toBe(201);
  return performance.now() - started;
}

/** The fastest of a few round trips: one slow scheduler tick on a busy machine is not latency. */
async function bestRoundTripMs(session: ClientHttp2Session, tries = 3): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < tries; i++) best = Math.min(best, await roundTripMs(session));
  return best;
}

/**
 * Adds a toxic with the client's own call. Its types list Toxiproxy's toxic types and
 * streams as enums; our extra types (outage) are plain strings, hence the cast.
 */
function addToxic(
  proxy: Proxy,
  name: string,
  type: string,
  stream: 'upstream' | 'downstream',
  attributes: Record<string, unknown>,
): Promise<Toxic<unknown>> {
  return proxy.addToxic({ name, type, stream, toxicity: 1, attributes } as never);
}

/** Settles with 'done' when `promise` does, or 'pending' after `ms`. */
function within(promise: Promise<unknown>, ms: number): Promise<'done' | 'failed' | 'pending'> {
  return Promise.race([
    promise.then(
      () => 'done' as const,
      () => 'failed' as const,
    ),
    new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms)),
  ]);
}

describe('push-lab proxy driven by a Toxiproxy client', () => {
  let service: PushService;
  let proxy: Running;
  let upstream = '';
  let proxyUrl = '';
  let api = '';
  let toxiproxy: Toxiproxy;
  const sessions: ClientHttp2Session[] = [];
  const open = async (url = proxyUrl): Promise<ClientHttp2Session> => {
    const session = await client(url);
    session.on('error', () => {});
    sessions.push(session);
    return session;
  };

  beforeAll(async () => {
    ({ service } = await startService());
    upstream = new URL(service.url).host;
    proxy = startCli([
      'proxy',
      '--listen',
      '127.0.0.1:0',
      '--upstream',
      upstream,
      '--api',
      '127.0.0.1:0',
      '--seed',
      '12',
    ]);
    const created = await proxy.waitFor(/^proxy push-lab created: /, 30_000);
    proxyUrl = `http://${/created: (\S+) →/.exec(created)![1]}`;
    api = /^api (\S+)/.exec(await proxy.waitFor(/^api /))![1]!;
    toxiproxy = new Toxiproxy(api);
  }, 40_000);

  // A failed test must not leave its toxic on for the next one.
  afterEach(async () => {
    await toxiproxy?.reset();
  });

  afterAll(async () => {
    for (const s of sessions) s.destroy();
    expect(await proxy?.stop()).toBe(0);
    expect(proxy.lines.at(-1)).toBe('stopped');
    await service?.stop();
  });

  it('answers /version and lists its proxy as Toxiproxy does', async () => {
    expect(JSON.parse(await toxiproxy.getVersion())).toEqual({ version: expect.any(String) });
    const all = await toxiproxy.getAll();
    expect(Object.keys(all)).toEqual(['push-lab']);
    expect(all['push-lab']!.toJson()).toEqual({
      name: 'push-lab',
      listen: new URL(proxyUrl).host,
      upstream,
      enabled: true,
    });
  });

  it('a latency toxic raises the measured round trip; changing it moves it; removing it ends it', async () => {
    const session = await open();
    const baseline = await bestRoundTripMs(session);
    const p = await toxiproxy.get('push-lab');
    const toxic = await addToxic(p, 'lag', 'latency', 'downstream', { latency: 400, jitter: 0 });
    expect(toxic.toJson()).toEqual({
      name: 'lag',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 400, jitter: 0 },
    });
    expect(await bestRoundTripMs(session)).toBeGreaterThanOrEqual(400);
    const slower = await toxic.update({ attributes: { latency: 800 } } as never);
    expect(slower.attributes).toEqual({ latency: 800, jitter: 0 });
    expect(await bestRoundTripMs(session, 1)).toBeGreaterThanOrEqual(800);
    await toxic.remove();
    expect(await bestRoundTripMs(session)).toBeLessThan(400 + baseline);
    await proxy.waitFor(/toxic removed: lag latency downstream/);
  });

  it('a timeout toxic stalls requests; removing it lets the held bytes and new requests through', async () => {
    const session = await open();
    await roundTripMs(session);
    const p = await toxiproxy.get('push-lab');
    await addToxic(p, 'hole', 'timeout', 'upstream', { timeout: 0 });
    const stalled = call(session, { ':method': 'POST', ':path': '/subscribe' });
    expect(await within(stalled, 700)).toBe('pending');
    await (await p.getToxic('hole')).remove();
    expect((await stalled).status).toBe(201);
    expect(await roundTripMs(session)).toBeLessThan(5000);
  });

  it('an outage toxic (our extra type) resets connections and refuses new ones until removed', async () => {
    const session = await open();
    await roundTripMs(session);
    const closed = new Promise((resolve) => session.once('close', resolve));
    const p = await toxiproxy.get('push-lab');
    const outage = await addToxic(p, 'down', 'outage', 'downstream', { mode: 'reset' });
    await closed;
    // The TCP connect itself succeeds (the proxy listens); the link then resets it.
    await expect(open().then((s) => roundTripMs(s))).rejects.toThrow();
    await proxy.waitFor(/connection refused \(outage\)/);
    await outage.remove();
    expect(await roundTripMs(await open())).toBeLessThan(5000);
  });

  it.skipIf(!haveCurl)('curl through the proxy sees the push service', async () => {
    // Not spawnSync: the push service runs in this process and must answer meanwhile.
    const reply = await execFileAsync('curl', [
      '-s',
      '-i',
      '--http2-prior-knowledge',
      '-X',
      'POST',
      '-m',
      '10',
      `${proxyUrl}/subscribe`,
    ]);
    expect(reply.stdout).toMatch(/^HTTP\/2 201/);
    expect(reply.stdout).toMatch(/^location: \S+/im);
  });

  it('creates, lists, disables, enables and deletes a second proxy; /reset removes every toxic', async () => {
    const second = await toxiproxy.createProxy({
      name: 'second',
      listen: '127.0.0.1:0',
      upstream,
    });
    const url = `http://${second.listen}`;
    expect(second.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(second.listen).not.toBe('127.0.0.1:0');
    expect(Object.keys(await toxiproxy.getAll()).sort()).toEqual(['push-lab', 'second']);
    expect(await roundTripMs(await open(url))).toBeLessThan(5000);

    const disabled = await second.update({ enabled: false, listen: second.listen, upstream });
    expect(disabled.enabled).toBe(false);
    await expect(client(url)).rejects.toThrow(/ECONNREFUSED/);
    const enabled = await second.update({ enabled: true, listen: second.listen, upstream });
    expect(enabled.enabled).toBe(true);
    expect(await roundTripMs(await open(url))).toBeLessThan(5000);

    await addToxic(second, 'slow', 'bandwidth', 'downstream', { rate: 10 });
    const toxics = (await (await fetch(`${api}/proxies/second/toxics`)).json()) as unknown[];
    expect(toxics).toEqual([
      {
        name: 'slow',
        type: 'bandwidth',
        stream: 'downstream',
        toxicity: 1,
        attributes: { rate: 10 },
      },
    ]);
    await toxiproxy.reset();
    expect((await toxiproxy.get('second')).toJson().enabled).toBe(true);
    expect(await (await fetch(`${api}/proxies/second/toxics`)).json()).toEqual([]);

    await second.remove();
    const gone = await fetch(`${api}/proxies/second`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ error: 'proxy not found', status: 404 });
    await expect(client(url)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('populates proxies from a list, as toxiproxy-node-client asks', async () => {
    const made = await toxiproxy.populate([
      { name: 'pop', listen: '127.0.0.1:0', upstream, enabled: true },
    ]);
    expect(Object.keys(made)).toEqual(['pop']);
    expect(await roundTripMs(await open(`http://${made['pop']!.listen}`))).toBeLessThan(5000);
    await made['pop']!.remove();
  });

  describe('attacks on the API', () => {
    const post = (path: string, body: string) => fetch(`${api}${path}`, { method: 'POST', body });

    it('a body over the limit gets 413, and the API keeps answering', async () => {
      const huge = await post('/proxies', '{'.repeat(1024 * 1024));
      expect(huge.status).toBe(413);
      expect(await huge.json()).toEqual({
        error: 'bad request body: larger than 65536 bytes',
        status: 413,
      });
      expect((await fetch(`${api}/version`)).status).toBe(200);
    });

    it('bad JSON and wrong types get 400 naming what is wrong', async () => {
      const badJson = await post('/proxies/push-lab/toxics', '{"type": "latency",');
      expect(badJson.status).toBe(400);
      expect(((await badJson.json()) as { error: string }).error).toMatch(
        /^bad request body: not valid JSON/,
      );
      const wrongType = await post(
        '/proxies/push-lab/toxics',
        JSON.stringify({ type: 'latency', attributes: { latency: '100ms' } }),
      );
      expect(await wrongType.json()).toEqual({
        error: 'bad request body: attributes.latency: wrong type (got "100ms", allowed a number)',
        status: 400,
      });
      const badProxy = await post(
        '/proxies',
        JSON.stringify({ name: 'x', listen: '127.0.0.1:0', upstream: 'nowhere' }),
      );
      expect(await badProxy.json()).toEqual({
        error:
          'bad request body: upstream: got "nowhere", allowed host:port with a port from 1 to 65535',
        status: 400,
      });
      const missing = await post('/proxies', JSON.stringify({ name: 'x' }));
      expect(await missing.json()).toEqual({
        error: 'missing required field: upstream',
        status: 400,
      });
    });

    it("an unknown toxic type gets Toxiproxy's invalid-type answer naming it", async () => {
      const res = await post('/proxies/push-lab/toxics', JSON.stringify({ type: 'noop' }));
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(
        /^invalid toxic type: "noop" \(allowed latency, .*idle_timeout\)$/,
      );
    });

    it("unknown proxies and toxics get Toxiproxy's 404 bodies; duplicates its 409s", async () => {
      for (const path of ['/proxies/nope', '/proxies/nope/toxics']) {
        const res = await fetch(`${api}${path}`);
        expect(res.status).toBe(404);
        expect(await res.json()).toEqual({ error: 'proxy not found', status: 404 });
      }
      const toxic = await fetch(`${api}/proxies/push-lab/toxics/nope`, { method: 'DELETE' });
      expect(await toxic.json()).toEqual({ error: 'toxic not found', status: 404 });
      const again = await post('/proxies', JSON.stringify({ name: 'push-lab', upstream }));
      expect(again.status).toBe(409);
      expect(await again.json()).toEqual({ error: 'proxy already exists', status: 409 });
      const body = JSON.stringify({ name: 'twice', type: 'latency' });
      expect((await post('/proxies/push-lab/toxics', body)).status).toBe(200);
      const twice = await post('/proxies/push-lab/toxics', body);
      expect(await twice.json()).toEqual({ error: 'toxic already exists', status: 409 });
      await fetch(`${api}/proxies/push-lab/toxics/twice`, { method: 'DELETE' });
    });

    it('refuses browsers, as Toxiproxy does, and wrong methods with 405', async () => {
      const browser = await fetch(`${api}/proxies`, { headers: { 'user-agent': 'Mozilla/5.0' } });
      expect(browser.status).toBe(403);
      const wrong = await fetch(`${api}/version`, { method: 'DELETE' });
      expect(wrong.status).toBe(405);
    });

    it('prints one line per fault change and per connection', async () => {
      await eventually('the lines', () =>
        [
          'toxic added: twice latency',
          'toxic removed: twice latency',
          'connection proxy:push-lab/c1 opened',
        ].every((needle) => proxy.lines.some((l) => l.includes(needle))),
      );
    });
  });
});

describe('push-lab proxy flags', () => {
  it('refuses bad flags with exit 2 and one line naming the flag and value', () => {
    const none = runCli(['proxy']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/give --upstream HOST:PORT/);
    const fault = runCli(['proxy', '--upstream', '127.0.0.1:9', '--fault', 'latency:latency=-1']);
    expect(fault.code).toBe(2);
    expect(fault.stderr).toContain(
      'push-lab: --fault latency:latency=-1: attributes.latency: too small (got -1, allowed ≥ 0)',
    );
    expect(fault.stderr).not.toMatch(/\n\s+at /);
  });

  it('says which address is in use instead of crashing', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as net.AddressInfo;
    try {
      const run = runCli(['proxy', '--listen', `127.0.0.1:${port}`, '--upstream', '127.0.0.1:9']);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `push-lab: proxy: cannot listen: 127.0.0.1:${port} is already in use; choose another listen address\n`,
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('starts with a preset and --json lines, and exits 0 on SIGINT', async () => {
    const { service } = await startService();
    const run = startCli([
      'proxy',
      '--upstream',
      new URL(service.url).host,
      '--preset',
      'edge',
      '--fault',
      'idle_timeout:timeout=60000',
      '--json',
    ]);
    try {
      const created = JSON.parse(await run.waitFor(/"event":"proxy.created"/, 30_000)) as {
        toxics: { name: string }[];
      };
      expect(created.toxics.map((t) => t.name)).toEqual([
        ...presetFaults('edge').map((f) => f.name),
        'idle_timeout_upstream',
      ]);
      expect(created.toxics.map((t) => t.name)).toContain('loss_both');
      const exited = new Promise((resolve) => run.child.once('exit', resolve));
      run.child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(JSON.parse(run.lines.at(-1)!)).toEqual({ event: 'stopped' });
    } finally {
      await run.stop();
      await service.stop();
    }
  }, 40_000);
});
