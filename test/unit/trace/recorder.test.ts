/**
 * A show's one recorder: its snapshot is the stream folded once (past the timeline's bound
 * too), its report reads the timeline's checker, and a failing consumer (the trace writer)
 * does not keep an event from the others.
 */
import { describe, expect, it } from 'vitest';
import { applyEvents, emptyModel } from '../../../src/shared/model';
import type { TraceMeta } from '../../../src/main/engine/trace/format';
import { Recorder } from '../../../src/main/engine/trace/recorder';
import { LabStream } from './lab-stream';

const meta: TraceMeta = {
  scenario: null,
  seed: null,
  clockMode: 'virtual',
  pushLabVersion: 'test',
};

/** A small lab: one subscription, `n` messages each accepted then acked or expired. */
function stream(n: number): LabStream {
  const s = new LabStream().service(0).agent(0, 'ua1', 'user-agent').subscribe(1, 'ps1.s1', 'ua1');
  for (let i = 0; i < n; i++) {
    s.accept(10 + i, `m${i}`);
    if (i % 3 === 0) s.expire(20 + i, `m${i}`);
    else s.delivered(20 + i, `m${i}`, 5);
  }
  return s;
}

describe('the recorder', () => {
  it.each([
    ['kept whole', undefined],
    ['past a bound of 40', 40],
    ['keeping no history (a bare lab)', 0],
  ])('snapshots the stream folded once, %s', (_, eventsMax) => {
    const { events } = stream(60);
    const recorder = new Recorder({
      meta,
      ...(eventsMax !== undefined ? { timeline: { eventsMax } } : {}),
    });
    events.slice(0, 50).forEach(recorder.record);
    expect(recorder.snapshot()).toEqual(applyEvents(emptyModel(), events.slice(0, 50)));
    events.slice(50).forEach(recorder.record);
    expect(recorder.snapshot()).toEqual(applyEvents(emptyModel(), events));
    // The report covers every event, kept on the timeline or not.
    expect(recorder.report().span.eventCount).toBe(events.length);
    expect(recorder.report().totals.accepted).toBe(60);
  });

  it('keeps feeding the timeline and the report when the trace writer throws', () => {
    const { events } = stream(5);
    let writes = 0;
    const recorder = new Recorder({
      meta,
      writer: {
        write: () => {
          writes += 1;
          throw new Error('disk gone');
        },
      },
    });
    for (const event of events) expect(() => recorder.record(event)).toThrow('disk gone');
    expect(writes).toBe(events.length);
    expect(recorder.timeline.count).toBe(events.length);
    expect(recorder.report().span.eventCount).toBe(events.length);
    expect(recorder.snapshot().seq).toBe(events.length);
  });

  it("reports the timeline checker's verdict: markers and report agree", () => {
    const s = stream(2);
    // Acked twice: a violation the checker finds once, for both to read.
    s.ack(100, 'm1');
    const recorder = new Recorder({ meta });
    s.events.forEach(recorder.record);
    const markers = recorder.timeline.info(1).markerCounts.violation;
    expect(markers).toBeGreaterThan(0);
    expect(recorder.report().violations.count).toBe(markers);
  });
});
