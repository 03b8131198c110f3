/**
 * A request body read whole, but never more than `maxBytes`: the declared Content-Length is
 * checked before reading, the bytes that arrive while reading. Shared by the hosts' small JSON
 * APIs (control-api.ts, toxiproxy-api.ts), each of which words its own refusal.
 */
import type { IncomingMessage } from 'node:http';

export type BodyRead = { ok: true; body: Buffer } | { ok: false; bytes: number };

export async function readBodyBounded(req: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) return tooLarge(req, declared);
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > maxBytes) return tooLarge(req, bytes);
    chunks.push(chunk);
  }
  return { ok: true, body: Buffer.concat(chunks) };
}

function tooLarge(req: IncomingMessage, bytes: number): BodyRead {
  // Stop reading: the refusal goes out and the connection closes behind it.
  req.pause();
  return { ok: false, bytes };
}
