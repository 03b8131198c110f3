/**
 * bench:replay's round trip of a seek (issue 13, row 7): not only the Timeline's seek but
 * everything the renderer waits for after it, part by part, as the two transports do it:
 *
 *   seek      the `seek` command's handler (commands/timeline.ts) on the Timeline
 *   encode    encodeResult: the answer's wire form (seek-wire.ts: the model's tables packed as
 *             columns — those the same as the last whole answer's left out — or as what
 *             changed since the client's last answer, and the events' text)
 *   send      the transport's serialisation: the message's JSON (browser mode's WebSocket,
 *             ws-host.ts: serverMessageJson) or v8.serialize of the result (Electron's IPC
 *             clones it with V8's serializer)
 *   receive   the renderer's side: JSON.parse of the message and its envelope check, or
 *             v8.deserialize and parseResult (bridge/ws-client.ts, ipc-client.ts)
 *   decode    the client's SeekBases.decode: the model's tables made again, or its last
 *             answer's with the delta applied, and the window's events
 *
 * Each part is timed per seek (wall and CPU); the sum per seek is the round trip, the
 * engine's share (seek + encode + send) and the receiver's (receive + decode) reported apart.
 * Both processes are this one: the receiver's share is what the renderer's V8 would do.
 */
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { encodeResult, modelToWire, type LabModel } from '../src/shared/model';
import { ok, type Result } from '../src/shared/result';
import { SeekBases, type WireSeek } from '../src/shared/seek-wire';
import { serverMessageJson, type ServerMessage } from '../src/shared/wire';
import type { SeekResult } from '../src/shared/workbench';
import { parseResult, parseServerMessage } from '../src/renderer/src/bridge/messages';
import { timelineHandlers } from '../src/main/engine/workbench/commands/timeline';
import { SentSeeks } from '../src/main/engine/workbench/sent-seeks';
import type { CommandContext } from '../src/main/engine/workbench/commands/handler';
import type { Timeline } from '../src/main/engine/trace/timeline';

export const PARTS = ['seek', 'encode', 'send', 'receive', 'decode'] as const;
export type Part = (typeof PARTS)[number];
export type Transport = 'ws' | 'ipc';

/** One seek's parts: wall and CPU milliseconds each. */
export interface RoundTrip {
  wall: Record<Part, number>;
  cpu: Record<Part, number>;
}

/** What one seek's answer weighs on the wire (measured apart from the timed round trips). */
export interface Sizes {
  /** The WebSocket message's JSON, characters (bytes: it is ASCII but for rare labels). */
  wsChars: number;
  /** The IPC clone's serialised bytes. */
  ipcBytes: number;
  /** The model alone as JSON in its record form (modelToWire), characters: how big it is. */
  modelChars: number;
  subscriptions: number;
  messages: number;
}

const cpuNow = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/**
 * One client session: the host's memory of the answers it sent (SentSeeks, the session's
 * token) and the client's of those it decoded (SeekBases). A seek made with one names the
 * last answer as its base, as the renderer's client does (bridge/client-base.ts).
 */
export class SeekClient {
  readonly seeks = new SentSeeks();
  readonly bases = new SeekBases();
  readonly token = {};
}

/** The seek command as the workbench runs it, on this timeline (epoch 1), for `client`. */
function seekCommand(
  timeline: Timeline,
  client?: SeekClient,
): (where: { seq: number } | { t: number }, window: number) => Result<unknown> {
  const seeks = client?.seeks ?? new SentSeeks();
  const context = { show: { timeline, epoch: 1 }, session: client?.token, seeks };
  return (where, window) => {
    const base = client?.bases.latest();
    const like = client?.bases.likeId();
    const command = {
      type: 'seek' as const,
      ...where,
      window,
      ...(base !== undefined && { base }),
      ...(like !== undefined && { like }),
    };
    return timelineHandlers.seek(command, context as unknown as CommandContext) as Result<unknown>;
  };
}

/** The renderer's decoding of a seek answer: the client's, or a client's holding nothing. */
function decode(received: Result<unknown>, client?: SeekClient): Result<unknown> {
  if (!received.ok) return received;
  const decoded = (client?.bases ?? new SeekBases()).decode(received.value as WireSeek);
  if (decoded === null) throw new Error('the answer names a base the client does not hold');
  return ok(decoded);
}

/**
 * One seek's round trip over `transport`; with `client`, relative to its last answer (and
 * that client's next base). `check` (optional) gets the renderer's decoded answer, so a
 * caller can compare it with another path's.
 */
export function roundTrip(
  timeline: Timeline,
  where: { seq: number } | { t: number },
  window: number,
  transport: Transport,
  client?: SeekClient,
  check?: (decoded: SeekResult) => void,
): RoundTrip {
  const seek = seekCommand(timeline, client);
  const wall = {} as Record<Part, number>;
  const cpu = {} as Record<Part, number>;
  let w = performance.now();
  let c = cpuNow();
  const lap = (part: Part): void => {
    const w2 = performance.now();
    const c2 = cpuNow();
    wall[part] = w2 - w;
    cpu[part] = c2 - c;
    w = w2;
    c = c2;
  };
  const answer = seek(where, window);
  lap('seek');
  const encoded = encodeResult('seek', answer);
  lap('encode');
  let decoded: Result<unknown>;
  if (transport === 'ws') {
    const message: ServerMessage = { type: 'result', id: 1, result: encoded };
    const text = serverMessageJson(message);
    lap('send');
    const received = parseServerMessage(JSON.parse(text));
    if (received?.type !== 'result') throw new Error('the message did not come back as a result');
    lap('receive');
    decoded = decode(received.result, client);
    lap('decode');
  } else {
    const buffer = v8.serialize(encoded);
    lap('send');
    const received = parseResult(v8.deserialize(buffer));
    if (received === null) throw new Error('the answer did not come back as a result');
    lap('receive');
    decoded = decode(received, client);
    lap('decode');
  }
  if (!decoded.ok) throw new Error(`seek failed: ${decoded.error.message}`);
  check?.(decoded.value as SeekResult);
  return { wall, cpu };
}

/**
 * The sizes of one seek's answer on each transport (not timed); with `client`, relative to
 * its last answer (which this one then becomes, as the client decodes it).
 */
export function sizes(
  timeline: Timeline,
  where: { seq: number } | { t: number },
  window: number,
  client?: SeekClient,
): Sizes {
  const answer = seekCommand(timeline, client)(where, window);
  const encoded = encodeResult('seek', answer);
  if (!encoded.ok) throw new Error(`seek failed: ${encoded.error.message}`);
  const model = (answer as { ok: true; value: { model: LabModel } }).value.model;
  client?.bases.decode(encoded.value as WireSeek);
  return {
    wsChars: serverMessageJson({ type: 'result', id: 1, result: encoded }).length,
    ipcBytes: v8.serialize(encoded).length,
    modelChars: JSON.stringify(modelToWire(model)).length,
    subscriptions: model.subscriptions.size,
    messages: model.messages.size,
  };
}
