/**
 * The server side of `npm run bench:push`, run as its own process so that it has a CPU to
 * itself while h2load (or the bench's application server and user agent) load it:
 *
 *   tsx bench/server.ts bare           a bare node:http2 h2c server: POST → drain → 201, and
 *                                      the end-to-end exchanges with nothing kept (subscribe,
 *                                      one held GET each POST's body is pushed on, DELETE → 204)
 *   tsx bench/server.ts push <queue>   the real PushService (h2c, RealClock, EventBus)
 *   tsx bench/server.ts push <queue> <store dir | redis://host:port>
 *                                      the same with its durable store (push/store/wal.ts,
 *                                      or push/store/redis.ts)
 *
 * Prints `READY <base URL>` once listening; answers each `cpu` line on stdin with
 * `CPU <µs>` (its user + system CPU time so far, so the bench can divide a run's share by
 * its messages: a figure the other processes on a shared machine barely move); stops when
 * stdin closes or on SIGTERM/SIGINT (exiting normally, so `node --cpu-prof` writes its profile).
 */
import http2, { type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { RealClock } from '../src/main/engine/clock/real';
import { PushService } from '../src/main/engine/push/service';
import {
  DEFAULT_SERVICE_LIMITS,
  HEADER_LIST_PROTOCOL_BYTES_MAX,
} from '../src/main/engine/push/types';
import { storeLocation } from '../src/main/engine/push/store/location';
import { openStore } from '../src/main/engine/push/store/open';
import { EventBus } from '../src/main/engine/trace/bus';

/** What PushService.start() gives its server, so the bare one differs only in what it does. */
const SERVER_OPTIONS = {
  settings: { maxHeaderListSize: HEADER_LIST_PROTOCOL_BYTES_MAX, enablePush: false },
  maxHeaderListPairs: HEADER_LIST_PROTOCOL_BYTES_MAX / 32,
  maxSessionMemory: 32,
  peerMaxConcurrentStreams: 1000,
};

async function bare(): Promise<{ url: string; stop(): Promise<void> }> {
  const server = http2.createServer(SERVER_OPTIONS);
  server.on('sessionError', () => {});
  server.on('session', (session) => {
    session.on('error', () => {});
    // PushService opens each connection's window this wide too (connectionWindowBytes).
    session.setLocalWindowSize(DEFAULT_SERVICE_LIMITS.connectionWindowBytes);
  });
  // The end-to-end floor: the same exchanges with nothing kept but the one held GET.
  let monitor: ServerHttp2Stream | null = null;
  let pushed = 0;
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    const method = headers[':method'];
    const path = headers[':path'] ?? '';
    if (method === 'GET' && path.startsWith('/subscription/')) {
      monitor = stream;
      stream.on('close', () => void (monitor === stream && (monitor = null)));
      return;
    }
    if (method === 'DELETE') {
      stream.respond({ ':status': 204 }, { endStream: true });
      stream.resume();
      return;
    }
    if (method !== 'POST') {
      stream.respond({ ':status': 405 }, { endStream: true });
      stream.resume();
      return;
    }
    if (path === '/subscribe') {
      const links = '</push/bare>; rel="urn:ietf:params:push"';
      const location = `http://${headers[':authority']}/subscription/bare`;
      stream.respond({ ':status': 201, location, link: links });
      stream.end();
      stream.resume();
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      if (stream.destroyed) return;
      stream.respond({ ':status': 201 }, { endStream: true });
      const held = monitor;
      if (!held || held.closed || !held.pushAllowed) return;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      held.pushStream({ ':path': `/message/${++pushed}` }, (error, push) => {
        if (error) return;
        push.on('error', () => {});
        push.respond({ ':status': 200 });
        push.end(body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function push(
  queueCountMax: number,
  storeDir: string | undefined,
): Promise<{ url: string; stop(): Promise<void> }> {
  const clock = new RealClock();
  const bus = new EventBus(clock);
  const service = new PushService(
    {
      serviceId: 'bench',
      profile: 'rfc8030',
      host: '127.0.0.1',
      port: 0,
      tls: null,
      // Every run's messages live 60 s, more than the default store holds: the bench times
      // the accept path, so the cap (checked as always) is set out of its way.
      limits: { queueCountMax, storedBytesMax: 8 * 1024 ** 3 },
      ...(storeDir ? { store: () => open(storeDir, clock) } : {}),
    },
    clock,
    bus,
  );
  const url = await service.start();
  return { url, stop: () => service.stop() };
}

/** A directory (the write-ahead log) or a redis:// URL, as `serve --store` takes it. */
async function open(store: string, clock: RealClock) {
  const location = storeLocation(store);
  if ('error' in location) throw new Error(`store: ${location.error}`);
  return (await openStore(location, { serviceId: 'bench', clock })).store;
}

const [mode, queue, storeDir] = process.argv.slice(2);
if (mode !== 'bare' && mode !== 'push') {
  process.stderr.write(
    'usage: tsx bench/server.ts bare | push <queueCountMax> [<store dir | redis://host:port>]\n',
  );
  process.exit(2);
}
const running = mode === 'bare' ? await bare() : await push(Number(queue ?? 1_000_000), storeDir);
let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  // Sessions still open (h2load's, the bench's) are destroyed by stop(); don't wait forever.
  await Promise.race([running.stop(), new Promise((r) => setTimeout(r, 2000))]);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.setEncoding('utf8');
process.stdin.on('data', (text: string) => {
  for (const line of text.split('\n')) {
    if (line.trim() !== 'cpu') continue;
    const { user, system } = process.cpuUsage();
    process.stdout.write(`CPU ${user + system}\n`);
  }
});
process.stdout.write(`READY ${running.url}\n`);
