/**
 * Scenarios against push services the lab does not run: a real `push-lab serve` process
 * (TLS, its own CA) reached through a flaky link, judged clean by the checker; and small
 * RFC 8030 servers written here that misbehave — delivering a message again after its ack,
 * or after its TTL — which the checker must catch from the agents' evidence alone.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabEvent } from '../../src/shared/events';
import { loadScenario } from '../../src/main/engine/scenario/load';
import { runScenario } from '../../src/main/engine/scenario/run';
import { checkEvents } from '../../src/main/engine/trace/checker';
import { runCli, startCli, type Running } from '../helpers/cli';

let dir: string;
beforeAll(async () => (dir = await mkdtemp(path.join(tmpdir(), 'push-lab-external-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Writes `scenario` next to the files it names and runs it through the engine. */
async function run(name: string, scenario: unknown): Promise<{ events: LabEvent[]; endT: number }> {
  const file = path.join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(scenario));
  const loaded = await loadScenario(file);
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const events: LabEvent[] = [];
  const outcome = await runScenario(loaded.scenario, {}, { onEvent: (e) => events.push(e) });
  return { events, endT: outcome.endT };
}

const ofKind = <K extends LabEvent['kind']>(events: LabEvent[], kind: K) =>
  events.filter((e): e is Extract<LabEvent, { kind: K }> => e.kind === kind);

describe('a scenario against another push-lab serve process', () => {
  let serve: Running;
  let url: string;
  beforeAll(async () => {
    serve = startCli(['serve', '--port', '0', '--json', '--data', path.join(dir, 'data')]);
    const listening = JSON.parse(await serve.waitFor(/"type":"listening"/)) as {
      url: string;
      ca: string;
    };
    url = listening.url;
    await copyFile(listening.ca, path.join(dir, 'ca.pem'));
  });
  afterAll(() => serve.stop());

  it('delivers every accepted message through latency and an outage, and the checker finds nothing wrong', async () => {
    const { events, endT } = await run('flaky', {
      name: 'external through a flaky link',
      duration: '8s',
      clock: { mode: 'real' },
      services: [{ id: 'ext', url: `${url}/`, ca: 'ca.pem' }],
      links: [
        {
          id: 'flaky',
          faults: [
            { type: 'latency', attributes: { latency: 30, jitter: 10 } },
            {
              type: 'outage',
              schedule: { kind: 'timeline', windows: [{ fromMs: 2500, toMs: 3500 }] },
            },
          ],
        },
      ],
      userAgents: [
        {
          id: 'phone',
          count: 2,
          service: 'ext',
          link: 'flaky',
          reconnect: { initial: '200ms', max: '500ms' },
        },
      ],
      appServers: [
        {
          id: 'as',
          service: 'ext',
          link: 'flaky',
          stop: '5s',
          traffic: { pattern: 'constant', ratePerSecond: 3 },
          mix: { ttl: [{ value: 60, share: 1 }] },
        },
      ],
    });
    expect(ofKind(events, 'service.started')[0]).toMatchObject({ external: true, url: `${url}/` });
    // The outage happened: the link went down and the phones lost their connections.
    expect(ofKind(events, 'link.changed').some((e) => e.state === 'down')).toBe(true);
    expect(ofKind(events, 'agent.disconnected').length).toBeGreaterThan(0);

    const accepted = ofKind(events, 'message.accepted').map((e) => e.messageId);
    expect(accepted.length).toBeGreaterThanOrEqual(8);
    const pushed = new Set(ofKind(events, 'message.pushed').map((e) => e.messageId));
    const acked = new Set(ofKind(events, 'message.acked').map((e) => e.messageId));
    const receivedAt = new Map(ofKind(events, 'message.received').map((e) => [e.messageId, e.t]));
    // An ack whose 204 the outage cut off is invisible from outside (the service may have
    // taken it): only messages received away from the outage must show their ack.
    const startT = events[0]!.t;
    const nearOutage = (t: number): boolean => t - startT > 2000 && t - startT < 3700;
    for (const id of accepted) {
      expect(pushed.has(id), `${id} pushed`).toBe(true);
      expect(receivedAt.has(id), `${id} received`).toBe(true);
      if (!nearOutage(receivedAt.get(id)!)) expect(acked.has(id), `${id} acked`).toBe(true);
    }
    expect(acked.size).toBeGreaterThanOrEqual(accepted.length - 3);
    const check = checkEvents(events, { endT });
    expect(check.violations).toEqual([]);
    expect(check.notObservable.map((n) => n.rule)).toEqual(['lost']);
  }, 60_000);

  it('push-lab run warns about an unverified certificate, outlives an outage, lists what it cannot observe and exits 0', async () => {
    const file = path.join(dir, 'insecure.yaml');
    await writeFile(
      file,
      [
        'name: insecure external',
        'duration: 4s',
        'clock: { mode: real }',
        `services: [{ id: ext, url: "${url}/", insecure: true }]`,
        // Every link down for a second: no socket holds the process then, the run must.
        'links: [{ id: cut, faults: [{ type: outage, schedule: { kind: timeline, windows: [{ fromMs: 1500, toMs: 2500 }] } }] }]',
        'userAgents: [{ id: phone, service: ext, link: cut, reconnect: { initial: 200ms, max: 400ms } }]',
        'appServers: [{ id: as, service: ext, link: cut, stop: 3s, traffic: { pattern: constant, ratePerSecond: 2 } }]',
      ].join('\n'),
    );
    const { code, stdout, stderr } = runCli(['run', file], 30_000);
    expect(stderr).toBe('');
    expect(stdout).toContain(
      `warning: service ext (${url}/): insecure: its TLS certificate is not verified`,
    );
    expect(stdout).toMatch(/ext \(rfc8030\): [1-9]\d* accepted, [1-9]\d* delivered/);
    expect(stdout).toMatch(/not observable: Rule 'lost' is not observable for ext/);
    expect(stdout).toContain('invariants: all observable ones hold');
    expect(code).toBe(0);
  }, 60_000);
});

describe.each(['draft-thomson', 'draft-damaggio'])('an external %s service over h2c', (profile) => {
  let serve: Running;
  let url: string;
  beforeAll(async () => {
    serve = startCli([
      'serve',
      '--port',
      '0',
      '--json',
      '--h2c',
      '--subscriptions',
      '0',
      '--profile',
      profile,
    ]);
    url = (JSON.parse(await serve.waitFor(/"type":"listening"/)) as { url: string }).url;
  });
  afterAll(() => serve.stop());

  it('has every accepted message pushed and ended, named from what its profile gives', async () => {
    const { events, endT } = await run(`profile-${profile}`, {
      name: `external ${profile}`,
      duration: '4s',
      clock: { mode: 'real' },
      services: [{ id: 'ext', url: `${url}/`, profile }],
      links: [{ id: 'slow', faults: [{ type: 'latency', attributes: { latency: 20 } }] }],
      userAgents: [{ id: 'phone', service: 'ext', link: 'slow' }],
      appServers: [
        {
          id: 'as',
          service: 'ext',
          link: 'slow',
          stop: '2s',
          traffic: { pattern: 'constant', ratePerSecond: 3 },
          mix: { ttl: [{ value: 60, share: 1 }] },
        },
      ],
    });
    const accepted = ofKind(events, 'message.accepted').map((e) => e.messageId);
    expect(accepted.length).toBeGreaterThanOrEqual(4);
    const acked = new Set(ofKind(events, 'message.acked').map((e) => e.messageId));
    const received = new Set(ofKind(events, 'message.received').map((e) => e.messageId));
    for (const id of accepted) {
      expect(received.has(id), `${id} received`).toBe(true);
      expect(acked.has(id), `${id} acked`).toBe(true);
    }
    expect(checkEvents(events, { endT }).violations).toEqual([]);
  }, 30_000);
});

describe('push-lab run refuses an external service on the virtual clock', () => {
  it('exits 2 with one sentence naming the field', async () => {
    const file = path.join(dir, 'virtual.yaml');
    await writeFile(
      file,
      [
        'name: external on the virtual clock',
        'duration: 3s',
        'services: [{ id: ext, url: "http://127.0.0.1:9/" }]',
        'userAgents: [{ id: phone, service: ext }]',
      ].join('\n'),
    );
    const { code, stderr } = runCli(['run', file]);
    expect(code).toBe(2);
    expect(stderr).toContain('is not a valid scenario');
    expect(stderr).toMatch(
      /services\.0\.url: an external service needs clock mode real or scaled: a real service does not follow a virtual clock/,
    );
    expect(stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });
});

/**
 * A small RFC 8030 push service on node:http2 (cleartext) that delivers each message
 * `deliveries` times, the first after `firstDelayMs`, the next ones `againAfterMs` apart.
 */
async function misbehavingService(behaviour: {
  firstDelayMs: number;
  deliveries: number;
  againAfterMs: number;
}): Promise<{ url: string; close: () => Promise<void> }> {
  const monitors = new Map<string, http2.ServerHttp2Stream>();
  const timers = new Set<NodeJS.Timeout>();
  let count = 0;
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    const method = headers[':method'];
    const path = String(headers[':path']);
    if (method === 'POST' && path === '/subscribe') {
      const id = `s${++count}`;
      stream.respond({
        ':status': 201,
        location: `/subscription/${id}`,
        link: `</push/${id}>; rel="urn:ietf:params:push"`,
      });
      stream.end();
    } else if (method === 'GET' && path.startsWith('/subscription/')) {
      monitors.set(path.slice('/subscription/'.length), stream);
      stream.respond({ ':status': 200 });
    } else if (method === 'POST' && path.startsWith('/push/')) {
      const id = path.slice('/push/'.length);
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const messagePath = `/message/${id}-${++count}`;
        stream.respond({ ':status': 201, location: messagePath });
        stream.end();
        const body = Buffer.concat(chunks);
        for (let i = 0; i < behaviour.deliveries; i++) {
          const timer = setTimeout(
            () => {
              timers.delete(timer);
              const monitor = monitors.get(id);
              if (!monitor || monitor.closed) return;
              monitor.pushStream({ ':path': messagePath }, (error, pushed) => {
                if (error) return;
                pushed.on('error', () => {});
                pushed.respond({
                  ':status': 200,
                  'content-encoding': 'aes128gcm',
                  'content-length': body.length,
                });
                pushed.end(body);
              });
            },
            behaviour.firstDelayMs + i * behaviour.againAfterMs,
          );
          timers.add(timer);
        }
      });
    } else if (method === 'DELETE' && path.startsWith('/message/')) {
      stream.respond({ ':status': 204 });
      stream.end();
    } else {
      stream.respond({ ':status': 404 });
      stream.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('an external service that misbehaves is caught', () => {
  it.each([
    {
      what: 'delivering each message again after it was acked',
      behaviour: { firstDelayMs: 0, deliveries: 2, againAfterMs: 600 },
      ttl: 60,
      rule: 'bookkeeping',
      sentence: /pushed at seq \d+ after it was acked/,
    },
    {
      what: 'delivering each message after its TTL ran out',
      behaviour: { firstDelayMs: 1800, deliveries: 1, againAfterMs: 0 },
      ttl: 1,
      rule: 'pushed-after-expiry',
      sentence: /after its TTL of 1 s ran out/,
    },
  ])(
    '$what',
    async ({ behaviour, ttl, rule, sentence }) => {
      const service = await misbehavingService(behaviour);
      try {
        const { events, endT } = await run(`bad-${rule}`, {
          name: `misbehaving: ${rule}`,
          duration: '5s',
          clock: { mode: 'real' },
          services: [{ id: 'bad', url: service.url }],
          links: [{ id: 'slow', faults: [{ type: 'latency', attributes: { latency: 20 } }] }],
          userAgents: [{ id: 'phone', service: 'bad', link: 'slow' }],
          appServers: [
            {
              id: 'as',
              service: 'bad',
              link: 'slow',
              stop: '2s',
              traffic: { pattern: 'constant', ratePerSecond: 2 },
              mix: { ttl: [{ value: ttl, share: 1 }] },
            },
          ],
        });
        const check = checkEvents(events, { endT });
        const accepted = ofKind(events, 'message.accepted').length;
        expect(accepted).toBeGreaterThanOrEqual(2);
        expect(check.countByRule[rule as keyof typeof check.countByRule]).toBeGreaterThanOrEqual(
          accepted - 1,
        );
        expect(check.violations.find((v) => v.rule === rule)?.sentence).toMatch(sentence);
      } finally {
        await service.close();
      }
    },
    30_000,
  );
});
