/**
 * The renderer's receiving of a seek answer as each transport delivers it: browser mode's
 * WebSocket message text (JSON.parse and its envelope check, bridge/ws-client.ts) or the
 * bytes of Electron's structured clone (v8.deserialize and parseResult, ipc-client.ts). One
 * place for bench:replay's two receivers (replay-roundtrip.ts in one heap, replay-receiver.ts
 * in its own thread); it imports nothing of the engine's.
 */
import v8 from 'node:v8';
import { parseResult, parseServerMessage } from '../src/renderer/src/bridge/messages';
import type { Result } from '../src/shared/result';

export function receiveAnswer(payload: string | Uint8Array): Result<unknown> {
  if (typeof payload === 'string') {
    const message = parseServerMessage(JSON.parse(payload));
    if (message?.type !== 'result') throw new Error('the message did not come back as a result');
    return message.result;
  }
  const received = parseResult(v8.deserialize(payload));
  if (received === null) throw new Error('the answer did not come back as a result');
  return received;
}
