/**
 * What both LabClient transports share: the status and the listener lists, the
 * routing of snapshot and event messages to them, and tearing them down on close. A
 * transport adds how commands travel (`request`) and how the connection lives.
 */
import type { Command, ResultOf } from '../../../shared/commands';
import type { LabEvent } from '../../../shared/events';
import { decodeResult, modelFromWire, type LabModel } from '../../../shared/model';
import type { Result } from '../../../shared/result';
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

  constructor(initial: ConnectionStatus) {
    this.status = initial;
  }

  protected abstract request(command: Command): Promise<Result<unknown>>;
  abstract resync(): void;
  abstract close(): void;

  call<C extends Command>(command: C): Promise<Result<ResultOf<C>>> {
    // A model in a result travels as a WireModel: made a LabModel (tables) again here.
    return this.request(command).then((result) => decodeResult(command.type, result)) as Promise<
      Result<ResultOf<C>>
    >;
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
