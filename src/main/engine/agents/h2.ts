/**
 * The few HTTP/2 client operations every simulated agent needs, on node:http2.
 */
import http2, {
  type ClientHttp2Session,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type SecureClientSessionOptions,
} from 'node:http2';
import { parseLinks } from '../push/http';

export interface H2Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Bytes of response body an agent reads at most; more is cut off (limits everywhere). */
export const RESPONSE_BYTES_MAX = 64 * 1024;

/** Opens a session and waits for it to connect; rejects with the connection error. */
export function connect(
  url: string,
  options: SecureClientSessionOptions = {},
): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url, options);
    const onError = (error: Error): void => {
      session.destroy();
      reject(error);
    };
    session.once('error', onError);
    session.once('connect', () => {
      session.off('error', onError);
      resolve(session);
    });
  });
}

/** Sends one request and collects the whole (bounded) response. */
export function request(
  session: ClientHttp2Session,
  headers: OutgoingHttpHeaders,
  body?: Buffer | string,
): Promise<H2Response> {
  return new Promise((resolve, reject) => {
    let stream;
    try {
      stream = session.request(headers, { endStream: body === undefined });
    } catch (error) {
      reject(error as Error);
      return;
    }
    let responseHeaders: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('response', (h) => {
      responseHeaders = h;
    });
    stream.on('data', (chunk: Buffer) => {
      if (size + chunk.length <= RESPONSE_BYTES_MAX) chunks.push(chunk);
      size += chunk.length;
    });
    stream.on('end', () =>
      resolve({
        status: Number(responseHeaders[':status'] ?? 0),
        headers: responseHeaders,
        body: Buffer.concat(chunks),
      }),
    );
    stream.on('error', reject);
    if (body !== undefined) stream.end(body);
  });
}

/** The URI of the first `Link` with the given rel, resolved against `base`. */
export function linkWithRel(
  headers: IncomingHttpHeaders,
  rel: string,
  base: string,
): string | null {
  const found = parseLinks(headers).find((l) => l.rel === rel);
  return found ? new URL(found.uri, base).toString() : null;
}
