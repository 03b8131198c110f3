/**
 * Browser mode's doors, tried as an attacker would: no token, a wrong token, a rebinding Host,
 * a foreign or missing Origin, too many commands, too many sockets, slow clients. Every case
 * runs against a real WebHost on 127.0.0.1 port 0 with raw HTTP and `ws` clients that set
 * their own headers.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  COMMANDS_IN_FLIGHT_PER_SOCKET_MAX,
  WebHost,
  type WebHostOptions,
} from '../../../src/main/hosts/ws-host';
import type { LabPort } from '../../../src/main/hosts/session';
import { newWebToken, WebAccess } from '../../../src/main/hosts/web-access';
import { emptyModel } from '../../../src/shared/model';
import { ok, type Result } from '../../../src/shared/result';
import type { ServerMessage } from '../../../src/shared/wire';

const TOKEN = newWebToken();
const WRONG = newWebToken();

let staticDir = '';
beforeAll(() => {
  staticDir = mkdtempSync(path.join(tmpdir(), 'push-lab-web-access-'));
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Push Lab</title>');
  mkdirSync(path.join(staticDir, 'assets'));
  writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1);');
  writeFileSync(path.join(staticDir, 'third-party-licenses.txt'), 'react\nMIT\n');
});
afterAll(() => rmSync(staticDir, { recursive: true, force: true }));

/** A lab whose commands wait until `release()` (to hold them in flight). */
function heldLab() {
  let waiting: (() => void)[] = [];
  const lab: LabPort & { release(): void; executed: number } = {
    executed: 0,
    onEvent: () => () => undefined,
    snapshot: () => emptyModel(),
    execute: () => {
      lab.executed += 1;
      return new Promise<Result<unknown>>((resolve) => waiting.push(() => resolve(ok('done'))));
    },
    release() {
      const now = waiting;
      waiting = [];
      for (const resolve of now) resolve();
    },
  };
  return lab;
}

const hosts: WebHost[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await Promise.all(hosts.splice(0).map((host) => host.stop()));
});

async function startHost(
  options: Partial<WebHostOptions> = {},
  lab: LabPort = heldLab(),
): Promise<{ host: WebHost; port: number }> {
  const host = new WebHost(lab, { staticDir, token: TOKEN, ...options });
  hosts.push(host);
  const url = await host.start();
  return { host, port: Number(new URL(url).port) };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function get(
  port: number,
  pathAndQuery: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: pathAndQuery,
        method,
        headers: { host: `127.0.0.1:${port}`, ...headers },
        agent: false,
        timeout: 5000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('no answer in 5 s')));
    req.end();
  });
}

type Upgrade = { open: WebSocket } | ({ open: null } & Answer);

/**
 * A WebSocket upgrade with this page's Host and Origin unless `headers` says otherwise; a
 * header given as null is left out (the `ws` client adds no Origin of its own).
 */
function upgrade(
  port: number,
  pathAndQuery: string,
  headers: Record<string, string | null> = {},
): Promise<Upgrade> {
  const all = { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}`, ...headers };
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}${pathAndQuery}`, {
      headers: Object.fromEntries(
        Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== null),
      ),
      handshakeTimeout: 5000,
    });
    sockets.push(socket);
    socket.on('open', () => resolve({ open: socket }));
    socket.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({ open: null, status: res.statusCode ?? 0, headers: res.headers, body }),
      );
    });
    socket.on('error', reject);
  });
}

function refused(answer: Upgrade): Answer {
  if (answer.open) throw new Error('the upgrade was accepted');
  return answer;
}

function expectSecurityHeaders(headers: http.IncomingHttpHeaders): void {
  const csp = String(headers['content-security-policy']);
  for (const directive of [
    "default-src 'self'",
    "script-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ]) {
    expect(csp).toContain(directive);
  }
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(headers['cross-origin-resource-policy']).toBe('same-origin');
}

describe('browser mode over HTTP', () => {
  it('prints a URL carrying a 256-bit token from node:crypto', async () => {
    const a = new WebHost(heldLab(), { staticDir });
    const b = new WebHost(heldLab(), { staticDir });
    hosts.push(a, b);
    const [urlA, urlB] = [new URL(await a.start()), new URL(await b.start())];
    expect(urlA.hostname).toBe('127.0.0.1');
    expect(urlA.pathname).toBe('/');
    const token = urlA.searchParams.get('token') ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(urlB.searchParams.get('token')).not.toBe(token);
  });

  it('refuses a request without the token with 401, saying where the token is', async () => {
    const { port } = await startHost();
    for (const target of ['/', '/index.html', '/assets/app.js']) {
      const answer = await get(port, target);
      expect(answer.status).toBe(401);
      expect(answer.body).toMatch(/token missing.*URL.*printed.*\?token=/s);
      expect(answer.body).not.toContain(TOKEN);
      expect(answer.headers['content-type']).toMatch(/^text\/plain/);
      expect(answer.headers['set-cookie']).toBeUndefined();
    }
  });

  it('refuses a wrong token, in the query or in the cookie, with 403', async () => {
    const { port } = await startHost();
    const byQuery = await get(port, `/?token=${WRONG}`);
    expect(byQuery.status).toBe(403);
    expect(byQuery.body).toMatch(/token wrong/);
    expect(byQuery.body).not.toContain(TOKEN);
    const byCookie = await get(port, '/', { cookie: `push-lab-token-${port}=${WRONG}` });
    expect(byCookie.status).toBe(403);
    // Same length but one character off, and a prefix of the right one.
    const flipped = `${TOKEN.slice(0, -1)}${TOKEN.endsWith('A') ? 'B' : 'A'}`;
    expect((await get(port, `/?token=${flipped}`)).status).toBe(403);
    expect((await get(port, `/?token=${TOKEN.slice(0, 20)}`)).status).toBe(403);
    // Another instance's cookie (another port) is not ours.
    expect((await get(port, '/', { cookie: `push-lab-token-${port + 1}=${TOKEN}` })).status).toBe(
      401,
    );
  });

  it('serves with the token in the query, sets the cookie, then serves on the cookie alone', async () => {
    const { port } = await startHost();
    const first = await get(port, `/?token=${TOKEN}`);
    expect(first.status).toBe(200);
    expect(first.body).toContain('<title>Push Lab</title>');
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toContain(`push-lab-token-${port}=${TOKEN}`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    const asset = await get(port, '/assets/app.js', {
      cookie: `theme=dark; push-lab-token-${port}=${TOKEN}`,
    });
    expect(asset.status).toBe(200);
    expect(asset.body).toBe('console.log(1);');
    expect(asset.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a Host that is not this server (DNS rebinding), even with the token', async () => {
    const { port } = await startHost();
    for (const host of [`evil.example:${port}`, `127.0.0.1:${port + 1}`, 'evil.example']) {
      const answer = await get(port, `/?token=${TOKEN}`, { host });
      expect(answer.status).toBe(403);
      expect(answer.body).toMatch(/^host not allowed/);
      expect(answer.body).toContain(JSON.stringify(host));
      expect(answer.headers['set-cookie']).toBeUndefined();
      expectSecurityHeaders(answer.headers);
    }
    // A long Host is echoed cut short, not whole.
    const long = `${'a'.repeat(300)}.example:${port}`;
    const cut = await get(port, `/?token=${TOKEN}`, { host: long });
    expect(cut.status).toBe(403);
    expect(cut.body).toContain(`"${'a'.repeat(100)}…"`);
    expect(cut.body).not.toContain('a'.repeat(101));
    for (const host of [`localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      expect((await get(port, `/?token=${TOKEN}`, { host })).status).toBe(200);
    }
  });

  it('puts the security headers on 200, 401, 403, 404 and 405 answers', async () => {
    const { port } = await startHost();
    const answers = [
      await get(port, `/?token=${TOKEN}`),
      await get(port, '/'),
      await get(port, `/?token=${WRONG}`),
      await get(port, `/nothing-here?token=${TOKEN}`),
      await get(port, `/?token=${TOKEN}`, {}, 'POST'),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 401, 403, 404, 405]);
    for (const answer of answers) expectSecurityHeaders(answer.headers);
    // connect-src names exactly this server's WebSocket (as the page reached it), no other.
    expect(answers[0]!.headers['content-security-policy']).toContain(
      `connect-src 'self' ws://127.0.0.1:${port};`,
    );
    const viaLocalhost = await get(port, `/?token=${TOKEN}`, { host: `localhost:${port}` });
    expect(viaLocalhost.headers['content-security-policy']).toContain(
      `connect-src 'self' ws://localhost:${port};`,
    );
    expect(answers[4]!.headers['allow']).toBe('GET, HEAD');
  });

  it('serves the UI files with their types, the licenses as text to read', async () => {
    const { port } = await startHost();
    const types = {
      '/index.html': /^text\/html/,
      '/assets/app.js': /^text\/javascript/,
      '/third-party-licenses.txt': /^text\/plain; charset=utf-8$/,
    };
    for (const [target, type] of Object.entries(types)) {
      const answer = await get(port, `${target}?token=${TOKEN}`);
      expect(answer.status, target).toBe(200);
      expect(answer.headers['content-type'], target).toMatch(type);
    }
  });

  it('keeps paths inside the UI folder', async () => {
    const { port } = await startHost();
    const escape = await get(port, `/..%2f..%2f..%2fetc%2fpasswd?token=${TOKEN}`);
    expect(escape.status).toBe(403);
    expect(escape.body).not.toContain('root:');
    expect((await get(port, `/%E0%A4%A?token=${TOKEN}`)).status).toBe(400);
  });

  it('closes a client that does not finish its headers in time', async () => {
    const { port } = await startHost({ headersTimeoutMs: 300 });
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n'); // never finished
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      let data = '';
      socket.on('data', (chunk) => (data += String(chunk)));
      socket.on('close', () => resolve(data));
    });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('drops TCP connections beyond the cap', async () => {
    const { port } = await startHost({ httpConnectionsMax: 2 });
    const open: net.Socket[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const socket = net.connect(port, '127.0.0.1');
        open.push(socket);
        await new Promise((resolve) => socket.once('connect', resolve));
      }
      const extra = net.connect(port, '127.0.0.1');
      open.push(extra);
      extra.on('error', () => undefined);
      extra.write(`GET /?token=${TOKEN} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      const data = await new Promise<string>((resolve) => {
        let received = '';
        extra.on('data', (chunk) => (received += String(chunk)));
        extra.on('close', () => resolve(received));
      });
      expect(data).toBe('');
    } finally {
      for (const socket of open) socket.destroy();
    }
    // Once they are gone, a request is served again.
    await expect.poll(async () => (await get(port, `/?token=${TOKEN}`)).status).toBe(200);
  });

  it('answers a port in use with a rejected start, not an unhandled error event', async () => {
    const { port } = await startHost();
    const second = new WebHost(heldLab(), { staticDir, port });
    hosts.push(second);
    await expect(second.start()).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('refuses a token passed in that is too short', () => {
    expect(() => new WebAccess('short', { address: '127.0.0.1', port: 1 })).toThrow(
      /token: must be at least 22 base64url characters \(got 5 characters\)/,
    );
  });
});

describe('browser mode WebSocket upgrade', () => {
  it('refuses the upgrade without a token (401) or with a wrong one (403)', async () => {
    const { port } = await startHost();
    const missing = refused(await upgrade(port, '/ws'));
    expect(missing.status).toBe(401);
    expect(missing.body).toMatch(/token missing/);
    expectSecurityHeaders(missing.headers);
    expect(refused(await upgrade(port, `/ws?token=${WRONG}`)).status).toBe(403);
    const wrongCookie = refused(
      await upgrade(port, '/ws', { cookie: `push-lab-token-${port}=${WRONG}` }),
    );
    expect(wrongCookie.status).toBe(403);
    expect(wrongCookie.body).toContain(`cookie push-lab-token-${port}`);
  });

  it('opens with the token in the query or in the cookie, and the lab answers', async () => {
    const { port } = await startHost({}, heldLabAnswering());
    for (const answer of [
      await upgrade(port, `/ws?token=${TOKEN}`),
      await upgrade(port, '/ws', { cookie: `push-lab-token-${port}=${TOKEN}` }),
    ]) {
      if (!answer.open) throw new Error(`refused: ${answer.status} ${answer.body}`);
      const reply = nextMessage(answer.open);
      answer.open.send(JSON.stringify({ type: 'command', id: 1, command: { type: 'status' } }));
      expect(await reply).toEqual({ type: 'result', id: 1, result: { ok: true, value: 'done' } });
    }
  });

  it('refuses a rebinding Host on the upgrade, even with the token and a matching Origin', async () => {
    const { port } = await startHost();
    const answer = refused(
      await upgrade(port, `/ws?token=${TOKEN}`, {
        host: `evil.example:${port}`,
        origin: `http://evil.example:${port}`,
      }),
    );
    expect(answer.status).toBe(403);
    expect(answer.body).toMatch(/^host not allowed/);
  });

  it('refuses a missing or foreign Origin on the upgrade, even with the token', async () => {
    const { port } = await startHost();
    const missing = refused(await upgrade(port, `/ws?token=${TOKEN}`, { origin: null }));
    expect(missing.status).toBe(403);
    expect(missing.body).toMatch(/^origin not allowed: Origin is missing/);
    for (const origin of [
      'http://evil.example',
      `http://evil.example:${port}`,
      `http://127.0.0.1:${port + 1}`,
      `https://127.0.0.1:${port}`,
      'null',
    ]) {
      const answer = refused(await upgrade(port, `/ws?token=${TOKEN}`, { origin }));
      expect(answer.status).toBe(403);
      expect(answer.body).toContain(`origin not allowed: Origin ${JSON.stringify(origin)}`);
      expectSecurityHeaders(answer.headers);
    }
    // The page reached as localhost may connect as localhost.
    const local = await upgrade(port, `/ws?token=${TOKEN}`, {
      host: `localhost:${port}`,
      origin: `http://localhost:${port}`,
    });
    expect(local.open).not.toBeNull();
  });

  it('refuses an upgrade on any path but /ws', async () => {
    const { port } = await startHost();
    expect(refused(await upgrade(port, `/other?token=${TOKEN}`)).status).toBe(404);
  });

  it(`answers command ${COMMANDS_IN_FLIGHT_PER_SOCKET_MAX + 1} in flight with ERR_BUSY, and runs the rest`, async () => {
    const lab = heldLab();
    const { port } = await startHost({}, lab);
    const answer = await upgrade(port, `/ws?token=${TOKEN}`);
    if (!answer.open) throw new Error('refused');
    const socket = answer.open;
    const results = new Map<number, Result<unknown>>();
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as ServerMessage;
      if (message.type === 'result') results.set(message.id, message.result);
    });
    const max = COMMANDS_IN_FLIGHT_PER_SOCKET_MAX;
    for (let id = 1; id <= max + 1; id++) {
      socket.send(JSON.stringify({ type: 'command', id, command: { type: 'status' } }));
    }
    await expect.poll(() => results.size).toBe(1);
    const busy = results.get(max + 1);
    expect(busy).toMatchObject({ ok: false, error: { code: 'ERR_BUSY' } });
    expect(busy && !busy.ok && busy.error.message).toContain(
      `COMMANDS_IN_FLIGHT_PER_SOCKET_MAX = ${max}`,
    );
    expect(lab.executed).toBe(max);
    lab.release();
    await expect.poll(() => results.size).toBe(max + 1);
    for (let id = 1; id <= max; id++) expect(results.get(id)).toEqual(ok('done'));
    // The count went back down: the next command runs.
    socket.send(JSON.stringify({ type: 'command', id: 100, command: { type: 'status' } }));
    await expect.poll(() => lab.executed).toBe(max + 1);
    lab.release();
    await expect.poll(() => results.get(100)).toEqual(ok('done'));
    expect(socket.readyState).toBe(WebSocket.OPEN);
  });

  it('closes a WebSocket that sends a message over the size limit (1009), and lives on', async () => {
    const { port } = await startHost({ messageBytesMax: 1024 }, heldLabAnswering());
    const answer = await upgrade(port, `/ws?token=${TOKEN}`);
    if (!answer.open) throw new Error('refused');
    const closed = new Promise<number>((resolve) => answer.open!.once('close', resolve));
    answer.open.send('x'.repeat(1025));
    expect(await closed).toBe(1009);
    expect((await upgrade(port, `/ws?token=${TOKEN}`)).open).not.toBeNull();
  });

  it('refuses a WebSocket beyond the connection cap with 503, and takes one again when one closes', async () => {
    const { port } = await startHost({ connectionsMax: 2 });
    const first = await upgrade(port, `/ws?token=${TOKEN}`);
    const second = await upgrade(port, `/ws?token=${TOKEN}`);
    expect(first.open && second.open).toBeTruthy();
    const third = refused(await upgrade(port, `/ws?token=${TOKEN}`));
    expect(third.status).toBe(503);
    expect(third.body).toMatch(
      /too many connections: 2 WebSockets are open.*WS_CONNECTIONS_MAX = 2/,
    );
    expectSecurityHeaders(third.headers);
    await new Promise((resolve) => {
      first.open!.once('close', resolve);
      first.open!.close();
    });
    await expect
      .poll(async () => {
        const again = await upgrade(port, `/ws?token=${TOKEN}`);
        return again.open !== null;
      })
      .toBe(true);
  });
});

describe('browser mode on a non-loopback address', () => {
  it('has no warning on loopback', async () => {
    const { host } = await startHost();
    expect(host.exposureWarning()).toBeNull();
  });

  it('warns when listening on 0.0.0.0 and lets in this machine’s addresses only', async () => {
    const { host, port } = await startHost({ host: '0.0.0.0' });
    const warning = host.exposureWarning() ?? '';
    expect(warning).toMatch(/0\.0\.0\.0:\d+, reachable from the network/);
    expect(warning).toMatch(/Anyone on the network who learns the token can read and write/);
    expect(warning).toMatch(/cleartext HTTP/);
    expect(new URL(host.url).hostname).toBe('127.0.0.1');
    const lan = Object.values(networkInterfaces())
      .flat()
      .find((info) => info && info.family === 'IPv4' && !info.internal);
    if (lan) {
      expect(warning).toContain(`http://${lan.address}:${port}`);
      expect((await get(port, `/?token=${TOKEN}`, { host: `${lan.address}:${port}` })).status).toBe(
        200,
      );
    }
    expect((await get(port, `/?token=${TOKEN}`, { host: `0.0.0.0:${port}` })).status).toBe(403);
    expect((await get(port, `/?token=${TOKEN}`, { host: `evil.example:${port}` })).status).toBe(
      403,
    );
  });
});

/** A lab that answers every command at once with ok('done'). */
function heldLabAnswering(): LabPort {
  return { ...heldLab(), execute: () => Promise.resolve(ok('done')) };
}

function nextMessage(socket: WebSocket): Promise<unknown> {
  return new Promise((resolve) =>
    socket.once('message', (data) => resolve(JSON.parse(String(data)))),
  );
}
