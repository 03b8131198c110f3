/**
 * An application server's own test, written as a user of Push Lab would write it (README
 * quotes it): start a push service on port 0 from the package's exports, send with the
 * `web-push` library as the server under test does, and assert on what arrived, decrypted.
 */
import https from 'node:https';
import webpush from 'web-push';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startPushService, type RunningPushService } from 'push-lab';

let push: RunningPushService;
let agent: https.Agent;

beforeAll(async () => {
  push = await startPushService(); // port 0, TLS with a fresh certificate: trust push.ca
  agent = new https.Agent({ ca: push.ca! });
});
afterAll(async () => {
  agent.destroy();
  await push.close();
});
beforeEach(() => push.reset());

// The code under test: your application server's notify function.
async function notifyUser(subscription: webpush.PushSubscription, text: string) {
  const vapid = webpush.generateVAPIDKeys();
  return webpush.sendNotification(subscription, JSON.stringify({ title: text }), {
    TTL: 60,
    urgency: 'high',
    vapidDetails: { subject: 'mailto:ops@example.com', ...vapid },
    agent,
  });
}

it('delivers the notification, encrypted end to end', async () => {
  const [subscription] = push.subscriptions;
  const res = await notifyUser(subscription!, 'Your order shipped');
  expect(res.statusCode).toBe(201);

  const message = await push.nextMessage({ timeoutMs: 5000 });
  expect(message.decrypted).toBe(true);
  expect(JSON.parse(message.plaintext!)).toEqual({ title: 'Your order shipped' });
  expect(message.headers['content-encoding']).toBe('aes128gcm');
});

it('learns that an expired subscription is gone', async () => {
  const subscription = await push.subscribe();
  push.expire(subscription);
  await expect(notifyUser(subscription, 'Anyone there?')).rejects.toMatchObject({
    statusCode: 404,
  });
  expect(push.messages()).toEqual([]);
});
