/**
 * The benches' node:http2 client: connect, one request answered whole, an RFC 8030
 * subscribe. Each bounded by a timeout so a stuck server fails the bench with a sentence.
 */
import http2, {
  type ClientHttp2Session,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type SecureClientSessionOptions,
} from 'node:http2';
import { withTimeout } from './h2load';

export function connect(url: string, options: SecureClientSessionOptions = {}) {
  return withTimeout(
    new Promise<ClientHttp2Session>((resolve, reject) => {
      const session = http2.connect(url, options);
      session.once('error', reject);
      session.once('connect', () => {
        session.off('error', reject);
        session.on('error', () => {});
        resolve(session);
      });
    }),
    `connect ${url}`,
    10_000,
  );
}

export function call(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body?: Buffer) {
  return withTimeout(
    new Promise<{ status: number; headers: IncomingHttpHeaders }>((resolve, reject) => {
      const stream = session.request(headers, { endStream: body === undefined });
      let h: IncomingHttpHeaders = {};
      stream.on('response', (r) => (h = r));
      stream.on('end', () => resolve({ status: Number(h[':status']), headers: h }));
      stream.on('error', reject);
      stream.resume();
      if (body !== undefined) stream.end(body);
    }),
    `${String(headers[':method'])} ${String(headers[':path'])}`,
    10_000,
  );
}

export async function subscribe(session: ClientHttp2Session) {
  const reply = await call(session, { ':method': 'POST', ':path': '/subscribe' });
  const links = [reply.headers['link'] ?? ''].flat().join(', ');
  const pushPath = /<([^>]+)>;\s*rel="urn:ietf:params:push"/.exec(links)?.[1];
  const location = reply.headers['location'];
  if (reply.status !== 201 || !pushPath || typeof location !== 'string') {
    throw new Error(`subscribe: got ${reply.status}, link ${links}`);
  }
  return { subPath: new URL(location).pathname, pushPath };
}
