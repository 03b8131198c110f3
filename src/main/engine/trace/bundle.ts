/**
 * A run bundle: the trace with the scenario in its header, gzip-compressed and flushed
 * every 200 ms of wall time, so a crash keeps everything up to the last flush readable (the
 * reader opens a cut bundle up to its last intact event, and reports it as cut: no closing
 * record, no gzip trailer).
 */
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { constants as zlibConstants, createGzip } from 'node:zlib';
import type { Clock, Timer } from '../clock/clock';
import { RealClock } from '../clock/real';
import type { TraceMeta } from './format';
import { TraceWriter, type TraceClose, type TraceWriterStats } from './writer';

export const BUNDLE_FLUSH_MS = 200;

export interface BundleWriter {
  writer: TraceWriter;
  /** Writes the closing record and resolves once the file holds every byte (never rejects). */
  close(end?: TraceClose): Promise<TraceWriterStats>;
}

/** Starts writing a bundle to `file`; `wall` times the flushes (real time by default). */
export function openBundleWriter(
  file: string,
  meta: TraceMeta,
  wall: Clock = new RealClock(),
): BundleWriter {
  const gzip = createGzip({ level: 6 });
  const output = createWriteStream(file);
  // A file that cannot be opened or written fails the gzip stream, which the writer listens
  // to: the failure becomes its `error` sentence instead of an unhandled 'error' event.
  output.on('error', (error) => gzip.destroy(error));
  gzip.pipe(output);
  let timer: Timer;
  const flush = (): void => {
    if (!gzip.destroyed) gzip.flush(zlibConstants.Z_SYNC_FLUSH);
    timer = wall.schedule(BUNDLE_FLUSH_MS, flush);
  };
  timer = wall.schedule(BUNDLE_FLUSH_MS, flush);
  const writer = new TraceWriter(gzip, meta, { endStream: true });
  return {
    writer,
    async close(end) {
      timer.cancel();
      const stats = await writer.close(end);
      // The gzip stream ending does not mean the file has its bytes yet.
      if (stats.error === null) {
        try {
          await finished(output);
        } catch (error) {
          return { ...stats, error: `bundle file failed: ${(error as Error).message}` };
        }
      }
      return stats;
    },
  };
}
