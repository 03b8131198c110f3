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
import type { Endpoint } from './endpoint';
import { Pipeline } from './pipeline';
import { STAGES } from './registry';
import type { FaultSpec } from './spec';
import type { ConnectionControl } from './stage';
import type { ConnectionEvent, Direction, LinkCounters, StreamSelector } from './types';

export interface ConnectionDeps {
  readonly linkId: string;
  readonly clock: Clock;
  /** This connection's own stream (forked from the link's by connection id). */
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

export class Connection implements ConnectionControl {
  lastActivityAtMs: number;
  readonly openedAtMs: number;
  private finished = false;
  private forgotten = false;
  private readonly pipes: Record<Direction, Pipeline>;
  private readonly paused = { upstream: false, downstream: false };
  private readonly sinkFull = { upstream: false, downstream: false };
  private readonly gone = { client: false, server: false };
  /** Fault name → the directions it has a stage in (empty: toxicity said no). */
  private readonly applied = new Map<string, Direction[]>();
  /** Fault name → how many times it was applied (forks a fresh stream per activation). */
  private readonly activations = new Map<string, number>();
  private readonly blackholes = new Map<string, number>();

  constructor(
    readonly id: string,
    private readonly client: Endpoint,
    private readonly server: Endpoint,
    private readonly deps: ConnectionDeps,
  ) {
    this.openedAtMs = this.lastActivityAtMs = deps.clock.now();
    this.pipes = {
      upstream: this.pipeline('upstream', server, 'server'),
      downstream: this.pipeline('downstream', client, 'client'),
    };
    this.listen(client, 'client', 'upstream');
    this.listen(server, 'server', 'downstream');
  }

  get isFinished(): boolean {
    return this.finished;
  }

  info(): ConnectionInfo {
    return {
      id: this.id,
      openedAtMs: this.openedAtMs,
      faults: [...this.applied].filter(([, dirs]) => dirs.length > 0).map(([name]) => name),
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
    this.applied.set(spec.name, dirs);
    const activation = (this.activations.get(spec.name) ?? 0) + 1;
    this.activations.set(spec.name, activation);
    const def = STAGES.get(spec.type)!;
    for (const dir of dirs) {
      if (this.finished) return;
      const rng = this.deps.rng.fork(`${spec.name}/${dir}/${activation}`);
      this.pipes[dir].add(spec.name, def, spec.attributes, this, rng);
    }
  }

  /** New attributes or toxicity for a fault already applied (same type and stream). */
  update(spec: FaultSpec): void {
    if (this.finished) return;
    const before = this.applied.get(spec.name) ?? [];
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
    const dirs = this.applied.get(name) ?? [];
    this.applied.delete(name);
    for (const dir of dirs) {
      if (this.finished) return;
      this.pipes[dir].remove(name);
    }
  }

  private directionsFor(spec: FaultSpec): Direction[] {
    const draw = this.deps.rng.fork(`toxicity/${spec.name}`).next();
    return draw < spec.toxicity ? directions(spec.stream) : [];
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
    const holders = this.blackholes.get(reason) ?? 0;
    this.blackholes.set(reason, holders + 1);
    if (holders === 0 && !this.finished) {
      this.deps.counters.connectionsBlackholed++;
      this.emit({ kind: 'blackholed', reason });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.blackholes.set(reason, (this.blackholes.get(reason) ?? 1) - 1);
    };
  }

  // ---- traffic ----------------------------------------------------------------------------

  private listen(endpoint: Endpoint, side: Side, from: Direction): void {
    const into: Direction = from === 'upstream' ? 'downstream' : 'upstream';
    endpoint.attach({
      data: (data) => this.ingress(from, data),
      end: () => {
        if (!this.finished && !this.forgotten) this.pipes[from].ingressEnd();
      },
      drain: () => {
        this.sinkFull[into] = false;
        this.flow(into);
      },
      close: (error) => this.endpointClosed(side, from, error),
    });
  }

  private ingress(dir: Direction, data: Buffer): void {
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

  private pipeline(dir: Direction, target: Endpoint, targetSide: Side): Pipeline {
    const counters = this.deps.counters;
    return new Pipeline(dir, this.deps.clock, {
      deliver: (data) => {
        if (this.gone[targetSide]) {
          counters.bytesDropped += data.length;
          return;
        }
        if (dir === 'upstream') counters.bytesUpDelivered += data.length;
        else {
          counters.bytesDownDelivered += data.length;
          this.deps.traffic('downstream', data.length, this.deps.clock.now());
        }
        if (!target.write(data)) this.sinkFull[dir] = true;
        this.flow(dir);
      },
      deliverEnd: (closeReason) => {
        if (closeReason !== null) this.close(closeReason);
        else if (!this.gone[targetSide]) target.end();
      },
      held: (delta) => (counters.bytesHeld += delta),
      dropped: (bytes) => (counters.bytesDropped += bytes),
      stalled: (chunks) => (counters.chunksStalled += chunks),
    });
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

  private endpointClosed(side: Side, from: Direction, error: Error | null): void {
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

export function directions(stream: StreamSelector): Direction[] {
  return stream === 'both' ? ['upstream', 'downstream'] : [stream];
}
