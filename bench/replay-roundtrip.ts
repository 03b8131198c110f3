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
 *   wire      (apart only) the handoff to the receiver's thread and its answer back
 *
 * Each part is timed per seek (wall and CPU); the sum per seek is the round trip, the
 * engine's share (seek + encode + send) and the receiver's (receive + decode) reported apart.
 *
 * Two ways (`roundTrip`, `roundTripApart`). Apart, the default: the receiver is a worker
 * thread (replay-receiver.ts) with a heap and an event loop of its own, as the renderer's
 * are, and each seek is its own task on each side, as it is in the app: neither side's
 * garbage is collected inside the other's time, and a side's scavenges can run between its
 * tasks. In one heap (`roundTrip`, BENCH_REPLAY_ONE_HEAP=1, the form measured before stop 24):
 * both sides in this thread, seek after seek with no turn of the event loop between, so every
 * scavenge of both sides' garbage falls inside some seek's time. CPU times are the process's
 * (all threads): apart, the other side's work at the same moment (its GC between its tasks)
 * counts in a part's CPU too.
 */
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import { encodeResult, modelToWire, type LabModel } from '../src/shared/model';
import { ok, type Result } from '../src/shared/result';
import { SeekBases, type WireSeek } from '../src/shared/seek-wire';
import { serverMessageJson, type ServerMessage } from '../src/shared/wire';
import type { SeekResult } from '../src/shared/workbench';
import { receiveAnswer } from './replay-receive';
import { timelineHandlers } from '../src/main/engine/workbench/commands/timeline';
import { SentSeeks } from '../src/main/engine/workbench/sent-seeks';
import type { CommandContext } from '../src/main/engine/workbench/commands/handler';
import type { Timeline } from '../src/main/engine/trace/timeline';

export const PARTS = ['seek', 'encode', 'send', 'wire', 'receive', 'decode'] as const;
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

export const cpuNow = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** A client session as the host sees it: its memory of the answers sent, and what it names. */
interface ClientSide {
  readonly seeks: SentSeeks;
  readonly token: object;
  /** The next seek's `base` and `like` (seek-wire.ts), from the client's decoded answers. */
  latest(): number | undefined;
  likeId(): number | undefined;
}

/**
 * One client session decoded in this thread: the host's memory of the answers it sent
 * (SentSeeks, the session's token) and the client's of those it decoded (SeekBases). A seek
 * made with one names the last answer as its base, as the renderer's client does
 * (bridge/client-base.ts).
 */
export class SeekClient implements ClientSide {
  readonly seeks = new SentSeeks();
  readonly bases = new SeekBases();
  readonly token = {};
  latest(): number | undefined {
    return this.bases.latest();
  }
  likeId(): number | undefined {
    return this.bases.likeId();
  }
}

let clientIds = 0;

/** One client session whose answers the Receiver's thread decodes (its SeekBases are there). */
export class ApartClient implements ClientSide {
  readonly seeks = new SentSeeks();
  readonly token = {};
  readonly id = ++clientIds;
  base: number | undefined;
  like: number | undefined;
  latest(): number | undefined {
    return this.base;
  }
  likeId(): number | undefined {
    return this.like;
  }
}

/** The seek command as the workbench runs it, on this timeline (epoch 1), for `client`. */
function seekCommand(
  timeline: Timeline,
  client?: ClientSide,
): (where: { seq: number } | { t: number }, window: number) => Result<unknown> {
  const seeks = client?.seeks ?? new SentSeeks();
  const context = { show: { timeline, epoch: 1 }, session: client?.token, seeks };
  return (where, window) => {
    const base = client?.latest();
    const like = client?.likeId();
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

/** Times the parts of one seek as they run one after another, wall and CPU. */
class Laps {
  readonly wall = { wire: 0 } as Record<Part, number>;
  readonly cpu = { wire: 0 } as Record<Part, number>;
  private w = performance.now();
  private c = cpuNow();
  lap(part: Part): void {
    const w = performance.now();
    const c = cpuNow();
    this.wall[part] = w - this.w;
    this.cpu[part] = c - this.c;
    this.w = w;
    this.c = c;
  }
}

/** The host's side of one seek: the command, its wire form and the transport's serialisation. */
function engineSide(
  laps: Laps,
  timeline: Timeline,
  where: { seq: number } | { t: number },
  window: number,
  transport: Transport,
  client?: ClientSide,
): string | Buffer {
  const answer = seekCommand(timeline, client)(where, window);
  laps.lap('seek');
  const encoded = encodeResult('seek', answer);
  laps.lap('encode');
  const payload =
    transport === 'ws'
      ? serverMessageJson({ type: 'result', id: 1, result: encoded } satisfies ServerMessage)
      : v8.serialize(encoded);
  laps.lap('send');
  return payload;
}

/**
 * One seek's round trip over `transport` in one heap (see the top); with `client`, relative
 * to its last answer (and that client's next base). `check` (optional) gets the renderer's
 * decoded answer, so a caller can compare it with another path's.
 */
export function roundTrip(
  timeline: Timeline,
  where: { seq: number } | { t: number },
  window: number,
  transport: Transport,
  client?: SeekClient,
  check?: (decoded: SeekResult) => void,
): RoundTrip {
  const laps = new Laps();
  const payload = engineSide(laps, timeline, where, window, transport, client);
  const received = receiveAnswer(payload);
  laps.lap('receive');
  const decoded = decode(received, client);
  laps.lap('decode');
  if (!decoded.ok) throw new Error(`seek failed: ${decoded.error.message}`);
  check?.(decoded.value as SeekResult);
  return { wall: laps.wall, cpu: laps.cpu };
}

/** What the receiver's thread is given: one answer as its transport delivers it. */
export type ReceiverRequest =
  | { transport: 'ws'; text: string; client?: number }
  | { transport: 'ipc'; bytes: ArrayBuffer; client?: number };
/** What it answers: its two parts' times and the client's next `base` and `like`. */
export type ReceiverReply =
  | {
      ok: true;
      wall: { receive: number; decode: number };
      cpu: { receive: number; decode: number };
      base: number | undefined;
      like: number | undefined;
    }
  | { ok: false; message: string };

/** The renderer's side in a worker thread of its own (replay-receiver.ts): one answer at a time. */
export class Receiver {
  private waiting: { resolve: (r: ReceiverReply) => void; reject: (e: Error) => void } | null =
    null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: ReceiverReply) => this.settle((w) => w.resolve(reply)));
    worker.on('error', (error) => this.settle((w) => w.reject(error)));
    worker.on('exit', (code) =>
      this.settle((w) => w.reject(new Error(`the receiver's thread exited (code ${code})`))),
    );
  }

  static async start(): Promise<Receiver> {
    const worker = new Worker(new URL('./replay-receiver.mjs', import.meta.url));
    await new Promise<void>((resolve, reject) => {
      worker.once('online', resolve);
      worker.once('error', reject);
    });
    return new Receiver(worker);
  }

  private settle(how: (w: NonNullable<Receiver['waiting']>) => void): void {
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting !== null) how(waiting);
  }

  /** Hands one answer over and waits for the receiver's reply. */
  take(request: ReceiverRequest): Promise<ReceiverReply> {
    if (this.waiting !== null) throw new Error('the receiver takes one answer at a time');
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      const transfer = request.transport === 'ipc' ? [request.bytes] : [];
      this.worker.postMessage(request, transfer);
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

/**
 * One seek's round trip over `transport` with the receiver in its own thread (see the top);
 * with `client`, relative to its last answer (and that client's next base).
 */
export async function roundTripApart(
  timeline: Timeline,
  where: { seq: number } | { t: number },
  window: number,
  transport: Transport,
  receiver: Receiver,
  client?: ApartClient,
): Promise<RoundTrip> {
  const laps = new Laps();
  const payload = engineSide(laps, timeline, where, window, transport, client);
  const sent = performance.now();
  const sentCpu = cpuNow();
  const reply = await receiver.take(
    typeof payload === 'string'
      ? { transport: 'ws', text: payload, client: client?.id }
      : {
          transport: 'ipc',
          // Its own ArrayBuffer, transferred (v8.serialize's Buffer is never shared memory).
          bytes: payload.buffer.slice(
            payload.byteOffset,
            payload.byteOffset + payload.length,
          ) as ArrayBuffer,
          client: client?.id,
        },
  );
  if (!reply.ok) throw new Error(`the receiver failed: ${reply.message}`);
  const { wall, cpu } = laps;
  wall.receive = reply.wall.receive;
  wall.decode = reply.wall.decode;
  cpu.receive = reply.cpu.receive;
  cpu.decode = reply.cpu.decode;
  wall.wire = Math.max(0, performance.now() - sent - wall.receive - wall.decode);
  cpu.wire = Math.max(0, cpuNow() - sentCpu - cpu.receive - cpu.decode);
  if (client !== undefined) {
    client.base = reply.base;
    client.like = reply.like;
  }
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
