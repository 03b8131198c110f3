/**
 * bench:replay's receiver, in a worker thread (bench/replay-roundtrip.ts, `Receiver`): the
 * renderer's side of a seek's round trip, in a heap and an event loop of its own, as the
 * renderer's are (Electron's renderer process; browser mode's Chromium page). It takes one
 * answer at a time as the transport delivers it (the WebSocket message's text, or the bytes
 * of Electron's structured clone), decodes it with that client's SeekBases, and answers with
 * the two parts' times and the ids the client's next seek names (`base`, `like`).
 */
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { SeekBases, type WireSeek } from '../src/shared/seek-wire';
import { parseResult, parseServerMessage } from '../src/renderer/src/bridge/messages';
import type { Result } from '../src/shared/result';
// Types only: the engine's modules stay out of this thread's heap.
import type { ReceiverReply, ReceiverRequest } from './replay-roundtrip';

const cpuNow = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

const port = parentPort;
if (port === null)
  throw new Error('replay-receiver.ts runs as a worker (bench/replay-roundtrip.ts)');

/**
 * The clients' memories, by the id the bench gave each. The renderer holds one (its
 * connection's); the bench uses one at a time, so the oldest goes past two: a client's
 * bases hold whole models, and kept ones would weigh on this heap's collections.
 */
const clients = new Map<number, SeekBases>();
const CLIENTS_MAX = 2;

function receive(request: ReceiverRequest): Result<unknown> {
  if (request.transport === 'ws') {
    const message = parseServerMessage(JSON.parse(request.text));
    if (message?.type !== 'result') throw new Error('the message did not come back as a result');
    return message.result;
  }
  const received = parseResult(v8.deserialize(new Uint8Array(request.bytes)));
  if (received === null) throw new Error('the answer did not come back as a result');
  return received;
}

function basesOf(client: number | undefined): SeekBases {
  if (client === undefined) return new SeekBases(); // a client's first seek: it holds nothing
  let bases = clients.get(client);
  if (bases === undefined) {
    if (clients.size >= CLIENTS_MAX) clients.delete(clients.keys().next().value!);
    bases = new SeekBases();
    clients.set(client, bases);
  }
  return bases;
}

port.on('message', (request: ReceiverRequest) => {
  let reply: ReceiverReply;
  try {
    const w = performance.now();
    const c = cpuNow();
    const received = receive(request);
    const w1 = performance.now();
    const c1 = cpuNow();
    const bases = basesOf(request.client);
    if (!received.ok) throw new Error(`seek failed: ${received.error.message}`);
    if (bases.decode(received.value as WireSeek) === null)
      throw new Error('the answer names a base the client does not hold');
    const w2 = performance.now();
    const c2 = cpuNow();
    reply = {
      ok: true,
      wall: { receive: w1 - w, decode: w2 - w1 },
      cpu: { receive: c1 - c, decode: c2 - c1 },
      base: bases.latest(),
      like: bases.likeId(),
    };
  } catch (error) {
    reply = { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
