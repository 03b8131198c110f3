/**
 * The one interface the renderer talks to the lab through. Two implementations exist
 * (Electron IPC via the preload, WebSocket in browser mode); nothing else in the renderer
 * knows which one it has.
 */
import type { Command, ResultOf } from '../../../shared/commands';
import type { LabEvent } from '../../../shared/events';
import type { LabModel } from '../../../shared/model';
import type { Result } from '../../../shared/result';
import type { RunStatus } from '../../../shared/workbench';

export type ConnectionStatus = 'connecting' | 'open' | 'closed';

export interface LabClient {
  /** Sends a command; never rejects: failures come back as `{ok: false, error}`. */
  call<C extends Command>(command: C): Promise<Result<ResultOf<C>>>;
  /** A full model; sent on connect and after every resync. */
  onSnapshot(listener: (model: LabModel) => void): () => void;
  /** Batches of events after the last snapshot, in seq order. */
  onEvents(listener: (events: LabEvent[]) => void): () => void;
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  /** What the lab runs and how (after each snapshot, and on every change). */
  onRunStatus(listener: (status: RunStatus) => void): () => void;
  /** Asks for a fresh snapshot (e.g. after detecting a gap in seq). */
  resync(): void;
  close(): void;
}
