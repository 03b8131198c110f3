/**
 * Plain types shared by the net module: directions, chunks, link states, counters and the
 * listener interface the engine turns into LabEvents (this module never imports the bus).
 */
import type { FaultSpec } from './spec';

/** Which way bytes go: upstream = client → server, downstream = server → client. */
export type Direction = 'upstream' | 'downstream';

/** Where a fault sits: one direction's pipeline, or both. */
export type StreamSelector = Direction | 'both';

/** A piece of the byte stream and the clock time it reached the stage now holding it. */
export interface Chunk {
  data: Buffer;
  /** Clock ms at which the previous stage passed this chunk on (Toxiproxy's timestamp). */
  atMs: number;
}

/** up = no fault active; impaired = some active; down = an outage is active. */
export type LinkState = 'up' | 'impaired' | 'down';

/** Running totals of one link; `bytesHeld` and `connectionsActive` are gauges. */
export interface LinkCounters {
  /** Bytes handed to the server end (client → server). */
  bytesUpDelivered: number;
  /** Bytes handed to the client end (server → client). */
  bytesDownDelivered: number;
  /** Bytes inside stages right now, both directions, all connections. */
  bytesHeld: number;
  /** Bytes discarded: forgotten by idle_timeout, past limit_data, held when a connection ended. */
  bytesDropped: number;
  /** Chunks held back by a stall (loss retransmission, blackhole) rather than by pacing. */
  chunksStalled: number;
  connectionsOpened: number;
  connectionsActive: number;
  /** Refused at open: link down (outage), closed, or at connectionsMax. */
  connectionsRefused: number;
  /** Torn down by a fault like a TCP RST (reset_peer, outage, loss giving up). */
  connectionsReset: number;
  /** Blackhole episodes: a stage swallowing a connection's traffic (timeout, outage, idle_timeout). */
  connectionsBlackholed: number;
  /** Ended any other way: by the peers, by timeout or limit_data, or by closing the link. */
  connectionsClosed: number;
  /** Times a sender was paused because its direction held more than heldBytesMax. */
  backpressurePauses: number;
}

/** A fault as the link holds it: the normalised spec, and whether its schedule has it on now. */
export interface FaultInfo {
  readonly name: string;
  readonly spec: FaultSpec;
  readonly active: boolean;
}

export interface FaultEvent {
  readonly linkId: string;
  /** added/changed/removed: by a caller; activated/deactivated: by the fault's schedule. */
  readonly change: 'added' | 'changed' | 'removed' | 'activated' | 'deactivated';
  readonly fault: FaultInfo;
  /** For 'changed': the fault before the change. */
  readonly previous?: FaultInfo;
  readonly atMs: number;
}

export interface LinkStateEvent {
  readonly linkId: string;
  readonly state: LinkState;
  readonly previous: LinkState;
  readonly atMs: number;
}

export type ConnectionEvent =
  | {
      readonly kind: 'opened';
      readonly linkId: string;
      readonly connectionId: string;
      readonly atMs: number;
    }
  | {
      readonly kind: 'reset' | 'blackholed' | 'closed';
      readonly linkId: string;
      readonly connectionId: string;
      /** What did it: a fault type ('reset_peer', 'outage', …), 'peer', or 'link closed'. */
      readonly reason: string;
      readonly atMs: number;
    }
  | {
      readonly kind: 'backpressure';
      readonly linkId: string;
      readonly connectionId: string;
      readonly direction: Direction;
      readonly heldBytes: number;
      readonly atMs: number;
    }
  | {
      readonly kind: 'refused';
      readonly linkId: string;
      readonly reason: string;
      readonly atMs: number;
    };

/**
 * Bytes on the client side of a link, for a radio model: upstream when the link takes them from
 * the client (the device transmits), downstream when it hands them to the client (it receives).
 */
export type TrafficListener = (direction: Direction, bytes: number, atMs: number) => void;

/** Callbacks a link makes; every member optional. Listeners must not throw. */
export interface LinkListener {
  onFault?(event: FaultEvent): void;
  onState?(event: LinkStateEvent): void;
  onConnection?(event: ConnectionEvent): void;
  onTraffic?: TrafficListener;
}
