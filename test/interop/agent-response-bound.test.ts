/**
 * An agent's request reads at most RESPONSE_BYTES_MAX of a response body and then stops the
 * stream: a server that sends more and never ends it does not hold the request until its
 * deadline (it used to read on, discarding, until the timeout fired).
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { RealClock } from '../../src/main/engine/clock/real';
import { request, RESPONSE_BYTES_MAX } from '../../src/main/engine/agents/h2';
import { eventually } from '../helpers/poll';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

it('stops reading a body past its bound and answers with what it kept, before the deadline', async () => {
  let cancelled = false;
  const server = http2.createServer();
  server.on('stream', (stream) => {
    stream.respond({ ':status': 200 });
    stream.on('close', () => (cancelled = stream.rstCode === http2.constants.NGHTTP2_CANCEL));
    // Twice the bound, and the stream never ends.
    stream.write(Buffer.alloc(2 * RESPONSE_BYTES_MAX, 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const session = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        session.destroy();
        server.close(() => resolve());
      }),
  );
  // A deadline far beyond the test's own timeout: only stopping the stream can answer in time.
  const answer = await request(session, { ':method': 'GET', ':path': '/' }, undefined, {
    clock: new RealClock(),
    timeoutMs: 600_000,
  });
  expect(answer.status).toBe(200);
  expect(answer.body.length).toBeGreaterThan(0);
  expect(answer.body.length).toBeLessThanOrEqual(RESPONSE_BYTES_MAX);
  await eventually('the server to see its stream cancelled', () => cancelled);
}, 20_000);
