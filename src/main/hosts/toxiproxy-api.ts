/**
 * A Toxiproxy-compatible HTTP API over a ProxySet, so Toxiproxy's clients (toxiproxy-node-client,
 * the Go client, toxiproxy-cli's habits, curl recipes) drive Push Lab's links. Routes, status
 * codes and JSON shapes follow Toxiproxy's api.go; errors are `{error, status}`. It listens on
 * loopback unless told otherwise, refuses browsers as Toxiproxy does (a page must not be able
 * to reconfigure a developer's proxies), and bounds bodies, connections and request time.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { VERSION } from '../engine/version';
import type { ProxySet } from '../engine/net/proxy-set';
import { readBodyBounded } from './http-body';
import {
  TOXIPROXY_ERRORS,
  toxiproxyError,
  type ToxicResult,
  type ToxiproxyError,
} from '../engine/net/toxics';

/** Largest request body read (a proxy or a toxic is well under 1 KiB). */
export const API_BODY_BYTES_MAX = 64 * 1024;
/** Most API connections open at once. */
export const API_CONNECTIONS_MAX = 64;
/** A request must arrive whole within this (Toxiproxy's read timeout is 15 s). */
export const API_REQUEST_TIMEOUT_MS = 15_000;

export interface ToxiproxyApi {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

type Answer = { status: number; body?: unknown };
type Route = {
  pattern: RegExp;
  methods: Record<string, (params: string[], body: () => Promise<unknown>) => Promise<Answer>>;
};

class RequestProblem {
  constructor(readonly problem: ToxiproxyError) {}
}

export async function startToxiproxyApi(
  proxies: ProxySet,
  listenOn: { host?: string; port?: number } = {},
): Promise<ToxiproxyApi> {
  const routes = routeTable(proxies);
  const server = http.createServer((req, res) => {
    void handle(routes, req).then(
      (answer) => send(res, answer),
      (error: unknown) =>
        send(
          res,
          error instanceof RequestProblem
            ? problemAnswer(error.problem)
            : { status: 500, body: { error: (error as Error).message, status: 500 } },
        ),
    );
  });
  server.maxConnections = API_CONNECTIONS_MAX;
  server.requestTimeout = API_REQUEST_TIMEOUT_MS;
  server.headersTimeout = API_REQUEST_TIMEOUT_MS;
  const host = listenOn.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenOn.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    host,
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function routeTable(p: ProxySet): Route[] {
  const answer = async <T>(result: Promise<ToxicResult<T>>, status = 200): Promise<Answer> => {
    const r = await result;
    if (!r.ok) return problemAnswer(r.problem);
    return r.value === null ? { status: 204 } : { status, body: r.value };
  };
  const name = /([^/]+)/.source;
  return [
    {
      pattern: /^\/version$/,
      methods: { GET: async () => ({ status: 200, body: { version: VERSION } }) },
    },
    { pattern: /^\/reset$/, methods: { POST: () => answer(p.reset()) } },
    {
      pattern: /^\/populate$/,
      methods: {
        POST: async (_, body) => {
          const { proxies, problem } = await p.populate(await body());
          return { status: problem?.status ?? 201, body: { ...problem, proxies } };
        },
      },
    },
    {
      pattern: /^\/proxies$/,
      methods: {
        GET: async () => ({ status: 200, body: await p.list() }),
        POST: async (_, body) => answer(p.create(await body()), 201),
      },
    },
    {
      pattern: new RegExp(`^/proxies/${name}$`),
      methods: {
        GET: ([proxy]) => answer(p.get(proxy!)),
        POST: async ([proxy], body) => answer(p.update(proxy!, await body())),
        PATCH: async ([proxy], body) => answer(p.update(proxy!, await body())),
        DELETE: ([proxy]) => answer(p.delete(proxy!)),
      },
    },
    {
      pattern: new RegExp(`^/proxies/${name}/toxics$`),
      methods: {
        GET: ([proxy]) => answer(p.toxics(proxy!)),
        POST: async ([proxy], body) => answer(p.addToxic(proxy!, await body())),
      },
    },
    {
      pattern: new RegExp(`^/proxies/${name}/toxics/${name}$`),
      methods: {
        GET: ([proxy, toxic]) => answer(p.toxic(proxy!, toxic!)),
        POST: async ([proxy, toxic], body) => answer(p.updateToxic(proxy!, toxic!, await body())),
        PATCH: async ([proxy, toxic], body) => answer(p.updateToxic(proxy!, toxic!, await body())),
        DELETE: ([proxy, toxic]) => answer(p.removeToxic(proxy!, toxic!)),
      },
    },
  ];
}

async function handle(routes: Route[], req: http.IncomingMessage): Promise<Answer> {
  // Toxiproxy's own guard: a web page could otherwise POST toxics to a developer's proxy.
  if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
    req.resume();
    return problemAnswer({ error: 'User agent not allowed', status: 403 });
  }
  const path = new URL(req.url ?? '/', 'http://api').pathname;
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    const method = route.methods[req.method ?? ''];
    if (!method) {
      req.resume();
      const allowed = Object.keys(route.methods).join(', ');
      return {
        status: 405,
        body: {
          error: `method ${req.method} not allowed on ${path} (allowed ${allowed})`,
          status: 405,
        },
      };
    }
    let params: string[];
    try {
      params = match.slice(1).map((s) => decodeURIComponent(s));
    } catch {
      req.resume();
      return problemAnswer(toxiproxyError(TOXIPROXY_ERRORS.badBody, `bad escape in ${path}`));
    }
    return method(params, () => readJson(req));
  }
  req.resume();
  return { status: 404, body: { error: `404 page not found: ${path}`, status: 404 } };
}

/** The body as JSON, at most API_BODY_BYTES_MAX; an empty body is `{}` (Toxiproxy's /reset). */
async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const read = await readBodyBounded(req, API_BODY_BYTES_MAX);
  if (!read.ok) throw tooLarge();
  const text = read.body.toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new RequestProblem(
      toxiproxyError(TOXIPROXY_ERRORS.badBody, `not valid JSON (${(error as Error).message})`),
    );
  }
}

function tooLarge(): RequestProblem {
  return new RequestProblem({
    error: `bad request body: larger than ${API_BODY_BYTES_MAX} bytes`,
    status: 413,
  });
}

function problemAnswer(problem: ToxiproxyError): Answer {
  return { status: problem.status, body: problem };
}

function send(res: http.ServerResponse, answer: Answer): void {
  if (answer.body === undefined) {
    res.writeHead(answer.status).end();
    return;
  }
  const text = `${JSON.stringify(answer.body)}\n`;
  const headers: http.OutgoingHttpHeaders = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-content-type-options': 'nosniff',
  };
  // A 413 leaves the rest of the body unread: close rather than read on.
  if (answer.status === 413) headers['connection'] = 'close';
  res.writeHead(answer.status, headers).end(text);
}
