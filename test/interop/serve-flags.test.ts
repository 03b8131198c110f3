/** `push-lab serve`'s service flags, seen from a real HTTP/2 client. */
import { afterEach, describe, expect, it } from 'vitest';
import { startCli, type Running } from '../helpers/cli';
import { call, client, linkPath } from '../helpers/h2';

const running: Running[] = [];
afterEach(async () => {
  for (const serve of running.splice(0)) await serve.stop();
});

describe('serve --queue-max', () => {
  it('holds that many undelivered messages per subscription, then answers 429 naming the limit', async () => {
    const serve = startCli([
      'serve',
      '--h2c',
      '--port',
      '0',
      '--subscriptions',
      '0',
      '--queue-max',
      '2',
    ]);
    running.push(serve);
    const base = (await serve.waitFor(/^http:\/\//)).trim();
    const session = await client(base);
    try {
      const sub = await call(session, { ':method': 'POST', ':path': '/subscribe' });
      expect(sub.status).toBe(201);
      const push = linkPath(sub.headers, 'urn:ietf:params:push')!;
      const send = () => call(session, { ':method': 'POST', ':path': push, ttl: '60' }, 'x');
      expect((await send()).status).toBe(201);
      expect((await send()).status).toBe(201);
      const third = await send();
      expect(third.status).toBe(429);
      expect(third.headers['retry-after']).toBeDefined();
      expect(third.body).toMatch(/2 messages outstanding, the maximum/);
    } finally {
      session.destroy();
    }
  }, 30_000);
});
