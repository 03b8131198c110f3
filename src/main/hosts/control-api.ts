/**
 * serve's control API: what a test suite asks a running `push-lab serve` (the messages its
 * built-in subscriptions received, decrypted; the next one; a new subscription; expire,
 * unsubscribe, reset), as JSON over HTTP/1.1 on a port of its own.
 *
 * A port of its own, on loopback only, rather than a path prefix on the push service: the
 * push service answers strangers (any path a sender invents is one of its 404s), so a
 * prefix there would be one typo or one crafted endpoint away from a sender resetting the
 * harness; on a separate socket no push request can reach it, by construction. Without a
 * token, what guards it is: loopback only (refused otherwise), a Host allow-list (a web page
 * rebinding its DNS name to 127.0.0.1 sends its own name), and JSON-only POSTs (a page can
 * send JSON cross-origin only after a CORS preflight, which this API never grants), so a
 * browser cannot drive it; local processes can, as they can the push service itself.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { describeError } from '../engine/errors';
import {
  NEXT_MESSAGE_WAIT_MAX_MS,
  SERVE_ERROR_CODES,
  ServeError,
  type ServeLab,
} from '../engine/serve/serve-lab';
import { check } from '../engine/validate';
import { allowedHostnames, hostPart, isLoopback } from './web-access';
import { readBodyBounded } from './http-body';

/** Bytes of a request body read; more is refused with 413. */
export const CONTROL_BODY_BYTES_MAX = 16 * 1024;
/** Connections the control API holds at once (long polls included). */
export const CONTROL_CONNECTIONS_MAX = 64;
/** How long `GET /messages/next` waits when the request does not say. */
export const CONTROL_NEXT_WAIT_DEFAULT_MS = 10_000;

export interface ControlApi {
  url: string;
  close(): Promise<void>;
}

/** What `GET /` says about the push service beside it. */
export interface ControlServiceInfo {
  tls: boolean;
  /** Path of the CA certificate to trust (TLS mode). */
  ca?: string;
}

interface Problem {
  status: number;
  detail: string;
  headers?: Record<string, string>;
}

const problem = (status: number, detail: string, headers?: Record<string, string>): Problem => ({
  status,
  detail,
  ...(headers ? { headers } : {}),
});

const subscribeBody = z.strictObject({
  applicationServerKey: z.string().max(200).nullable().optional(),
});
const emptyBody = z.strictObject({});
const subscriptionQuery = z.strictObject({ subscription: z.string().max(2000).optional() });
const nextQuery = z.strictObject({
  subscription: z.string().max(2000).optional(),
  timeoutMs: z
    .string()
    .regex(/^\d{1,9}$/, 'allowed a whole number of milliseconds')
    .transform(Number)
    .refine((ms) => ms <= NEXT_MESSAGE_WAIT_MAX_MS, {
      message: `allowed 0 to ${NEXT_MESSAGE_WAIT_MAX_MS} (NEXT_MESSAGE_WAIT_MAX_MS)`,
    })
    .optional(),
});

type Handler = (ctx: {
  params: string[];
  query: Record<string, string>;
  body: unknown;
  signal: AbortSignal;
}) => Promise<{ status?: number; json: unknown }> | { status?: number; json: unknown };

interface Route {
  method: 'GET' | 'POST';
  /** Segments; `:id` matches one. */
  path: string;
  handler: Handler;
}

/** Starts the control API for `serve` at a loopback address; port 0 picks a free one. */
export async function startControlApi(
  serve: ServeLab,
  at: { host: string; port: number },
  info: ControlServiceInfo,
): Promise<ControlApi> {
  if (!isLoopback(at.host)) {
    throw new ServeError(
      SERVE_ERROR_CODES.BAD_OPTION,
      'control',
      `control: got host "${at.host}"; allowed a loopback address (127.0.0.1, ::1, localhost): the control API has no password`,
    );
  }
  const routes = controlRoutes(serve, info);
  let hostnames: string[] = [];
  const server = createServer((req, res) => {
    void answer(req, res, routes, hostnames);
  });
  server.maxConnections = CONTROL_CONNECTIONS_MAX;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  hostnames = allowedHostnames({
    address: address.address,
    port: address.port,
    requested: at.host,
  });
  return {
    url: `http://${hostPart(address.address)}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function controlRoutes(serve: ServeLab, info: ControlServiceInfo): Route[] {
  return [
    {
      method: 'GET',
      path: '/',
      handler: () => ({
        json: {
          service: {
            url: serve.url,
            subscribe: serve.subscribeUrl,
            profile: serve.profile,
            ...info,
          },
          /** Long polls open on GET /messages/next now. */
          waiting: serve.waiting,
          routes: ROUTE_LIST,
        },
      }),
    },
    {
      method: 'GET',
      path: '/subscriptions',
      handler: () => ({ json: { subscriptions: serve.subscriptions() } }),
    },
    {
      method: 'POST',
      path: '/subscriptions',
      handler: async ({ body }) => {
        const options = parse(subscribeBody, body, 'body');
        return { status: 201, json: await serve.subscribe(options) };
      },
    },
    {
      method: 'POST',
      path: '/subscriptions/:id/expire',
      handler: ({ params, body }) => {
        parse(emptyBody, body, 'body');
        return { json: serve.expire(params[0]!) };
      },
    },
    {
      method: 'POST',
      path: '/subscriptions/:id/unsubscribe',
      handler: async ({ params, body }) => {
        parse(emptyBody, body, 'body');
        return { json: await serve.unsubscribe(params[0]!) };
      },
    },
    {
      method: 'GET',
      path: '/messages',
      handler: ({ query }) => {
        const { subscription } = parse(subscriptionQuery, query, 'query');
        return { json: serve.messages(subscription) };
      },
    },
    {
      method: 'GET',
      path: '/messages/next',
      handler: async ({ query, signal }) => {
        const { subscription, timeoutMs = CONTROL_NEXT_WAIT_DEFAULT_MS } = parse(
          nextQuery,
          query,
          'query',
        );
        const message = await serve.nextMessage({
          ...(subscription !== undefined ? { subscription } : {}),
          timeoutMs,
          signal,
        });
        return { json: message ? { message } : { message: null, timedOut: true, timeoutMs } };
      },
    },
    {
      method: 'POST',
      path: '/reset',
      handler: ({ body }) => {
        parse(emptyBody, body, 'body');
        return { json: serve.reset() };
      },
    },
  ];
}

const ROUTE_LIST = [
  'GET /subscriptions',
  'POST /subscriptions {applicationServerKey?}',
  'POST /subscriptions/{id}/expire',
  'POST /subscriptions/{id}/unsubscribe',
  'GET /messages?subscription=',
  'GET /messages/next?subscription=&timeoutMs=',
  'POST /reset',
];

async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  routes: Route[],
  hostnames: string[],
): Promise<void> {
  const aborted = new AbortController();
  res.on('close', () => aborted.abort());
  try {
    const url = new URL(req.url ?? '/', 'http://control.invalid');
    const hostname = hostOf(req.headers.host);
    if (hostname === null || !hostnames.includes(hostname)) {
      throw problem(
        403,
        `Host: got "${String(req.headers.host ?? '').slice(0, 100)}"; allowed ${hostnames.join(', ')} (with this port)`,
      );
    }
    const matched = match(routes, url.pathname);
    if (matched.length === 0) {
      throw problem(
        404,
        `${url.pathname.slice(0, 200)}: no such route; allowed ${ROUTE_LIST.join(', ')}`,
      );
    }
    const found = matched.find((m) => m.route.method === req.method);
    if (!found) {
      const allow = [...new Set(matched.map((m) => m.route.method))].join(', ');
      throw problem(405, `method ${req.method} on ${url.pathname}; allowed ${allow}`, { allow });
    }
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    // No prototype: a parameter named like an Object member (constructor, __proto__) is data.
    const query = Object.create(null) as Record<string, string>;
    for (const [name, value] of url.searchParams) {
      if (name in query) throw problem(400, `query: "${name}" given twice; allowed once`);
      query[name] = value;
    }
    const result = await found.route.handler({
      params: found.params,
      query,
      body,
      signal: aborted.signal,
    });
    send(res, result.status ?? 200, 'application/json', result.json);
  } catch (error) {
    const p = isProblem(error) ? error : fromError(error);
    send(
      res,
      p.status,
      'application/problem+json',
      {
        type: 'about:blank',
        title: STATUS_TITLES[p.status] ?? 'Error',
        status: p.status,
        detail: p.detail,
      },
      p.headers,
    );
  }
}

function match(routes: Route[], pathname: string): { route: Route; params: string[] }[] {
  const segments = pathname.split('/').filter((s) => s !== '');
  const found: { route: Route; params: string[] }[] = [];
  for (const route of routes) {
    const pattern = route.path.split('/').filter((s) => s !== '');
    if (pattern.length !== segments.length) continue;
    const params: string[] = [];
    const fits = pattern.every((part, i) => {
      const segment = segments[i]!;
      if (part.startsWith(':')) params.push(decodeSegment(segment));
      return part.startsWith(':') || part === segment;
    });
    if (fits) found.push({ route, params });
  }
  return found;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw problem(400, `path: "${segment.slice(0, 100)}" is not valid percent-encoding`);
  }
}

function hostOf(header: string | undefined): string | null {
  if (!header) return null;
  try {
    return new URL(`http://${header}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = String(req.headers['content-type'] ?? '');
  const read = await readBodyBounded(req, CONTROL_BODY_BYTES_MAX);
  if (!read.ok) throw tooLarge(read.bytes);
  if (read.body.length === 0) return {};
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw problem(
      415,
      `Content-Type: got "${type.slice(0, 100)}"; allowed application/json (a body that is not JSON is refused so a web page cannot post to this API)`,
    );
  }
  const text = read.body.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw problem(400, `body: not JSON (${(error as Error).message})`);
  }
}

function tooLarge(bytes: number): Problem {
  // The rest of the body is not read: the connection cannot carry another request.
  return problem(
    413,
    `body: ${bytes} bytes; allowed at most ${CONTROL_BODY_BYTES_MAX} (CONTROL_BODY_BYTES_MAX)`,
    { connection: 'close' },
  );
}

function parse<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const checked = check(schema, input, where);
  if (!checked.ok) throw problem(400, checked.message);
  return checked.value;
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'status' in value && 'detail' in value;
}

const SERVE_STATUS: Record<string, number> = {
  [SERVE_ERROR_CODES.BAD_OPTION]: 400,
  [SERVE_ERROR_CODES.NOT_FOUND]: 404,
  [SERVE_ERROR_CODES.GONE]: 409,
  [SERVE_ERROR_CODES.NOT_AVAILABLE]: 409,
  [SERVE_ERROR_CODES.LIMIT]: 429,
};

function fromError(error: unknown): Problem {
  const { code, message } = describeError(error);
  return problem(SERVE_STATUS[code] ?? 500, message);
}

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

function send(
  res: ServerResponse,
  status: number,
  type: string,
  json: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.writableEnded || res.destroyed) return;
  const body = JSON.stringify(json);
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(body);
}
