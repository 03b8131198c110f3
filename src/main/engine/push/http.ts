/**
 * Small HTTP/2 helpers shared by every profile: problem+json answers (RFC 9457), bounded
 * body reading, and the parsing of RFC 8030's request headers with answers that name the
 * header, the value received and what is allowed.
 */
import type {
  IncomingHttpHeaders,
  OutgoingHttpHeaders,
  ServerHttp2Stream,
  ServerStreamResponseOptions,
} from 'node:http2';
import { URGENCIES, type Urgency } from '../../../shared/events';
import {
  AESGCM_PARAMS_CHARS_MAX,
  CONTENT_ENCODINGS_ALLOWED,
  CONTENT_TYPE_CHARS_MAX,
  TTL_SECONDS_CLAMP,
} from './types';

export interface Problem {
  status: number;
  title: string;
  detail: string;
  extraHeaders?: Record<string, string>;
  /**
   * The body a provider quirk overlay answers with instead of the problem document (its own
   * JSON or text); `detail` still goes to the lab's events.
   */
  body?: { contentType: string; text: string };
}

/** Answers with an RFC 9457 problem document; a stream that is already gone is left alone. */
export function sendProblem(stream: ServerHttp2Stream, problem: Problem): void {
  if (problem.body) {
    respond(
      stream,
      problem.status,
      { ...problem.extraHeaders, 'content-type': problem.body.contentType },
      problem.body.text,
    );
    return;
  }
  const body = JSON.stringify({
    type: 'about:blank',
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
  });
  respond(
    stream,
    problem.status,
    { 'content-type': 'application/problem+json', ...problem.extraHeaders },
    body,
  );
}

/**
 * The lab clock of each HTTP/2 session the service accepted. Responses carry the lab's
 * `date` (RFC 9110 §6.6.1: the server's clock is the lab's), never the wall clock's: a
 * virtual run must not depend on when it ran, not even by the length of a header.
 */
const labClocks = new WeakMap<object, LabDate>();

/**
 * A session's lab clock and its last `date` text: a header of whole seconds, so a busy
 * connection formats it once a second instead of once a response.
 */
interface LabDate {
  now(): number;
  second: number;
  text: string;
}

export function useLabClock(session: object, now: () => number): void {
  labClocks.set(session, { now, second: NaN, text: '' });
}

function dateOf(clock: LabDate): string {
  const second = Math.floor(clock.now() / 1000);
  if (second !== clock.second) {
    clock.second = second;
    clock.text = new Date(second * 1000).toUTCString();
  }
  return clock.text;
}

// sendDate: node's http2 otherwise adds its own Date from the wall clock. One object each
// way for every response, not one per response.
const DATED_END: ServerStreamResponseOptions = { endStream: true, sendDate: false } as never;
const DATED_OPEN: ServerStreamResponseOptions = { endStream: false, sendDate: false } as never;
const UNDATED_END: ServerStreamResponseOptions = { endStream: true };
const UNDATED_OPEN: ServerStreamResponseOptions = { endStream: false };

/** Sends response headers dated by the stream's lab clock (node's own date when it has none). */
export function respondDated(
  stream: ServerHttp2Stream,
  headers: OutgoingHttpHeaders,
  endStream: boolean,
): void {
  const clock = stream.session ? labClocks.get(stream.session) : undefined;
  if (!clock) {
    stream.respond(headers, endStream ? UNDATED_END : UNDATED_OPEN);
    return;
  }
  stream.respond({ date: dateOf(clock), ...headers }, endStream ? DATED_END : DATED_OPEN);
}

export function respond(
  stream: ServerHttp2Stream,
  status: number,
  headers?: Record<string, string | string[] | number>,
  body?: string | Buffer,
): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  const endStream = body === undefined;
  try {
    const clock = stream.session ? labClocks.get(stream.session) : undefined;
    // One header object per response (the fields in the order respondDated gives them).
    if (!clock)
      stream.respond({ ':status': status, ...headers }, endStream ? UNDATED_END : UNDATED_OPEN);
    else
      stream.respond(
        { date: dateOf(clock), ':status': status, ...headers },
        endStream ? DATED_END : DATED_OPEN,
      );
    if (body !== undefined) stream.end(body);
  } catch {
    // The peer reset the stream between our check and the write: nothing left to answer.
  }
}

/**
 * Reads a request body up to `maxBytes`. Resolves with the body, or 'too-large' as soon as
 * the limit is passed (the rest is discarded), or 'aborted' if the stream dies first.
 */
export function readBody(
  stream: ServerHttp2Stream,
  maxBytes: number,
): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    (stream as unknown as Reading)[BODY_READER] = new BodyReader(maxBytes, resolve);
    stream.on('data', onBodyData);
    // node emits 'aborted' and then 'end' when the peer resets the stream or drops the
    // connection mid-body: a truncated body must never pass for a complete one, so 'end'
    // reads the stream's `aborted`. 'close' comes after every other ending (an error, a
    // reset with no 'end'), so it settles what is left: no 'aborted' or 'error' listener
    // (two more registrations and an array of listeners a send; dispatch holds 'error').
    stream.on('end', onBodyEnd);
    stream.on('close', onBodyAborted);
  });
}

type BodyResult = Buffer | 'too-large' | 'aborted';

/**
 * One body being read. The listeners are module functions that find it on the stream (an
 * emitter calls a listener with the stream as `this`): every send reads a body, and a closure
 * per listener (under tsx, each with its own name dictionary) was most of what a send allocated.
 */
class BodyReader {
  /** The common case for a push message: one chunk, used as is, not copied. */
  first: Buffer | null = null;
  rest: Buffer[] | null = null;
  size = 0;
  settled = false;

  constructor(
    readonly maxBytes: number,
    readonly resolve: (value: BodyResult) => void,
  ) {}

  settle(value: BodyResult): void {
    if (this.settled) return;
    this.settled = true;
    this.first = null;
    this.rest = null;
    this.resolve(value);
  }

  whole(): Buffer {
    if (this.rest === null) return this.first ?? Buffer.alloc(0);
    return Buffer.concat([this.first!, ...this.rest], this.size);
  }
}

const BODY_READER = Symbol('bodyReader');
interface Reading {
  [BODY_READER]: BodyReader;
}

function onBodyData(this: Reading, chunk: Buffer): void {
  const reader = this[BODY_READER];
  if (reader.settled) return;
  reader.size += chunk.length;
  if (reader.size > reader.maxBytes) {
    reader.settle('too-large');
    return;
  }
  if (reader.first === null) reader.first = chunk;
  else (reader.rest ??= []).push(chunk);
}

function onBodyEnd(this: Reading & { aborted: boolean }): void {
  const reader = this[BODY_READER];
  if (!reader.settled) reader.settle(this.aborted ? 'aborted' : reader.whole());
}

function onBodyAborted(this: Reading): void {
  this[BODY_READER].settle('aborted');
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: Problem };

const bad = (detail: string): Parsed<never> => ({
  ok: false,
  problem: { status: 400, title: 'Bad Request', detail },
});

/** What headerValues gives for an absent header: shared, never written to. */
const NO_VALUES: readonly string[] = Object.freeze([]);

/** One header's values; node joins repeats of most headers with ', '. */
function headerValues(headers: IncomingHttpHeaders, name: string): readonly string[] {
  const raw = headers[name];
  if (raw === undefined) return NO_VALUES;
  // One value (every send's TTL): no split and no map.
  if (typeof raw === 'string' && !raw.includes(',')) return [raw.trim()];
  const joined = Array.isArray(raw) ? raw.join(',') : raw;
  return joined.split(',').map((v) => v.trim());
}

/** RFC 8030 §5.2: TTL is required, 1*DIGIT, overflow clamps to 2^31. */
export function parseTtl(headers: IncomingHttpHeaders): Parsed<number> {
  const values = headerValues(headers, 'ttl');
  if (values.length === 0) {
    return bad('TTL header: missing; required, a number of seconds from 0 to 2147483648');
  }
  if (values.length > 1 || !/^\d+$/.test(values[0]!)) {
    return bad(
      `TTL header: got "${values.join(', ')}"; allowed one number of seconds (digits only)`,
    );
  }
  const digits = values[0]!;
  const value =
    digits.length > 10 ? TTL_SECONDS_CLAMP : Math.min(Number(digits), TTL_SECONDS_CLAMP);
  return { ok: true, value };
}

/** RFC 8030 §5.3: one of four values; absent means normal. */
export function parseUrgency(
  headers: IncomingHttpHeaders,
  absent: Urgency = 'normal',
): Parsed<Urgency> {
  const values = headerValues(headers, 'urgency');
  if (values.length === 0) return { ok: true, value: absent };
  if (values.length > 1) {
    return bad(
      `Urgency header: got ${values.length} values ("${values.join(', ')}"); allowed exactly one`,
    );
  }
  const value = values[0]!.toLowerCase();
  if (!(URGENCIES as readonly string[]).includes(value)) {
    return bad(`Urgency header: got "${values[0]}"; allowed ${URGENCIES.join(', ')}`);
  }
  return { ok: true, value: value as Urgency };
}

/** RFC 8030 §5.4: at most 32 characters of the base64url alphabet. */
export function parseTopic(headers: IncomingHttpHeaders): Parsed<string | null> {
  const raw = headers['topic'];
  if (raw === undefined) return { ok: true, value: null };
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(value)) {
    return bad(
      `Topic header: got "${value.slice(0, 64)}" (${value.length} characters); allowed 1 to 32 characters of A-Z a-z 0-9 - _`,
    );
  }
  return { ok: true, value };
}

/** A send with neither header keeps nothing: one frozen answer for all of them. */
const NOTHING_KEPT: Parsed<Readonly<Record<string, string>>> = Object.freeze({
  ok: true,
  value: Object.freeze({}),
});

/** A header value as shown back in an answer: at most 64 characters, never the whole thing. */
function shownValue(value: string): string {
  return value.length > 64 ? `${value.slice(0, 61)}...` : value;
}

/**
 * `Content-Type` and `Content-Encoding` of a send, kept with the message and pushed on with
 * it: the coding must be one the user agent can decrypt (or absent, for a plain lab push:
 * 415 naming the allowed codings otherwise, RFC 9110 §15.5.16), the type short.
 */
export function parseContentHeaders(
  headers: IncomingHttpHeaders,
): Parsed<Readonly<Record<string, string>>> {
  const encoding = headers['content-encoding'];
  if (encoding === undefined && headers['content-type'] === undefined) return NOTHING_KEPT;
  const kept: Record<string, string> = {};
  if (encoding !== undefined) {
    const value = String(encoding).trim();
    if (!(CONTENT_ENCODINGS_ALLOWED as readonly string[]).includes(value.toLowerCase())) {
      const allowed = CONTENT_ENCODINGS_ALLOWED.join(', ');
      return {
        ok: false,
        problem: {
          status: 415,
          title: 'Unsupported Media Type',
          detail: `Content-Encoding header: got "${shownValue(value)}" (${value.length} characters); allowed ${allowed}, or none for an unencrypted push`,
          extraHeaders: { 'accept-encoding': allowed },
        },
      };
    }
    kept['content-encoding'] = value;
    // aesgcm carries its salt and key in headers: kept and forwarded, as push services did.
    if (value.toLowerCase() === 'aesgcm') {
      for (const name of ['encryption', 'crypto-key'] as const) {
        const header = headers[name];
        if (header === undefined) continue;
        const text = Array.isArray(header) ? header.join(', ') : String(header);
        if (text.length > AESGCM_PARAMS_CHARS_MAX) {
          return bad(
            `${name === 'encryption' ? 'Encryption' : 'Crypto-Key'} header: got ${text.length} characters; allowed at most ${AESGCM_PARAMS_CHARS_MAX}`,
          );
        }
        kept[name] = text;
      }
    }
  }
  const type = headers['content-type'];
  if (type !== undefined) {
    if (type.length > CONTENT_TYPE_CHARS_MAX) {
      return bad(
        `Content-Type header: got "${shownValue(type)}" (${type.length} characters); allowed at most ${CONTENT_TYPE_CHARS_MAX}`,
      );
    }
    kept['content-type'] = type;
  }
  return { ok: true, value: kept };
}

/** `Prefer` tokens, lower-cased (RFC 7240), e.g. ['respond-async', 'wait=0']. */
export function preferences(headers: IncomingHttpHeaders): readonly string[] {
  if (headers['prefer'] === undefined) return NO_VALUES;
  return headerValues(headers, 'prefer').map((v) => v.toLowerCase().replace(/\s+/g, ''));
}

/** Parses `Link` header values into (uri, rel) pairs. */
export function parseLinks(headers: IncomingHttpHeaders): { uri: string; rel: string }[] {
  const raw = headers['link'];
  if (raw === undefined) return [];
  const text = Array.isArray(raw) ? raw.join(',') : raw;
  const links: { uri: string; rel: string }[] = [];
  const re = /<([^>]*)>\s*((?:;\s*[^;,]+)*)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const rel = /rel\s*=\s*"?([^";,]+)"?/i.exec(m[2] ?? '');
    if (rel) links.push({ uri: m[1]!, rel: rel[1]! });
  }
  return links;
}

export function link(path: string, rel: string): string {
  return `<${path}>; rel="${rel}"`;
}

export const REL_PUSH = 'urn:ietf:params:push';
export const REL_RECEIPT = 'urn:ietf:params:push:receipt';
export const REL_SET = 'urn:ietf:params:push:set';
