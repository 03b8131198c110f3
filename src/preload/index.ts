/**
 * The preload: hands the renderer the lab's contract (`window.pushLab`) and nothing more.
 * Sandboxed, so it may only use Electron's renderer-side modules. It hands out no file
 * paths: a dropped file is uploaded by content, a chosen one arrives as a handle.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { PreloadApi } from '../shared/preload-api';
import type { Result } from '../shared/result';
import type { ServerMessage } from '../shared/wire';
import {
  IPC_CHANNEL_COMMAND,
  IPC_CHANNEL_MENU,
  IPC_CHANNEL_MESSAGE,
  IPC_CHANNEL_RESYNC,
} from '../shared/channels';
import type { MenuAction } from '../shared/menu';

const api: PreloadApi = {
  command: (command) =>
    ipcRenderer.invoke(IPC_CHANNEL_COMMAND, command) as Promise<Result<unknown>>,
  onMessage(listener) {
    const handler = (_event: unknown, message: ServerMessage): void => listener(message);
    ipcRenderer.on(IPC_CHANNEL_MESSAGE, handler);
    return () => ipcRenderer.removeListener(IPC_CHANNEL_MESSAGE, handler);
  },
  resync: () => ipcRenderer.send(IPC_CHANNEL_RESYNC),
  onMenuAction(listener) {
    const handler = (_event: unknown, action: MenuAction): void => listener(action);
    ipcRenderer.on(IPC_CHANNEL_MENU, handler);
    return () => ipcRenderer.removeListener(IPC_CHANNEL_MENU, handler);
  },
};

contextBridge.exposeInMainWorld('pushLab', api);
