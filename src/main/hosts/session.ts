/**
 * One connected renderer, whatever the transport: validates what it sends, runs commands
 * on the lab, and streams events to it in batches (at most one per EVENT_BATCH_INTERVAL_MS).
 * A client that falls too far behind gets a fresh snapshot instead of an ever-growing queue.
 */
import { parseCommand } from '../../shared/commands';
import type { Command } from '../../shared/commands';
import type { LabEvent } from '../../shared/events';
import { encodeResult, modelToWire, type LabModel } from '../../shared/model';
import type { RunStatus } from '../../shared/workbench';
import { fail, type Result } from '../../shared/result';
import {
  clientMessageSchema,
  EVENT_BATCH_INTERVAL_MS,
  type ServerMessage,
} from '../../shared/wire';
import { describeError } from '../engine/errors';

/** The part of the lab (the Workbench, or a bare Lab) a host needs. */
export interface LabPort {
  onEvent(listener: (event: LabEvent) => void): () => void;
  snapshot(): LabModel;
  /** `session` says which client asked (state such as an upload belongs to it). */
  execute(command: Command, session?: object): Promise<Result<unknown>>;
  /** The client's session ended: whatever it left unfinished (an upload) is dropped. */
  sessionClosed?(session: object): Promise<void>;
  /** What runs and how; sent after each snapshot and on every change. */
  status?(): RunStatus;
  onRunStatus?(listener: (status: RunStatus) => void): () => void;
  /** The lab was replaced (a new run, a recording opened): every client needs a new snapshot. */
  onReset?(listener: () => void): () => void;
}

export interface HostSessionOptions {
  /** Events held for one client before it is switched to a snapshot (default 20,000). */
  pendingEventsMax?: number;
  /** True when the transport cannot take more now (e.g. a full socket buffer). */
  isCongested?: () => boolean;
}

export class HostSession {
  private pending: LabEvent[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private streaming = false;
  private needsSnapshot = false;
  private readonly unsubscribe: (() => void)[];
  private closed = false;

  constructor(
    private readonly lab: LabPort,
    private readonly send: (message: ServerMessage) => void,
    private readonly options: HostSessionOptions = {},
  ) {
    this.unsubscribe = [
      lab.onEvent((event) => this.enqueue(event)),
      lab.onRunStatus?.((status) => this.sendStatus(status)) ?? noop,
      lab.onReset?.(() => {
        if (this.streaming && !this.closed) this.resync();
      }) ?? noop,
    ];
  }

  /** Handles one message from the client; invalid input is answered, never thrown. */
  async receive(raw: unknown): Promise<void> {
    const envelope = clientMessageSchema.safeParse(raw);
    if (!envelope.success) {
      // Without a valid id there is nobody to answer; drop it.
      return;
    }
    const message = envelope.data;
    if (message.type === 'resync') {
      this.resync();
      return;
    }
    const result = await this.command(message.command);
    if (!this.closed) this.send({ type: 'result', id: message.id, result });
  }

  /** Validates and runs one command; a model in the result is encoded for the wire. */
  async command(raw: unknown): Promise<Result<unknown>> {
    const parsed = parseCommand(raw);
    if (!parsed.ok) return fail(parsed.error.code, parsed.error.message);
    try {
      return encodeResult(parsed.value.type, await this.lab.execute(parsed.value, this));
    } catch (error) {
      // A programming error in one command must not reject into nowhere (an unhandled
      // rejection ends the process): the client gets an answer and the lab goes on.
      const { code, message } = describeError(error);
      return fail(code, `${parsed.value.type}: ${message}; the lab goes on`);
    }
  }

  /** Sends a snapshot now and every later event after it. */
  resync(): void {
    this.streaming = true;
    this.needsSnapshot = false;
    this.pending = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.send({ type: 'snapshot', model: modelToWire(this.lab.snapshot()) });
    const status = this.lab.status?.();
    if (status) this.send({ type: 'status', status });
  }

  private sendStatus(status: RunStatus): void {
    // Before the first snapshot the client has no use for it; the snapshot brings one.
    if (!this.streaming || this.closed) return;
    this.send({ type: 'status', status });
  }

  close(): void {
    if (!this.closed) void this.lab.sessionClosed?.(this);
    this.closed = true;
    for (const off of this.unsubscribe) off();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private enqueue(event: LabEvent): void {
    if (!this.streaming || this.closed) return;
    if (this.needsSnapshot) return;
    this.pending.push(event);
    if (this.pending.length > (this.options.pendingEventsMax ?? 20_000)) {
      this.pending = [];
      this.needsSnapshot = true;
    }
    this.timer ??= setTimeout(() => this.flush(), EVENT_BATCH_INTERVAL_MS);
  }

  private flush(): void {
    this.timer = null;
    if (this.closed) return;
    if (this.options.isCongested?.()) {
      this.timer = setTimeout(() => this.flush(), EVENT_BATCH_INTERVAL_MS);
      return;
    }
    if (this.needsSnapshot) {
      this.resync();
      return;
    }
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    this.send({ type: 'events', events });
  }
}

const noop = (): void => undefined;
