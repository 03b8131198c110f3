/**
 * The `web-push` npm library, as an application server would use it, against
 * `push-lab serve` in TLS mode (HTTP/1.1 over ALPN, the self-signed CA trusted).
 */
import https from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type Running } from '../helpers/cli';

interface Sub {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

describe('web-push against push-lab serve', () => {
  let serve: Running;
  let dataDir = '';
  let agent: https.Agent;
  let subscription: Sub;
  const vapid = webpush.generateVAPIDKeys();

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'push-lab-'));
    serve = startCli(['serve', '--port', '0', '--json', '--subscriptions', '1', '--data', dataDir]);
    const listening = JSON.parse(await serve.waitFor(/"type":"listening"/)) as {
      ca: string;
      tls: boolean;
    };
    expect(listening.tls).toBe(true);
    agent = new https.Agent({ ca: readFileSync(listening.ca, 'utf8') });
    subscription = JSON.parse(await serve.waitFor(/"type":"subscription"/)) as Sub;
  }, 30_000);

  afterAll(async () => {
    agent?.destroy();
    await serve?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers an encrypted, VAPID-signed message that the built-in user agent decrypts exactly', async () => {
    const text = `Hello from web-push ✓ ${'x'.repeat(200)}`;
    const res = await webpush.sendNotification(subscription, text, {
      TTL: 120,
      urgency: 'high',
      topic: 'greeting',
      vapidDetails: {
        subject: 'mailto:qa@example.com',
        publicKey: vapid.publicKey,
        privateKey: vapid.privateKey,
      },
      agent,
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['location']).toMatch(/\/message\/[A-Za-z0-9_-]{22,}$/);
    const line = JSON.parse(await serve.waitFor(/"type":"message"/)) as Record<string, unknown>;
    expect(line).toMatchObject({
      plaintext: text,
      encoding: 'utf8',
      decrypted: true,
      duplicate: false,
    });
    const headers = line['headers'] as Record<string, string>;
    expect(headers['content-encoding']).toBe('aes128gcm');
    // Urgency, Topic, TTL and the VAPID token stay with the push service.
    for (const hidden of ['urgency', 'topic', 'ttl', 'authorization'])
      expect(headers[hidden]).toBeUndefined();
  });

  it('answers web-push with 404 and a problem document for an unknown push resource', async () => {
    const gone = {
      ...subscription,
      endpoint: subscription.endpoint.replace(/[^/]+$/, 'unknown-token'),
    };
    await expect(webpush.sendNotification(gone, 'x', { TTL: 10, agent })).rejects.toMatchObject({
      statusCode: 404,
      body: expect.stringContaining('"detail":"push resource: no such resource'),
    });
  });

  it('delivers a legacy aesgcm message with its Encryption and Crypto-Key headers, decrypted and labelled', async () => {
    const text = `aesgcm from web-push ✓ ${'y'.repeat(100)}`;
    const before = serve.lines.filter((l) => l.includes('"type":"message"')).length;
    const res = await webpush.sendNotification(subscription, text, {
      TTL: 60,
      contentEncoding: 'aesgcm',
      agent,
    });
    expect(res.statusCode).toBe(201);
    await serve.waitFor(/"legacy":true/);
    const lines = serve.lines.filter((l) => l.includes('"type":"message"'));
    expect(lines.length).toBe(before + 1);
    const line = JSON.parse(lines.at(-1)!) as { headers: Record<string, string> };
    expect(line).toMatchObject({
      plaintext: text,
      decrypted: true,
      contentEncoding: 'aesgcm',
      legacy: true,
    });
    expect(line.headers['encryption']).toMatch(/^salt=/);
    expect(line.headers['crypto-key']).toMatch(/dh=/);
  });
});
