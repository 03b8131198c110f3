/**
 * Electron mode: serves the lab's contract over IPC. Electron itself is not imported here
 * (the CLI imports hosts and must stay Electron-free): the Electron room passes in the two
 * things needed, shaped by these interfaces.
 */
import {
  IPC_CHANNEL_COMMAND,
  IPC_CHANNEL_MESSAGE,
  IPC_CHANNEL_RESYNC,
} from '../../shared/channels';
import { fail } from '../../shared/result';
import { HostSession, type LabPort } from './session';

export interface IpcSenderLike {
  id: number;
  send(channel: string, message: unknown): void;
  isDestroyed(): boolean;
}

export interface IpcEventLike {
  sender: IpcSenderLike;
  senderFrame: { url: string } | null;
}

export interface IpcMainLike {
  handle(channel: string, handler: (event: IpcEventLike, ...args: unknown[]) => unknown): void;
  on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): void;
  removeHandler(channel: string): void;
  removeAllListeners(channel: string): void;
}

/**
 * @param isTrustedSender  decides whether a frame URL is our own renderer; messages from any
 *   other frame are dropped (VS Code's ipcMain does the same).
 */
export class IpcHost {
  private readonly sessions = new Map<number, HostSession>();

  constructor(
    private readonly lab: LabPort,
    private readonly ipcMain: IpcMainLike,
    private readonly isTrustedSender: (frameUrl: string) => boolean,
  ) {}

  start(): void {
    this.ipcMain.handle(IPC_CHANNEL_COMMAND, async (event, command) => {
      if (!this.trusted(event))
        return fail('ERR_UNTRUSTED_SENDER', 'command from an unknown frame');
      return this.sessionFor(event.sender).command(command);
    });
    this.ipcMain.on(IPC_CHANNEL_RESYNC, (event) => {
      if (!this.trusted(event)) return;
      this.sessionFor(event.sender).resync();
    });
  }

  stop(): void {
    this.ipcMain.removeHandler(IPC_CHANNEL_COMMAND);
    this.ipcMain.removeAllListeners(IPC_CHANNEL_RESYNC);
    for (const session of this.sessions.values()) session.close();
    this.sessions.clear();
  }

  private trusted(event: IpcEventLike): boolean {
    return event.senderFrame !== null && this.isTrustedSender(event.senderFrame.url);
  }

  private sessionFor(sender: IpcSenderLike): HostSession {
    const existing = this.sessions.get(sender.id);
    if (existing) return existing;
    const session = new HostSession(this.lab, (message) => {
      if (sender.isDestroyed()) {
        session.close();
        this.sessions.delete(sender.id);
        return;
      }
      sender.send(IPC_CHANNEL_MESSAGE, message);
    });
    this.sessions.set(sender.id, session);
    return session;
  }
}
