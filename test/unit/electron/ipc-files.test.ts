/**
 * Electron IPC: the renderer can name only files the main process holds. A raw path sent
 * over IPC is refused unless it lies in the workspace or recordings folder; a file chosen in
 * a native dialog works through its handle. Frames other than our own are not heard at all.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ownFrameCheck } from '../../../src/main/electron/policy';
import { Workbench } from '../../../src/main/engine/workbench/workbench';
import { IpcHost, type IpcEventLike, type IpcMainLike } from '../../../src/main/hosts/ipc-host';
import { IPC_CHANNEL_COMMAND } from '../../../src/shared/channels';
import type { Result } from '../../../src/shared/result';

let dir: string;
let bench: Workbench;
let host: IpcHost;
let invoke: (frameUrl: string, command: unknown) => Promise<Result<unknown>>;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'push-lab-ipc-files-'));
  bench = new Workbench({ dataDir: path.join(dir, 'data'), examplesDir: 'resources/scenarios' });
  await bench.start();
  const handlers = new Map<string, (event: IpcEventLike, ...args: unknown[]) => unknown>();
  const ipcMain: IpcMainLike = {
    handle: (channel, handler) => handlers.set(channel, handler),
    on: () => undefined,
    removeHandler: (channel) => handlers.delete(channel),
    removeAllListeners: () => undefined,
  };
  const isOwn = ownFrameCheck({ devUrl: 'http://localhost:5173', rendererFile: '/x' });
  host = new IpcHost(bench, ipcMain, isOwn);
  host.start();
  invoke = async (frameUrl, command) =>
    (await handlers.get(IPC_CHANNEL_COMMAND)!(
      {
        sender: { id: 1, send: () => undefined, isDestroyed: () => false },
        senderFrame: { url: frameUrl },
      },
      command,
    )) as Result<unknown>;
});

afterEach(async () => {
  host.stop();
  await bench.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('file commands over IPC', () => {
  it('refuse a raw outside path and work with the handle of a dialog choice', async () => {
    const chosen = path.join(dir, 'Documents', 'mine.yaml');
    await mkdir(path.dirname(chosen));
    await writeFile(chosen, 'name: mine\n');
    const own = 'http://localhost:5173/';
    const raw = await invoke(own, { type: 'scenario.read', path: chosen });
    expect(raw).toMatchObject({ ok: false, error: { code: 'ERR_PATH_REFUSED' } });
    const wrote = await invoke(own, { type: 'scenario.save', path: '/tmp/evil.sh', text: 'x' });
    expect(wrote).toMatchObject({ ok: false, error: { code: 'ERR_PATH_REFUSED' } });

    // What the main process does with a dialog's answer: the page only gets the handle.
    const handle = bench.registerFile(chosen);
    const read = await invoke(own, { type: 'scenario.read', path: handle });
    expect(read).toEqual({ ok: true, value: { path: handle, text: 'name: mine\n' } });
    const saved = await invoke(own, { type: 'scenario.save', path: handle, text: 'name: 2\n' });
    expect(saved.ok).toBe(true);
    expect(await readFile(chosen, 'utf8')).toBe('name: 2\n');
  });

  it('are not heard from a frame that only looks like ours', async () => {
    const result = await invoke('http://localhost:5173.evil.com/', { type: 'scenario.recent' });
    expect(result).toMatchObject({ ok: false, error: { code: 'ERR_UNTRUSTED_SENDER' } });
  });
});
