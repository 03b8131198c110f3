/**
 * The Electron shell: app lifecycle, one window, security settings. Everything it shows
 * comes from the same engine and host contract as browser mode.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, session, shell } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Workbench } from '../engine/workbench/workbench';
import { openFromCommandLine } from '../engine/workbench/open-file';
import { IpcHost } from '../hosts/ipc-host';
import { IPC_CHANNEL_MENU } from '../../shared/channels';
import type { MenuAction } from '../../shared/menu';
import { menuTemplate, type FileChoice } from './menu';
import { RECORDING_EXTENSION, SCENARIO_EXTENSION } from '../../shared/file-kinds';
import { FileOpenQueue, fileFromArgv } from './open-file';
import { devRendererUrl, isAllowedExternal, ownFrameCheck, parseAppArgs } from './policy';
import { examplesDir } from './resources';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererUrl = devRendererUrl(process.env['ELECTRON_RENDERER_URL'], app.isPackaged);
const rendererFile = path.join(here, '../renderer/index.html');
/** Our own renderer: the built file, or (unpackaged) the dev server electron-vite started. */
const isOwnFrame = ownFrameCheck({ devUrl: rendererUrl, rendererFile });

/**
 * Files the desktop asks us to open (command line, a second launch, macOS open-file). A
 * problem is shown beside the window, or on stderr while there is none.
 */
const openQueue = new FileOpenQueue((problem) => {
  const win = BrowserWindow.getAllWindows()[0];
  if (win) void dialog.showMessageBox(win, { type: 'warning', message: problem });
  else process.stderr.write(`push-lab: ${problem}\n`);
});
// macOS sends a double-clicked file as an event, possibly before `ready`: queue it.
app.on('open-file', (event, file) => {
  event.preventDefault();
  openQueue.add(file);
});

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
  // No permission (camera, notifications, ...) is ever granted to page content, nor reported as held.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) =>
    callback(false),
  );
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      // Only the specifications' sites open in the system browser; every other URL is refused.
      if (isAllowedExternal(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
    // The page, its redirects and its frames stay on our own renderer.
    contents.on('will-navigate', (event) => {
      if (!isOwnFrame(event.url)) event.preventDefault();
    });
    contents.on('will-redirect', (event) => {
      if (!isOwnFrame(event.url)) event.preventDefault();
    });
    contents.on('will-frame-navigate', (event) => {
      if (!isOwnFrame(event.url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

async function main(): Promise<void> {
  // One app at a time: a second launch (Windows and Linux open a double-clicked file so)
  // hands its command line to this one and quits.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', (_event, argv, workingDirectory) => {
    const file = fileFromArgv(argv, app.isPackaged, workingDirectory);
    if (file) openQueue.add(file);
    const win = BrowserWindow.getAllWindows()[0];
    if (win?.isMinimized()) win.restore();
    win?.focus();
  });
  await app.whenReady();
  lockDown();
  const args = parseAppArgs(process.argv.slice(app.isPackaged ? 1 : 2));
  const workbench = new Workbench({
    dataDir: app.getPath('userData'),
    ...(args.workspace ? { workspaceDir: path.resolve(args.workspace) } : {}),
    examplesDir: examplesDir({
      isPackaged: app.isPackaged,
      resourcesPath: process.resourcesPath,
      here,
    }),
  });
  await workbench.start();
  const host = new IpcHost(workbench, ipcMain, isOwnFrame);
  host.start();
  const win = await createWindow();
  // `npm start -- FILE` or a double-click: a scenario starts running, a recording opens.
  const launched = fileFromArgv(process.argv, app.isPackaged, process.cwd());
  if (launched) openQueue.add(launched);
  void openQueue.start((file) => openFromCommandLine(workbench, file));
  // Menu choices go to the focused window's page, which performs them like its own keys.
  const send = (action: MenuAction): void =>
    BrowserWindow.getFocusedWindow()?.webContents.send(IPC_CHANNEL_MENU, action);
  const choose = async (what: FileChoice): Promise<void> => {
    const owner = BrowserWindow.getFocusedWindow() ?? win;
    if (what === 'open') {
      const picked = await dialog.showOpenDialog(owner, {
        properties: ['openFile'],
        filters: [
          {
            name: 'Scenarios and recordings',
            extensions: [
              'yaml',
              'yml',
              'json',
              SCENARIO_EXTENSION,
              'gz',
              'jsonl',
              RECORDING_EXTENSION,
            ],
          },
        ],
      });
      // The page gets a handle, never the path: it cannot name any other file.
      if (!picked.canceled && picked.filePaths[0])
        send({ type: 'open-file', path: workbench.registerFile(picked.filePaths[0]) });
      return;
    }
    const picked = await dialog.showSaveDialog(owner, {
      filters:
        what === 'save-bundle'
          ? [{ name: 'Push Lab recording', extensions: [RECORDING_EXTENSION, 'gz'] }]
          : [{ name: 'Scenario', extensions: ['yaml', SCENARIO_EXTENSION] }],
    });
    if (!picked.canceled && picked.filePath)
      send({ type: what, path: workbench.registerFile(picked.filePath) });
  };
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(send, process.platform, 'Push Lab', (what) => void choose(what)),
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
    void workbench.stop();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`push-lab: could not start: ${(error as Error).message}\n`);
  app.exit(1);
});
