/**
 * One connection through a link: two endpoints (client, server) and two pipelines (upstream:
 * client → server; downstream: server → client). It applies the link's active faults as
 * stages, keeps every buffer bounded by back-pressure, and ends the way the faults say.
 *
 * Back-pressure: when a direction holds more than `heldBytesMax` bytes in its stages, or its
 * receiving end is full, the sending end is paused (socket.pause(), or the in-memory write
 * callback is held) until the stages are down to half the bound and the receiver drains.
 * A stage-caused pause is counted and reported as a 'backpressure' connection event.
 */
import type { Clock } from '../clock/clock';
import type { Rng } from '../rng/rng';
import type { Endpoint, EndpointHandlers } from './endpoint';
import { Pipeline, type PipelineHooks } from './pipeline';
import { STAGES } from './registry';
import type { FaultSpec } from './spec';
import type { ConnectionControl } from './stage';
import type { ConnectionEvent, Direction, LinkCounters, StreamSelector } from './types';

/** What a connection gets from its link: one object per link, shared by its connections. */
export interface ConnectionDeps {
  readonly linkId: string;
  readonly clock: Clock;
  /** The link's stream; each connection forks its own from it by connection id, on first need. */
  readonly rng: Rng;
  /** The link's counters, updated in place. */
  readonly counters: LinkCounters;
  /** Most bytes one direction may hold in its stages before its sender is paused. */
  readonly heldBytesMax: number;
  event(event: ConnectionEvent): void;
  traffic(direction: Direction, bytes: number, atMs: number): void;
  /** The connection has ended; the link forgets it. */
  done(connection: Connection): void;
}

type Side = 'client' | 'server';

/** A snapshot for observers and tests. */
export interface ConnectionInfo {
  readonly id: string;
  readonly openedAtMs: number;
  /** Names of the faults with a stage on this connection (toxicity decided per connection). */
  readonly faults: readonly string[];
  readonly heldBytes: { readonly upstream: number; readonly downstream: number };
  /** Forgotten by idle_timeout: every byte vanishes. */
  readonly forgotten: boolean;
}

export class Connection implements ConnectionControl, PipelineHooks {
  lastActivityAtMs: number;
  readonly openedAtMs: number;
  private finished = false;
  private forgotten = false;
  private readonly pipes: Record<Direction, Pipeline>;
  private readonly paused = { upstream: false, downstream: false };
  private readonly sinkFull = { upstream: false, downstream: false };
  private readonly gone = { client: false, server: false };
  // What faults need is made when the first one applies: most connections of a fleet have none.
  /** This connection's own stream (forked from the link's by connection id). */
  private ownRng: Rng | null = null;
  /** Fault name → the directions it has a stage in (empty: toxicity said no). */
  private applied: Map<string, Direction[]> | null = null;
  /** Fault name → how many times it was applied (forks a fresh stream per activation). */
  private activations: Map<string, number> | null = null;
  private blackholes: Map<string, number> | null = null;

  constructor(
    readonly id: string,
    private readonly client: Endpoint,
    private readonly server: Endpoint,
    private readonly deps: ConnectionDeps,
  ) {
    this.openedAtMs = this.lastActivityAtMs = deps.clock.now();
    this.pipes = {
      upstream: new Pipeline('upstream', deps.clock, this),
      downstream: new Pipeline('downstream', deps.clock, this),
    };
    client.attach(new EndpointTap(this, 'client', 'upstream'));
    server.attach(new EndpointTap(this, 'server', 'downstream'));
  }

  get isFinished(): boolean {
    return this.finished;
  }

  info(): ConnectionInfo {
    return {
      id: this.id,
      openedAtMs: this.openedAtMs,
      faults: [...(this.applied ?? [])].filter(([, dirs]) => dirs.length > 0).map(([name]) => name),
      heldBytes: {
        upstream: this.pipes.upstream.heldBytes,
        downstream: this.pipes.downstream.heldBytes,
      },
      forgotten: this.forgotten,
    };
  }

  // ---- faults -------------------------------------------------------------------------

  /** Puts a fault's stages in, if this connection's toxicity draw says it applies. */
  apply(spec: FaultSpec): void {
    if (this.finished) return;
    const dirs = this.directionsFor(spec);
    (this.applied ??= new Map()).set(spec.name, dirs);
    const activations = (this.activations ??= new Map());
    const activation = (activations.get(spec.name) ?? 0) + 1;
    activations.set(spec.name, activation);
    const def = STAGES.get(spec.type)!;
    for (const dir of dirs) {
      if (this.finished) return;
      const rng = this.rng.fork(`${spec.name}/${dir}/${activation}`);
      this.pipes[dir].add(spec.name, def, spec.attributes, this, rng);
    }
  }

  /** New attributes or toxicity for a fault already applied (same type and stream). */
  update(spec: FaultSpec): void {
    if (this.finished) return;
    const before = this.applied?.get(spec.name) ?? [];
    const after = this.directionsFor(spec);
    if (before.length === after.length) {
      for (const dir of after) this.pipes[dir].update(spec.name, spec.attributes);
    } else {
      this.unapply(spec.name);
      this.apply(spec);
    }
  }

  /** Takes a fault's stages out; they pass on what they hold. */
  unapply(name: string): void {
    const dirs = this.applied?.get(name) ?? [];
    this.applied?.delete(name);
    for (const dir of dirs) {
      if (this.finished) return;
      this.pipes[dir].remove(name);
    }
  }

  private directionsFor(spec: FaultSpec): Direction[] {
    const draw = this.rng.fork(`toxicity/${spec.name}`).next();
    return draw < spec.toxicity ? directions(spec.stream) : [];
  }

  private get rng(): Rng {
    return (this.ownRng ??= this.deps.rng.fork(`net/${this.id}`));
  }

  // ---- ConnectionControl ----------------------------------------------------------------

  reset(reason: string): void {
    this.teardown('reset', reason);
  }

  close(reason: string): void {
    this.teardown('close', reason);
  }

  /** Ends the connection because the link is closing. */
  abort(): void {
    this.teardown('abort', 'link closed');
  }

  forget(reason: string): void {
    if (this.finished || this.forgotten) return;
    this.forgotten = true;
    this.blackholed(reason);
  }

  blackholed(reason: string): () => void {
    const blackholes = (this.blackholes ??= new Map());
    const holders = blackholes.get(reason) ?? 0;
    blackholes.set(reason, holders + 1);
    if (holders === 0 && !this.finished) {
      this.deps.counters.connectionsBlackholed++;
      this.emit({ kind: 'blackholed', reason });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      blackholes.set(reason, (blackholes.get(reason) ?? 1) - 1);
    };
  }

  // ---- traffic ----------------------------------------------------------------------------

  /** @internal Bytes the application wrote at one end (EndpointTap). */
  ingress(dir: Direction, data: Buffer): void {
    if (this.finished) return;
    const now = this.deps.clock.now();
    this.lastActivityAtMs = now;
    if (dir === 'upstream') this.deps.traffic('upstream', data.length, now);
    if (this.forgotten) {
      this.deps.counters.bytesDropped += data.length;
      return;
    }
    this.pipes[dir].ingress(data);
    this.flow(dir);
  }

  /** @internal One end finished sending (EndpointTap). */
  ingressEnd(dir: Direction): void {
    if (!this.finished && !this.forgotten) this.pipes[dir].ingressEnd();
  }

  /** @internal The end receiving `into` can take more (EndpointTap). */
  drained(into: Direction): void {
    this.sinkFull[into] = false;
    this.flow(into);
  }

  // ---- PipelineHooks (the two pipelines report here) -------------------------------------

  /** @internal */
  deliver(dir: Direction, data: Buffer): void {
    const counters = this.deps.counters;
    if (this.gone[receivingSide(dir)]) {
      counters.bytesDropped += data.length;
      return;
    }
    if (dir === 'upstream') counters.bytesUpDelivered += data.length;
    else {
      counters.bytesDownDelivered += data.length;
      this.deps.traffic('downstream', data.length, this.deps.clock.now());
    }
    if (!this.receiver(dir).write(data)) this.sinkFull[dir] = true;
    this.flow(dir);
  }

  /** @internal */
  deliverEnd(dir: Direction, closeReason: string | null): void {
    if (closeReason !== null) this.close(closeReason);
    else if (!this.gone[receivingSide(dir)]) this.receiver(dir).end();
  }

  /** @internal */
  held(delta: number): void {
    this.deps.counters.bytesHeld += delta;
  }

  /** @internal */
  dropped(bytes: number): void {
    this.deps.counters.bytesDropped += bytes;
  }

  /** @internal */
  stalled(chunks: number): void {
    this.deps.counters.chunksStalled += chunks;
  }

  /** The end a direction's bytes go to. */
  private receiver(dir: Direction): Endpoint {
    return dir === 'upstream' ? this.server : this.client;
  }

  /** Pauses or resumes the sender of `dir` (see the header comment). */
  private flow(dir: Direction): void {
    if (this.finished) return;
    const held = this.pipes[dir].heldBytes;
    const over = held > this.deps.heldBytesMax;
    const source = dir === 'upstream' ? this.client : this.server;
    if (!this.paused[dir] && (over || this.sinkFull[dir])) {
      this.paused[dir] = true;
      source.pause();
      if (over) {
        this.deps.counters.backpressurePauses++;
        this.emit({ kind: 'backpressure', direction: dir, heldBytes: held });
      }
    } else if (this.paused[dir] && !this.sinkFull[dir] && held <= this.deps.heldBytesMax / 2) {
      this.paused[dir] = false;
      source.resume();
    }
  }

  // ---- endings ------------------------------------------------------------------------------

  /** @internal One end is gone (EndpointTap); `error` set if it went abruptly. */
  endpointClosed(side: Side, from: Direction, error: Error | null): void {
    if (this.finished) return;
    this.gone[side] = true;
    if (!this.forgotten) {
      if (error) {
        // Abrupt: pass it on as a reset, as a TCP proxy would.
        (side === 'client' ? this.server : this.client).destroy('reset');
        this.settle('closed', `${side} ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
        return;
      }
      this.pipes[from].ingressEnd(); // a close is a FIN too
    }
    if (this.gone.client && this.gone.server) this.settle('closed', 'peer');
  }

  private teardown(mode: 'reset' | 'close' | 'abort', reason: string): void {
    if (this.finished) return;
    this.settle(mode === 'reset' ? 'reset' : 'closed', reason, () => {
      this.client.destroy(mode);
      this.server.destroy(mode);
    });
  }

  /** Marks the connection over, drops what is held, counts and reports it once. */
  private settle(kind: 'reset' | 'closed', reason: string, destroy?: () => void): void {
    this.finished = true;
    destroy?.();
    const lost = this.pipes.upstream.dispose() + this.pipes.downstream.dispose();
    const counters = this.deps.counters;
    counters.bytesDropped += lost;
    counters.connectionsActive--;
    if (kind === 'reset') counters.connectionsReset++;
    else counters.connectionsClosed++;
    this.emit({ kind, reason });
    this.deps.done(this);
  }

  private emit(
    event:
      | { kind: 'reset' | 'closed' | 'blackholed'; reason: string }
      | { kind: 'backpressure'; direction: Direction; heldBytes: number },
  ): void {
    const base = { linkId: this.deps.linkId, connectionId: this.id, atMs: this.deps.clock.now() };
    this.deps.event({ ...base, ...event });
  }
}

/** The side a direction's bytes go to. */
function receivingSide(dir: Direction): Side {
  return dir === 'upstream' ? 'server' : 'client';
}

/**
 * What one end reports, passed to its connection with the end's side and direction: one
 * object per end instead of a closure per handler.
 */
class EndpointTap implements EndpointHandlers {
  constructor(
    private readonly connection: Connection,
    private readonly side: Side,
    /** The direction this end's bytes go. */
    private readonly from: Direction,
  ) {}

  data(data: Buffer): void {
    this.connection.ingress(this.from, data);
  }

  end(): void {
    this.connection.ingressEnd(this.from);
  }

  drain(): void {
    this.connection.drained(this.from === 'upstream' ? 'downstream' : 'upstream');
  }

  close(error: Error | null): void {
    this.connection.endpointClosed(this.side, this.from, error);
  }
}

export function directions(stream: StreamSelector): Direction[] {
  return stream === 'both' ? ['upstream', 'downstream'] : [stream];
}
