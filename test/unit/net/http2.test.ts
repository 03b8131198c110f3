/**
 * Real node:http2 through a link, over loopback TCP and in memory, with latency on a
 * RealClock. Only ordering and delivery are asserted, never wall-clock durations.
 */
import http2, { type ClientHttp2Session, type Http2Server } from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { RealClock } from '../../../src/main/engine/clock/real';
import { Link, type Direction } from '../../../src/main/engine/net';
import { Rng } from '../../../src/main/engine/rng/rng';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** Rejects if `promise` takes longer than `ms` (a bound on every wait, not an assertion). */
function within<T>(promise: Promise<T>, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}

function echoServer(seen: string[]): Http2Server {
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    seen.push(String(headers[':path']));
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => (body += d));
    stream.on('end', () => {
      stream.respond({ ':status': 200, 'content-type': 'text/plain' });
      stream.end(`${headers[':path']}:${body}`);
    });
  });
  server.on('sessionError', () => {});
  cleanups.push(() => new Promise((r) => server.close(r)));
  return server;
}

function request(session: ClientHttp2Session, path: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':path': path, ':method': 'POST' });
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (text += d));
    req.on('end', () => resolve(text));
    req.on('error', reject);
    req.end(body);
  });
}

function newLink(): { link: Link; traffic: Direction[] } {
  const link = new Link(
    {
      id: 'h2',
      faults: [{ type: 'latency', stream: 'both', attributes: { latency: 15, jitter: 5 } }],
    },
    new RealClock(),
    new Rng('http2'),
  );
  const traffic: Direction[] = [];
  link.onTraffic((direction) => traffic.push(direction));
  cleanups.push(() => link.close());
  return { link, traffic };
}

async function exchange(
  session: ClientHttp2Session,
  seen: string[],
  link: Link,
  traffic: Direction[],
) {
  session.on('error', () => {});
  cleanups.push(() => session.destroy());
  const replies = await within(
    Promise.all([1, 2, 3, 4, 5].map((i) => request(session, `/m${i}`, 'x'.repeat(i * 1000)))),
  );
  expect(replies).toEqual([1, 2, 3, 4, 5].map((i) => `/m${i}:${'x'.repeat(i * 1000)}`));
  expect(seen.sort()).toEqual(['/m1', '/m2', '/m3', '/m4', '/m5']);
  const counters = link.counters();
  expect(counters.bytesUpDelivered).toBeGreaterThan(15_000);
  expect(counters.bytesDownDelivered).toBeGreaterThan(15_000);
  expect(link.connections().map((c) => c.faults)).toEqual([['latency_both']]);
  // The client speaks first (the HTTP/2 preface), and hears back only through the link.
  expect(traffic[0]).toBe('upstream');
  expect(traffic).toContain('downstream');
}

describe('node:http2 through a link', () => {
  it('works through the loopback TCP proxy', async () => {
    const seen: string[] = [];
    const server = echoServer(seen);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { link, traffic } = newLink();
    const proxy = await link.listenTcp({
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
    });
    expect(proxy.host).toBe('127.0.0.1');
    expect(proxy.port).toBeGreaterThan(0);
    const session = http2.connect(`http://127.0.0.1:${proxy.port}`);
    await exchange(session, seen, link, traffic);
  });

  it('works through an in-memory duplex pair', async () => {
    const seen: string[] = [];
    const server = echoServer(seen);
    const { link, traffic } = newLink();
    let serverSocket: Duplex | null = null;
    const clientSocket = link.connectInMemory((socket) => {
      serverSocket = socket;
      server.emit('connection', socket);
    });
    expect(serverSocket).not.toBeNull();
    const session = http2.connect('http://lab.invalid', { createConnection: () => clientSocket });
    await exchange(session, seen, link, traffic);
  });

  it('refuses TCP connections during an outage and accepts them after', async () => {
    const target = net.createServer((s) => s.end('hello'));
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => target.close(r)));
    const { link } = newLink();
    const proxy = await link.listenTcp({
      host: '127.0.0.1',
      port: (target.address() as AddressInfo).port,
    });
    const dial = () =>
      within(
        new Promise<string>((resolve) => {
          const s = net.connect(proxy.port, '127.0.0.1');
          let text = '';
          s.setEncoding('utf8');
          s.on('data', (d: string) => (text += d));
          s.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code}`));
          s.on('end', () => resolve(text));
        }),
      );
    link.addFault({ type: 'outage' });
    expect(await dial()).toBe('error ECONNRESET');
    link.removeFault('outage_both');
    expect(await dial()).toBe('hello');
    expect(link.counters()).toMatchObject({ connectionsRefused: 1 });
  });
});
