/**
 * Independently written sender libraries against `push-lab serve`, each over every protocol
 * and encoding it supports, each judged by the plaintext serve's built-in user agent
 * decrypted and printed: @block65/webcrypto-web-push (RFC 8291 aes128gcm + RFC 8292 vapid,
 * WebCrypto), webpush-webcrypto (aesgcm + the draft WebPush VAPID scheme, WebCrypto),
 * Google's web-push-encryption (aesgcm, its own HTTP/1.1 send), and http_ece (the coding
 * library web-push builds on) driven by hand for aes128gcm and aesgcm. The libraries build a
 * request; it is sent over node:http2 and over HTTP/1.1 (HTTPS on the TLS port, cleartext on
 * the --h2c port). web-push itself: web-push.test.ts.
 */
import { createECDH, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildPushPayload } from '@block65/webcrypto-web-push';
import ece from 'http_ece';
import webpush from 'web-push';
import webPushEncryption from 'web-push-encryption';
import { ApplicationServerKeys, generatePushHTTPRequest, setWebCrypto } from 'webpush-webcrypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type Running } from '../helpers/cli';
import { eventually } from '../helpers/poll';

interface Subscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** One push request as a sender library builds it, before any transport. */
interface WireRequest {
  endpoint: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** One `push-lab serve` process, its built-in subscription, and the messages it printed. */
interface Served {
  run: Running;
  subscription: Subscription;
  /** The self-signed CA of the TLS port; null for --h2c. */
  ca: string | null;
}

const servers: { tls: Served; h2c: Served } = {} as { tls: Served; h2c: Served };
let dataDir = '';

async function serve(args: string[]): Promise<Served> {
  const run = startCli(['serve', '--port', '0', '--json', '--subscriptions', '1', ...args]);
  const listening = JSON.parse(await run.waitFor(/"type":"listening"/)) as { ca?: string };
  const subscription = JSON.parse(await run.waitFor(/"type":"subscription"/)) as Subscription;
  return { run, subscription, ca: listening.ca ? readFileSync(listening.ca, 'utf8') : null };
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'push-lab-senders-'));
  [servers.tls, servers.h2c] = await Promise.all([serve(['--data', dataDir]), serve(['--h2c'])]);
}, 60_000);

afterAll(async () => {
  await Promise.all([servers.tls?.run.stop(), servers.h2c?.run.stop()]);
  rmSync(dataDir, { recursive: true, force: true });
});

interface Sent {
  status: number;
  location: string | undefined;
  body: string;
}

/** node:http2 (h2 over TLS, or h2c prior knowledge), header names lower-cased as HTTP/2 wants. */
function overHttp2(target: Served, request: WireRequest): Promise<Sent> {
  const url = new URL(request.endpoint);
  return new Promise((resolve, reject) => {
    const session = http2.connect(url.origin, target.ca ? { ca: target.ca } : {});
    session.on('error', reject);
    const headers: http2.OutgoingHttpHeaders = { ':method': 'POST', ':path': url.pathname };
    for (const [name, value] of Object.entries(request.headers))
      headers[name.toLowerCase()] = value;
    const stream = session.request(headers);
    let body = '';
    let response: http2.IncomingHttpHeaders = {};
    stream.on('response', (h) => (response = h));
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (body += chunk));
    stream.on('end', () => {
      session.close();
      resolve({
        status: Number(response[':status']),
        location: response['location'] as string | undefined,
        body,
      });
    });
    stream.on('error', reject);
    stream.end(request.body);
  });
}

/** HTTP/1.1: node:https on the TLS port (ALPN http/1.1), node:http on the --h2c port. */
function overHttp1(target: Served, request: WireRequest): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const options = { method: 'POST', headers: request.headers };
    const req = target.ca
      ? https.request(request.endpoint, { ...options, ca: target.ca, agent: false })
      : http.request(request.endpoint, { ...options, agent: false });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        expect(res.httpVersion).toBe('1.1');
        resolve({ status: res.statusCode ?? 0, location: res.headers['location'], body });
      });
    });
    req.on('error', reject);
    req.end(request.body);
  });
}

const TRANSPORTS = [
  ['HTTP/2', overHttp2],
  ['HTTP/1.1', overHttp1],
] as const;

/** The message record serve printed whose decrypted plaintext is `text`. */
async function delivered(target: Served, text: string): Promise<Record<string, unknown>> {
  const line = await eventually(`serve to print the message "${text.slice(0, 40)}"`, () =>
    target.run.lines.find(
      (l) => l.includes('"type":"message"') && l.includes(JSON.stringify(text).slice(1, -1)),
    ),
  );
  return JSON.parse(line) as Record<string, unknown>;
}

/**
 * The `message.accepted` event serve printed for the message whose decrypted text is `text`
 * (found through the built-in user agent's `message.received`, which names the message).
 */
async function acceptedEvent(target: Served, text: string): Promise<Record<string, unknown>> {
  const events = () =>
    target.run.lines
      .filter((l) => l.startsWith('{"type":"event"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return eventually(`serve to print the acceptance of "${text.slice(0, 40)}"`, () => {
    const received = events().find(
      (e) =>
        e['kind'] === 'message.received' &&
        typeof e['preview'] === 'string' &&
        e['preview'].length > 0 &&
        text.startsWith(e['preview']),
    );
    return events().find(
      (e) => e['kind'] === 'message.accepted' && e['messageId'] === received?.['messageId'],
    );
  });
}

/**
 * Sends what `build` makes for `text`, and expects 201, exactly that plaintext decrypted, and
 * the legacy forms used (aesgcm; the draft WebPush VAPID scheme) labelled in message.accepted.
 */
async function expectDecrypted(
  target: Served,
  send: (target: Served, request: WireRequest) => Promise<Sent>,
  build: (subscription: Subscription, text: string) => Promise<WireRequest> | WireRequest,
  text: string,
  encoding: 'aes128gcm' | 'aesgcm',
  { legacyVapid = false } = {},
): Promise<Record<string, unknown>> {
  const reply = await send(target, await build(target.subscription, text));
  expect(reply, reply.body).toMatchObject({ status: 201 });
  expect(reply.location).toMatch(/\/message\/[A-Za-z0-9_-]{22,}$/);
  const message = await delivered(target, text);
  expect(message).toMatchObject({
    plaintext: text,
    encoding: 'utf8',
    decrypted: true,
    contentEncoding: encoding,
    legacy: encoding === 'aesgcm',
  });
  const legacy = [
    ...(encoding === 'aesgcm' ? ['aesgcm'] : []),
    ...(legacyVapid ? ['vapid-webpush'] : []),
  ];
  expect((await acceptedEvent(target, text))['legacy']).toEqual(
    legacy.length > 0 ? legacy : undefined,
  );
  return message;
}

/** Text that survives nothing but an exact decryption: non-ASCII, and unique per test. */
const textFor = (who: string): string =>
  `${who} ✓ ünïcødé ${randomBytes(6).toString('hex')} ${'·'.repeat(50)}`;

const vapid = webpush.generateVAPIDKeys();

describe('@block65/webcrypto-web-push (aes128gcm, vapid; https endpoints only)', () => {
  const build = async (subscription: Subscription, text: string): Promise<WireRequest> => {
    const payload = await buildPushPayload(
      { data: text, options: { ttl: 60, urgency: 'high', topic: 'block65' } },
      { ...subscription, expirationTime: null },
      { subject: 'mailto:qa@example.com', ...vapid },
    );
    return {
      endpoint: subscription.endpoint,
      headers: payload.headers,
      body: new Uint8Array(payload.body),
    };
  };

  for (const [name, send] of TRANSPORTS)
    it(`over ${name} (TLS)`, async () => {
      const message = await expectDecrypted(
        servers.tls,
        send,
        build,
        textFor(`block65 ${name}`),
        'aes128gcm',
      );
      // Its constant 4096-octet record: the padding is stripped, only the text is left.
      expect(message['bytes']).toBe(4096);
    });

  it('refuses an http:// endpoint itself (RFC 8030 §2), so it is not sent to --h2c', async () => {
    await expect(build(servers.h2c.subscription, 'x')).rejects.toThrow(/not https/);
  });
});

describe('webpush-webcrypto (aesgcm, the draft WebPush VAPID scheme)', () => {
  let keys: ApplicationServerKeys;
  beforeAll(async () => {
    // It looks for `self.crypto` (a browser's); on node it is handed node's WebCrypto.
    setWebCrypto(webcrypto);
    // The same key pair as the other signing senders: raw public point, PKCS#8 private key.
    const der = createPrivateKey({
      format: 'jwk',
      key: {
        kty: 'EC',
        crv: 'P-256',
        d: vapid.privateKey,
        x: Buffer.from(vapid.publicKey, 'base64url').subarray(1, 33).toString('base64url'),
        y: Buffer.from(vapid.publicKey, 'base64url').subarray(33, 65).toString('base64url'),
      },
    }).export({ format: 'der', type: 'pkcs8' });
    keys = await ApplicationServerKeys.fromJSON({
      publicKey: vapid.publicKey,
      privateKey: der.toString('base64url'),
    });
  });

  const build = async (subscription: Subscription, text: string): Promise<WireRequest> => {
    const request = await generatePushHTTPRequest({
      applicationServerKeys: keys,
      payload: text,
      target: subscription,
      adminContact: 'mailto:qa@example.com',
      ttl: 60,
      urgency: 'normal',
    });
    expect(request.headers['Authorization']).toMatch(/^WebPush /);
    return { ...request, body: new Uint8Array(request.body) };
  };

  for (const target of ['tls', 'h2c'] as const)
    for (const [name, send] of TRANSPORTS)
      it(`over ${name} (${target === 'tls' ? 'TLS' : 'cleartext'})`, async () => {
        const message = await expectDecrypted(
          servers[target],
          send,
          build,
          textFor(`webpush-webcrypto ${name} ${target}`),
          'aesgcm',
          { legacyVapid: true },
        );
        const headers = message['headers'] as Record<string, string>;
        // Forwarded for the user agent to decrypt with, as push services did (VAPID's
        // p256ecdsa key rides in the same Crypto-Key header); the token itself is not.
        expect(headers['encryption']).toMatch(/^salt=/);
        expect(headers['crypto-key']).toMatch(/dh=[A-Za-z0-9_-]{87}/);
        expect(headers['authorization']).toBeUndefined();
      });
});

describe("Google's web-push-encryption (aesgcm, no VAPID)", () => {
  const build = (subscription: Subscription, text: string): WireRequest => {
    const payload = webPushEncryption.encrypt(text, subscription, 25);
    return {
      endpoint: subscription.endpoint,
      headers: {
        TTL: '60',
        'Content-Encoding': 'aesgcm',
        Encryption: `salt=${payload.salt.toString('base64url')}`,
        'Crypto-Key': `dh=${payload.serverPublicKey.toString('base64url')}`,
      },
      body: payload.ciphertext,
    };
  };

  for (const [name, send] of TRANSPORTS)
    it(`its encryption, over ${name} (TLS), padding stripped`, async () => {
      await expectDecrypted(servers.tls, send, build, textFor(`wpe ${name}`), 'aesgcm');
    });

  it('its own sendWebPush (the `request` library, HTTP/1.1, TTL 0) to the http:// endpoint', async () => {
    const text = textFor('wpe sendWebPush');
    // TTL 0: delivered only because the built-in user agent is connected and monitoring.
    const reply = await webPushEncryption.sendWebPush(text, servers.h2c.subscription);
    expect(reply.statusCode).toBe(201);
    expect(await delivered(servers.h2c, text)).toMatchObject({
      plaintext: text,
      decrypted: true,
      contentEncoding: 'aesgcm',
      legacy: true,
    });
  });
});

describe('http_ece by hand (a sender without a Web Push library)', () => {
  /** RFC 8291 §3.4 key agreement with a fresh sender key; `pad` octets of padding. */
  const build =
    (version: 'aes128gcm' | 'aesgcm', pad: number) =>
    (subscription: Subscription, text: string): WireRequest => {
      const sender = createECDH('prime256v1');
      sender.generateKeys();
      const salt = randomBytes(16);
      const body = ece.encrypt(Buffer.from(text, 'utf8'), {
        version,
        privateKey: sender,
        dh: subscription.keys.p256dh,
        authSecret: subscription.keys.auth,
        salt,
        pad,
      });
      // aes128gcm carries salt and key in the body; aesgcm in two headers (draft -04 §3).
      const headers: Record<string, string> =
        version === 'aes128gcm'
          ? { 'Content-Encoding': 'aes128gcm' }
          : {
              'Content-Encoding': 'aesgcm',
              Encryption: `salt=${salt.toString('base64url')}`,
              'Crypto-Key': `dh=${sender.getPublicKey().toString('base64url')}`,
            };
      return { endpoint: subscription.endpoint, headers: { TTL: '60', ...headers }, body };
    };

  for (const version of ['aes128gcm', 'aesgcm'] as const)
    for (const target of ['tls', 'h2c'] as const)
      for (const [name, send] of TRANSPORTS)
        it(`${version} over ${name} (${target === 'tls' ? 'TLS' : 'cleartext'})`, async () => {
          await expectDecrypted(
            servers[target],
            send,
            build(version, 300),
            textFor(`http_ece ${version} ${name} ${target}`),
            version,
          );
        });
});
