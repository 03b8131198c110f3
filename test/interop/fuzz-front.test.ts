/**
 * A bounded property-based fuzz of the push service's HTTP/2 front (fast-check, fixed seed):
 * random methods, paths (real subscription, push, message and receipt paths mixed with junk),
 * headers (random names and values, oversized, repeated) and bodies over real h2c. Whatever
 * comes: never a 5xx, every 4xx a problem+json, the service still subscribes and pushes
 * afterwards, and its memory stays bounded.
 */
import type {
  ClientHttp2Session,
  ClientHttp2Stream,
  IncomingHttpHeaders,
  OutgoingHttpHeaders,
} from 'node:http2';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, client, linkPath, startService } from '../helpers/h2';
import type { PushService } from '../../src/main/engine/push/service';

const RUNS = 300;
const SEED = 20_261_207;
/** fast-check stops starting new runs after this (the test's own timeout is above it). */
const BUDGET_MS = 40_000;
/** A request the service holds (a monitoring GET) gets no answer: it is closed after this. */
const HELD_MS = 150;
/** RSS the whole fuzz may add (generous: the point is "bounded", not a precise figure). */
const RSS_GROWTH_BYTES_MAX = 256 * 1024 * 1024;

const REL_PUSH = 'urn:ietf:params:push';
const REL_RECEIPT = 'urn:ietf:params:push:receipt';

/** Connection-specific headers HTTP/2 forbids; node's client refuses to send them. */
const FORBIDDEN = new Set([
  'content-length',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'host',
  'http2-settings',
]);

let service: PushService;
let stop: () => Promise<void>;
let session: ClientHttp2Session;
const real: string[] = [];

async function session0(): Promise<ClientHttp2Session> {
  if (session && !session.closed && !session.destroyed) return session;
  session = await client(service.url);
  session.on('error', () => {});
  // Pushes on held monitors: read and forget.
  session.on('stream', (pushed) => {
    pushed.on('error', () => {});
    pushed.resume();
  });
  return session;
}

beforeAll(async () => {
  const started = await startService();
  service = started.service;
  stop = () => service.stop();
  const s = await session0();
  const sub = await call(s, { ':method': 'POST', ':path': '/subscribe' });
  const push = linkPath(sub.headers, REL_PUSH)!;
  const sent = await call(
    s,
    { ':method': 'POST', ':path': push, ttl: '600', prefer: 'respond-async' },
    'x',
  );
  real.push(
    '/subscribe',
    new URL(String(sub.headers['location'])).pathname,
    linkPath(sub.headers, 'urn:ietf:params:push:set')!,
    push,
    new URL(String(sent.headers['location'])).pathname,
    linkPath(sent.headers, REL_RECEIPT)!,
  );
});

afterAll(async () => {
  session?.destroy();
  await stop?.();
});

const token = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,30}$/);
const printable = (max: number) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`));
const headerValue = printable(80);
/**
 * One oversized field in a request now and then: mostly between the 16 KB answer (431) and
 * the 64 KB protocol bound, sometimes past it (node:http2 resets that stream).
 */
const oversized = fc.oneof(
  { weight: 8, arbitrary: fc.constant(null) },
  {
    weight: 2,
    arbitrary: fc.tuple(token, fc.integer({ min: 1000, max: 40_000 })),
  },
  { weight: 1, arbitrary: fc.tuple(token, fc.constant(70_000)) },
);
/** Values a real client might send, so requests get past the first check now and then. */
const PLAUSIBLE: Record<string, fc.Arbitrary<string>> = {
  ttl: fc.oneof(fc.nat().map(String), fc.constantFrom('0', '60', '99999999999999', '-1', '1.5')),
  urgency: fc.constantFrom('very-low', 'low', 'normal', 'high', 'urgent', 'low, high'),
  topic: fc.oneof(token, printable(40)),
  prefer: fc.constantFrom('respond-async', 'wait=0', 'respond-async, wait=0'),
  link: fc.constantFrom(
    '<http://x/receipt-subscription/nope>; rel="urn:ietf:params:push:receipt"',
    '<>; rel="urn:ietf:params:push:set"',
  ),
  'content-encoding': fc.constantFrom('aes128gcm', 'aesgcm', 'gzip', 'AES128GCM', ''),
  'content-type': fc.constantFrom('application/webpush-options+json', 'text/plain', ''),
  authorization: fc.constantFrom('vapid t=a.b.c, k=BAAA', 'WebPush x', 'Bearer y'),
};
// content-length is left to node: a wrong one only resets the stream before the service sees it.
const knownHeader = fc.constantFrom(...Object.keys(PLAUSIBLE), 'user-agent');
/** Fields node's client sends once at most (it refuses repeated ones before they leave). */
const SINGLE = new Set([
  'authorization',
  'content-encoding',
  'content-length',
  'content-type',
  'user-agent',
]);
const field = fc
  .oneof(knownHeader, token)
  .filter((name) => !FORBIDDEN.has(name))
  .chain((name) =>
    fc.tuple(
      fc.constant(name),
      fc.oneof(
        { weight: 4, arbitrary: PLAUSIBLE[name] ?? headerValue },
        { weight: 2, arbitrary: headerValue },
        // Repeated fields: node sends one field per element.
        {
          weight: SINGLE.has(name) ? 0 : 1,
          arbitrary: fc.array(printable(40), { minLength: 2, maxLength: 40 }),
        },
      ),
    ),
  );
const headers = fc.tuple(fc.array(field, { maxLength: 12 }), oversized).map(([fields, big]) => {
  const all: Record<string, string | string[]> = Object.fromEntries(fields);
  if (big) all[`x-big-${big[0]}`] = 'v'.repeat(big[1]);
  return all;
});
const method = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE') },
  { weight: 2, arbitrary: fc.constantFrom('PATCH', 'OPTIONS', 'HEAD', 'TRACE') },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Z]{1,12}$/).filter((m) => m !== 'CONNECT') },
);
const junkPath = fc.oneof(
  fc.stringMatching(/^\/[\x21-\x7e]{0,100}$/),
  fc.constantFrom(
    '/',
    '//',
    '/../../etc/passwd',
    '/push/',
    '/message/',
    '/subscription/%00',
    '/receipt-subscription/..',
  ),
);
const path = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 5 }).map((i) => real[i]!) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 5 }), fc.stringMatching(/^[\x21-\x7e]{0,20}$/))
      .map(([i, tail]) => real[i]! + tail),
  },
  { weight: 3, arbitrary: junkPath },
);
const body = fc.option(fc.uint8Array({ maxLength: 8 * 1024 }), { nil: undefined });
/** The methods each real path (in `real`'s order) answers, DELETEs of the fixtures left out. */
const REAL_METHODS = [['POST'], ['GET'], ['GET'], ['POST'], ['DELETE'], ['GET']];
const plausible = fc
  .integer({ min: 0, max: 5 })
  .chain((i) =>
    fc.record({
      method: fc.constantFrom(...REAL_METHODS[i]!),
      path: fc.constant(i),
      headers,
      body,
    }),
  )
  .map((r) => ({ ...r, path: real[r.path]! }));
const request = fc.oneof(
  fc
    .record({ method, path, headers, body })
    // The fixtures stay: deleting a subscription or set is tested elsewhere.
    .filter((r) => !(r.method === 'DELETE' && (r.path === real[1] || r.path === real[2]))),
  plausible,
);

type Outcome =
  | { kind: 'answer'; status: number; headers: IncomingHttpHeaders }
  | { kind: 'held' }
  | { kind: 'reset'; code: string };

type Request = typeof request extends fc.Arbitrary<infer T> ? T : never;

async function send(r: Request): Promise<Outcome> {
  const s = await session0();
  const outgoing: OutgoingHttpHeaders = { ...r.headers, ':method': r.method, ':path': r.path };
  return new Promise<Outcome>((resolve) => {
    let stream: ClientHttp2Stream;
    try {
      stream = s.request(outgoing, { endStream: r.body === undefined });
    } catch (error) {
      // Refused by node's client before anything was sent (e.g. CONNECT without authority).
      resolve({ kind: 'reset', code: (error as NodeJS.ErrnoException).code ?? 'client' });
      return;
    }
    const timer = setTimeout(() => {
      stream.close();
      resolve({ kind: 'held' });
    }, HELD_MS);
    stream.on('response', (h) => {
      clearTimeout(timer);
      stream.resume();
      stream.close();
      resolve({ kind: 'answer', status: Number(h[':status']), headers: h });
    });
    stream.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ kind: 'reset', code: error.code ?? 'error' });
    });
    stream.on('close', () => {
      clearTimeout(timer);
      resolve({ kind: 'reset', code: `close ${stream.rstCode}` });
    });
    if (r.body !== undefined) stream.end(Buffer.from(r.body));
  });
}

describe('fuzzing the HTTP/2 front', () => {
  it(`${RUNS} random requests: never a 5xx, every 4xx a problem+json, still serving, memory bounded`, async () => {
    const rssBefore = process.memoryUsage().rss;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const outcome = await send(r);
        if (outcome.kind !== 'answer') return;
        statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
        expect(outcome.status).toBeLessThan(500);
        if (outcome.status >= 400)
          expect(outcome.headers['content-type']).toBe('application/problem+json');
      }),
      { numRuns: RUNS, seed: SEED, interruptAfterTimeLimit: BUDGET_MS },
    );
    // The fuzz reached the service: it answered with a good spread of statuses.
    // (With this seed: 400, 404, 405, 415, 431 and 201, 204 among them.)
    expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThanOrEqual(4);
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);

    // Still serving: a fresh client subscribes, sends and is answered as usual.
    const fresh = await client(service.url);
    try {
      const sub = await call(fresh, { ':method': 'POST', ':path': '/subscribe' });
      expect(sub.status).toBe(201);
      const sent = await call(
        fresh,
        { ':method': 'POST', ':path': linkPath(sub.headers, REL_PUSH)!, ttl: '60' },
        'after the fuzz',
      );
      expect(sent.status).toBe(201);
    } finally {
      fresh.destroy();
    }
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(RSS_GROWTH_BYTES_MAX);
  }, 60_000);
});
