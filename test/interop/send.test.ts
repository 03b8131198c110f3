/**
 * `push-lab send` as a real process against a real `push-lab serve` (another process): what
 * it sends — aes128gcm and the legacy aesgcm, with and without VAPID (both schemes), over
 * HTTP/2 (TLS and h2c) and HTTP/1.1 — arrives at serve's built-in user agent and is
 * decrypted there; TTL, Urgency and Topic reach the service; a receipt comes back; a refused
 * push prints the service's problem and exits 1; bad input exits 2 naming what is wrong.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_SHOWN_CHARS_MAX } from '../../src/main/cli/send';
import { UserAgent } from '../../src/main/engine/agents/user-agent';
import { Rng } from '../../src/main/engine/rng/rng';
import { startCli, type Running } from '../helpers/cli';
import { startService } from '../helpers/h2';
import { eventually } from '../helpers/poll';

const dirs: string[] = [];
const serves: Running[] = [];
afterAll(async () => {
  await Promise.all(serves.splice(0).map((s) => s.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'push-lab-send-'));
  dirs.push(dir);
  return dir;
}

interface Served {
  serve: Running;
  /** The subscription serve printed, as a file. */
  subscription: string;
  endpoint: string;
  ca: string | undefined;
}

async function serve(flags: string[]): Promise<Served> {
  const dir = tempDir();
  const serve = startCli(['serve', '--port', '0', '--json', '--data', dir, ...flags]);
  serves.push(serve);
  const listening = JSON.parse(await serve.waitFor(/"type":"listening"/, 60_000)) as {
    ca?: string;
  };
  const subscription = path.join(dir, 'subscription.json');
  const line = await serve.waitFor(/"type":"subscription"/);
  writeFileSync(subscription, line);
  const { endpoint } = JSON.parse(line) as { endpoint: string };
  return { serve, subscription, endpoint, ca: listening.ca };
}

/** Runs `push-lab send …` to its end (several at once: each start costs seconds). */
async function send(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = startCli(['send', ...args]);
  const code = await new Promise<number>((resolve) =>
    run.child.once('close', (c: number | null) => resolve(c ?? -1)),
  );
  return { code, stdout: run.lines.join('\n'), stderr: run.stderr() };
}

/** The message serve's user agent received with this plaintext. */
async function received(served: Served, text: string): Promise<Record<string, unknown>> {
  const line = await served.serve.waitFor(new RegExp(`"type":"message".*"plaintext":"${text}"`));
  return JSON.parse(line) as Record<string, unknown>;
}

describe('push-lab send → push-lab serve (TLS)', () => {
  let tls: Served;
  beforeAll(async () => {
    tls = await serve([]);
  }, 60_000);

  it('aes128gcm and aesgcm, over HTTP/2 and HTTP/1.1, arrive decrypted', async () => {
    const cases = [
      { text: 'h2-aes128gcm', flags: [], version: 'HTTP/2', encoding: 'aes128gcm' },
      { text: 'h2-aesgcm', flags: ['--encoding', 'aesgcm'], version: 'HTTP/2', encoding: 'aesgcm' },
      { text: 'h1-aes128gcm', flags: ['--http1'], version: 'HTTP/1.1', encoding: 'aes128gcm' },
      {
        text: 'h1-aesgcm',
        flags: ['--http1', '--encoding', 'aesgcm'],
        version: 'HTTP/1.1',
        encoding: 'aesgcm',
      },
    ];
    const runs = await Promise.all(
      cases.map((c) => send([tls.subscription, '--ca', tls.ca!, '--text', c.text, ...c.flags])),
    );
    for (const [i, c] of cases.entries()) {
      const run = runs[i]!;
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`> POST ${tls.endpoint} ${c.version}\n`);
      expect(run.stdout).toContain(`> content-encoding: ${c.encoding}`);
      expect(run.stdout).toMatch(new RegExp(`< ${c.version} 201\\n`));
      expect(run.stdout).toMatch(/^accepted: 201, message https:\/\/127\.0\.0\.1:\d+\/message\//m);
      expect(await received(tls, c.text)).toMatchObject({
        decrypted: true,
        contentEncoding: c.encoding,
        legacy: c.encoding === 'aesgcm',
      });
    }
  }, 120_000);

  it('TTL, Urgency and Topic reach the service; --json prints the exchange as one object', async () => {
    const run = await send([
      tls.subscription,
      '--ca',
      tls.ca!,
      '--text',
      'with-directives',
      '--ttl',
      '45',
      '--urgency',
      'low',
      '--topic',
      'scores',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const exchange = JSON.parse(run.stdout) as {
      request: { headers: Record<string, string>; httpVersion: string };
      response: { status: number };
      location: string;
    };
    expect(exchange.request.headers).toMatchObject({ ttl: '45', urgency: 'low', topic: 'scores' });
    expect(exchange).toMatchObject({ response: { status: 201 }, request: { httpVersion: '2' } });
    await received(tls, 'with-directives');
    const accepted = tls.serve.lines
      .filter((l) => l.includes('"kind":"message.accepted"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(accepted).toContainEqual(
      expect.objectContaining({ ttlSeconds: 45, urgency: 'low', topic: 'scores' }),
    );
  }, 60_000);

  it('--receipt asks for a receipt and prints it when the user agent acknowledges', async () => {
    const run = await send([tls.subscription, '--ca', tls.ca!, '--text', 'receipted', '--receipt']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('> prefer: respond-async');
    expect(run.stdout).toMatch(/< HTTP\/2 202\n/);
    const location = /^< location: (\S+)$/m.exec(run.stdout)![1]!;
    expect(run.stdout).toMatch(
      new RegExp(
        `^receipt: 204 delivered for ${new URL(location).pathname} after [\\d.,]+ (ms|s|min)$`,
        'm',
      ),
    );
    await received(tls, 'receipted');
  }, 60_000);

  it("without the service's CA it exits 1 and says which flag helps", async () => {
    const run = await send([tls.subscription, '--text', 'x']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/self-signed certificate.*--ca FILE.*--insecure/);
    const insecure = await send([tls.subscription, '--insecure', '--text', 'insecure-ok']);
    expect(insecure.code, insecure.stderr).toBe(0);
    await received(tls, 'insecure-ok');
  }, 60_000);
});

describe('push-lab send → push-lab serve (h2c)', () => {
  it('sends to an http:// endpoint over cleartext HTTP/2', async () => {
    const h2c = await serve(['--h2c']);
    const run = await send([h2c.subscription, '--text', 'over-h2c', '--encoding', 'aesgcm']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^> POST http:\/\/127\.0\.0\.1:\d+\/push\/\S+ HTTP\/2$/m);
    expect(await received(h2c, 'over-h2c')).toMatchObject({ decrypted: true, legacy: true });
  }, 60_000);
});

describe('push-lab send with VAPID → a restricted subscription', () => {
  it('signed with the key (vapid, and WebPush with aesgcm) arrives; another key or none is refused with the problem, exit 1', async () => {
    const dir = tempDir();
    const keyFile = path.join(dir, 'vapid.json');
    const other = path.join(dir, 'other.json');
    const [gen, genOther] = await Promise.all([
      send(['--gen-vapid-key', keyFile]),
      send(['--gen-vapid-key', other]),
    ]);
    expect(gen.code, gen.stderr).toBe(0);
    expect(genOther.code, genOther.stderr).toBe(0);
    const publicKey = /public key .*: ([\w-]+)$/m.exec(gen.stdout)![1]!;
    const restricted = await serve(['--vapid-key', publicKey]);
    const base = [restricted.subscription, '--ca', restricted.ca!];
    const subject = ['--vapid-subject', 'mailto:qa@example.com'];
    const [modern, legacy, stranger, unsigned] = await Promise.all([
      send([...base, '--text', 'signed-vapid', '--vapid-key', keyFile, ...subject]),
      send([...base, '--text', 'signed-webpush', '--vapid-key', keyFile, '--encoding', 'aesgcm']),
      send([...base, '--text', 'stranger', '--vapid-key', other]),
      send([...base, '--text', 'unsigned']),
    ]);
    expect(modern.code, modern.stderr).toBe(0);
    expect(modern.stdout).toMatch(
      /^> authorization: vapid t=<JWT \{"aud":"https:\/\/127\.0\.0\.1:\d+","exp":\d+,"sub":"mailto:qa@example\.com"\}, signature elided>, k=[\w-]+$/m,
    );
    expect(legacy.code, legacy.stderr).toBe(0);
    expect(legacy.stdout).toMatch(/^> authorization: WebPush <JWT .*signature elided>$/m);
    expect(legacy.stdout).toMatch(/^> crypto-key: dh=[\w-]+;p256ecdsa=[\w-]+$/m);
    expect(await received(restricted, 'signed-vapid')).toMatchObject({ decrypted: true });
    expect(await received(restricted, 'signed-webpush')).toMatchObject({ legacy: true });
    for (const refused of [stranger, unsigned]) {
      expect(refused.code).toBe(1);
      expect(refused.stdout).toMatch(/^< HTTP\/2 40[13]$/m);
      expect(refused.stdout).toMatch(/^< content-type: application\/problem\+json/m);
      expect(refused.stdout).toMatch(/^refused: 40[13] \S/m);
    }
    expect(stranger.stdout).toMatch(/refused: 403 .*key/);
  }, 120_000);
});

describe('push-lab send → a full queue', () => {
  it('prints the 429, its Retry-After and the problem, and exits 1', async () => {
    const full = await serve(['--queue-max', '1', '--no-charging', '--no-wifi']);
    const args = [full.subscription, '--ca', full.ca!, '--urgency', 'very-low', '--text'];
    const first = await send([...args, 'held']);
    expect(first.code, first.stderr).toBe(0);
    const second = await send([...args, 'one-too-many']);
    expect(second.code).toBe(1);
    expect(second.stdout).toMatch(/^< HTTP\/2 429$/m);
    expect(second.stdout).toMatch(/^< retry-after: \d+$/m);
    expect(second.stdout).toMatch(/^refused: 429 .*1 messages? outstanding/m);
  }, 90_000);
});

describe('push-lab send: bad input exits 2 naming it', () => {
  it('a bad subscription, a missing file, a bad urgency, too long a text, receipts over HTTP/1.1', async () => {
    const dir = tempDir();
    const bad = path.join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        endpoint: 'https://push.example.net/p/1',
        keys: { p256dh: 'AAAA', auth: 'x' },
      }),
    );
    const good = path.join(dir, 'good.json');
    writeFileSync(
      good,
      JSON.stringify({
        endpoint: 'https://push.example.net/p/1',
        keys: {
          p256dh:
            'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
          auth: 'BTBZMqHH6r4Tts7J_aSIgg',
        },
      }),
    );
    const huge = path.join(dir, 'huge.json');
    writeFileSync(huge, ' '.repeat(70_000));
    const runs = await Promise.all([
      send([bad, '--text', 'x']),
      send([path.join(dir, 'missing.json'), '--text', 'x']),
      send([good, '--urgency', 'urgent']),
      send([good, '--text', 'x'.repeat(3994)]),
      send([good, '--text', 'x', '--receipt', '--http1']),
      send([good, '--text', 'x', '--file', bad]),
      send([huge, '--text', 'x']),
    ]);
    const expected = [
      /bad\.json: keys\.p256dh: got "AAAA"; allowed base64url of a 65-octet uncompressed P-256 point/,
      /SUBSCRIPTION\.json .*missing\.json: cannot read it \(ENOENT\)/,
      /--urgency.*got "urgent"; allowed very-low, low, normal, high/,
      /--text: 3994 octets; allowed at most 3993 with --encoding aes128gcm/,
      /--receipt with --http1: receipts are server pushes, HTTP\/2 only/,
      /--text and --file: both given/,
      /SUBSCRIPTION\.json .*huge\.json: 70000 bytes; a subscription file may have at most 65536/,
    ];
    for (const [i, run] of runs.entries()) {
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(expected[i]!);
      expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  }, 90_000);
});

describe('push-lab send → a hostile service', () => {
  const servers: { close(): void }[] = [];
  afterAll(() => servers.forEach((server) => server.close()));

  it('a 1 MiB error body over HTTP/2 and HTTP/1.1 is cut: the problem is printed, bounded, exit 1', async () => {
    const flood = Buffer.alloc(1024 * 1024, 0x78);
    const h2 = http2.createServer();
    h2.on('stream', (stream) => {
      stream.on('error', () => {});
      stream.respond({ ':status': 500, 'content-type': 'text/plain' });
      stream.end(flood);
    });
    const h1 = http.createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(flood);
    });
    servers.push(h2, h1);
    const port = async (server: Server) => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.address() as AddressInfo).port;
    };
    const dir = tempDir();
    const subscriptionAt = (p: number) => {
      const file = path.join(dir, `sub-${p}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          endpoint: `http://127.0.0.1:${p}/push/x`,
          keys: {
            p256dh:
              'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
            auth: 'BTBZMqHH6r4Tts7J_aSIgg',
          },
        }),
      );
      return file;
    };
    const [overH2, overH1] = await Promise.all([
      send([subscriptionAt(await port(h2)), '--text', 'x']),
      send([subscriptionAt(await port(h1)), '--text', 'x', '--http1']),
    ]);
    for (const run of [overH2, overH1]) {
      expect(run.code, run.stderr).toBe(1);
      expect(run.stdout).toMatch(/^< HTTP\/(2|1\.1) 500$/m);
      expect(run.stdout).toMatch(/^refused: 500 x+$/m);
      expect(run.stdout.length).toBeLessThan(BODY_SHOWN_CHARS_MAX + 2000);
    }
  }, 60_000);
});

describe('push-lab send --profile draft-damaggio', () => {
  it("sends the profile's JSON envelope; the receipt comes from the subscription's receipt resource", async () => {
    const { service, bus, clock } = await startService({ profile: 'draft-damaggio' });
    const received: string[] = [];
    const ua = new UserAgent(
      {
        agentId: 'ua1',
        serviceUrl: service.url,
        serviceId: service.id,
        subscribePath: new URL(service.subscribeUrl).pathname,
        profile: 'draft-damaggio',
        onMessage: (m) => {
          received.push(m.plaintext?.toString('utf8') ?? '');
        },
      },
      clock,
      bus,
      new Rng(1),
    );
    try {
      await ua.start(1);
      const sub = ua.subscriptions[0]!;
      const file = path.join(tempDir(), 'damaggio.json');
      writeFileSync(
        file,
        JSON.stringify({
          endpoint: sub.pushUrl,
          keys: { p256dh: sub.keys.p256dh, auth: sub.keys.auth },
        }),
      );
      const run = await send([
        file,
        '--profile',
        'draft-damaggio',
        '--text',
        'enveloped',
        '--receipt',
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('> content-type: application/json');
      expect(run.stdout).toMatch(/^< HTTP\/2 201$/m);
      expect(run.stdout).toMatch(/^receipt: 204 delivered for \/p\/\S+ after [\d.,]+ (ms|s|min)$/m);
      await eventually('the user agent to decrypt the enveloped message', () =>
        received.includes('enveloped'),
      );
    } finally {
      await ua.stop();
      await service.stop();
    }
  }, 60_000);
});

describe('push-lab send → push-lab proxy → push-lab serve', () => {
  it('goes through a slow link with its receipt; with the link down it exits 1 naming where', async () => {
    const tls = await serve([]);
    const upstream = new URL(tls.endpoint).host;
    const proxy = startCli([
      ...'proxy --listen 127.0.0.1:0 --api 127.0.0.1:0 --fault latency:latency=400'.split(' '),
      ...['--upstream', upstream],
    ]);
    serves.push(proxy);
    const listen = /created: (\S+) →/.exec(
      await proxy.waitFor(/^proxy push-lab created: /, 30_000),
    )![1]!;
    const api = /^api (\S+)/.exec(await proxy.waitFor(/^api /))![1]!;
    // TLS passes through the proxy end to end: the same certificate, another port.
    const viaProxy = path.join(tempDir(), 'via-proxy.json');
    const subscription = JSON.parse(readFileSync(tls.subscription, 'utf8')) as Record<
      string,
      unknown
    >;
    writeFileSync(
      viaProxy,
      JSON.stringify({ ...subscription, endpoint: tls.endpoint.replace(upstream, listen) }),
    );
    const slow = await send([
      viaProxy,
      '--ca',
      tls.ca!,
      '--text',
      'through-the-proxy',
      '--receipt',
    ]);
    expect(slow.code, slow.stderr).toBe(0);
    expect(slow.stdout).toContain(`> POST https://${listen}/push/`);
    expect(slow.stdout).toMatch(/^receipt: 204 delivered/m);
    expect(await received(tls, 'through-the-proxy')).toMatchObject({ decrypted: true });
    await proxy.waitFor(/connection \S+ opened/);
    const down = await fetch(`${api}/proxies/push-lab/toxics`, {
      method: 'POST',
      body: JSON.stringify({ name: 'down', type: 'outage', attributes: { mode: 'reset' } }),
    });
    expect(down.ok).toBe(true);
    const lost = await send([viaProxy, '--ca', tls.ca!, '--text', 'lost']);
    expect(lost.code).toBe(1);
    expect(lost.stderr).toMatch(new RegExp(`^push-lab: https://${listen.replace(/\./g, '\\.')}: `));
  }, 90_000);
});
