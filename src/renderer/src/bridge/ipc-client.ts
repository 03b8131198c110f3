/**
 * LabClient over Electron IPC, through the preload's `window.pushLab`. IPC does not drop
 * while the window lives, so the status is 'open' from the start until `close()`.
 */
import type { Command } from '../../../shared/commands';
import type { PreloadApi } from '../../../shared/preload-api';
import { fail, type Result } from '../../../shared/result';
import type { LabClient } from './client';
import { ClientBase } from './client-base';
import { disconnected, parseResult, parseServerMessage } from './messages';
import { CALL_TIMEOUT_MS } from './ws-client';

export interface IpcClientOptions {
  callTimeoutMs?: number;
}

export function createIpcClient(api: PreloadApi, options: IpcClientOptions = {}): LabClient {
  return new IpcClient(api, options.callTimeoutMs ?? CALL_TIMEOUT_MS);
}

class IpcClient extends ClientBase {
  private readonly unsubscribe: () => void;

  constructor(
    private readonly api: PreloadApi,
    private readonly callTimeoutMs: number,
  ) {
    super('open');
    this.unsubscribe = api.onMessage((raw) => {
      // Results come back as the resolution of `api.command`, never as messages.
      const message = parseServerMessage(raw);
      if (message) this.route(message);
    });
    // IPC messages arrive asynchronously, so listeners added right after creation see this.
    api.resync();
  }

  resync(): void {
    if (this.status === 'open') this.api.resync();
  }

  close(): void {
    if (this.status === 'closed') return;
    this.unsubscribe();
    this.closeListeners();
  }

  protected async request(command: Command): Promise<Result<unknown>> {
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
