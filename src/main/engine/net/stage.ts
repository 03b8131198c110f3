/**
 * A stage is one fault on one direction of one connection: it takes chunks in, passes them on
 * (now, later, split, or never) and may act on the connection. Like a Toxiproxy toxic, but
 * driven by calls instead of a goroutine: every wait is a timer on the injected clock, and
 * `release`/`dispose` cancel it, so every wait is interruptible.
 */
import type { z } from 'zod';
import type { Clock } from '../clock/clock';
import type { Rng } from '../rng/rng';
import type { FaultAttribute } from '../../../shared/workbench';
import type { Chunk, Direction, StreamSelector } from './types';
import { attributeSchema, type AttributeSchema } from './validation';

/** What a stage may do to the connection it sits in. */
export interface ConnectionControl {
  readonly id: string;
  /** Clock ms of the last byte that entered the link from either end. */
  readonly lastActivityAtMs: number;
  /** Tears both ends down like a TCP RST: each side sees ECONNRESET. */
  reset(reason: string): void;
  /** Closes both ends now (FIN after what they were already given), dropping what is held. */
  close(reason: string): void;
  /** Forgets the connection like a NAT: from now on every byte, both ways, silently vanishes. */
  forget(reason: string): void;
  /** Reports that a stage started swallowing traffic; call the returned function when it stops. */
  blackholed(reason: string): () => void;
}

/** The handle a stage gets: its clock, its own random stream, and its way out. */
export interface StageContext {
  readonly clock: Clock;
  /** This stage's own stream for this connection (forked per fault, direction and activation). */
  readonly rng: Rng;
  readonly direction: Direction;
  readonly connection: ConnectionControl;
  /** Passes bytes to the next stage, stamped with the current clock time. */
  emit(data: Buffer): void;
  /** Passes end-of-stream to the next stage (once). */
  end(): void;
  /** Ends the stream here and closes the connection once that end reaches the far side. */
  finish(reason: string): void;
  /** Counts bytes this stage discarded on purpose. */
  drop(bytes: number): void;
  /** Counts chunks held by a stall (not by ordinary pacing). */
  stalled(chunks?: number): void;
}

/** Base class of every stage; `A` is its validated attributes. */
export abstract class Stage<A> {
  constructor(
    protected readonly ctx: StageContext,
    protected attrs: A,
  ) {}

  /** Called once, after the stage is in the pipeline (it may act on the connection here). */
  start(): void {}

  /** A chunk from the previous stage. */
  abstract push(chunk: Chunk): void;

  /** The stream ended before this stage; pass the end on after what is held. */
  end(): void {
    this.ctx.end();
  }

  /** New attributes while traffic flows; they apply to chunks not yet passed on. */
  update(attrs: A): void {
    this.attrs = attrs;
  }

  /** The stage is being removed: pass on everything held, in order, now; cancel timers. */
  release(): void {}

  /** The connection is gone: cancel timers; what is held is dropped. */
  dispose(): void {}
}

/** How a fault type is described, validated and built; registered by its lowercase `type`. */
export interface StageDefinition<S extends z.ZodType = z.ZodType> {
  readonly type: string;
  /** The `stream` a spec gets when it names none. */
  readonly defaultStream: StreamSelector;
  /** While a fault of this type is on, the link is down and refuses new connections. */
  readonly takesLinkDown: boolean;
  /** The attributes as data: the schema is built from them; forms and docs read them. */
  readonly attributes: readonly FaultAttribute[];
  /** Validates and fills in the spec's `attributes` (built from `attributes`). */
  readonly schema: S;
  create(ctx: StageContext, attrs: z.output<S>): Stage<z.output<S>>;
}

/**
 * A stage file's definition: its schema is built from its attribute table; `refine` adds what
 * a table cannot say (a check across fields, a default computed from another field).
 */
export function defineStage<
  const T extends string,
  const A extends readonly FaultAttribute[],
  S extends z.ZodType = AttributeSchema<A>,
>(def: {
  readonly type: T;
  readonly defaultStream: StreamSelector;
  readonly takesLinkDown?: boolean;
  readonly attributes: A;
  readonly refine?: (schema: AttributeSchema<A>) => S;
  create(ctx: StageContext, attrs: z.output<S>): Stage<z.output<S>>;
}): StageDefinition<S> & { readonly type: T } {
  const base = attributeSchema(def.attributes);
  return {
    type: def.type,
    defaultStream: def.defaultStream,
    takesLinkDown: def.takesLinkDown ?? false,
    attributes: def.attributes,
    schema: (def.refine ? def.refine(base) : base) as S,
    create: def.create,
  };
}
