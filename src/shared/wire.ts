/**
 * Messages between a host (Electron IPC or WebSocket) and the renderer. Both transports
 * carry exactly these shapes; only their framing differs.
 */
import { z } from 'zod';
import type { Command } from './commands';
import type { LabEvent } from './events';
import type { WireModel } from './model';
import type { Result } from './result';
import type { RunStatus } from './workbench';

/** Renderer → host. */
export type ClientMessage =
  | { type: 'command'; id: number; command: Command }
  /** Ask for a snapshot, then every event after it. */
  | { type: 'resync' };

/** Host → renderer. */
export type ServerMessage =
  | { type: 'result'; id: number; result: Result<unknown> }
  | { type: 'snapshot'; model: WireModel }
  | { type: 'events'; events: LabEvent[] }
  /** What runs and how (sent after each snapshot and whenever it changes, ≤ 4 a second for time alone). */
  | { type: 'status'; status: RunStatus };

/** The envelope is checked here; the command itself by `parseCommand`. */
export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('command'),
    id: z.number().int().nonnegative(),
    command: z.unknown(),
  }),
  z.object({ type: z.literal('resync') }),
]);

/** Events are sent at most this often (one batch per frame at 60 Hz). */
export const EVENT_BATCH_INTERVAL_MS = 16;
