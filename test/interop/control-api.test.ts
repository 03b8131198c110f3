/**
 * `push-lab serve --control`: the real CLI, driven from a test suite over its control API
 * with fetch while `web-push` sends to the push service — received messages decrypted with
 * their headers, the next-message long poll and its timeout, subscribe (VAPID-restricted),
 * expire and unsubscribe (the sender then gets 404), reset, and clear answers to bad input.
 */
import http from 'node:http';
import https from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, type Running } from '../helpers/cli';
import { eventually } from '../helpers/poll';

interface Sub {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}
interface View {
  id: string;
  state: string;
  applicationServerKey: string | null;
  subscription: Sub;
}
interface Message {
  seq: number;
  plaintext: string;
  decrypted: boolean;
  endpoint: string;
  headers: Record<string, string>;
}
interface ProblemBody {
  status: number;
  detail: string;
}

const started: { serve: Running; dataDir: string; agent: https.Agent }[] = [];

async function serveWithControl(flags: string[] = []) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'push-lab-control-'));
  const serve = startCli([
    'serve',
    '--port',
    '0',
    '--json',
    '--data',
    dataDir,
    '--control',
    '127.0.0.1:0',
    ...flags,
  ]);
  const listening = JSON.parse(await serve.waitFor(/"type":"listening"/)) as { ca: string };
  const agent = new https.Agent({ ca: readFileSync(listening.ca, 'utf8') });
  started.push({ serve, dataDir, agent });
  const control = (JSON.parse(await serve.waitFor(/"type":"control"/)) as { url: string }).url;
  const printed = JSON.parse(await serve.waitFor(/"type":"subscription"/)) as Sub & { id: string };
  const api = async <T = unknown>(
    route: string,
    init: { method?: string; body?: unknown; type?: string } = {},
  ): Promise<{ status: number; json: T; headers: Headers }> => {
    const res = await fetch(new URL(route, control), {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      ...(init.body !== undefined
        ? {
            body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
            headers: { 'content-type': init.type ?? 'application/json' },
          }
        : {}),
    });
    return { status: res.status, json: (await res.json()) as T, headers: res.headers };
  };
  const send = (sub: Sub, text: string, options: webpush.RequestOptions = {}) =>
    webpush.sendNotification(sub, text, { TTL: 120, agent, ...options });
  return { serve, control, printed, api, send };
}

afterAll(async () => {
  for (const { serve, dataDir, agent } of started.splice(0)) {
    agent.destroy();
    await serve.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

describe('serve --control: the test harness API', () => {
  let s: Awaited<ReturnType<typeof serveWithControl>>;
  beforeAll(async () => {
    s = await serveWithControl();
  }, 30_000);

  it('lists the built-in subscriptions as serve printed them', async () => {
    const { status, json } = await s.api<{ subscriptions: View[] }>('/subscriptions');
    expect(status).toBe(200);
    expect(json.subscriptions).toEqual([
      {
        id: s.printed.id,
        state: 'active',
        agent: 'ua1',
        applicationServerKey: null,
        subscription: { endpoint: s.printed.endpoint, expirationTime: null, keys: s.printed.keys },
      },
    ]);
  });

  it('gives each message a web-push send delivered, decrypted, with its headers', async () => {
    await s.api('/reset', { body: {} });
    expect((await s.send(s.printed, 'first ✓', { urgency: 'high' })).statusCode).toBe(201);
    const next = await s.api<{ message: Message }>('/messages/next?timeoutMs=5000');
    expect(next.status).toBe(200);
    expect(next.json.message).toMatchObject({
      plaintext: 'first ✓',
      decrypted: true,
      endpoint: s.printed.endpoint,
      contentEncoding: 'aes128gcm',
      subscription: s.printed.id,
    });
    expect(next.json.message.headers['content-encoding']).toBe('aes128gcm');
    const all = await s.api<{ messages: Message[]; dropped: number; keptMax: number }>(
      `/messages?subscription=${s.printed.id}`,
    );
    expect(all.json.messages.map((m) => m.plaintext)).toEqual(['first ✓']);
    expect(all.json).toMatchObject({ dropped: 0, keptMax: 1000 });
  });

  it('holds a long poll until the next message arrives, and times out with message null', async () => {
    await s.api('/reset', { body: {} });
    const waiting = s.api<{ message: Message }>(
      `/messages/next?subscription=${encodeURIComponent(s.printed.endpoint)}&timeoutMs=10000`,
    );
    // The poll is open before the send: it must be the one that gets the message.
    await eventually('the long poll to be open', async () => {
      const { json } = await s.api<{ waiting: number }>('/');
      return json.waiting === 1;
    });
    await s.send(s.printed, 'while you waited');
    expect((await waiting).json.message.plaintext).toBe('while you waited');

    const before = Date.now();
    const quiet = await s.api('/messages/next?timeoutMs=300');
    expect(quiet.json).toEqual({ message: null, timedOut: true, timeoutMs: 300 });
    expect(Date.now() - before).toBeGreaterThanOrEqual(290);
  });

  it('lets go of a long poll whose client went away, so it takes no message', async () => {
    const gaveUp = new AbortController();
    const poll = fetch(new URL('/messages/next?timeoutMs=10000', s.control), {
      signal: gaveUp.signal,
    }).catch(() => null);
    await eventually(
      'the long poll to be open',
      async () => (await s.api<{ waiting: number }>('/')).json.waiting === 1,
    );
    gaveUp.abort();
    await poll;
    await eventually(
      'the poll to be let go',
      async () => (await s.api<{ waiting: number }>('/')).json.waiting === 0,
    );
  });

  it('subscribes restricted to a VAPID key: unsigned sends get 401, signed ones arrive', async () => {
    const vapid = webpush.generateVAPIDKeys();
    const made = await s.api<View>('/subscriptions', {
      body: { applicationServerKey: vapid.publicKey },
    });
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({ state: 'active', applicationServerKey: vapid.publicKey });
    await expect(s.send(made.json.subscription, 'unsigned')).rejects.toMatchObject({
      statusCode: 401,
    });
    await s.send(made.json.subscription, 'signed', {
      vapidDetails: { subject: 'mailto:qa@example.com', ...vapid },
    });
    const next = await s.api<{ message: Message }>(
      `/messages/next?subscription=${made.json.id}&timeoutMs=5000`,
    );
    expect(next.json.message).toMatchObject({ plaintext: 'signed', decrypted: true });
  });

  it('expires a subscription: its sender gets 404, and expiring it again is a conflict', async () => {
    const made = (await s.api<View>('/subscriptions', { body: {} })).json;
    const expired = await s.api<View>(`/subscriptions/${made.id}/expire`, { body: {} });
    expect(expired.json.state).toBe('expired');
    await expect(s.send(made.subscription, 'too late')).rejects.toMatchObject({
      statusCode: 404,
      body: expect.stringContaining('expired, deleted, or never issued'),
    });
    const again = await s.api<ProblemBody>(`/subscriptions/${made.id}/expire`, { body: {} });
    expect(again.status).toBe(409);
    expect(again.json.detail).toContain(`subscription ${made.id}: already expired`);
    const listed = await s.api<{ subscriptions: View[] }>('/subscriptions');
    expect(listed.json.subscriptions.find((v) => v.id === made.id)?.state).toBe('expired');
  });

  it('unsubscribes through the built-in user agent: its sender gets 404', async () => {
    const made = (await s.api<View>('/subscriptions', { body: {} })).json;
    const gone = await s.api<View>(`/subscriptions/${made.id}/unsubscribe`, { body: {} });
    expect(gone.status).toBe(200);
    expect(gone.json.state).toBe('unsubscribed');
    await expect(s.send(made.subscription, 'anyone?')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('answers bad input with a problem naming the field, the value and what is allowed', async () => {
    const cases: [string, Parameters<typeof s.api>[1], number, string][] = [
      [
        '/subscriptions',
        { body: { applicationServerKey: 42 } },
        400,
        'body.applicationServerKey: got 42',
      ],
      [
        '/subscriptions',
        { body: { key: 'x' } },
        400,
        'unknown field(s) key; allowed applicationServerKey',
      ],
      ['/subscriptions', { body: { applicationServerKey: 'abc' } }, 400, 'applicationServerKey: '],
      ['/subscriptions', { body: '{"applicationServerKey":' }, 400, 'body: not JSON'],
      [
        '/subscriptions',
        { body: 'applicationServerKey=x', type: 'text/plain' },
        415,
        'allowed application/json',
      ],
      ['/subscriptions', { body: { pad: 'x'.repeat(20_000) } }, 413, 'allowed at most 16384'],
      ['/subscriptions/nope/expire', { body: {} }, 404, 'subscription: got "nope"'],
      ['/messages?subscription=nope', {}, 404, 'subscription: got "nope"'],
      [
        '/messages/next?timeoutMs=999999',
        {},
        400,
        'query.timeoutMs: got "999999"; allowed 0 to 60000',
      ],
      ['/messages/next?wait=1', {}, 400, 'unknown field(s) wait'],
      ['/reset', { method: 'DELETE' }, 405, 'allowed POST'],
      ['/nothing-here', {}, 404, 'no such route'],
      ['/subscriptions/%E0%A4%A/expire', { body: {} }, 400, 'not valid percent-encoding'],
      ['/messages?constructor=1', {}, 400, 'unknown field(s) constructor; allowed subscription'],
    ];
    for (const [route, init, status, detail] of cases) {
      const res = await s.api<ProblemBody>(route, init);
      expect({ route, status: res.status }).toEqual({ route, status });
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.json.detail).toContain(detail);
    }
  });

  it('refuses a request whose Host is not this loopback address (DNS rebinding)', async () => {
    const url = new URL('/subscriptions', s.control);
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get(url, { headers: { host: `attacker.example:${url.port}` } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject);
    });
    expect(status).toBe(403);
  });
});

describe('serve --control: reset', () => {
  it('forgets received messages and drops what the built-in subscriptions hold queued', async () => {
    // On battery off Wi-Fi the user agent wants normal and above: a low message stays queued.
    const s = await serveWithControl(['--no-charging', '--no-wifi']);
    await s.send(s.printed, 'can wait', { urgency: 'low' });
    await s.send(s.printed, 'now', { urgency: 'normal' });
    await eventually('the normal message', async () => {
      const { json } = await s.api<{ messages: Message[] }>('/messages');
      return json.messages.length === 1;
    });
    const reset = await s.api('/reset', { body: {} });
    expect(reset.json).toEqual({ forgotten: 1, dropped: 1 });
    const dropped = JSON.parse(await s.serve.waitFor(/"kind":"message.dropped"/)) as {
      reason: string;
    };
    expect(dropped.reason).toBe('reset');
    expect((await s.api<{ messages: Message[] }>('/messages')).json.messages).toEqual([]);
  }, 30_000);

  it('refuses a control address that is not loopback, naming the flag (exit 2)', () => {
    const run = runCli(['serve', '--port', '0', '--control', '0.0.0.0:7300']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "option '--control <host:port>' argument '0.0.0.0:7300' is invalid",
    );
    expect(run.stderr).toContain('allowed a loopback address and a port');
  });
});
