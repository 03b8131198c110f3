/**
 * `push-lab serve`'s built-in user agent, with the `web-push` library as the sender.
 * Urgency: by default it is charging on Wi-Fi and wants every urgency, so a `very-low`
 * message arrives; on battery (--no-charging --no-wifi) it wants `normal` and up (RFC 8030
 * §5.3), and serve says so for each message it keeps queued instead of going quiet after a 201.
 */
import https from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import webpush from 'web-push';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startCli, type Running } from '../helpers/cli';

interface Sub {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

const running: { serve: Running; dataDir: string; agent: https.Agent }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.agent.destroy();
    await r.serve.stop();
    rmSync(r.dataDir, { recursive: true, force: true });
  }
});

async function serveWith(flags: string[]) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'push-lab-'));
  const serve = startCli(['serve', '--port', '0', '--json', '--data', dataDir, ...flags]);
  const listening = JSON.parse(await serve.waitFor(/"type":"listening"/)) as { ca: string };
  const agent = new https.Agent({ ca: readFileSync(listening.ca, 'utf8') });
  running.push({ serve, dataDir, agent });
  const subscription = JSON.parse(await serve.waitFor(/"type":"subscription"/)) as Sub;
  const send = (text: string, urgency: webpush.Urgency, options: webpush.RequestOptions = {}) =>
    webpush.sendNotification(subscription, text, { TTL: 120, urgency, agent, ...options });
  return { serve, send, subscription };
}

describe('serve: the built-in user agent and urgency', () => {
  it('wants every urgency by default: a very-low message is delivered and decrypted', async () => {
    const { serve, send } = await serveWith([]);
    expect((await send('quiet news', 'very-low')).statusCode).toBe(201);
    const line = JSON.parse(await serve.waitFor(/"type":"message"/)) as Record<string, unknown>;
    expect(line).toMatchObject({ plaintext: 'quiet news', decrypted: true });
    expect(serve.lines.some((l) => l.includes('"type":"held"'))).toBe(false);
  }, 30_000);

  it('on battery off Wi-Fi it keeps low urgency queued and says so; normal still arrives', async () => {
    const { serve, send } = await serveWith(['--no-charging', '--no-wifi']);
    expect((await send('can wait', 'low')).statusCode).toBe(201);
    const held = JSON.parse(await serve.waitFor(/"type":"held"/)) as Record<string, unknown>;
    expect(held).toMatchObject({ urgency: 'low', wants: 'normal', agent: 'ua1' });
    expect((await send('now please', 'normal')).statusCode).toBe(201);
    const line = JSON.parse(await serve.waitFor(/"type":"message"/)) as Record<string, unknown>;
    expect(line).toMatchObject({ plaintext: 'now please' });
    // The held message stayed queued: only the normal one was delivered.
    expect(serve.lines.filter((l) => l.includes('"type":"message"'))).toHaveLength(1);
  }, 30_000);

  it('--urgency-min sets the filter whatever the power state: charging on Wi-Fi, normal is held, high arrives', async () => {
    const { serve, send } = await serveWith(['--urgency-min', 'high']);
    expect((await send('not urgent enough', 'normal')).statusCode).toBe(201);
    const held = JSON.parse(await serve.waitFor(/"type":"held"/)) as Record<string, unknown>;
    expect(held).toMatchObject({ urgency: 'normal', wants: 'high', agent: 'ua1' });
    expect((await send('urgent', 'high')).statusCode).toBe(201);
    const line = JSON.parse(await serve.waitFor(/"type":"message"/)) as Record<string, unknown>;
    expect(line).toMatchObject({ plaintext: 'urgent' });
    expect(serve.lines.filter((l) => l.includes('"type":"message"'))).toHaveLength(1);

    const bad = runCli(['serve', '--port', '0', '--urgency-min', 'urgent']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--urgency-min.*got "urgent"; allowed very-low, low, normal, high/);
  }, 30_000);

  it('refuses a battery level outside 0 to 1, naming the flag and the range', () => {
    const run = runCli(['serve', '--port', '0', '--battery', '1.5']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--battery.*1\.5.*allowed a number from 0 to 1/);
  });
});

describe('serve --vapid-key', () => {
  it('restricts the built-in subscriptions to that key: signed sends arrive, unsigned get 401', async () => {
    const keys = webpush.generateVAPIDKeys();
    const { serve, send, subscription } = await serveWith(['--vapid-key', keys.publicKey]);
    expect(subscription).toMatchObject({ applicationServerKey: keys.publicKey });
    const vapidDetails = { subject: 'mailto:qa@example.com', ...keys };
    expect((await send('signed', 'high', { vapidDetails })).statusCode).toBe(201);
    const line = JSON.parse(await serve.waitFor(/"type":"message"/)) as Record<string, unknown>;
    expect(line).toMatchObject({ plaintext: 'signed' });
    await expect(send('unsigned', 'high')).rejects.toMatchObject({ statusCode: 401 });
    const stranger = { subject: 'mailto:x@example.com', ...webpush.generateVAPIDKeys() };
    await expect(send('forged', 'high', { vapidDetails: stranger })).rejects.toMatchObject({
      statusCode: 403,
    });
  }, 30_000);

  it('refuses a key that is not a P-256 point, naming the flag', () => {
    const run = runCli(['serve', '--port', '0', '--vapid-key', 'AAAA']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--vapid-key: .*allowed the application server's public key/);
  });
});
