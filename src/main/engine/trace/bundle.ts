/**
 * A run bundle: the trace with the scenario in its header, gzip-compressed and flushed
 * every 200 ms of wall time, so a crash keeps everything up to the last flush readable (the
 * reader opens a cut bundle up to its last intact event, with a warning).
 */
import { createWriteStream } from 'node:fs';
import { constants as zlibConstants, createGzip } from 'node:zlib';
import type { Clock, Timer } from '../clock/clock';
import { RealClock } from '../clock/real';
import type { TraceMeta } from './format';
import { TraceWriter, type TraceWriterStats } from './writer';

export const BUNDLE_FLUSH_MS = 200;

export interface BundleWriter {
  writer: TraceWriter;
  close(): Promise<TraceWriterStats>;
}

/** Starts writing a bundle to `file`; `wall` times the flushes (real time by default). */
export function openBundleWriter(
  file: string,
  meta: TraceMeta,
  wall: Clock = new RealClock(),
): BundleWriter {
  const gzip = createGzip({ level: 6 });
  gzip.pipe(createWriteStream(file));
  let timer: Timer;
  const flush = (): void => {
    gzip.flush(zlibConstants.Z_SYNC_FLUSH);
    timer = wall.schedule(BUNDLE_FLUSH_MS, flush);
  };
  timer = wall.schedule(BUNDLE_FLUSH_MS, flush);
  const writer = new TraceWriter(gzip, meta, { endStream: true });
  return {
    writer,
    async close() {
      timer.cancel();
      return writer.close();
    },
  };
}
