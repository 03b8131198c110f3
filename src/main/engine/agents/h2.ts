/**
 * The few HTTP/2 client operations every simulated agent needs, on node:http2, with every
 * wait bounded on the lab's clock (a blackholed link must not hang an agent forever).
 */
import http2, {
  type ClientHttp2Session,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type SecureClientSessionOptions,
} from 'node:http2';
import type { Clock } from '../clock/clock';
import { parseLinks } from '../push/http';
import { LabError } from '../errors';

export interface H2Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Bytes of response body an agent reads at most; more is cut off (limits everywhere). */
export const RESPONSE_BYTES_MAX = 64 * 1024;

/** A bound on a wait, on the lab's clock. */
export interface Deadline {
  clock: Clock;
  timeoutMs: number;
}

/** An agent's request that could not be made or got no answer (not a timeout). */
export class AgentError extends LabError {
  override readonly name = 'AgentError';
  declare readonly code: AgentErrorCode;

  constructor(code: AgentErrorCode, message: string) {
    super(code, message);
  }
}

export type AgentErrorCode =
  /** The agent has no open HTTP/2 session to its push service. */
  | 'ERR_AGENT_NOT_CONNECTED'
  /** The stream closed before the push service answered (reset, connection lost). */
  | 'ERR_AGENT_NO_ANSWER';

/** A wait on the lab's clock ran out (connect, an answer). */
export class TimeoutError extends LabError {
  override readonly name = 'TimeoutError';
  declare readonly code: 'ERR_AGENT_TIMEOUT';

  constructor(message: string, options?: ErrorOptions) {
    super('ERR_AGENT_TIMEOUT', message, options);
  }
}

/** Opens a session and waits for the server's SETTINGS; rejects with the connection error or on timeout. */
export function connect(
  url: string,
  options: SecureClientSessionOptions = {},
  deadline?: Deadline,
): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url, options);
    const timer = deadline?.clock.schedule(deadline.timeoutMs, () => {
      session.destroy();
      reject(new TimeoutError(`connect to ${url}: no answer in ${deadline.timeoutMs} ms`));
    });
    // 'error' can fire more than once (a refused in-memory link, then the close): keep one
    // listener for the session's life so none goes unhandled; owners add their own.
    let settled = false;
    session.on('error', (error: Error) => {
      if (settled) return;
      settled = true;
      timer?.cancel();
      session.destroy();
      reject(error);
    });
    // Connected means the server spoke: its SETTINGS arrived. A socket that opens and is
    // then refused (a link in an outage) must count as a failed attempt, or a reconnecting
    // agent would reset its backoff and storm the link.
    session.once('remoteSettings', () => {
      if (settled) return;
      settled = true;
      timer?.cancel();
      resolve(session);
    });
  });
}

/** Sends one request and collects the whole (bounded) response. */
export function request(
  session: ClientHttp2Session,
  headers: OutgoingHttpHeaders,
  body?: Buffer | string,
  deadline?: Deadline,
): Promise<H2Response> {
  return new Promise((resolve, reject) => {
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(headers, { endStream: body === undefined });
    } catch (error) {
      reject(error as Error);
      return;
    }
    const timer = deadline?.clock.schedule(deadline.timeoutMs, () => {
      stream.close(http2.constants.NGHTTP2_CANCEL);
      reject(
        new TimeoutError(
          `${String(headers[':method'])} ${String(headers[':path'])}: no answer in ${deadline.timeoutMs} ms`,
        ),
      );
    });
    let responseHeaders: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('response', (h) => {
      responseHeaders = h;
    });
    stream.on('data', (chunk: Buffer) => {
      if (size + chunk.length <= RESPONSE_BYTES_MAX) chunks.push(chunk);
      size += chunk.length;
      // Past the bound nothing more is wanted: stop the stream rather than read on (a body
      // that never ends would otherwise hold the request until its deadline). 'close' settles
      // with what was kept.
      if (size > RESPONSE_BYTES_MAX) stream.close(http2.constants.NGHTTP2_CANCEL);
    });
    stream.on('end', () => {
      timer?.cancel();
      resolve({
        status: Number(responseHeaders[':status'] ?? 0),
        headers: responseHeaders,
        body: Buffer.concat(chunks),
      });
    });
    stream.on('error', (error) => {
      timer?.cancel();
      reject(error);
    });
    stream.on('close', () => {
      timer?.cancel();
      // Reset before the end: settle with what arrived, or fail if nothing did (settling
      // twice is a no-op for a promise, so after 'end' this changes nothing).
      if (responseHeaders[':status']) {
        resolve({
          status: Number(responseHeaders[':status']),
          headers: responseHeaders,
          body: Buffer.concat(chunks),
        });
      } else {
        reject(
          new AgentError(
            'ERR_AGENT_NO_ANSWER',
            `${String(headers[':path'])}: stream closed without an answer`,
          ),
        );
      }
    });
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

/** Closes a session gracefully, destroying it if it has not closed within `graceMs`. */
export function closeSession(
  session: ClientHttp2Session,
  clock: Clock,
  graceMs = 200,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = clock.schedule(graceMs, () => {
      session.destroy();
      resolve();
    });
    session.close(() => {
      timer.cancel();
      resolve();
    });
  });
}
