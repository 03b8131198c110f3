/**
 * The Electron shell: app lifecycle, one window, security settings. Everything it shows
 * comes from the same engine and host contract as browser mode.
 */
import { app, BrowserWindow, ipcMain, Menu, session, shell } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab } from '../engine/lab';
import { IpcHost } from '../hosts/ipc-host';
import { IPC_CHANNEL_MENU } from '../../shared/channels';
import { menuTemplate } from './menu';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererUrl = process.env['ELECTRON_RENDERER_URL'];
const rendererFile = path.join(here, '../renderer/index.html');

/** Our own renderer: the built file, or the dev server electron-vite started. */
function isOwnFrame(url: string): boolean {
  if (rendererUrl) return url.startsWith(rendererUrl);
  try {
    return fileURLToPath(new URL(url).href.split('#')[0]!.split('?')[0]!) === rendererFile;
  } catch {
    return false;
  }
}

async function createWindow(): Promise<BrowserWindow> {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'Push Lab',
    show: false,
    webPreferences: {
      preload: path.join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  if (rendererUrl) await win.loadURL(rendererUrl);
  else await win.loadFile(rendererFile);
  return win;
}

function lockDown(): void {
  // No permission (camera, notifications, ...) is ever granted to page content.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) =>
    callback(false),
  );
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      if (url.startsWith('https://')) void shell.openExternal(url);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event, url) => {
      if (!isOwnFrame(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

async function main(): Promise<void> {
  await app.whenReady();
  lockDown();
  const lab = new Lab();
  await lab.start();
  const host = new IpcHost(lab, ipcMain, isOwnFrame);
  host.start();
  await createWindow();
  // Menu choices go to the focused window's page, which performs them like its own keys.
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(
        (action) => BrowserWindow.getFocusedWindow()?.webContents.send(IPC_CHANNEL_MENU, action),
        process.platform,
      ),
    ),
  );
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => {
    host.stop();
    void lab.stop();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`push-lab: could not start: ${(error as Error).message}\n`);
  app.exit(1);
});
