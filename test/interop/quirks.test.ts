/**
 * `push-lab serve --quirks <provider>` as a real process, driven by the `web-push` npm library
 * the way an application server uses it: each overlay's documented status codes, bodies,
 * headers and limits are what a sender sees from outside (docs/profiles.md, "Provider quirks").
 */
import { createECDH, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import webpush, { type RequestOptions } from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, type Running } from '../helpers/cli';
import { eventually } from '../helpers/poll';

interface Sub {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

const vapid = webpush.generateVAPIDKeys();
const vapidDetails = {
  subject: 'mailto:qa@example.com',
  publicKey: vapid.publicKey,
  privateKey: vapid.privateKey,
};

/** A running `serve --quirks <name>` in TLS mode, its CA trusted, and one built-in subscription. */
function serveWith(quirks: string) {
  const state = {
    serve: null as Running | null,
    dataDir: '',
    ca: '',
    url: '',
    agent: null as https.Agent | null,
    builtIn: null as Sub | null,
  };
  beforeAll(async () => {
    state.dataDir = mkdtempSync(path.join(tmpdir(), 'push-lab-quirks-'));
    state.serve = startCli([
      'serve',
      '--port',
      '0',
      '--json',
      '--quirks',
      quirks,
      '--data',
      state.dataDir,
    ]);
    const listening = JSON.parse(await state.serve.waitFor(/"type":"listening"/)) as {
      ca: string;
      url: string;
      quirks: string;
    };
    expect(listening.quirks).toBe(quirks);
    state.ca = readFileSync(listening.ca, 'utf8');
    state.url = listening.url;
    state.agent = new https.Agent({ ca: state.ca });
    state.builtIn = JSON.parse(await state.serve.waitFor(/"type":"subscription"/)) as Sub;
  }, 30_000);
  afterAll(async () => {
    state.agent?.destroy();
    await state.serve?.stop();
    rmSync(state.dataDir, { recursive: true, force: true });
  });
  return state;
}

/**
 * A subscription the test makes itself over HTTP/2 (so it can delete it, as a browser
 * unsubscribing does): its push endpoint with fresh keys, and a function that unsubscribes.
 */
async function ownSubscription(url: string, ca: string) {
  const session = http2.connect(url, { ca });
  const request = (headers: http2.OutgoingHttpHeaders) =>
    new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
      const stream = session.request(headers, { endStream: true });
      stream.on('response', resolve);
      stream.on('error', reject);
      stream.resume();
    });
  const made = await request({ ':method': 'POST', ':path': '/subscribe' });
  const push = /<([^>]+)>;\s*rel="urn:ietf:params:push"/.exec(String(made['link']))![1]!;
  const ecdh = createECDH('prime256v1');
  const sub: Sub = {
    endpoint: new URL(push, url).href,
    keys: {
      p256dh: ecdh.generateKeys().toString('base64url'),
      auth: randomBytes(16).toString('base64url'),
    },
  };
  const unsubscribe = async () => {
    const answer = await request({
      ':method': 'DELETE',
      ':path': new URL(String(made['location'])).pathname,
    });
    session.close();
    return answer[':status'];
  };
  return { sub, unsubscribe };
}

/** What web-push rejects with on a non-2xx answer. */
interface WebPushError {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

async function refused(sub: Sub, text: string, options: RequestOptions): Promise<WebPushError> {
  try {
    await webpush.sendNotification(sub, text, options);
  } catch (error) {
    return error as WebPushError;
  }
  throw new Error('the push service accepted the send');
}

describe('serve --quirks autopush, with web-push', () => {
  const lab = serveWith('autopush');

  it('lowers a 58-day TTL to its 30-day cap, echoes TTL and delivers the message', async () => {
    const res = await webpush.sendNotification(lab.builtIn!, 'hello autopush', {
      TTL: 5_000_000,
      vapidDetails,
      agent: lab.agent!,
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['ttl']).toBe('2592000');
    const line = JSON.parse(await lab.serve!.waitFor(/"type":"message"/)) as Record<
      string,
      unknown
    >;
    expect(line).toMatchObject({ plaintext: 'hello autopush', decrypted: true });
  });

  it('answers 413 errno 104 for a payload over 4096 bytes, and 410 errno 103 after the subscription was deleted', async () => {
    const own = await ownSubscription(lab.url, lab.ca);
    const tooLarge = await refused(own.sub, 'x'.repeat(4096), { TTL: 60, agent: lab.agent! });
    expect(tooLarge.statusCode).toBe(413);
    expect(JSON.parse(tooLarge.body)).toMatchObject({ code: 413, errno: 104 });
    expect(await own.unsubscribe()).toBe(204);
    const gone = await refused(own.sub, 'x', { TTL: 60, agent: lab.agent! });
    expect(gone.statusCode).toBe(410);
    expect(JSON.parse(gone.body)).toMatchObject({
      code: 410,
      errno: 103,
      error: 'Gone',
      more_info: 'http://autopush.readthedocs.io/en/latest/http.html#error-codes',
    });
  });
});

describe('serve --quirks fcm, with web-push', () => {
  const lab = serveWith('fcm');

  it('lowers a 40-day TTL to 2,419,200 s and answers 410 with its text body once unsubscribed', async () => {
    const own = await ownSubscription(lab.url, lab.ca);
    const res = await webpush.sendNotification(own.sub, 'x', {
      TTL: 40 * 86_400,
      agent: lab.agent!,
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['ttl']).toBe('2419200');
    await own.unsubscribe();
    const gone = await refused(own.sub, 'x', { TTL: 60, agent: lab.agent! });
    expect(gone.statusCode).toBe(410);
    expect(gone.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(gone.body).toBe('push subscription has unsubscribed or expired.\n');
  });
});

describe('serve --quirks apple, with web-push', () => {
  const lab = serveWith('apple');

  it('refuses a send without VAPID with 403 BadJwtToken, accepts a signed one with an apns-id', async () => {
    const bad = await refused(lab.builtIn!, 'x', { TTL: 60, agent: lab.agent! });
    expect(bad.statusCode).toBe(403);
    expect(JSON.parse(bad.body)).toEqual({ reason: 'BadJwtToken' });
    const res = await webpush.sendNotification(lab.builtIn!, 'hello apple', {
      TTL: 60,
      vapidDetails,
      agent: lab.agent!,
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['apns-id']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    const line = JSON.parse(await lab.serve!.waitFor(/"type":"message"/)) as Record<
      string,
      unknown
    >;
    expect(line).toMatchObject({ plaintext: 'hello apple', decrypted: true });
  });

  it('answers 410 {"reason":"Unregistered"} with a timestamp once the subscription was deleted', async () => {
    const own = await ownSubscription(lab.url, lab.ca);
    await own.unsubscribe();
    const gone = await refused(own.sub, 'x', { TTL: 60, vapidDetails, agent: lab.agent! });
    expect(gone.statusCode).toBe(410);
    const body = JSON.parse(gone.body) as { reason: string; timestamp: number };
    expect(body.reason).toBe('Unregistered');
    expect(Math.abs(body.timestamp - Date.now())).toBeLessThan(60_000);
  });
});

describe('serve --quirks refusals', () => {
  it('names the allowed overlays for an unknown one, and refuses an overlay over a draft profile', () => {
    const unknown = runCli(['serve', '--port', '0', '--h2c', '--quirks', 'google']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('got "google"; allowed autopush, fcm, apple');
    const draft = runCli([
      'serve',
      '--port',
      '0',
      '--h2c',
      '--subscriptions',
      '0',
      '--profile',
      'draft-thomson',
      '--quirks',
      'fcm',
    ]);
    expect(draft.code).toBe(2);
    expect(draft.stderr).toContain(
      '--quirks fcm: provider quirks apply over --profile rfc8030 only (got draft-thomson)',
    );
  });

  it('prints the overlay in its banner', async () => {
    const serve = startCli(['serve', '--port', '0', '--h2c', '--quirks', 'fcm']);
    try {
      await serve.waitFor(/^http:\/\//);
      await eventually('the banner', () =>
        serve.stderr().includes('push-lab: provider quirks fcm: TTL capped at 2419200 s'),
      );
    } finally {
      await serve.stop();
    }
  });
});
