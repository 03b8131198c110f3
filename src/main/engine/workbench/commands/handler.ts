/**
 * A command handler: one function per command type, grouped by area in this folder, gathered
 * into one table (index.ts) typed so that a command without a handler does not compile.
 */
import type { Command, CommandType } from '../../../../shared/commands';
import type { LabModel } from '../../../../shared/model';
import type { Result } from '../../../../shared/result';
import type { RunStatus } from '../../../../shared/workbench';
import type { Clock } from '../../clock/clock';
import type { FileAccess } from '../../fs/confined';
import type { Scenario } from '../../scenario/schema';
import type { Comparisons } from '../comparisons';
import type { RecentFiles } from '../scenario-files';
import type { SentSeeks } from '../sent-seeks';
import type { RunSettings } from '../shows/run';
import type { Show } from '../shows/show';
import type { Uploads } from '../uploads';

/** What a handler may use: the show on screen and the workbench's files and show changes. */
export interface CommandContext {
  /** The show on screen when the command arrived. */
  readonly show: Show;
  /** The client session the command came from (an upload belongs to its session). */
  readonly session: object | undefined;
  /** The seek answers sent to each session: a later seek's base (sent-seeks.ts). */
  readonly seeks: SentSeeks;
  readonly files: FileAccess;
  readonly recent: RecentFiles;
  readonly uploads: Uploads;
  readonly examplesDir: string;
  readonly wall: Clock;
  /** Profile comparisons, run in worker threads apart from the show. */
  readonly comparisons: Comparisons;
  /** The snapshot the host port answers (`Workbench.snapshot`): the command says the same. */
  snapshot(): LabModel;
  /** The status of the show on screen now (after a show change: the new one's). */
  status(): RunStatus;
  /** Replaces the show with a fresh sandbox. */
  showSandbox(): Promise<void>;
  /** Replaces the show with a run of `scenario` (as written: `input`). */
  showRun(scenario: Scenario, input: unknown, settings: RunSettings): Promise<void>;
  /** Replaces the show with the recording at the real path `file`. */
  showRecording(file: string, name: string, ref: string): Promise<void>;
  /** The real path of a recording the engine may read: a regular file under BUNDLE_BYTES_MAX. */
  readableBundle(ref: string): Promise<string>;
}

export type Handler<K extends CommandType> = (
  command: Extract<Command, { type: K }>,
  context: CommandContext,
) => Promise<Result<unknown>> | Result<unknown>;

/** Handlers for the command types `K`: every one of them, no other. */
export type Handlers<K extends CommandType = CommandType> = { [P in K]: Handler<P> };
