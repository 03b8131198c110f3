/**
 * The preload: hands the renderer the lab's contract (`window.pushLab`) and nothing more.
 * Sandboxed, so it may only use Electron's renderer-side modules.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
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
  pathForFile: (file) => webUtils.getPathForFile(file),
};

contextBridge.exposeInMainWorld('pushLab', api);
