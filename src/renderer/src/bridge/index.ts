import type { LabClient } from './client';
import { createIpcClient } from './ipc-client';
import { createWsClient } from './ws-client';

export type { ConnectionStatus, LabClient } from './client';

/** Electron IPC when the preload exposed `window.pushLab`, else WebSocket (browser mode). */
export function createClient(): LabClient {
  const api = typeof window === 'undefined' ? undefined : window.pushLab;
  return api ? createIpcClient(api) : createWsClient();
}
