/** Test helpers: a real push service on port 0 and a raw node:http2 client for it. */
import http2, {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http2';
import type { LabEvent } from '../../src/shared/events';
import type { Clock } from '../../src/main/engine/clock/clock';
import { RealClock } from '../../src/main/engine/clock/real';
import { PushService, type PushServiceOptions } from '../../src/main/engine/push/service';
import { EventBus } from '../../src/main/engine/trace/bus';
import { eventually } from './poll';

/** A push service over h2c on a free port, on `clock` (real time unless a test drives it). */
export async function startService(
  options: Partial<PushServiceOptions> = {},
  clock: Clock = new RealClock(),
) {
  const bus = new EventBus(clock);
  const events: LabEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const service = new PushService(
    { serviceId: 'ps1', profile: 'rfc8030', host: '127.0.0.1', port: 0, tls: null, ...options },
    clock,
    bus,
  );
  await service.start();
  return { service, events, bus, clock };
}

export function client(url: string): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.once('error', reject);
    session.once('connect', () => resolve(session));
  });
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export function call(
  session: ClientHttp2Session,
  headers: OutgoingHttpHeaders,
  body?: string | Buffer,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: body === undefined });
    let h: IncomingHttpHeaders = {};
    let data = '';
    stream.on('response', (r) => (h = r));
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => (data += d));
    stream.on('end', () => resolve({ status: Number(h[':status']), headers: h, body: data }));
    stream.on('error', reject);
    if (body !== undefined) stream.end(body);
  });
}

export interface Pushed {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Collects every server push on a session. */
export function collectPushes(session: ClientHttp2Session): Pushed[] {
  const pushes: Pushed[] = [];
  session.on('stream', (stream, requestHeaders) => {
    let headers: IncomingHttpHeaders = {};
    let body = '';
    stream.on('push', (h) => (headers = h));
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => (body += d));
    stream.on('end', () => pushes.push({ path: String(requestHeaders[':path']), headers, body }));
  });
  return pushes;
}

/** Polls `predicate` until it holds or `timeoutMs` passes (the one polling helper). */
export async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  await eventually('the condition', predicate, { timeoutMs });
}

export function linkPath(headers: IncomingHttpHeaders, rel: string): string | null {
  const raw = headers['link'];
  const text = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  const m = new RegExp(`<([^>]+)>;\\s*rel="${rel.replace(/[.:]/g, '\\$&')}"`).exec(text);
  return m ? m[1]! : null;
}

export interface Held {
  /** The request stream (its pushes arrive as session 'stream' events). */
  readonly stream: ClientHttp2Stream;
  /** Settles when the service answers the held request, which it may never do. */
  readonly reply: Promise<Reply>;
}

/** Opens a request the service is expected to hold (a monitoring GET) without awaiting it. */
export function hold(session: ClientHttp2Session, headers: OutgoingHttpHeaders): Held {
  const stream = session.request(headers);
  stream.on('error', () => {});
  const reply = new Promise<Reply>((resolve) => {
    let h: IncomingHttpHeaders = {};
    let data = '';
    stream.on('response', (r) => (h = r));
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => (data += d));
    stream.on('end', () => resolve({ status: Number(h[':status']), headers: h, body: data }));
  });
  return { stream, reply };
}
