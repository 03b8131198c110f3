/**
 * LabClient over Electron IPC, through the preload's `window.pushLab`. IPC does not drop
 * while the window lives, so the status is 'open' from the start until `close()`.
 */
import type { Command, ResultOf } from '../../../shared/commands';
import type { LabEvent } from '../../../shared/events';
import type { LabModel } from '../../../shared/model';
import type { PreloadApi } from '../../../shared/preload-api';
import { fail, type Result } from '../../../shared/result';
import type { ConnectionStatus, LabClient } from './client';
import { Listeners } from './listeners';
import { disconnected, parseResult, parseServerMessage } from './messages';
import { CALL_TIMEOUT_MS } from './ws-client';

export interface IpcClientOptions {
  callTimeoutMs?: number;
}

export function createIpcClient(api: PreloadApi, options: IpcClientOptions = {}): LabClient {
  return new IpcClient(api, options.callTimeoutMs ?? CALL_TIMEOUT_MS);
}

class IpcClient implements LabClient {
  private status: ConnectionStatus = 'open';
  private readonly snapshotListeners = new Listeners<LabModel>();
  private readonly eventListeners = new Listeners<LabEvent[]>();
  private readonly statusListeners = new Listeners<ConnectionStatus>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly api: PreloadApi,
    private readonly callTimeoutMs: number,
  ) {
    this.unsubscribe = api.onMessage((raw) => {
      const message = parseServerMessage(raw);
      if (message?.type === 'snapshot') this.snapshotListeners.emit(message.model);
      else if (message?.type === 'events' && message.events.length > 0) {
        this.eventListeners.emit(message.events);
      }
      // Results come back as the resolution of `api.command`, never as messages.
    });
    // IPC messages arrive asynchronously, so listeners added right after creation see this.
    api.resync();
  }

  call<C extends Command>(command: C): Promise<Result<ResultOf<C>>> {
    return this.request(command) as Promise<Result<ResultOf<C>>>;
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

  resync(): void {
    if (this.status === 'open') this.api.resync();
  }

  close(): void {
    if (this.status === 'closed') return;
    this.unsubscribe();
    this.status = 'closed';
    this.statusListeners.emit('closed');
    this.snapshotListeners.clear();
    this.eventListeners.clear();
    this.statusListeners.clear();
  }

  private async request(command: Command): Promise<Result<unknown>> {
    if (this.status !== 'open') {
      return disconnected(`The lab client is closed; "${command.type}" was not sent.`);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<Result<unknown>>((resolve) => {
      timer = setTimeout(
        () =>
          resolve(
            fail(
              'ERR_TIMEOUT',
              `The lab did not answer "${command.type}" within ${this.callTimeoutMs / 1000} s.`,
            ),
          ),
        this.callTimeoutMs,
      );
    });
    try {
      const answer = Promise.resolve()
        .then(() => this.api.command(command))
        .then(
          (raw) =>
            parseResult(raw) ??
            fail(
              'ERR_BAD_RESPONSE',
              `The lab answered "${command.type}" with something that is not a result.`,
            ),
          (error: unknown) =>
            fail(
              'ERR_IPC',
              `"${command.type}" failed in IPC: ${error instanceof Error ? error.message : String(error)}`,
            ),
        );
      return await Promise.race([answer, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
