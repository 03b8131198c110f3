/**
 * Who may use browser mode, and the headers every one of its answers carries.
 *
 * Whoever drives browser mode's WebSocket can read and write the lab's files and run
 * scenarios, so every request must
 * - present the per-run token (as Jupyter does: `?token=…` in the printed URL, then a cookie
 *   set by the first load that carried it), compared in constant time;
 * - name this server in its Host header: a page reached through DNS rebinding is same-origin
 *   with us as far as the browser knows, but its Host header names the attacker's domain;
 * - on the WebSocket upgrade, carry an Origin that is one of this server's own origins
 *   (browsers always send one; a missing Origin is not a browser we served).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/** Random bytes in a browser-mode token: 256 bits from node:crypto (43 base64url characters). */
export const WEB_TOKEN_BYTES = 32;
/** Shortest token accepted when one is passed in (tests): 22 base64url characters, 132 bits. */
export const WEB_TOKEN_CHARS_MIN = 22;

export function newWebToken(): string {
  return randomBytes(WEB_TOKEN_BYTES).toString('base64url');
}

/** Per port, so two instances on one machine (cookies ignore ports) keep their own token. */
export function tokenCookieName(port: number): string {
  return `push-lab-token-${port}`;
}

/** Names that always mean this machine, as they appear in a Host header. */
const LOOPBACK_HOSTNAMES = ['localhost', '127.0.0.1', '[::1]'];

const WILDCARDS = new Set(['0.0.0.0', '::']);

export function isWildcard(address: string): boolean {
  return WILDCARDS.has(address);
}

export function isLoopback(address: string): boolean {
  const bare = address.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare.startsWith('::ffff:127.');
  return false;
}

/** An address or name as it appears in a Host header or a URL (IPv6 in brackets). */
export function hostPart(address: string): string {
  return isIP(address) === 6 ? `[${address.toLowerCase()}]` : address.toLowerCase();
}

export interface Bound {
  /** The address the server listens on (server.address().address). */
  address: string;
  port: number;
  /** What the user asked for with --host (a name is allowed as given). */
  requested?: string;
}

/**
 * The host names a browser may use to reach a server bound at `bound`: the loopback names,
 * the bound address and the name the user gave. A wildcard bind (0.0.0.0, ::) adds every
 * address of this machine's interfaces at start, but no DNS name: names are what rebinding
 * forges, so a LAN name must be given with --host to be accepted. IPv6 link-local addresses
 * are left out (a URL cannot carry their zone).
 */
export function allowedHostnames(bound: Bound): string[] {
  const names = new Set(LOOPBACK_HOSTNAMES);
  if (bound.requested && !isWildcard(bound.requested)) names.add(hostPart(bound.requested));
  if (!isWildcard(bound.address)) {
    names.add(hostPart(bound.address));
    return [...names];
  }
  const ipv4Only = bound.address === '0.0.0.0';
  for (const addresses of Object.values(networkInterfaces())) {
    for (const info of addresses ?? []) {
      if (info.family === 'IPv6' && (ipv4Only || info.scopeid !== 0)) continue;
      names.add(hostPart(info.address));
    }
  }
  return [...names];
}

/** What a browser writes for `hostname` on `port` (no port when it is HTTP's default). */
function authority(hostname: string, port: number): string {
  return port === 80 ? hostname : `${hostname}:${port}`;
}

/**
 * Every answer's headers. The CSP repeats the page's own <meta> policy and adds what only a
 * header can say (frame-ancestors); connect-src names exactly the WebSocket the page may use.
 * style-src keeps 'unsafe-inline' because the UI sets style attributes (the views' libraries,
 * and the SVG export's inlined computed styles): without it Chromium reports style-src-attr
 * violations on every view (test/e2e/web-access.spec.ts finds them when it is taken out).
 */
export function securityHeaders(wsAuthority: string | null): Record<string, string> {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src 'self'${wsAuthority ? ` ws://${wsAuthority}` : ''}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}

export type Admission =
  | { ok: true; /** Set-Cookie value when the token came in the query. */ setCookie: string | null }
  | { ok: false; status: 401 | 403; message: string };

/** Longest piece of a received header echoed in a refusal. */
const ECHO_CHARS_MAX = 100;
const echo = (value: string): string =>
  JSON.stringify(value.length > ECHO_CHARS_MAX ? `${value.slice(0, ECHO_CHARS_MAX)}…` : value);

export class WebAccess {
  readonly cookieName: string;
  /** Host header values this server answers to. */
  readonly hosts: ReadonlySet<string>;
  /** Origins a WebSocket upgrade may come from. */
  readonly origins: ReadonlySet<string>;
  private readonly expected: Buffer;

  constructor(
    readonly token: string,
    readonly bound: Bound,
  ) {
    if (!/^[A-Za-z0-9_-]+$/.test(token) || token.length < WEB_TOKEN_CHARS_MIN) {
      throw new Error(
        `token: must be at least ${WEB_TOKEN_CHARS_MIN} base64url characters (got ${token.length} characters)`,
      );
    }
    this.expected = Buffer.from(token);
    this.cookieName = tokenCookieName(bound.port);
    const names = allowedHostnames(bound);
    this.origins = new Set(names.map((name) => `http://${authority(name, bound.port)}`));
    // A client may spell out the default port; browsers leave it out.
    this.hosts = new Set(
      names.flatMap((name) => [authority(name, bound.port), `${name}:${bound.port}`]),
    );
  }

  /** The request's Host header when this server answers to it, else null. */
  allowedHost(req: IncomingMessage): string | null {
    const host = (req.headers.host ?? '').toLowerCase();
    return this.hosts.has(host) ? host : null;
  }

  /** Host, then (for a WebSocket upgrade) Origin, then the token. */
  admit(req: IncomingMessage, url: URL, upgrade: boolean): Admission {
    if (this.allowedHost(req) === null) {
      const host = req.headers.host;
      return {
        ok: false,
        status: 403,
        message:
          `host not allowed: Host ${host === undefined ? 'is missing' : echo(host)}; ` +
          `this Push Lab answers only to ${[...this.hosts].join(', ')} ` +
          '(a page that reaches it under another name, e.g. through DNS rebinding, is refused).',
      };
    }
    if (upgrade) {
      const origin = req.headers.origin;
      if (origin === undefined || !this.origins.has(origin)) {
        return {
          ok: false,
          status: 403,
          message:
            `origin not allowed: Origin ${origin === undefined ? 'is missing' : echo(origin)}; ` +
            `the lab's WebSocket accepts only pages it served: ${[...this.origins].join(', ')}.`,
        };
      }
    }
    const fromQuery = url.searchParams.get('token');
    const fromCookie = this.cookie(req.headers.cookie);
    if (fromQuery !== null && this.matches(fromQuery)) {
      return { ok: true, setCookie: this.setCookie() };
    }
    if (fromCookie !== null && this.matches(fromCookie)) return { ok: true, setCookie: null };
    if (fromQuery === null && fromCookie === null) {
      return {
        ok: false,
        status: 401,
        message:
          'token missing: this Push Lab needs its access token. Open the URL that ' +
          '`push-lab web` printed when it started (it ends in ?token=…).',
      };
    }
    return {
      ok: false,
      status: 403,
      message:
        `token wrong: the ${fromQuery !== null ? 'token parameter' : `cookie ${this.cookieName}`} ` +
        'does not match this run of Push Lab (a new token is made at every start). Open the URL ' +
        '`push-lab web` printed when it started (it ends in ?token=…).',
    };
  }

  private setCookie(): string {
    return `${this.cookieName}=${this.token}; HttpOnly; SameSite=Strict; Path=/`;
  }

  /**
   * Our cookie from a Cookie header. Written here rather than taken from a library: none is
   * in package.json and we need one name's value, no decoding (the token is base64url).
   */
  private cookie(header: string | undefined): string | null {
    for (const pair of (header ?? '').split(';')) {
      const at = pair.indexOf('=');
      if (at > 0 && pair.slice(0, at).trim() === this.cookieName) return pair.slice(at + 1).trim();
    }
    return null;
  }

  private matches(candidate: string): boolean {
    const given = Buffer.from(candidate);
    // The length is public (every token has the same); only the bytes need constant time.
    return given.length === this.expected.length && timingSafeEqual(given, this.expected);
  }
}
