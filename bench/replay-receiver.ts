/**
 * bench:replay's receiver, in a worker thread (bench/replay-roundtrip.ts, `Receiver`): the
 * renderer's side of a seek's round trip, in a heap and an event loop of its own, as the
 * renderer's are (Electron's renderer process; browser mode's Chromium page). It takes one
 * answer at a time as the transport delivers it (the WebSocket message's text, or the bytes
 * of Electron's structured clone), decodes it with that client's SeekBases, and answers with
 * the two parts' times and the ids the client's next seek names (`base`, `like`).
 */
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { SeekBases, type WireSeek } from '../src/shared/seek-wire';
import { receiveAnswer } from './replay-receive';
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
    const received = receiveAnswer(
      request.transport === 'ws' ? request.text : new Uint8Array(request.bytes),
    );
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
