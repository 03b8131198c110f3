/**
 * One direction of one connection: a no-op head, the stages in the order their faults were
 * added, and a sink. Stages are linked nodes, so one can be added, changed or removed while
 * chunks flow: a removed stage passes what it holds to the node after it, so order is kept.
 *
 *   ingress ─► head ─► [latency] ─► [loss] ─► sink ─► endpoint
 */
import type { Clock } from '../clock/clock';
import type { Rng } from '../rng/rng';
import type { ConnectionControl, Stage, StageContext, StageDefinition } from './stage';
import type { Chunk, Direction } from './types';

/**
 * What the pipeline tells its connection. Methods that name the direction, so one object (the
 * connection) serves both of its pipelines without a closure per hook.
 */
export interface PipelineHooks {
  /** Bytes left the last stage. */
  deliver(direction: Direction, data: Buffer): void;
  /** The end left the last stage; `closeReason` set if a stage asked to close (limit_data). */
  deliverEnd(direction: Direction, closeReason: string | null): void;
  /** The bytes held changed by `delta` (positive: in; negative: out or dropped). */
  held(delta: number): void;
  dropped(bytes: number): void;
  stalled(chunks: number): void;
}

interface Node {
  prev: Node | null;
  next: Node | null;
  take(chunk: Chunk): void;
  takeEnd(): void;
}

export class Pipeline {
  /** Bytes inside this pipeline's stages now. */
  heldBytes = 0;
  private disposed = false;
  private inputEnded = false;
  private closeReason: string | null = null;
  private readonly head: Node = new Head();
  private readonly sink: Node = new Sink(this);
  /** Stages by fault name; made with the first stage (most connections of a fleet have none). */
  private nodes: Map<string, StageNode> | null = null;

  constructor(
    readonly direction: Direction,
    readonly clock: Clock,
    private readonly hooks: PipelineHooks,
  ) {
    this.head.next = this.sink;
    this.sink.prev = this.head;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Bytes entering from the sending end. */
  ingress(data: Buffer): void {
    if (this.disposed || this.inputEnded || data.length === 0) return;
    this.heldBytes += data.length;
    this.hooks.held(data.length);
    this.head.take({ data, atMs: this.clock.now() });
  }

  /** The sending end finished (FIN); idempotent. */
  ingressEnd(): void {
    if (this.disposed || this.inputEnded) return;
    this.inputEnded = true;
    this.head.takeEnd();
  }

  /** Appends a stage just before the sink and starts it. */
  add(
    name: string,
    def: StageDefinition,
    attrs: unknown,
    connection: ConnectionControl,
    rng: Rng,
  ): void {
    const node = new StageNode(this, connection, rng);
    node.stage = def.create(node, attrs);
    node.prev = this.sink.prev;
    node.next = this.sink;
    node.prev!.next = node;
    this.sink.prev = node;
    (this.nodes ??= new Map()).set(name, node);
    node.stage.start();
  }

  update(name: string, attrs: unknown): void {
    this.nodes?.get(name)?.stage.update(attrs);
  }

  /** Unlinks a stage; it passes what it holds to the node that followed it. */
  remove(name: string): void {
    const node = this.nodes?.get(name);
    if (!node) return;
    this.nodes!.delete(name);
    node.prev!.next = node.next;
    node.next!.prev = node.prev;
    node.stage.release();
  }

  has(name: string): boolean {
    return this.nodes?.has(name) ?? false;
  }

  /** Stops every stage; returns the bytes that were held (now lost). */
  dispose(): number {
    if (this.disposed) return 0;
    this.disposed = true;
    for (const node of this.nodes?.values() ?? []) node.stage.dispose();
    const lost = this.heldBytes;
    this.heldBytes = 0;
    this.hooks.held(-lost);
    return lost;
  }

  /** @internal StageNode → pipeline. */
  dropFromStage(bytes: number): void {
    this.heldBytes -= bytes;
    this.hooks.held(-bytes);
    this.hooks.dropped(bytes);
  }

  /** @internal */
  stalledInStage(chunks: number): void {
    this.hooks.stalled(chunks);
  }

  /** @internal */
  finishFromStage(reason: string): void {
    this.closeReason ??= reason;
  }

  /** @internal Sink → pipeline: bytes leave for the endpoint. */
  leave(data: Buffer): void {
    this.heldBytes -= data.length;
    this.hooks.held(-data.length);
    this.hooks.deliver(this.direction, data);
  }

  /** @internal Sink → pipeline: the end leaves for the endpoint. */
  leaveEnd(): void {
    this.hooks.deliverEnd(this.direction, this.closeReason);
  }
}

/** The no-op head: a stage can always be put right behind it. */
class Head implements Node {
  prev: Node | null = null;
  next: Node | null = null;

  take(chunk: Chunk): void {
    this.next!.take(chunk);
  }

  takeEnd(): void {
    this.next!.takeEnd();
  }
}

/** The sink: what reaches it leaves the pipeline for the connection's endpoint. */
class Sink implements Node {
  prev: Node | null = null;
  next: Node | null = null;

  constructor(private readonly pipeline: Pipeline) {}

  take(chunk: Chunk): void {
    this.pipeline.leave(chunk.data);
  }

  takeEnd(): void {
    this.pipeline.leaveEnd();
  }
}

/** A stage in the chain; it is also the stage's context (its way out). */
class StageNode implements Node, StageContext {
  prev: Node | null = null;
  next: Node | null = null;
  stage!: Stage<unknown>;
  private ended = false;

  constructor(
    private readonly pipeline: Pipeline,
    readonly connection: ConnectionControl,
    readonly rng: Rng,
  ) {}

  get clock(): Clock {
    return this.pipeline.clock;
  }

  get direction(): Direction {
    return this.pipeline.direction;
  }

  take(chunk: Chunk): void {
    this.stage.push(chunk);
  }

  takeEnd(): void {
    this.stage.end();
  }

  emit(data: Buffer): void {
    if (this.pipeline.isDisposed || data.length === 0) return;
    if (this.ended) return this.drop(data.length); // a stage bug; keep the count honest
    this.next!.take({ data, atMs: this.pipeline.clock.now() });
  }

  end(): void {
    if (this.pipeline.isDisposed || this.ended) return;
    this.ended = true;
    this.next!.takeEnd();
  }

  finish(reason: string): void {
    this.pipeline.finishFromStage(reason);
    this.end();
  }

  drop(bytes: number): void {
    if (!this.pipeline.isDisposed && bytes > 0) this.pipeline.dropFromStage(bytes);
  }

  stalled(chunks = 1): void {
    this.pipeline.stalledInStage(chunks);
  }
}
