/**
 * A protocol profile that throws (here: the core method it calls) answers that one request
 * with a 500 problem+json, keeps serving, and tells the lab what failed as a `service.error`
 * event with the error's code — bounded, so a request that always fails cannot flood the bus.
 */
import type { ClientHttp2Session } from 'node:http2';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LabEvent } from '../../src/shared/events';
import { VirtualClock } from '../../src/main/engine/clock/virtual';
import type { PushService } from '../../src/main/engine/push/service';
import { StoreError } from '../../src/main/engine/push/store/store';
import { ERROR_EVENTS_PER_SECOND } from '../../src/main/engine/trace/bus';
import { call, client, startService } from '../helpers/h2';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

/** A service on port 0 whose clock only moves when told (the error rate is per lab second). */
async function serve(): Promise<{
  service: PushService;
  session: ClientHttp2Session;
  events: LabEvent[];
  clock: VirtualClock;
}> {
  const clock = new VirtualClock(0);
  const { service, events } = await startService({}, clock);
  cleanups.push(() => service.stop());
  const session = await client(service.url);
  cleanups.push(() => session.close());
  return { service, session, events, clock };
}

const subscribe = (service: PushService) => ({
  ':method': 'POST',
  ':path': new URL(service.subscribeUrl).pathname,
});

describe('a profile that throws', () => {
  it('answers 500 problem+json without the internals, and emits service.error with the code', async () => {
    const { service, session, events } = await serve();
    vi.spyOn(service.core, 'subscribe').mockImplementation(() => {
      throw new TypeError("cannot read properties of undefined (reading 'token')");
    });
    const reply = await call(session, subscribe(service));
    expect(reply.status).toBe(500);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(reply.body).not.toMatch(/token/);
    expect(events.filter((e) => e.kind === 'service.error')).toEqual([
      expect.objectContaining({
        serviceId: 'ps1',
        method: 'POST',
        path: new URL(service.subscribeUrl).pathname,
        code: 'ERR_INTERNAL',
        message: "cannot read properties of undefined (reading 'token')",
        suppressed: 0,
      }),
    ]);
  });

  it("keeps a LabError's own code, and keeps serving once the fault is gone", async () => {
    const { service, session, events } = await serve();
    const spy = vi.spyOn(service.core, 'subscribe').mockImplementation(() => {
      throw new StoreError('store: cannot write /x (EIO)', 'ERR_STORE_IO');
    });
    expect((await call(session, subscribe(service))).status).toBe(500);
    expect(events.find((e) => e.kind === 'service.error')).toMatchObject({
      code: 'ERR_STORE_IO',
      message: 'store: cannot write /x (EIO)',
    });
    spy.mockRestore();
    expect((await call(session, subscribe(service))).status).toBe(201);
  });

  it('cannot flood the bus: at most the rate per lab second, then limit.reached and a count', async () => {
    const { service, session, events, clock } = await serve();
    vi.spyOn(service.core, 'subscribe').mockImplementation(() => {
      throw new Error('always');
    });
    const requests = 3 * ERROR_EVENTS_PER_SECOND;
    const replies = await Promise.all(
      Array.from({ length: requests }, () => call(session, subscribe(service))),
    );
    expect(replies.every((r) => r.status === 500)).toBe(true);
    expect(events.filter((e) => e.kind === 'service.error')).toHaveLength(ERROR_EVENTS_PER_SECOND);
    expect(events.filter((e) => e.kind === 'limit.reached')).toEqual([
      expect.objectContaining({ what: 'error-events', subjectId: 'ps1' }),
    ]);
    clock.advance(1_000);
    await call(session, subscribe(service));
    expect(events.filter((e) => e.kind === 'service.error').at(-1)).toMatchObject({
      suppressed: requests - ERROR_EVENTS_PER_SECOND,
    });
  });
});
