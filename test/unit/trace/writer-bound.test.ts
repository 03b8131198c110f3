/**
 * The writer's bound: a Writable slower than the lab (its write callback is delayed) makes the
 * writer hold at most queueCountMax lines and record the overflow as one gap record, which the
 * reader yields in place and the checker notes instead of flagging a seq gap.
 */
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InvariantChecker } from '../../../src/main/engine/trace/checker';
import type { TraceGap } from '../../../src/main/engine/trace/format';
import { TraceReader } from '../../../src/main/engine/trace/reader';
import { TraceWriter } from '../../../src/main/engine/trace/writer';
import { LabStream } from './lab-stream';

/** A Writable that takes `delayMs` per chunk and keeps what it got. */
function slowWritable(delayMs: number): { stream: Writable; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    highWaterMark: 256,
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      setTimeout(callback, delayMs);
    },
  });
  return { stream, chunks };
}

describe('TraceWriter bound', () => {
  it('records a gap instead of growing when the stream is slower than the lab', async () => {
    const s = new LabStream();
    for (let i = 0; i < 200; i++) s.at(i, { kind: 'agent.wake', agentId: `ua${i}` });
    const { stream, chunks } = slowWritable(5);
    const gaps: TraceGap[] = [];
    const writer = new TraceWriter(
      stream,
      { scenario: null, seed: 1, clockMode: 'virtual' },
      {
        queueCountMax: 10,
        onGap: (gap) => gaps.push(gap),
      },
    );
    for (const event of s.events) writer.write(event); // all at once: the stream never drains in between

    const live = writer.stats;
    expect(live.queueCountPeak).toBe(10);
    expect(live.eventsDropped).toBeGreaterThan(0);
    const stats = await writer.close();
    expect(stats.eventsWritten + stats.eventsDropped).toBe(200);
    expect(stats.gapsWritten).toBe(1);
    expect(stats.error).toBeNull();
    expect(gaps).toHaveLength(1);
    const gap = gaps[0]!;
    expect(gap.toSeq).toBe(200);
    expect(gap.droppedCount).toBe(gap.toSeq - gap.fromSeq + 1);
    expect(gap.droppedCount).toBe(stats.eventsDropped);
    expect(gap.fromT).toBe(gap.fromSeq - 1);

    // What reached the stream reads back: events up to the gap, then the gap record.
    const reader = await TraceReader.fromStream(Readable.from([Buffer.concat(chunks)]), 'slow');
    const checker = new InvariantChecker();
    const seqs: number[] = [];
    for await (const record of reader.records()) {
      if (record.type === 'gap') checker.noteGap(record);
      else {
        seqs.push(record.event.seq);
        checker.check(record.event);
      }
    }
    expect(seqs).toEqual(Array.from({ length: gap.fromSeq - 1 }, (_, i) => i + 1));
    const result = checker.finish();
    expect(result.violations).toEqual([]);
    expect(result.notes[0]).toMatch(/1 gap\(s\) totalling \d+ event\(s\)/);
  });

  it('resumes writing after a drain: events after the gap follow its record', async () => {
    const { stream, chunks } = slowWritable(2);
    const writer = new TraceWriter(
      stream,
      { scenario: null, seed: 1, clockMode: 'virtual' },
      { queueCountMax: 3 },
    );
    const s = new LabStream();
    for (let i = 0; i < 10; i++) writer.write(s.at(i, { kind: 'agent.sleep', agentId: 'ua' }));
    await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 20));
    writer.write(s.at(10, { kind: 'agent.wake', agentId: 'ua' }));
    await writer.close();
    const lines = Buffer.concat(chunks)
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const types = lines.map((l) => (l.type as string | undefined) ?? `seq ${String(l.seq)}`);
    expect(types[0]).toBe('push-lab-trace');
    expect(types.indexOf('gap')).toBeGreaterThan(0);
    expect(types[types.length - 1]).toBe('seq 11');
  });
});
