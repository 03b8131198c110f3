/**
 * Named TCP proxies, each a Link between a listen address and an upstream: what `push-lab
 * proxy` runs and its Toxiproxy-compatible API drives. Every operation answers like
 * Toxiproxy's ProxyCollection (its shapes and errors, from toxics.ts), and operations run one
 * at a time, so a create racing a delete of the same name cannot leave a half-made proxy.
 */
import type { Clock } from '../clock/clock';
import type { Rng } from '../rng/rng';
import { NET_ERROR_CODES, NetError } from './errors';
import { Link } from './link';
import { FAULTS_MAX, type FaultSpec } from './spec';
import type { TcpProxy } from './tcp';
import {
  TOXIPROXY_ERRORS,
  badBody,
  fail,
  isRecord,
  toxiproxyError,
  specToToxic,
  toxicToSpec,
  toxicUpdate,
  type Toxic,
  type ToxicResult,
  type ToxiproxyError,
} from './toxics';
import type { ConnectionEvent, FaultEvent, LinkStateEvent } from './types';
import { preview } from './validation';

/** Most proxies one set holds. */
export const PROXIES_MAX = 64;
/** Most connections one proxy holds open at once (each is two file descriptors). */
export const PROXY_CONNECTIONS_MAX = 1024;
/** Longest proxy name (Toxiproxy sets none; ours appear in URLs and log lines). */
export const PROXY_NAME_CHARS_MAX = 64;
/** A proxy's link is `proxy:NAME`: in a lab's Links view it is told apart from agents' links. */
export const PROXY_LINK_PREFIX = 'proxy:';

/** The id of the link of the proxy called `name`. */
export const proxyLinkId = (name: string): string => `${PROXY_LINK_PREFIX}${name}`;
/** Longest host name (DNS's limit). */
const HOST_CHARS_MAX = 253;

/** A proxy as Toxiproxy's API shows it. */
export interface ProxyView {
  name: string;
  /** host:port it listens on; the port actually bound once it listens. */
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: Toxic[];
}

export type ProxyEvent =
  | {
      kind: 'proxy';
      change: 'created' | 'updated' | 'deleted' | 'reset';
      proxy: ProxyView;
    }
  | { kind: 'connection'; proxy: string; event: ConnectionEvent }
  | { kind: 'fault'; proxy: string; event: FaultEvent }
  | { kind: 'state'; proxy: string; event: LinkStateEvent };

interface Address {
  host: string;
  port: number;
}

interface Entry {
  name: string;
  listen: Address;
  upstream: Address;
  enabled: boolean;
  link: Link;
  tcp: TcpProxy | null;
}

export class ProxySet {
  private readonly entries = new Map<string, Entry>();
  /** Operations in order: each waits for the one before (listening is asynchronous). */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Who hears the set's events: the command's printer, the sandbox lab showing the proxies. */
  private readonly watchers = new Set<(event: ProxyEvent) => void>();

  constructor(
    private readonly clock: Clock,
    private readonly rng: Rng,
    listener?: (event: ProxyEvent) => void,
  ) {
    if (listener) this.watchers.add(listener);
  }

  /** Hears every event from now on; the returned function stops it. */
  watch(listener: (event: ProxyEvent) => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  /** Each proxy's link (`proxy:NAME`), in the order they were made: the same objects the API changes. */
  links(): Link[] {
    return [...this.entries.values()].map((e) => e.link);
  }

  /** The link of the proxy called `name`, if there is one. */
  linkOf(name: string): Link | undefined {
    return this.entries.get(name)?.link;
  }

  private listener(event: ProxyEvent): void {
    for (const watcher of this.watchers) watcher(event);
  }

  list(): Promise<Record<string, ProxyView>> {
    return this.run(() => {
      const views: Record<string, ProxyView> = {};
      for (const entry of this.entries.values()) views[entry.name] = view(entry);
      return views;
    });
  }

  get(name: string): Promise<ToxicResult<ProxyView>> {
    return this.run(() => this.withEntry(name, (e) => ok(view(e))));
  }

  /**
   * Makes a proxy from Toxiproxy's body `{name, listen, upstream, enabled}` (enabled by default),
   * with `faults` already validated (the command line's), and starts it listening if enabled.
   */
  create(body: unknown, faults: readonly FaultSpec[] = []): Promise<ToxicResult<ProxyView>> {
    return this.run(() => this.createNow(body, faults));
  }

  /**
   * Toxiproxy's /populate: each proxy of the list made, or replaced if its listen or upstream
   * differ (kept as it is if not). Stops at the first problem, answering it with the proxies
   * made so far, as Toxiproxy does.
   */
  populate(body: unknown): Promise<{ proxies: ProxyView[]; problem?: ToxiproxyError }> {
    return this.run(async () => {
      const proxies: ProxyView[] = [];
      if (!Array.isArray(body)) {
        return { proxies, problem: badProblem(`expected a JSON array (got ${preview(body)})`) };
      }
      if (body.length > PROXIES_MAX) {
        const detail = `${body.length} proxies (allowed at most ${PROXIES_MAX})`;
        return { proxies, problem: badProblem(detail) };
      }
      for (const [i, item] of body.entries()) {
        for (const field of ['name', 'upstream']) {
          if (!isRecord(item) || item[field] === undefined || item[field] === '') {
            const problem = toxiproxyError(
              TOXIPROXY_ERRORS.missingField,
              `${field} at proxy ${i + 1}`,
            );
            return { proxies, problem };
          }
        }
      }
      for (const item of body as Record<string, unknown>[]) {
        const existing = this.entries.get(String(item['name']));
        if (existing) {
          const fields = readProxyBody(item, NEW_PROXY);
          const same =
            fields.ok &&
            sameAddress(fields.value.listen, existing.listen) &&
            sameAddress(fields.value.upstream, existing.upstream);
          if (same) {
            proxies.push(view(existing));
            continue;
          }
          await this.deleteNow(existing);
        }
        const made = await this.createNow(item, []);
        if (!made.ok) return { proxies, problem: made.problem };
        proxies.push(made.value);
      }
      return { proxies };
    });
  }

  private async createNow(
    body: unknown,
    faults: readonly FaultSpec[],
  ): Promise<ToxicResult<ProxyView>> {
    if (isRecord(body) && (body['name'] === undefined || body['name'] === '')) {
      return fail(TOXIPROXY_ERRORS.missingField, 'name');
    }
    const fields = readProxyBody(body, NEW_PROXY);
    if (!fields.ok) return fields;
    const { name, listen, upstream, enabled } = fields.value;
    if (typeof name !== 'string' || !NAME.test(name)) {
      return badBody(
        `name: got ${preview(name)}, allowed letters, digits, _ . - (1 to ${PROXY_NAME_CHARS_MAX})`,
      );
    }
    if (this.entries.has(name)) return refuse(TOXIPROXY_ERRORS.proxyExists);
    if (this.entries.size >= PROXIES_MAX) {
      return badBody(`too many proxies (allowed at most ${PROXIES_MAX}); delete one first`);
    }
    const link = new Link(
      { id: proxyLinkId(name), faults, connectionsMax: PROXY_CONNECTIONS_MAX },
      this.clock,
      this.rng.fork(`proxy/${name}`),
    );
    const entry: Entry = { name, listen, upstream, enabled, link, tcp: null };
    if (enabled) {
      const started = await this.start(entry);
      if (!started.ok) {
        await link.close();
        return started;
      }
    }
    link.addListener({
      onConnection: (event) => this.listener({ kind: 'connection', proxy: name, event }),
      onFault: (event) => this.listener({ kind: 'fault', proxy: name, event }),
      onState: (event) => this.listener({ kind: 'state', proxy: name, event }),
    });
    this.entries.set(name, entry);
    this.announce('created', entry);
    return ok(view(entry));
  }

  /** Changes listen, upstream or enabled (Toxiproxy's ProxyUpdate): restarts it if they moved. */
  update(name: string, body: unknown): Promise<ToxicResult<ProxyView>> {
    return this.run(() =>
      this.withEntry(name, async (entry) => {
        const fields = readProxyBody(body, entry);
        if (!fields.ok) return fields;
        const { listen, upstream, enabled } = fields.value;
        if (fields.value.name !== undefined && fields.value.name !== name) {
          return badBody(`name cannot change (got ${preview(fields.value.name)}, is "${name}")`);
        }
        const moved = !sameAddress(listen, entry.listen) || !sameAddress(upstream, entry.upstream);
        if (entry.tcp && (moved || !enabled)) await this.stop(entry);
        entry.listen = listen;
        entry.upstream = upstream;
        entry.enabled = enabled;
        if (enabled && !entry.tcp) {
          const started = await this.start(entry);
          if (!started.ok) {
            entry.enabled = false;
            return started;
          }
        }
        this.announce('updated', entry);
        return ok(view(entry));
      }),
    );
  }

  delete(name: string): Promise<ToxicResult<null>> {
    return this.run(() =>
      this.withEntry(name, async (entry) => {
        await this.deleteNow(entry);
        return ok(null);
      }),
    );
  }

  private async deleteNow(entry: Entry): Promise<void> {
    this.entries.delete(entry.name);
    await entry.link.close();
    entry.tcp = null;
    this.announce('deleted', entry);
  }

  /** Toxiproxy's /reset: every proxy enabled again, every toxic removed. */
  reset(): Promise<ToxicResult<null>> {
    return this.run(async () => {
      for (const entry of this.entries.values()) {
        entry.link.setFaults([]);
        if (!entry.tcp) {
          const started = await this.start(entry);
          if (!started.ok) return started;
          entry.enabled = true;
        }
        this.announce('reset', entry);
      }
      return ok(null);
    });
  }

  toxics(name: string): Promise<ToxicResult<Toxic[]>> {
    return this.run(() => this.withEntry(name, (e) => ok(toxicsOf(e))));
  }

  toxic(name: string, toxic: string): Promise<ToxicResult<Toxic>> {
    return this.run(() =>
      this.withEntry(name, (e) => {
        const fault = e.link.faults().find((f) => f.name === toxic);
        return fault ? ok(specToToxic(fault.spec)) : refuse(TOXIPROXY_ERRORS.toxicNotFound);
      }),
    );
  }

  addToxic(name: string, body: unknown): Promise<ToxicResult<Toxic>> {
    return this.run(() =>
      this.withEntry(name, (e) => {
        const spec = toxicToSpec(body);
        if (!spec.ok) return spec;
        const faults = e.link.faults();
        if (faults.some((f) => f.name === spec.value.name)) {
          return refuse(TOXIPROXY_ERRORS.toxicExists);
        }
        if (faults.length >= FAULTS_MAX) {
          return badBody(`too many toxics on ${name} (allowed at most ${FAULTS_MAX})`);
        }
        return attempt(() => specToToxic(e.link.addFault(spec.value).spec));
      }),
    );
  }

  updateToxic(name: string, toxic: string, body: unknown): Promise<ToxicResult<Toxic>> {
    return this.run(() =>
      this.withEntry(name, (e) => {
        const fault = e.link.faults().find((f) => f.name === toxic);
        if (!fault) return refuse(TOXIPROXY_ERRORS.toxicNotFound);
        const change = toxicUpdate(body, fault);
        if (!change.ok) return change;
        return attempt(() => specToToxic(e.link.updateFault(toxic, change.value).spec));
      }),
    );
  }

  removeToxic(name: string, toxic: string): Promise<ToxicResult<null>> {
    return this.run(() =>
      this.withEntry(name, (e) => {
        if (!e.link.faults().some((f) => f.name === toxic)) {
          return refuse(TOXIPROXY_ERRORS.toxicNotFound);
        }
        e.link.removeFault(toxic);
        return ok(null);
      }),
    );
  }

  /** Closes every proxy and its connections; later operations are refused. */
  close(): Promise<void> {
    return this.run(async () => {
      this.closed = true;
      const entries = [...this.entries.values()];
      this.entries.clear();
      await Promise.all(entries.map((e) => e.link.close()));
    });
  }

  private run<T>(op: () => T | Promise<T>): Promise<T> {
    const next = this.queue.then(() => {
      if (this.closed) throw new NetError(NET_ERROR_CODES.LINK_CLOSED, 'the proxies are closed');
      return op();
    });
    this.queue = next.catch(() => {});
    return next;
  }

  private withEntry<T>(
    name: string,
    fn: (entry: Entry) => ToxicResult<T> | Promise<ToxicResult<T>>,
  ): ToxicResult<T> | Promise<ToxicResult<T>> {
    const entry = this.entries.get(name);
    return entry ? fn(entry) : refuse(TOXIPROXY_ERRORS.proxyNotFound);
  }

  private async start(entry: Entry): Promise<ToxicResult<null>> {
    try {
      entry.tcp = await entry.link.listenTcp(entry.upstream, entry.listen);
      // Once bound, show the port actually taken, as Toxiproxy does after listening on :0.
      entry.listen = { host: entry.tcp.host, port: entry.tcp.port };
      return ok(null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      const why = LISTEN_PROBLEMS[code] ?? code;
      return fail(
        { error: 'cannot listen', status: 409 },
        `${formatAddress(entry.listen)} ${why}; choose another listen address`,
      );
    }
  }

  private async stop(entry: Entry): Promise<void> {
    const tcp = entry.tcp;
    entry.tcp = null;
    await tcp?.close();
  }

  private announce(change: 'created' | 'updated' | 'deleted' | 'reset', entry: Entry): void {
    this.listener({ kind: 'proxy', change, proxy: view(entry) });
  }
}

/** What a listen error means, for the person who chose the address. */
const LISTEN_PROBLEMS: Record<string, string> = {
  EADDRINUSE: 'is already in use',
  EACCES: 'is not allowed (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'is not an address of this machine',
  ENOTFOUND: 'names no address',
};

const PROXY_FIELDS = ['name', 'listen', 'upstream', 'enabled'];
/** What a new proxy's left-out fields are: loopback on any free port, enabled. */
const NEW_PROXY = { listen: { host: '127.0.0.1', port: 0 }, enabled: true } as const;

interface ProxyFields {
  name: unknown;
  listen: Address;
  upstream: Address;
  enabled: boolean;
}

/** A proxy body's fields, validated; each one left out keeps `current`'s value. */
function readProxyBody(
  body: unknown,
  current: { listen: Address; upstream?: Address; enabled: boolean },
): ToxicResult<ProxyFields> {
  if (!isRecord(body)) return badBody(`expected a JSON object (got ${preview(body)})`);
  const unknown = Object.keys(body).find((k) => !PROXY_FIELDS.includes(k));
  if (unknown !== undefined) {
    return badBody(`unknown field ${unknown} (allowed ${PROXY_FIELDS.join(', ')})`);
  }
  const listen =
    body['listen'] === undefined ? ok(current.listen) : parseAddress(body['listen'], 'listen', 0);
  if (!listen.ok) return listen;
  const given = body['upstream'] === undefined || body['upstream'] === '' ? current.upstream : null;
  if (given === undefined) return fail(TOXIPROXY_ERRORS.missingField, 'upstream');
  const upstream = given ? ok(given) : parseAddress(body['upstream'], 'upstream', 1);
  if (!upstream.ok) return upstream;
  const enabled = body['enabled'] ?? current.enabled;
  if (typeof enabled !== 'boolean') {
    return badBody(`enabled: got ${preview(enabled)}, allowed true or false`);
  }
  return ok({ name: body['name'], listen: listen.value, upstream: upstream.value, enabled });
}
const NAME = new RegExp(`^[A-Za-z0-9_.-]{1,${PROXY_NAME_CHARS_MAX}}$`);

/**
 * `host:port` (or `[v6]:port`); an empty host is loopback, where Toxiproxy would take every
 * interface: a proxy is reachable from outside only when an address says so.
 */
export function parseAddress(value: unknown, field: string, portMin: number): ToxicResult<Address> {
  const allowed = `allowed host:port with a port from ${portMin} to 65535`;
  const match =
    typeof value === 'string' ? /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]*):(\d{1,5})$/.exec(value) : null;
  const port = match ? Number(match[2]) : NaN;
  const host = match ? (match[1] ?? '').replace(/^\[|\]$/g, '') : '';
  if (!match || port < portMin || port > 65535 || host.length > HOST_CHARS_MAX) {
    return badBody(`${field}: got ${preview(value)}, ${allowed}`);
  }
  return ok({ host: host === '' ? '127.0.0.1' : host, port });
}

export function formatAddress(a: Address): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

function sameAddress(a: Address, b: Address): boolean {
  return a.host === b.host && a.port === b.port;
}

function view(entry: Entry): ProxyView {
  return {
    name: entry.name,
    listen: formatAddress(entry.listen),
    upstream: formatAddress(entry.upstream),
    enabled: entry.enabled,
    toxics: toxicsOf(entry),
  };
}

function toxicsOf(entry: Entry): Toxic[] {
  return entry.link.faults().map((f) => specToToxic(f.spec));
}

/** A link call whose NetError (a change the stage's table refuses) becomes a 400 answer. */
function attempt<T>(fn: () => T): ToxicResult<T> {
  try {
    return ok(fn());
  } catch (error) {
    if (error instanceof NetError) return badBody(error.problems.join('; '));
    throw error;
  }
}

function badProblem(detail: string): ToxiproxyError {
  return toxiproxyError(TOXIPROXY_ERRORS.badBody, detail);
}

/** Toxiproxy's exact answer, no detail: clients compare these bodies whole. */
function refuse<T>(problem: { error: string; status: number }): ToxicResult<T> {
  return { ok: false, problem };
}

function ok<T>(value: T): ToxicResult<T> {
  return { ok: true, value };
}
