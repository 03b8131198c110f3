/**
 * `push-lab send SUBSCRIPTION.json`: the sender's side as a command. It encrypts, signs and
 * sends one message to any push service — the lab's or a real provider — over HTTP/2 (ALPN
 * h2; h2c with prior knowledge for http://) or HTTP/1.1 (`--http1`, or when TLS does not
 * offer h2), and prints the exchange with the secrets elided, so a developer sees what a
 * provider answered and why. With `--receipt` it asks for a delivery receipt (RFC 8030 §5.1)
 * and waits, bounded, for it to be pushed back.
 *
 * The request is the engine's (`engine/agents/send-request.ts`): the same crypto and the
 * same profile client the simulated application servers use. This file does the I/O.
 * Exit codes: 0 accepted (and the receipt, if asked, says delivered); 1 refused, unreachable
 * or no delivery receipt; 2 bad input.
 */
import http, { type IncomingMessage } from 'node:http';
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';
import { isIP } from 'node:net';
import { open } from 'node:fs/promises';
import { FileError } from '../engine/fs/atomic-write';
import { readBoundedFile } from '../engine/fs/bounded-read';
import tls, { type TLSSocket } from 'node:tls';
import { InvalidArgumentError } from 'commander';
import { PROFILES, type Profile, type Urgency } from '../../shared/events';
import { RealClock } from '../engine/clock';
import { createVapidKeys, vapidKeysFromText, type VapidKeys } from '../engine/crypto';
import { closeSession, connect, request, RESPONSE_BYTES_MAX } from '../engine/agents/h2';
import {
  buildPushRequest,
  CONTENT_ENCODINGS,
  parsePushSubscription,
  PLAINTEXT_MAX_OCTETS,
  type ContentEncoding,
} from '../engine/agents/send-request';
import { parseTopic } from '../engine/push/http';
import { clientProfile } from '../engine/push/profiles/registry';
import type {
  ClientProfile,
  ClientRequest,
  SendAnswer,
} from '../engine/push/profiles/client-common';
import { CliError } from './options';
import { formatDuration } from '../../shared/format';

/** A PushSubscription is a few hundred octets; anything this large is not one. */
export const SUBSCRIPTION_FILE_BYTES_MAX = 64 * 1024;
/** A PEM, JWK or base64url key is well under this. */
export const VAPID_KEY_FILE_BYTES_MAX = 16 * 1024;
/** A CA bundle (the system's is about 200 KiB). */
export const CA_FILE_BYTES_MAX = 1024 * 1024;
/** Connecting and getting the answer to the send. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** `--wait`: the longest wait for a receipt. */
export const RECEIPT_WAIT_SECONDS_MAX = 600;
export const RECEIPT_WAIT_SECONDS_DEFAULT = 10;
/** `--ttl`: RFC 8030 §5.2 clamps larger values to 2^31 anyway. */
export const TTL_SECONDS_MAX = 2 ** 31;
export const TTL_SECONDS_DEFAULT = 60;
/** `--vapid-subject`: a contact URI, short. */
export const VAPID_SUBJECT_CHARS_MAX = 256;
/** Characters of a response body printed (the whole is at most RESPONSE_BYTES_MAX). */
export const BODY_SHOWN_CHARS_MAX = 4000;

export interface SendCliOptions {
  text?: string;
  file?: string;
  ttl: number;
  urgency?: Urgency;
  topic?: string;
  receipt: boolean;
  wait: number;
  vapidKey?: string;
  vapidSubject?: string;
  genVapidKey?: string;
  encoding: ContentEncoding;
  profile: Profile;
  ca?: string;
  insecure: boolean;
  http1: boolean;
  json: boolean;
}

// ---- flag parsers (commander: a refusal names the flag, the value and what is allowed) ----

/** `--topic`: RFC 8030 §5.4, judged by the service's own parser. */
export function parseTopicFlag(value: string): string {
  const parsed = parseTopic({ topic: value });
  if (!parsed.ok)
    throw new InvalidArgumentError(parsed.problem.detail.replace(/^Topic header: /, ''));
  return value;
}

export function parseEncoding(value: string): ContentEncoding {
  if (!(CONTENT_ENCODINGS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`got "${value}"; allowed ${CONTENT_ENCODINGS.join(', ')}`);
  return value as ContentEncoding;
}

/** `--wait`: whole seconds from 1 to RECEIPT_WAIT_SECONDS_MAX. */
export function parseWait(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > RECEIPT_WAIT_SECONDS_MAX)
    throw new InvalidArgumentError(
      `got "${value}"; allowed whole seconds from 1 to ${RECEIPT_WAIT_SECONDS_MAX}`,
    );
  return Number(value);
}

/** `--vapid-subject`: RFC 8292 §2.1, a `mailto:` or `https:` contact. */
export function parseSubject(value: string): string {
  if (value.length > VAPID_SUBJECT_CHARS_MAX || !/^(mailto:[^\s]+|https:\/\/[^\s]+)$/.test(value))
    throw new InvalidArgumentError(
      `got "${value.slice(0, 80)}"; allowed a mailto: or https: URI of at most ${VAPID_SUBJECT_CHARS_MAX} characters`,
    );
  return value;
}

// ---- the command ----------------------------------------------------------------------

interface Input {
  subscriptionText: string;
  plaintext: Buffer | null;
  vapid: VapidKeys | null;
  ca: string | undefined;
}

export async function runSend(file: string | undefined, options: SendCliOptions): Promise<number> {
  if (options.genVapidKey !== undefined) return generateKey(options.genVapidKey, options.json);
  if (file === undefined) {
    throw new CliError(
      'SUBSCRIPTION.json: missing; give the file holding the PushSubscription JSON (endpoint, keys.p256dh, keys.auth)',
      2,
    );
  }
  checkCombinations(options);
  const input = await readInput(file, options);
  const parsed = parsePushSubscription(input.subscriptionText);
  if (!parsed.ok) throw new CliError(`${file}: ${parsed.problem}`, 2);
  const url = new URL(parsed.subscription.endpoint);
  let req: ClientRequest;
  try {
    req = buildPushRequest({
      subscription: parsed.subscription,
      profile: options.profile,
      plaintext: input.plaintext,
      encoding: options.encoding,
      ttlSeconds: options.ttl,
      ...(options.urgency ? { urgency: options.urgency } : {}),
      ...(options.topic ? { topic: options.topic } : {}),
      receipt: options.receipt,
      vapid: input.vapid && {
        keys: input.vapid,
        ...(options.vapidSubject ? { subject: options.vapidSubject } : {}),
        nowSeconds: Math.floor(Date.now() / 1000),
      },
    });
  } catch (error) {
    throw new CliError(`cannot make this send: ${(error as Error).message}`, 2);
  }
  const headers = { ...req.headers, 'content-length': String(req.body?.length ?? 0) };
  const sent = { ...req, headers };
  const profile = clientProfile(options.profile);
  const exchange = await send(url, sent, {
    ca: input.ca,
    insecure: options.insecure,
    http1: options.http1,
    waitMs: options.receipt ? options.wait * 1000 : null,
    readAnswer: (status, answerHeaders) =>
      profile.readSendAnswer(status, answerHeaders, url.origin),
  });
  process.stdout.write(describeExchange(url, sent, exchange, options));
  if (!exchange.answer.accepted) return 1;
  if (options.receipt && exchange.receipt?.status !== 204) return 1;
  return 0;
}

/** Flags that cannot go together, or that the profile cannot express. */
function checkCombinations(options: SendCliOptions): void {
  const profile = clientProfile(options.profile);
  const refuse = (why: string) => new CliError(why, 2);
  if (options.text !== undefined && options.file !== undefined)
    throw refuse(
      '--text and --file: both given; allowed one payload (or neither for an empty push)',
    );
  if (options.receipt && options.http1)
    throw refuse(
      '--receipt with --http1: receipts are server pushes, HTTP/2 only (RFC 8030 §6.3); drop one',
    );
  const profilesWith = (has: (p: ClientProfile) => boolean) =>
    PROFILES.filter((name) => has(clientProfile(name))).join(', ');
  if (options.receipt && profile.receipts === 'none')
    throw refuse(
      `--receipt: profile ${options.profile} has no receipts; allowed with ${profilesWith((p) => p.receipts !== 'none')}`,
    );
  if (options.vapidKey !== undefined && !profile.vapid)
    throw refuse(
      `--vapid-key: profile ${options.profile} predates VAPID; allowed with ${profilesWith((p) => p.vapid)}`,
    );
  // damaggio's envelope names only aes128gcm (damaggioMessage): aesgcm's parameters would be lost.
  if (options.encoding === 'aesgcm' && options.profile === 'draft-damaggio')
    throw refuse(
      '--encoding aesgcm with --profile draft-damaggio: its JSON envelope carries aes128gcm bodies only; allowed --encoding aes128gcm',
    );
  if (options.vapidSubject !== undefined && options.vapidKey === undefined)
    throw refuse('--vapid-subject: needs --vapid-key (the subject is a claim of the signed token)');
}

async function readInput(file: string, options: SendCliOptions): Promise<Input> {
  const subscriptionText = (
    await readBounded(file, SUBSCRIPTION_FILE_BYTES_MAX, 'SUBSCRIPTION.json', 'subscription file')
  ).toString('utf8');
  let plaintext: Buffer | null = null;
  const max = PLAINTEXT_MAX_OCTETS[options.encoding];
  if (options.text !== undefined) plaintext = Buffer.from(options.text, 'utf8');
  if (options.file !== undefined)
    plaintext = await readBounded(options.file, max, '--file', 'message file');
  if (plaintext && plaintext.length > max) {
    throw new CliError(
      `${options.file !== undefined ? '--file' : '--text'}: ${plaintext.length} octets; allowed at most ${max} with --encoding ${options.encoding} (a 4096-octet body, RFC 8030 §7.2)`,
      2,
    );
  }
  let vapid: VapidKeys | null = null;
  if (options.vapidKey !== undefined) {
    const text = await readBounded(
      options.vapidKey,
      VAPID_KEY_FILE_BYTES_MAX,
      '--vapid-key',
      'VAPID key file',
    );
    try {
      vapid = vapidKeysFromText(text.toString('utf8'));
    } catch (error) {
      throw new CliError(
        `--vapid-key ${options.vapidKey}: ${(error as Error).message}; allowed a P-256 private key as PEM, JWK, web-push's {"publicKey","privateKey"} JSON or base64url`,
        2,
      );
    }
  }
  const ca =
    options.ca === undefined
      ? undefined
      : (await readBounded(options.ca, CA_FILE_BYTES_MAX, '--ca', 'CA file')).toString('utf8');
  return { subscriptionText, plaintext, vapid, ca };
}

/**
 * The file's bytes (engine/fs/bounded-read.ts: a regular file of at most `max` bytes), refused
 * with exit 2 and the flag that named it.
 */
async function readBounded(file: string, max: number, flag: string, what: string): Promise<Buffer> {
  try {
    return await readBoundedFile(file, max, what);
  } catch (error) {
    if (error instanceof FileError) throw new CliError(`${flag} ${error.message}`, 2);
    throw error;
  }
}

/** `--gen-vapid-key FILE`: a new pair in web-push's JSON form, never over an existing file. */
async function generateKey(file: string, json: boolean): Promise<number> {
  const keys = createVapidKeys();
  const text = `${JSON.stringify({ publicKey: keys.publicKeyB64u, privateKey: keys.privateKeyB64u })}\n`;
  try {
    const handle = await open(file, 'wx', 0o600);
    await handle.writeFile(text);
    await handle.close();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      `--gen-vapid-key ${file}: ${code === 'EEXIST' ? 'exists; give a new path (a key file is never overwritten)' : (error as Error).message}`,
      2,
    );
  }
  process.stdout.write(
    json
      ? `${JSON.stringify({ type: 'vapid-key', file, publicKey: keys.publicKeyB64u })}\n`
      : `VAPID key pair written to ${file} (keep it private)\npublic key (applicationServerKey, serve --vapid-key): ${keys.publicKeyB64u}\n`,
  );
  return 0;
}

// ---- the exchange -----------------------------------------------------------------------

interface Receipt {
  /** The pushed receipt's :status (204 delivered; 410 or 504 not). */
  status: number;
  /** The message the receipt is for (its promised :path). */
  message: string;
  afterMs: number;
}

interface Answered {
  httpVersion: '2' | '1.1';
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface Exchange extends Answered {
  /** The answer as the profile reads it: accepted, the message, where receipts come from. */
  answer: SendAnswer;
  /** Undefined when no receipt was asked; null when none came in time. */
  receipt?: Receipt | null;
  /** Why the receipt GET ended without one, if it did. */
  receiptProblem?: string;
}

interface SendTransport {
  ca: string | undefined;
  insecure: boolean;
  http1: boolean;
  waitMs: number | null;
  readAnswer: (status: number, headers: IncomingHttpHeaders) => SendAnswer;
}

async function send(url: URL, req: ClientRequest, t: SendTransport): Promise<Exchange> {
  const overHttp1 = async (socket: TLSSocket | null): Promise<Exchange> => {
    const res = await http1Send(url, req, socket);
    const exchange = { ...res, answer: t.readAnswer(res.status, res.headers) };
    if (t.waitMs === null || !exchange.answer.accepted) return exchange;
    // Only when TLS offered no h2: --receipt with --http1 is refused up front.
    return {
      ...exchange,
      receipt: null,
      receiptProblem: 'the service did not offer HTTP/2 (ALPN), and receipts are server pushes',
    };
  };
  try {
    if (url.protocol === 'http:') {
      return t.http1 ? await overHttp1(null) : await h2Send(url, req, null, t);
    }
    const socket = await openTls(url, t);
    if (socket.alpnProtocol !== 'h2') return await overHttp1(socket);
    return await h2Send(url, req, socket, t);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(connectionProblem(url, error, t.http1), 1);
  }
}

/** A sentence a developer can act on: what failed, and the flag that helps. */
export function connectionProblem(url: URL, error: unknown, http1: boolean): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const message = (error as Error).message ?? String(error);
  const base = `${url.origin}: ${message}`;
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(code))
    return `${base}; give the service's CA certificate with --ca FILE (serve prints its path), or --insecure to skip the check`;
  if (url.protocol === 'http:' && !http1 && /HTTP2|ECONNRESET|PROTOCOL/.test(`${code} ${message}`))
    return `${base}; the service may not speak cleartext HTTP/2 (h2c with prior knowledge): try --http1`;
  return base;
}

/** The host to connect to: an IPv6 literal without its URL brackets. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

function openTls(url: URL, t: SendTransport): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: hostOf(url),
      port: Number(url.port || 443),
      // SNI names hosts only (RFC 6066 §3).
      ...(isIP(hostOf(url)) ? {} : { servername: url.hostname }),
      ...(t.ca !== undefined ? { ca: t.ca } : {}),
      rejectUnauthorized: !t.insecure,
      ALPNProtocols: t.http1 ? ['http/1.1'] : ['h2', 'http/1.1'],
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no TLS handshake in ${REQUEST_TIMEOUT_MS} ms`));
    }, REQUEST_TIMEOUT_MS);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

async function h2Send(
  url: URL,
  req: ClientRequest,
  socket: TLSSocket | null,
  t: SendTransport,
): Promise<Exchange> {
  const clock = new RealClock();
  const deadline = { clock, timeoutMs: REQUEST_TIMEOUT_MS };
  const session = await connect(
    url.origin,
    socket ? { createConnection: () => socket } : {},
    deadline,
  );
  session.on('error', () => {});
  try {
    const res = await request(
      session,
      { ':method': req.method, ':path': req.path, ...req.headers },
      req.body ?? Buffer.alloc(0),
      deadline,
    );
    const answer = t.readAnswer(res.status, res.headers);
    const exchange: Exchange = { httpVersion: '2', ...res, answer };
    if (t.waitMs === null || !answer.accepted) return exchange;
    if (!answer.receiptUrl) {
      return { ...exchange, receipt: null, receiptProblem: 'the answer named no receipt resource' };
    }
    return { ...exchange, ...(await waitForReceipt(session, url, answer, t.waitMs)) };
  } finally {
    await closeSession(session, clock);
  }
}

/**
 * Holds a GET on the receipt resource until the receipt for this message is pushed on it
 * (its promised :path is the message URI), or until `waitMs`.
 */
function waitForReceipt(
  session: ClientHttp2Session,
  url: URL,
  answer: { messagePath: string | null; receiptUrl: string | null },
  waitMs: number,
): Promise<Pick<Exchange, 'receipt' | 'receiptProblem'>> {
  const started = performance.now();
  return new Promise((resolve) => {
    const get = session.request({
      ':method': 'GET',
      ':path': new URL(answer.receiptUrl!, url).pathname,
    });
    const done = (result: Pick<Exchange, 'receipt' | 'receiptProblem'>): void => {
      clearTimeout(timer);
      session.off('stream', onPush);
      get.close();
      resolve(result);
    };
    const timer = setTimeout(
      () =>
        done({ receipt: null, receiptProblem: `none within ${formatDuration(waitMs)} (--wait)` }),
      waitMs,
    );
    const onPush = (pushed: ClientHttp2Stream, headers: IncomingHttpHeaders): void => {
      const message = String(headers[':path'] ?? '');
      pushed.on('error', () => {});
      pushed.resume();
      if (answer.messagePath !== null && message !== answer.messagePath) return;
      pushed.once('push', (pushedHeaders: IncomingHttpHeaders) =>
        done({
          receipt: {
            status: Number(pushedHeaders[':status'] ?? 0),
            message,
            afterMs: Math.round(performance.now() - started),
          },
        }),
      );
    };
    session.on('stream', onPush);
    get.on('error', () => {});
    get.resume();
    get.on('response', (headers) => {
      const status = Number(headers[':status'] ?? 0);
      if (status >= 300)
        done({ receipt: null, receiptProblem: `the receipt GET was answered ${status}` });
    });
    get.end();
  });
}

function http1Send(url: URL, req: ClientRequest, socket: TLSSocket | null): Promise<Answered> {
  return new Promise((resolve, reject) => {
    const r = http.request({
      host: hostOf(url),
      port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      method: req.method,
      path: req.path,
      headers: req.headers,
      ...(socket ? { createConnection: () => socket } : { agent: false }),
    });
    r.setTimeout(REQUEST_TIMEOUT_MS, () =>
      r.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS} ms`)),
    );
    r.on('error', reject);
    r.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const answered = (): void => {
        resolve({
          httpVersion: '1.1',
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
        });
        res.socket?.destroy();
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        // Enough to show: a body that never ends must not keep the sender reading.
        if (size >= RESPONSE_BYTES_MAX) answered();
      });
      res.on('error', reject);
      res.on('end', answered);
    });
    r.end(req.body ?? Buffer.alloc(0));
  });
}

// ---- printing ---------------------------------------------------------------------------

/**
 * Header values as shown: a VAPID token's signature is elided (with it, anyone reading the
 * output could send as this server to that service until `exp`); its claims are shown
 * decoded, since an `aud` or `exp` a service refuses is what one looks for.
 */
export function elideSecrets(name: string, value: string): string {
  if (name.toLowerCase() !== 'authorization') return value;
  const jwt = /([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)/;
  const match = jwt.exec(value);
  // Another scheme (`Bearer …`, FCM's legacy `key=…`): keep its name, elide the rest.
  if (!match) return `${/^(\S+\s+|[^=\s]+=)/.exec(value)?.[1] ?? ''}<credentials elided>`;
  let claims = '?';
  try {
    claims = Buffer.from(match[2]!, 'base64url').toString('utf8');
  } catch {
    // shown as ? — the token is ours, this does not happen
  }
  return value.replace(match[0], `<JWT ${claims}, signature elided>`);
}

function shownHeaders(headers: IncomingHttpHeaders | Record<string, string>): [string, string][] {
  return Object.entries(headers)
    .filter(([name, value]) => !name.startsWith(':') && value !== undefined)
    .map(([name, value]) => [
      name,
      elideSecrets(name, Array.isArray(value) ? value.join(', ') : String(value)),
    ]);
}

/** An RFC 9457 problem in the body, if it is one. */
function problemOf(exchange: Exchange): { title?: string; detail?: string } | null {
  if (!/json/i.test(String(exchange.headers['content-type'] ?? ''))) return null;
  try {
    const parsed = JSON.parse(exchange.body.toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? parsed : null;
  } catch {
    return null;
  }
}

function describeExchange(
  url: URL,
  req: ClientRequest & { headers: Record<string, string> },
  exchange: Exchange,
  options: SendCliOptions,
): string {
  const { accepted } = exchange.answer;
  const location = exchange.headers['location'];
  const problem = problemOf(exchange);
  const body = exchange.body.toString('utf8');
  if (options.json) {
    return `${JSON.stringify({
      request: {
        method: req.method,
        url: `${url.origin}${req.path}`,
        httpVersion: exchange.httpVersion,
        headers: Object.fromEntries(shownHeaders(req.headers)),
        bodyOctets: req.body?.length ?? 0,
      },
      response: {
        status: exchange.status,
        headers: Object.fromEntries(shownHeaders(exchange.headers)),
        body: body.slice(0, BODY_SHOWN_CHARS_MAX),
        ...(problem ? { problem } : {}),
      },
      accepted,
      location: typeof location === 'string' ? new URL(location, url).toString() : null,
      ...(exchange.receipt !== undefined ? { receipt: exchange.receipt } : {}),
      ...(exchange.receiptProblem ? { receiptProblem: exchange.receiptProblem } : {}),
    })}\n`;
  }
  const lines = [`> ${req.method} ${url.origin}${req.path} HTTP/${exchange.httpVersion}`];
  for (const [name, value] of shownHeaders(req.headers)) lines.push(`> ${name}: ${value}`);
  lines.push(`< HTTP/${exchange.httpVersion} ${exchange.status}`);
  for (const [name, value] of shownHeaders(exchange.headers)) lines.push(`< ${name}: ${value}`);
  if (body)
    lines.push(
      '<',
      ...body
        .slice(0, BODY_SHOWN_CHARS_MAX)
        .split('\n')
        .map((l) => `< ${l}`),
    );
  if (accepted) {
    lines.push(
      `accepted: ${exchange.status}` +
        (typeof location === 'string' ? `, message ${new URL(location, url).toString()}` : ''),
    );
  } else {
    const why = problem?.detail ?? problem?.title ?? (body.slice(0, 200) || 'no body');
    lines.push(`refused: ${exchange.status} ${why}`);
  }
  if (exchange.receipt)
    lines.push(
      `receipt: ${exchange.receipt.status} ${exchange.receipt.status === 204 ? 'delivered' : 'not delivered'} for ${exchange.receipt.message} after ${formatDuration(exchange.receipt.afterMs)}`,
    );
  else if (exchange.receipt === null) lines.push(`receipt: ${exchange.receiptProblem ?? 'none'}`);
  return `${lines.join('\n')}\n`;
}
