/**
 * A send whose body never arrives whole is never accepted: the peer resets the stream, or
 * drops the connection, after part of the body (node:http2 then emits 'aborted' and 'end',
 * or only 'close'). No message is stored or announced, and the service keeps serving.
 */
import http2 from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { call, client, linkPath, startService } from '../helpers/h2';

const REL_PUSH = 'urn:ietf:params:push';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

async function setup() {
  const ctx = await startService();
  cleanups.push(() => ctx.service.stop());
  const session = await client(ctx.service.url);
  session.on('error', () => {});
  cleanups.push(() => session.destroy());
  const reply = await call(session, { ':method': 'POST', ':path': '/subscribe' });
  return { ...ctx, session, pushPath: linkPath(reply.headers, REL_PUSH)! };
}

/** What one 2-byte message stores, measured on a service of its own. */
async function storedBytesOfOne(): Promise<number> {
  const { service, session, pushPath } = await setup();
  await call(session, { ':method': 'POST', ':path': pushPath, ttl: '60' }, 'ok');
  return service.core.stats().storedBytes;
}

/** Sends headers and `bytes` of a body declared longer, then ends it the way `cut` does. */
async function cutSend(
  session: http2.ClientHttp2Session,
  pushPath: string,
  cut: (stream: http2.ClientHttp2Stream) => void,
): Promise<void> {
  const stream = session.request({
    ':method': 'POST',
    ':path': pushPath,
    ttl: '60',
    'content-length': '3000',
  });
  stream.on('error', () => {});
  stream.resume();
  stream.write(Buffer.alloc(1000, 0x61));
  // The part body reaches the service before the cut does.
  await new Promise((r) => setTimeout(r, 50));
  cut(stream);
  await new Promise<void>((resolve) => {
    if (stream.closed) resolve();
    else stream.once('close', () => resolve());
  });
}

describe('a send cut off mid-body', () => {
  it('reset by the peer (RST_STREAM CANCEL) is not accepted', async () => {
    const { service, events, session, pushPath } = await setup();
    const storedAfterOne = await storedBytesOfOne();
    await cutSend(session, pushPath, (s) => s.close(http2.constants.NGHTTP2_CANCEL));
    // The service has seen the reset once the next request on the connection is answered.
    const after = await call(session, { ':method': 'POST', ':path': pushPath, ttl: '60' }, 'ok');
    expect(after.status).toBe(201);
    const accepted = events.filter((e) => e.kind === 'message.accepted');
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({ bytes: 2 });
    expect(service.core.stats().storedBytes).toBe(storedAfterOne);
  });

  it('dropped with its connection is not accepted, and others are still served', async () => {
    const { service, events, pushPath } = await setup();
    const doomed = await client(service.url);
    doomed.on('error', () => {});
    cleanups.push(() => doomed.destroy());
    await cutSend(doomed, pushPath, () => doomed.destroy());
    const other = await client(service.url);
    other.on('error', () => {});
    cleanups.push(() => other.destroy());
    const reply = await call(other, { ':method': 'POST', ':path': pushPath, ttl: '60' }, 'ok');
    expect(reply.status).toBe(201);
    // The dropped connection's end was read long before; give a wrong acceptance a moment more.
    await new Promise((r) => setTimeout(r, 100));
    const accepted = events.filter((e) => e.kind === 'message.accepted');
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({ bytes: 2 });
  });
});
