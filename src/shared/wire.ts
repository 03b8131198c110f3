/**
 * Messages between a host (Electron IPC or WebSocket) and the renderer. Both transports
 * carry exactly these shapes; only their framing differs.
 */
import { z } from 'zod';
import type { Command } from './commands';
import type { LabEvent } from './events';
import type { WireModel } from './model';
import type { Result } from './result';
import type { WireSeek } from './seek-wire';
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

/**
 * A message as the JSON text a text transport (the WebSocket) sends. A result whose value is
 * a `WireSeek` carries its JSON text as the value itself, not as a string in it: written and
 * parsed once (seek-wire.ts), not escaped into a string and unescaped again.
 */
export function serverMessageJson(message: ServerMessage): string {
  if (message.type === 'result' && message.result.ok && isWireSeek(message.result.value)) {
    const head = JSON.stringify({ type: 'result', id: message.id, result: { ok: true } });
    // `…"ok":true}}` → `…"ok":true,"value":…}}`
    return `${head.slice(0, -2)},"value":${message.result.value.seekJson}}}`;
  }
  return JSON.stringify(message);
}

const isWireSeek = (value: unknown): value is WireSeek =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { seekJson?: unknown }).seekJson === 'string';

/** Events are sent at most this often (one batch per frame at 60 Hz). */
export const EVENT_BATCH_INTERVAL_MS = 16;
