/**
 * What the Electron preload hands the renderer as `window.pushLab`: the contract and nothing
 * more. The renderer's IPC client is written against this type.
 */
import type { MenuAction } from './menu';
import type { Result } from './result';
import type { ServerMessage } from './wire';

export interface PreloadApi {
  /** Sends a command (validated again on the main side) and resolves with its result. */
  command(command: unknown): Promise<Result<unknown>>;
  /** Snapshot and event messages pushed by the host. Returns an unsubscribe function. */
  onMessage(listener: (message: ServerMessage) => void): () => void;
  /** Asks the host for a snapshot followed by live events. */
  resync(): void;
  /** Native menu choices (Electron only). Returns an unsubscribe function. */
  onMenuAction(listener: (action: MenuAction) => void): () => void;
}

declare global {
  interface Window {
    pushLab?: PreloadApi;
  }
}
