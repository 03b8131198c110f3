/**
 * `push-lab serve --h2c` speaks cleartext HTTP/1.1 and h2c on one port, chosen by each
 * connection's preface: node's http module and `curl --http1.1` next to
 * `curl --http2-prior-knowledge` and nghttp, and a garbage preface closes only its own connection.
 */
import http from 'node:http';
import net from 'node:net';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/main/engine/clock/virtual';
import { PREFACE_WAIT_MS } from '../../src/main/engine/push/preface';
import { hasTool, startCli, tool, type Running } from '../helpers/cli';
import { startService } from '../helpers/h2';
import { eventually } from '../helpers/poll';

const haveCurl = hasTool('curl');
const haveNghttp = hasTool('nghttp');

interface Sub {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

describe('push-lab serve --h2c: HTTP/1.1 and h2c on one port', () => {
  let serve: Running;
  let base = '';
  let subscription: Sub;

  beforeAll(async () => {
    serve = startCli(['serve', '--h2c', '--port', '0', '--json', '--subscriptions', '1']);
    base = (JSON.parse(await serve.waitFor(/"type":"listening"/)) as { url: string }).url;
    subscription = JSON.parse(await serve.waitFor(/"type":"subscription"/)) as Sub;
  }, 30_000);
  afterAll(async () => {
    await serve?.stop();
  });

  const messages = (): string[] => serve.lines.filter((l) => l.includes('"type":"message"'));
  /** The message record serve prints after the `seen`-th (the built-in UA's decrypted delivery). */
  async function messageAfter(seen: number): Promise<Record<string, unknown>> {
    const line = await eventually('serve to print the next message', () => messages()[seen]);
    return JSON.parse(line) as Record<string, unknown>;
  }

  it('node:http POSTs an encrypted message to the http:// endpoint: 201 over HTTP/1.1, decrypted on delivery', async () => {
    const text = `over HTTP/1.1 ✓ ${'z'.repeat(100)}`;
    const request = webpush.generateRequestDetails(subscription, text, { TTL: 60 });
    const seen = messages().length;
    const reply = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(request.endpoint, {
        method: request.method,
        headers: request.headers,
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res);
      });
      req.on('error', reject);
      req.end(request.body);
    });
    expect(reply.httpVersion).toBe('1.1');
    expect(reply.statusCode).toBe(201);
    expect(reply.headers['location']).toMatch(/\/message\/[A-Za-z0-9_-]{22,}$/);
    expect(await messageAfter(seen)).toMatchObject({
      plaintext: text,
      decrypted: true,
      legacy: false,
    });
  });

  function curl(args: string[]) {
    return tool('curl', ['-s', '-i', ...args]);
  }

  it.skipIf(!haveCurl)(
    'curl --http1.1 and curl --http2-prior-knowledge push to the same port, each delivered',
    async () => {
      for (const [flag, status] of [
        ['--http1.1', /^HTTP\/1\.1 201/],
        ['--http2-prior-knowledge', /^HTTP\/2 201/],
      ] as const) {
        const seen = messages().length;
        const text = `plain push via curl ${flag}`;
        const sent = curl([
          flag,
          '-X',
          'POST',
          '-H',
          'TTL: 60',
          '--data-binary',
          text,
          subscription.endpoint,
        ]);
        expect(sent.stdout).toMatch(status);
        // Unencrypted (no Content-Encoding): delivered as sent, not decrypted.
        expect(await messageAfter(seen)).toMatchObject({ plaintext: text, decrypted: false });
      }
    },
  );

  it.skipIf(!haveCurl)(
    'curl --http1.1 with an unknown Content-Encoding gets 415 naming the value and the allowed codings',
    () => {
      const refused = curl([
        '--http1.1',
        '-X',
        'POST',
        '-H',
        'TTL: 60',
        '-H',
        'Content-Encoding: br',
        '--data-binary',
        'x',
        subscription.endpoint,
      ]);
      expect(refused.stdout).toMatch(/^HTTP\/1\.1 415/);
      expect(refused.stdout).toMatch(/^content-type: application\/problem\+json/im);
      expect(refused.stdout).toMatch(/^accept-encoding: aes128gcm, aesgcm/im);
      expect(refused.stdout).toContain('Content-Encoding header: got \\"br\\"');
      expect(refused.stdout).toContain('allowed aes128gcm, aesgcm');
    },
  );

  it.skipIf(!haveCurl)(
    'over HTTP/1.1 a user agent can subscribe but not monitor: 400 saying server push needs HTTP/2',
    () => {
      const sub = curl(['--http1.1', '-X', 'POST', `${base}/subscribe`]);
      expect(sub.stdout).toMatch(/^HTTP\/1\.1 201/);
      const location = /^location: (\S+)/im.exec(sub.stdout)![1]!;
      const monitor = curl(['--http1.1', '-m', '5', location]);
      expect(monitor.stdout).toMatch(/^HTTP\/1\.1 400/);
      expect(monitor.stdout).toContain('needs HTTP/2 with server push enabled');
    },
  );

  it.skipIf(!haveCurl || !haveNghttp)(
    'nghttp (h2c prior knowledge) subscribes on the same port',
    () => {
      const got = tool('nghttp', ['-v', '-d', '/dev/null', `${base}/subscribe`]);
      expect(got.stdout).toMatch(/recv \(stream_id=\d+\) :status: 201/);
      expect(got.stdout).toMatch(/recv \(stream_id=\d+\) link: <\/push\//);
    },
  );

  it('a garbage preface gets its connection closed; the port keeps serving both protocols', async () => {
    const { port, hostname } = new URL(base);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), hostname);
      let got = '';
      socket.setEncoding('latin1');
      socket.on('data', (d: string) => (got += d));
      socket.on('close', () => resolve(got));
      socket.on('error', reject);
      socket.write(
        Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x01, 0x00, 0x00, 0x0d, 0x0a, 0x0d, 0x0a]),
      );
    });
    // Whatever it got (nothing, or a 400 from the HTTP/1.1 parser), the connection ended.
    expect(answer).not.toMatch(/^HTTP\/1\.1 2/);
    const h2 = tool('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '--http2-prior-knowledge',
      '-X',
      'POST',
      `${base}/subscribe`,
    ]);
    const h1 = tool('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '--http1.1',
      '-X',
      'POST',
      '-H',
      'TTL: 0',
      '--data-binary',
      'x',
      subscription.endpoint,
    ]);
    expect([h2.stdout, h1.stdout]).toEqual(['201', '201']);
  });
});

describe('the h2c port reading a preface (in process, on a virtual clock)', () => {
  /** A raw TCP connection to `url` and everything it receives, until it closes. */
  function raw(url: string) {
    const { hostname, port } = new URL(url);
    const socket = net.connect(Number(port), hostname);
    const state = { received: Buffer.alloc(0), closed: false };
    socket.on('data', (d: Buffer) => (state.received = Buffer.concat([state.received, d])));
    socket.on('close', () => (state.closed = true));
    socket.on('error', () => {});
    return { socket, state };
  }

  it('closes a connection that says nothing for PREFACE_WAIT_MS, and only then', async () => {
    const clock = new VirtualClock(0);
    const { service } = await startService({}, clock);
    try {
      const timers = clock.pendingCount();
      const { state } = raw(service.url);
      await eventually('the service to wait for its preface', () => clock.pendingCount() > timers);
      clock.advance(PREFACE_WAIT_MS - 1);
      await new Promise((r) => setTimeout(r, 50));
      expect(state.closed).toBe(false);
      clock.advance(1);
      await eventually('the silent connection to be closed', () => state.closed);
      expect(state.received.length).toBe(0);
    } finally {
      await service.stop();
    }
  });

  it('an h2c preface that arrives in pieces ("PR", then the rest) is still h2c', async () => {
    const { service } = await startService({}, new VirtualClock(0));
    try {
      const { socket, state } = raw(service.url);
      socket.write('PR');
      await new Promise((r) => setTimeout(r, 50));
      // The client preface's rest and an empty SETTINGS frame (RFC 9113 §3.4).
      socket.write(
        Buffer.concat([
          Buffer.from('I * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'),
          Buffer.from([0, 0, 0, 0x04, 0, 0, 0, 0, 0]),
        ]),
      );
      // The server's first frame is its SETTINGS (type 0x04): HTTP/2, not an HTTP/1.1 400.
      await eventually('the server preface', () => state.received.length >= 9);
      expect(state.received[3]).toBe(0x04);
      socket.destroy();
    } finally {
      await service.stop();
    }
  });
});
