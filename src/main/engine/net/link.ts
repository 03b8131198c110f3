/**
 * A Link sits between an agent and a push service and carries the real bytes of its
 * connections, over loopback TCP (`listenTcp`) or in memory (`connectInMemory`), through the
 * same fault stages. Faults are added, changed and removed while traffic flows; scheduled
 * faults switch themselves on and off on the clock. Time comes only from the injected Clock,
 * randomness only from the injected Rng, so a seed reproduces every fault decision.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { LinkFault } from '../../../shared/events';
import type { Clock } from '../clock/clock';
import type { Rng } from '../rng/rng';
import { Connection, type ConnectionDeps, type ConnectionInfo } from './connection';
import type { Endpoint } from './endpoint';
import { NET_ERROR_CODES, NetError } from './errors';
import { MemoryEndpoint } from './memory';
import { FaultTable, type FaultTableHooks } from './fault-table';
import { listenTcp, TcpEndpoint, type TcpProxy, type TcpTarget } from './tcp';
import type { FaultSpec } from './spec';
import type {
  ConnectionEvent,
  Direction,
  FaultEvent,
  FaultInfo,
  LinkCounters,
  LinkListener,
  LinkState,
  TrafficListener,
} from './types';
import { preview } from './validation';

export interface LinkOptions {
  /** Names the link in events and in its random streams. */
  id: string;
  /** Faults the link starts with (validated like addFault). */
  faults?: readonly unknown[];
  /** Most bytes one direction of one connection holds in its stages before its sender is paused. */
  heldBytesMax?: number;
  /** Most connections open at once; more are refused. */
  connectionsMax?: number;
}

export const LINK_DEFAULTS = { heldBytesMax: 256 * 1024, connectionsMax: 100_000 } as const;

export class Link {
  readonly id: string;
  /** Clock ms at construction: timeline schedules count from here. */
  readonly startedAtMs: number;
  private readonly heldBytesMax: number;
  private readonly connectionsMax: number;
  private readonly table: FaultTable;
  private readonly open = new Set<Connection>();
  private readonly listeners = new Set<LinkListener>();
  /** TCP proxies (listenTcp), made with the first: a fleet's links have none. */
  private proxies: Set<TcpProxy> | null = null;
  private readonly totals: LinkCounters = emptyCounters();
  /** What the fault table and the connections report to (one object, no closure per hook). */
  private readonly wiring: LinkWiring;
  private connectionSeq = 0;
  private lastState: LinkState = 'up';
  private closed = false;

  constructor(
    options: LinkOptions,
    private readonly clock: Clock,
    private readonly rng: Rng,
  ) {
    this.id = options.id;
    this.startedAtMs = clock.now();
    this.heldBytesMax = positiveInt(
      options.heldBytesMax,
      LINK_DEFAULTS.heldBytesMax,
      'heldBytesMax',
    );
    this.connectionsMax = positiveInt(
      options.connectionsMax,
      LINK_DEFAULTS.connectionsMax,
      'connectionsMax',
    );
    this.wiring = new LinkWiring(this, clock, rng, this.totals, this.heldBytesMax);
    this.table = new FaultTable(
      this.id,
      { clock, rng, startedAtMs: this.startedAtMs },
      this.wiring,
    );
    if (options.faults) this.setFaults(options.faults);
  }

  // ---- transports -------------------------------------------------------------------------

  /** A TCP proxy on loopback (port 0 unless given) forwarding to `target` through this link. */
  async listenTcp(
    target: TcpTarget,
    listenOn?: { host?: string; port?: number },
  ): Promise<TcpProxy> {
    this.assertOpen();
    const proxy = await listenTcp(
      (client, server) => this.accept(client, server) !== null,
      target,
      listenOn,
    );
    if (this.closed) {
      await proxy.close();
      this.assertOpen();
    }
    const proxies = (this.proxies ??= new Set());
    proxies.add(proxy);
    return {
      host: proxy.host,
      port: proxy.port,
      close: async () => {
        proxies.delete(proxy);
        await proxy.close();
      },
    };
  }

  /**
   * A connection in memory: returns the client's Duplex; `serverSide` gets the server's (at
   * once, before this returns). A refused connection's Duplex errors with ECONNREFUSED and
   * `serverSide` is not called.
   */
  connectInMemory(serverSide: (socket: Duplex) => void): Duplex {
    const client = new MemoryEndpoint();
    const server = this.accept(client, () => new MemoryEndpoint());
    if (server) serverSide(server.socket);
    return client.socket;
  }

  /**
   * A connection to a real TCP server: the client's Duplex is in memory (returned at once,
   * so an HTTP/2 client can take it from a synchronous `createConnection`), the far end a
   * socket to `target` opened through this link. Real bytes on a real network leave the lab;
   * a refused connection's Duplex errors with ECONNREFUSED.
   */
  connectTcp(target: TcpTarget): Duplex {
    const client = new MemoryEndpoint();
    this.accept(
      client,
      () =>
        new TcpEndpoint(net.connect({ host: target.host, port: target.port, allowHalfOpen: true })),
    );
    return client.socket;
  }

  // ---- faults -------------------------------------------------------------------------------

  /** Adds a fault; throws NetError(ERR_NET_BAD_FAULT) listing every problem, changing nothing. */
  addFault(input: unknown): FaultInfo {
    return this.table.add(input);
  }

  /**
   * Changes a fault: `change` is a partial spec (attributes merge field by field). New
   * attributes apply to chunks not yet passed on; a new stream or schedule restarts the fault.
   * An invalid change throws NetError and leaves the fault as it was.
   */
  updateFault(name: string, change: unknown): FaultInfo {
    return this.table.update(name, change);
  }

  /** Removes a fault; its stages pass on what they hold. */
  removeFault(name: string): void {
    this.table.remove(name);
  }

  /** Replaces every fault at once (e.g. with a preset); all-or-nothing. */
  setFaults(inputs: readonly unknown[]): FaultInfo[] {
    return this.table.set(inputs);
  }

  faults(): FaultInfo[] {
    return this.table.list();
  }

  /** The faults as the event stream and the Links view carry them (plain records). */
  faultViews(): LinkFault[] {
    return this.table.list().map((f) => ({
      name: f.name,
      spec: f.spec as unknown as Record<string, unknown>,
      active: f.active,
    }));
  }

  // ---- observability --------------------------------------------------------------------------

  /** up: no fault on; impaired: some on; down: an outage on. */
  state(): LinkState {
    return this.table.state();
  }

  /** A snapshot of the counters. */
  counters(): LinkCounters {
    return { ...this.totals };
  }

  connections(): ConnectionInfo[] {
    return [...this.open].map((c) => c.info());
  }

  /** Registers callbacks; returns a function that removes them. */
  addListener(listener: LinkListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Shorthand for a listener with only onTraffic (the radio model's hook). */
  onTraffic(listener: TrafficListener): () => void {
    return this.addListener({ onTraffic: listener });
  }

  /** Stops schedules and proxies and ends every connection; the link refuses new ones. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.table.stop();
    for (const c of [...this.open]) c.abort();
    const proxies = [...(this.proxies ?? [])];
    this.proxies?.clear();
    await Promise.all(proxies.map((p) => p.close()));
  }

  // ---- internals ------------------------------------------------------------------------------

  /** Opens a connection between `client` and a server end, or refuses it (returns null). */
  private accept<S extends Endpoint>(client: Endpoint, connectServer: () => S): S | null {
    const reason = this.closed
      ? 'link closed'
      : this.state() === 'down'
        ? 'outage'
        : this.open.size >= this.connectionsMax
          ? 'connectionsMax'
          : null;
    if (reason !== null) {
      this.totals.connectionsRefused++;
      client.destroy('refuse');
      this.emitConnection({ kind: 'refused', linkId: this.id, reason, atMs: this.clock.now() });
      return null;
    }
    const server = connectServer();
    const id = `${this.id}/c${++this.connectionSeq}`;
    const connection = new Connection(id, client, server, this.wiring);
    this.open.add(connection);
    this.totals.connectionsOpened++;
    this.totals.connectionsActive++;
    this.emitConnection({
      kind: 'opened',
      linkId: this.id,
      connectionId: id,
      atMs: this.clock.now(),
    });
    for (const spec of this.table.active()) connection.apply(spec);
    return server;
  }

  private refreshState(): void {
    const state = this.state();
    if (state === this.lastState) return;
    const previous = this.lastState;
    this.lastState = state;
    const event = { linkId: this.id, state, previous, atMs: this.clock.now() };
    for (const l of this.listeners) l.onState?.(event);
  }

  /** @internal Runs `fn` on every open connection (a copy: a fault may end some on the way). */
  eachConnection(fn: (c: Connection) => void): void {
    for (const c of [...this.open]) fn(c);
  }

  /** @internal */
  emitConnection(event: ConnectionEvent): void {
    for (const l of this.listeners) l.onConnection?.(event);
  }

  /** @internal */
  emitTraffic(direction: Direction, bytes: number, atMs: number): void {
    for (const l of this.listeners) l.onTraffic?.(direction, bytes, atMs);
  }

  /** @internal A fault changed (the fault table's hook): tell listeners, refresh the state. */
  faultChanged(change: FaultEvent['change'], fault: FaultInfo, previous?: FaultInfo): void {
    const event: FaultEvent = {
      linkId: this.id,
      change,
      fault,
      ...(previous && { previous }),
      atMs: this.clock.now(),
    };
    for (const l of this.listeners) l.onFault?.(event);
    this.refreshState();
  }

  /** @internal A connection ended; the link forgets it. */
  forget(connection: Connection): void {
    this.open.delete(connection);
  }

  private assertOpen(): void {
    if (this.closed) throw new NetError(NET_ERROR_CODES.LINK_CLOSED, `link ${this.id} is closed`);
  }
}

/**
 * A link's hooks for its fault table and its connections, as methods of one object per link:
 * a fleet has a link per agent, and a closure per hook would cost more than the link's state.
 */
class LinkWiring implements FaultTableHooks, ConnectionDeps {
  readonly linkId: string;

  constructor(
    private readonly link: Link,
    readonly clock: Clock,
    readonly rng: Rng,
    readonly counters: LinkCounters,
    readonly heldBytesMax: number,
  ) {
    this.linkId = link.id;
  }

  activate(spec: FaultSpec): void {
    this.link.eachConnection((c) => c.apply(spec));
  }

  deactivate(name: string): void {
    this.link.eachConnection((c) => c.unapply(name));
  }

  update(spec: FaultSpec): void {
    this.link.eachConnection((c) => c.update(spec));
  }

  changed(change: FaultEvent['change'], fault: FaultInfo, previous?: FaultInfo): void {
    this.link.faultChanged(change, fault, previous);
  }

  event(event: ConnectionEvent): void {
    this.link.emitConnection(event);
  }

  traffic(direction: Direction, bytes: number, atMs: number): void {
    this.link.emitTraffic(direction, bytes, atMs);
  }

  done(connection: Connection): void {
    this.link.forget(connection);
  }
}

function positiveInt(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new NetError(
      NET_ERROR_CODES.BAD_OPTIONS,
      `${field}: must be a positive integer (got ${preview(value)}, allowed ≥ 1)`,
    );
  }
  return value;
}

function emptyCounters(): LinkCounters {
  return {
    bytesUpDelivered: 0,
    bytesDownDelivered: 0,
    bytesHeld: 0,
    bytesDropped: 0,
    chunksStalled: 0,
    connectionsOpened: 0,
    connectionsActive: 0,
    connectionsRefused: 0,
    connectionsReset: 0,
    connectionsBlackholed: 0,
    connectionsClosed: 0,
    backpressurePauses: 0,
  };
}
