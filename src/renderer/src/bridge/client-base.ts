/**
 * What both LabClient transports share: the status and the listener lists, the
 * routing of snapshot and event messages to them, and tearing them down on close. A
 * transport adds how commands travel (`request`) and how the connection lives.
 */
import type { Command, ResultOf } from '../../../shared/commands';
import type { LabEvent } from '../../../shared/events';
import { decodeResult, modelFromWire, type LabModel } from '../../../shared/model';
import { ok, type Result } from '../../../shared/result';
import { SeekBases, type PackedSeek, type WireSeek } from '../../../shared/seek-wire';
import type { ServerMessage } from '../../../shared/wire';
import type { RunStatus } from '../../../shared/workbench';
import type { ConnectionStatus, LabClient } from './client';
import { Listeners } from './listeners';

export abstract class ClientBase implements LabClient {
  protected status: ConnectionStatus;
  private readonly snapshotListeners = new Listeners<LabModel>();
  private readonly eventListeners = new Listeners<LabEvent[]>();
  private readonly statusListeners = new Listeners<ConnectionStatus>();
  private readonly runStatusListeners = new Listeners<RunStatus>();
  /** The last seek answers decoded: a later seek is sent relative to one (seek-wire.ts). */
  private readonly seekBases = new SeekBases();

  constructor(initial: ConnectionStatus) {
    this.status = initial;
  }

  protected abstract request(command: Command): Promise<Result<unknown>>;
  abstract resync(): void;
  abstract close(): void;

  call<C extends Command>(command: C): Promise<Result<ResultOf<C>>> {
    if (command.type === 'seek') return this.seek(command) as Promise<Result<ResultOf<C>>>;
    // A model in a result travels as a WireModel: made a LabModel (tables) again here.
    return this.request(command).then((result) => decodeResult(command.type, result)) as Promise<
      Result<ResultOf<C>>
    >;
  }

  /**
   * A seek names the last answer decoded as its base and the last one sent whole as its
   * `like`, unless the caller named them.
   */
  private async seek(command: Extract<Command, { type: 'seek' }>): Promise<Result<unknown>> {
    const base = command.base ?? this.seekBases.latest();
    const like = command.like ?? this.seekBases.likeId();
    const result = await this.request({
      ...command,
      ...(base !== undefined && { base }),
      ...(like !== undefined && { like }),
    });
    if (!result.ok) return result;
    const decoded = this.seekBases.decode(result.value as WireSeek | PackedSeek);
    if (decoded !== null) return ok(decoded);
    // Its base is no longer kept here (more seeks were on their way than are kept): the
    // whole answer, without a base (or a `like`).
    const { base: _named, like: _like, ...whole } = command;
    const again = await this.request(whole);
    return again.ok ? ok(this.seekBases.decode(again.value as WireSeek | PackedSeek)!) : again;
  }

  onSnapshot(listener: (model: LabModel) => void): () => void {
    return this.snapshotListeners.add(listener);
  }

  onEvents(listener: (events: LabEvent[]) => void): () => void {
    return this.eventListeners.add(listener);
  }

  /** The listener is called with the current status right away, then on every change. */
  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    const remove = this.statusListeners.add(listener);
    listener(this.status);
    return remove;
  }

  onRunStatus(listener: (status: RunStatus) => void): () => void {
    return this.runStatusListeners.add(listener);
  }

  /** Hands a snapshot or a non-empty event batch to its listeners; results are the transport's. */
  protected route(message: ServerMessage): void {
    if (message.type === 'snapshot') this.snapshotListeners.emit(modelFromWire(message.model));
    else if (message.type === 'status') this.runStatusListeners.emit(message.status);
    else if (message.type === 'events' && message.events.length > 0) {
      this.eventListeners.emit(message.events);
    }
  }

  protected setStatus(status: ConnectionStatus): void {
    if (this.status === status) return;
    this.status = status;
    // Another connection's host holds none of this one's answers.
    if (status !== 'open') this.seekBases.clear();
    this.statusListeners.emit(status);
  }

  /** Says 'closed' one last time, then forgets every listener. */
  protected closeListeners(): void {
    this.setStatus('closed');
    this.snapshotListeners.clear();
    this.eventListeners.clear();
    this.statusListeners.clear();
    this.runStatusListeners.clear();
  }
}
