/**
 * Several `push-lab serve` processes on one Redis (`--store redis://… --instance NAME`) and
 * the plain HTTP/2 clients that talk to them (test/interop/redis-*.test.ts). Everything
 * started here is registered with the caller's cleanups.
 */
import http2, { type ClientHttp2Session } from 'node:http2';
import { startCli, type Running } from './cli';
import { startRedis, type RedisServer } from './redis';

export type Cleanups = (() => unknown)[];

export function connect(
  cleanups: Cleanups,
  url: string,
  enablePush: boolean,
): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url, { settings: { enablePush } });
    session.once('error', reject);
    session.once('connect', () => {
      session.off('error', reject);
      session.on('error', () => {});
      cleanups.push(() => session.destroy());
      resolve(session);
    });
  });
}

export interface Answer {
  status: number;
  headers: http2.IncomingHttpHeaders;
}

export function request(
  session: ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: body === undefined });
    let h: http2.IncomingHttpHeaders | null = null;
    stream.on('response', (r) => (h = r));
    stream.on('error', reject);
    stream.on('close', () =>
      h ? resolve({ status: Number(h[':status']), headers: h }) : reject(new Error('no answer')),
    );
    stream.resume();
    if (body !== undefined) stream.end(body);
  });
}

/** The target of a Link header's relation `rel` (a path or a URL), or null. */
export function linked(answer: Answer, rel: string): string | null {
  const text = [answer.headers['link'] ?? ''].flat().join(', ');
  for (const part of text.split(/,\s*(?=<)/)) {
    const found = /^<([^>]+)>;\s*rel="([^"]+)"/.exec(part.trim());
    if (found?.[2] === rel) return found[1]!;
  }
  return null;
}

/** The path of a URL or path. */
export const pathOf = (target: string): string => new URL(target, 'http://x').pathname;

export interface Push {
  path: string;
  /** The pushed response's status (a receipt's 204 or 410; a message's 200). */
  status: number;
  body: string;
}

/**
 * Holds a monitoring GET (a subscription, a set or a receipt subscription) on `session` and
 * collects what is pushed on it.
 */
export function monitor(session: ClientHttp2Session, targetPath: string): Push[] {
  const pushes: Push[] = [];
  session.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    let status = 0;
    stream.on('push', (h: http2.IncomingHttpHeaders) => (status = Number(h[':status'])));
    stream.on('error', () => {});
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () =>
      pushes.push({
        path: String(headers[':path']),
        status,
        body: Buffer.concat(chunks).toString(),
      }),
    );
  });
  const get = session.request({ ':method': 'GET', ':path': targetPath });
  get.on('error', () => {});
  get.resume();
  return pushes;
}

export interface Instance {
  run: Running;
  url: string;
  /** The events it printed so far (`--json` event lines), parsed. */
  events(): { kind: string; [field: string]: unknown }[];
}

/**
 * `push-lab serve --store <store> --instance <name>` on a free port, h2c, JSON lines; `more`
 * are further flags (limits).
 */
export async function serve(
  cleanups: Cleanups,
  store: string,
  name: string,
  more: string[] = [],
): Promise<Instance> {
  const run = startCli([
    'serve',
    '--h2c',
    '--port',
    '0',
    '--store',
    store,
    '--instance',
    name,
    '--subscriptions',
    '0',
    '--json',
    ...more,
  ]);
  cleanups.push(() => run.stop());
  const listening = JSON.parse(await run.waitFor(/"type":"listening"/)) as { url: string };
  return {
    run,
    url: listening.url,
    events: () =>
      run.lines
        .filter((line) => line.includes('"type":"event"'))
        .map((line) => JSON.parse(line) as { kind: string }),
  };
}

/**
 * A fresh redis-server on a free port and one `serve` instance on it per name (each with the
 * flags `more`), in that order; all stopped through `cleanups`.
 */
export async function instancesOnRedis(
  cleanups: Cleanups,
  names: string[],
  more: string[] = [],
): Promise<{ redis: RedisServer; instances: Instance[] }> {
  const redis = await startRedis();
  cleanups.push(() => redis.stop());
  const instances: Instance[] = [];
  for (const name of names) instances.push(await serve(cleanups, redis.url, name, more));
  return { redis, instances };
}

/** A subscription as its user agent holds it: where to monitor, where senders POST. */
export interface Subscribed {
  path: string;
  pushPath: string;
  setPath: string;
}

/** POST /subscribe (echoing a set when given); throws unless 201. */
export async function subscribe(
  session: ClientHttp2Session,
  setPath?: string,
): Promise<Subscribed> {
  const headers: http2.OutgoingHttpHeaders = { ':method': 'POST', ':path': '/subscribe' };
  if (setPath) headers['link'] = `<${setPath}>; rel="urn:ietf:params:push:set"`;
  const answer = await request(session, headers);
  if (answer.status !== 201) throw new Error(`subscribe answered ${answer.status}`);
  return {
    path: pathOf(String(answer.headers['location'])),
    pushPath: pathOf(linked(answer, 'urn:ietf:params:push')!),
    setPath: pathOf(linked(answer, 'urn:ietf:params:push:set')!),
  };
}
