/**
 * The Timeline: a seek equals folding the stream from scratch (property test over random
 * streams of a small lab, with gaps, packed chunks and snapshot thinning), seek windows and
 * clamping, seekTime, density, markers and their spreading, find in both directions, the
 * bounds, gaps and damaged streams, and building one from a TraceReader.
 */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { LabEvent, LabEventBody } from '../../../src/shared/events';
import { applyEvents, emptyModel, modelToWire, type LabModel } from '../../../src/shared/model';
import { MARKERS_MAX, SEEK_WINDOW_MAX } from '../../../src/shared/workbench';
import { TraceReader } from '../../../src/main/engine/trace/reader';
import { Timeline, type TimelineOptions } from '../../../src/main/engine/trace/timeline';
import {
  CHUNK_EVENTS,
  EventStore,
  PACKING_MAX,
} from '../../../src/main/engine/trace/timeline-events';
import { labEvents, Rand } from '../../../bench/replay-fixture';
import { eventually } from '../../helpers/poll';
import { LabStream } from './lab-stream';

/** One step of a random lab: [what, a small number, another]. */
type Step = [number, number, number];

const SUBS = ['ps1.s0', 'ps1.s1', 'ps1.s2'];
const AGENTS = ['ua0', 'ua1'];

/**
 * Turns random steps into a stream: a service, two agents, three subscriptions, then
 * messages accepted and taken through pushes, receipts and ends (in any order: the reducer
 * and the timeline must cope with nonsense too), link changes, time passing and seq gaps.
 */
function labStream(steps: readonly Step[]): LabEvent[] {
  const events: LabEvent[] = [];
  let seq = 0;
  let t = 1000;
  let messages = 0;
  const at = (body: LabEventBody): void => {
    events.push({ ...body, seq: ++seq, t } as LabEvent);
  };
  at({ kind: 'service.started', serviceId: 'ps1', url: 'https://x', profile: 'rfc8030' });
  for (const agentId of AGENTS)
    at({ kind: 'agent.started', agentId, role: 'user-agent', label: agentId });
  SUBS.forEach((subscriptionId, i) =>
    at({
      kind: 'subscription.created',
      serviceId: 'ps1',
      subscriptionId,
      agentId: AGENTS[i % 2]!,
      pushPath: `/p/${i}`,
    }),
  );
  for (const [what, a, b] of steps) {
    const subscriptionId = SUBS[a % SUBS.length]!;
    const messageId = `m${messages > 0 ? 1 + (b % messages) : 0}`;
    switch (what) {
      case 0:
        t += b;
        break;
      case 1:
      case 2:
        at({
          kind: 'message.accepted',
          serviceId: 'ps1',
          subscriptionId,
          messageId: `m${++messages}`,
          ttlSeconds: a,
          ttlRequestedSeconds: a,
          urgency: 'normal',
          topic: null,
          bytes: b,
          receiptRequested: b % 2 === 0,
          senderId: null,
        });
        break;
      case 3:
        at({
          kind: 'message.pushed',
          subscriptionId,
          messageId,
          attempt: 1 + (a % 2),
          urgencyMin: 'very-low',
        });
        break;
      case 4:
        at({
          kind: 'message.received',
          agentId: AGENTS[a % 2]!,
          subscriptionId,
          messageId,
          bytes: 1,
          duplicate: a % 3 === 0,
          decryption: 'none',
          preview: '',
        });
        break;
      case 5:
        at({ kind: 'message.acked', subscriptionId, messageId });
        break;
      case 6:
        at({ kind: 'message.expired', subscriptionId, messageId });
        break;
      case 7:
        at({ kind: 'message.replaced', subscriptionId, messageId, byMessageId: `m${messages}` });
        break;
      case 8:
        at({ kind: 'receipt.sent', messageId, status: a % 2 === 0 ? 204 : 410 });
        break;
      case 9:
        at({
          kind: 'link.changed',
          linkId: `l:${AGENTS[a % 2]!}`,
          state: a % 3 === 0 ? 'down' : 'up',
          faults: [],
        });
        break;
      case 10:
        at({ kind: 'agent.connected', agentId: AGENTS[a % 2]!, serviceId: 'ps1' });
        break;
      default:
        seq += 1 + (b % 5); // a gap in the stream
        break;
    }
  }
  return events;
}

const stepArb = fc.tuple(fc.integer({ min: 0, max: 11 }), fc.nat(9), fc.nat(60));

function timelineOf(events: readonly LabEvent[], options: TimelineOptions = {}): Timeline {
  const timeline = new Timeline(options);
  for (const event of events) timeline.append(event);
  return timeline;
}

/** The events with seq ≤ `seq` (the first one when none), and the model folded from scratch. */
function expected(events: readonly LabEvent[], seq: number): { upTo: LabEvent[] } {
  let n = events.findIndex((e) => e.seq > seq);
  if (n < 0) n = events.length;
  return { upTo: events.slice(0, Math.max(1, n)) };
}

/** `count` events of a clean, busy stream: messages accepted, pushed, received and acked. */
function busy(count: number): LabStream {
  const s = new LabStream().service(0).agent(0, 'ua1', 'user-agent').subscribe(0, 'ps1.s1', 'ua1');
  for (let i = 0; s.events.length < count; i++) s.delivered(10 + i * 10, `m${i}`, 3);
  s.events.length = count;
  return s;
}

describe('Timeline', () => {
  it('seeks to the model folded from scratch, with the window of events before it', () => {
    fc.assert(
      fc.property(
        fc.array(stepArb, { minLength: 900, maxLength: 3500 }),
        fc.constantFrom(1_000_000, 30, 0),
        fc.array(fc.tuple(fc.nat(5000), fc.nat(2500)), { minLength: 1, maxLength: 6 }),
        (steps, snapshotEntriesMax, seeks) => {
          const events = labStream(steps);
          const timeline = timelineOf(events, { snapshotEntriesMax });
          expect(timeline.count).toBe(events.length);
          for (const [seq, window] of seeks) {
            const { upTo } = expected(events, seq);
            const last = upTo[upTo.length - 1]!;
            const result = timeline.seek(seq, window);
            expect(result.seq).toBe(last.seq);
            expect(result.t).toBe(last.t);
            expect(result.model).toEqual(applyEvents(emptyModel(), upTo));
            expect(result.events).toEqual(upTo.slice(Math.max(0, upTo.length - window)));
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('seeks from snapshots at any spacing, thinned or not, to the model folded from scratch', () => {
    fc.assert(
      fc.property(
        fc.array(stepArb, { minLength: 300, maxLength: 2500 }),
        fc.constantFrom(1, 3, 64, 1024),
        fc.constantFrom(1_000_000, 40, 0),
        // Seeks in any order, both ways: from snapshots, the head and recent seeks' models.
        fc.array(fc.nat(3000), { minLength: 1, maxLength: 12 }),
        (steps, snapshotEvery, snapshotEntriesMax, seqs) => {
          const events = labStream(steps);
          const timeline = timelineOf(events, { snapshotEvery, snapshotEntriesMax });
          // Thinned (K doubled) only when a bound was hit, never below the spacing asked for.
          expect(timeline.snapshotEvery).toBeGreaterThanOrEqual(snapshotEvery);
          if (snapshotEntriesMax === 1_000_000 && events.length < 1024 * snapshotEvery)
            expect(timeline.snapshotEvery).toBe(snapshotEvery);
          for (const seq of seqs) {
            const { upTo } = expected(events, seq);
            const model = applyEvents(emptyModel(), upTo);
            expect(timeline.seek(seq, 3).model).toEqual(model);
            expect(timeline.seekWindow({ seq }, 3).model).toEqual(model);
            const last = upTo[upTo.length - 1]!;
            expect(timeline.seekTime(last.t, 0).seq).toBeGreaterThanOrEqual(last.seq);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('holds each snapshot as the fold of the events before it, across thinning', () => {
    const events = labStream(
      Array.from({ length: 4000 }, (_, i): Step => [(i * 7) % 11, i % 10, (i * 13) % 61]),
    );
    // A budget of entries the thinning must meet: K doubles from 16 while events arrive.
    for (const snapshotEntriesMax of [1_000_000, 200]) {
      const timeline = timelineOf(events, { snapshotEvery: 16, snapshotEntriesMax });
      const every = timeline.snapshotEvery;
      if (snapshotEntriesMax === 200) expect(every).toBeGreaterThan(16);
      else expect(every).toBe(16);
      const { snapshots } = timeline as unknown as { snapshots: LabModel[] };
      expect(snapshots.length).toBe(Math.floor(events.length / every) + 1);
      // snapshots[i] is the model after the first i·K events (store positions), each one.
      snapshots.forEach((snapshot, i) =>
        expect(modelToWire(snapshot)).toEqual(
          modelToWire(applyEvents(emptyModel(), events.slice(0, i * every))),
        ),
      );
    }
  });

  it('steps one event at a time, both ways, as a scrubber does', () => {
    const events = labStream(
      Array.from({ length: 3000 }, (_, i): Step => [(i * 7) % 11, i % 10, (i * 13) % 61]),
    );
    const timeline = timelineOf(events);
    for (const seq of [1500, 1501, 1502, 1501, 1500, 1024, 1025, 3, 2]) {
      const { upTo } = expected(events, seq);
      expect(timeline.seek(seq, 1).model).toEqual(applyEvents(emptyModel(), upTo));
    }
  });

  it('clamps seeks into the recording and the window into [0, SEEK_WINDOW_MAX]', () => {
    const s = busy(25_000);
    const timeline = timelineOf(s.events);
    expect(timeline.seek(0, 3)).toMatchObject({ seq: 1, events: [s.events[0]] });
    expect(timeline.seek(99_999, 0)).toMatchObject({ seq: 25_000, events: [] });
    expect(timeline.seek(99_999, 0).model.seq).toBe(25_000);
    expect(timeline.seek(25_000, 1e9).events).toHaveLength(SEEK_WINDOW_MAX);
    expect(timeline.seek(25_000, -5).events).toEqual([]);
    expect(timeline.seek(10, 100).events).toEqual(s.events.slice(0, 10));
  });

  it('answers an empty recording', () => {
    const timeline = new Timeline();
    expect(timeline.seek(5, 10)).toEqual({ seq: 0, t: 0, model: emptyModel(), events: [] });
    expect(timeline.info(4)).toMatchObject({ firstSeq: 0, lastSeq: 0, density: [0, 0, 0, 0] });
    expect(timeline.find(0, 1, 'marker')).toBeNull();
    expect([timeline.firstSeq, timeline.lastSeq, timeline.firstT, timeline.lastT]).toEqual([
      null,
      null,
      null,
      null,
    ]);
  });

  it('seeks by time to the last event at or before it, clamped to the first', () => {
    const s = new LabStream()
      .service(100)
      .agent(200, 'ua1', 'user-agent')
      .agent(200, 'ua2', 'user-agent');
    s.agent(300, 'ua3', 'user-agent');
    const timeline = timelineOf(s.events);
    expect(timeline.seekTime(250, 10).seq).toBe(3);
    expect(timeline.seekTime(200, 10).seq).toBe(3);
    expect(timeline.seekTime(199.5, 10).seq).toBe(1);
    expect(timeline.seekTime(0, 10).seq).toBe(1);
    expect(timeline.seekTime(1e12, 2)).toMatchObject({ seq: 4, t: 300, events: s.events.slice(2) });
  });

  it('spreads the events over equal slices of the run, summing to the event count', () => {
    const s = busy(10_000);
    const timeline = timelineOf(s.events);
    const info = timeline.info(7);
    expect(info).toMatchObject({
      firstSeq: 1,
      lastSeq: 10_000,
      firstT: 0,
      lastT: s.events[9_999]!.t,
    });
    expect(info.density).toHaveLength(7);
    expect(info.density.reduce((a, b) => a + b, 0)).toBe(10_000);
    // Busy at a steady rate: every slice holds about a seventh.
    for (const n of info.density) expect(Math.abs(n - 10_000 / 7)).toBeLessThan(100);
    expect(timeline.info(0).density).toEqual([10_000]);
    expect(timeline.info(1e6).density).toHaveLength(2000);
    const instant = timelineOf(new LabStream().service(5).agent(5, 'ua1', 'user-agent').events);
    expect(instant.info(3).density).toEqual([2, 0, 0]);
  });

  it('marks outages, expiries, replacements, receipts and violations', () => {
    const s = new LabStream().service(0);
    s.at(10, { kind: 'link.changed', linkId: 'cell:ua1', state: 'down', faults: ['outage'] });
    s.at(11, { kind: 'link.changed', linkId: 'cell:ua1', state: 'impaired', faults: ['loss'] });
    s.accept(20, 'm1', { ttlSeconds: 1, receiptRequested: true })
      .expire(1020, 'm1')
      .receipt(1020, 'm1', 410);
    s.accept(30, 'm2', { topic: 'a' }).accept(40, 'm3', { topic: 'a' }).replace(40, 'm2', 'm3');
    s.ack(50, 'm9'); // never accepted: a violation
    const timeline = timelineOf(s.events);
    const info = timeline.info(10);
    expect(info.markers).toEqual([
      { seq: 2, t: 10, kind: 'outage', label: 'link cell:ua1 down (outage)' },
      { seq: 5, t: 1020, kind: 'expiry', label: 'message m1 expired' },
      { seq: 6, t: 1020, kind: 'receipt', label: 'receipt 410 for message m1' },
      { seq: 9, t: 1020, kind: 'replacement', label: 'message m2 replaced by m3' },
      {
        seq: 10,
        t: 1020,
        kind: 'violation',
        label: 'Event message.acked at seq 10 names message m9, which was never accepted.',
      },
    ]);
    expect(info.markerCounts).toEqual({
      outage: 1,
      expiry: 1,
      replacement: 1,
      receipt: 1,
      violation: 1,
    });
    // Times go back at seq 7 (t 30 after 1020): the timeline places events at the running maximum.
    expect(info.lastT).toBe(1020);
    expect(timeline.seek(9, 0).t).toBe(40);
    expect(timeline.verdict(10_000).countByRule.bookkeeping).toBe(1);
  });

  it('lists at most MARKERS_MAX markers, rare kinds whole and the rest spread evenly', () => {
    const s = new LabStream().service(0);
    for (let i = 0; i < 5000; i++) s.receipt(i, `m${i}`, 204); // each a violation too: never accepted
    for (let i = 0; i < 7; i++)
      s.at(6000 + i, { kind: 'link.changed', linkId: `l${i}`, state: 'down', faults: [] });
    const info = timelineOf(s.events).info(10);
    expect(info.markers).toHaveLength(MARKERS_MAX);
    expect(info.markerCounts).toMatchObject({ receipt: 5000, violation: 5000, outage: 7 });
    const byKind = (kind: string) => info.markers.filter((m) => m.kind === kind);
    expect(byKind('outage')).toHaveLength(7);
    expect(byKind('violation')).toHaveLength(Math.floor((MARKERS_MAX - 7) / 2));
    expect(byKind('receipt')).toHaveLength(MARKERS_MAX - 7 - Math.floor((MARKERS_MAX - 7) / 2));
    // Spread: the first receipt is listed, and the listed ones reach the end of the run.
    const receipts = byKind('receipt').map((m) => m.seq);
    expect(receipts[0]).toBe(2);
    expect(receipts[receipts.length - 1]).toBeGreaterThan(4990);
    const seqs = info.markers.map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('finds the next and previous violation, marker and event of a message', () => {
    const s = new LabStream().service(0);
    s.accept(10, 'm1', { receiptRequested: true }).accept(11, 'm2');
    s.push(12, 'm1').ack(13, 'm1').receipt(14, 'm1', 204); // seqs 4, 5, 6
    s.ack(15, 'm7'); // 7: a violation
    s.push(16, 'm2').ack(17, 'm2'); // 8, 9
    s.at(18, { kind: 'link.changed', linkId: 'l', state: 'down', faults: [] }); // 10
    s.ack(19, 'm8'); // 11: a violation
    const timeline = timelineOf(s.events);
    expect(timeline.find(0, 1, 'violation')).toBe(7);
    expect(timeline.find(7, 1, 'violation')).toBe(11);
    expect(timeline.find(11, 1, 'violation')).toBeNull();
    expect(timeline.find(11, -1, 'violation')).toBe(7);
    expect(timeline.find(7, -1, 'violation')).toBeNull();
    expect(timeline.find(999, -1, 'violation')).toBe(11);
    expect(timeline.find(0, 1, 'marker')).toBe(6);
    expect(timeline.find(7, 1, 'marker')).toBe(10);
    expect(timeline.find(10, -1, 'marker')).toBe(7);
    expect(timeline.find(0, 1, 'message', 'm1')).toBe(2);
    expect(timeline.find(2, 1, 'message', 'm1')).toBe(4);
    expect(timeline.find(6, 1, 'message', 'm1')).toBeNull();
    expect(timeline.find(100, -1, 'message', 'm1')).toBe(6);
    expect(timeline.find(4, -1, 'message', 'm1')).toBe(2);
    expect(timeline.find(2, -1, 'message', 'm1')).toBeNull();
    expect(timeline.find(5, 1, 'message', 'm2')).toBe(8);
    expect(timeline.find(0, 1, 'message', 'nope')).toBeNull();
    expect(timeline.find(0, 1, 'message')).toBeNull();
  });

  it('stops at its bound, says so, and stays answerable', () => {
    const s = busy(5000);
    const timeline = timelineOf(s.events, { eventsMax: 3000 });
    expect(timeline.append(s.events[0]!)).toBe(false);
    expect(timeline.count).toBe(3000);
    expect(timeline.truncated).toBe(true);
    expect(timeline.notes()).toEqual([
      'The timeline holds its first 3000 events (eventsMax=3000); 2001 later event(s) are not on it.',
    ]);
    expect(timeline.info(5).lastSeq).toBe(3000);
    expect(timeline.seek(4000, 2).seq).toBe(3000);
    expect(timelineOf(s.events).truncated).toBe(false);
  });

  it('keeps judging past its bound, so a report reading its checker covers the whole stream', () => {
    const s = new LabStream().service(0);
    for (let i = 0; i < 5; i++) s.accept(i, `m${i}`).ack(i, `m${i}`);
    s.ack(10, 'm0'); // past the bound: a second ack of m0
    const timeline = timelineOf(s.events, { eventsMax: 11 });
    expect(timeline.truncated).toBe(true);
    // Before: events past the bound never reached the checker.
    expect(timeline.verdicts.finish().violationCount).toBe(1);
    expect(timeline.verdict().eventCount).toBe(s.events.length);
    // Counted, but not placed on an event the timeline does not hold.
    expect(timeline.info(1).markerCounts.violation).toBe(1);
    expect(timeline.info(1).markers.filter((m) => m.kind === 'violation')).toEqual([]);
  });

  it('bounds its message index and its markers', () => {
    const s = new LabStream().service(0);
    for (let i = 0; i < 10; i++) s.accept(i, `m${i}`).expire(i + 1, `m${i}`);
    const timeline = timelineOf(s.events, { messagesMax: 4, markersMax: 3 });
    expect(timeline.find(0, 1, 'message', 'm3')).toBe(8);
    expect(timeline.find(0, 1, 'message', 'm4')).toBeNull();
    expect(timeline.info(1).markers).toHaveLength(3);
    expect(timeline.info(1).markerCounts.expiry).toBe(10);
    expect(timeline.notes()).toEqual([
      '12 event(s) of messages beyond messagesMax=4 cannot be found by message.',
      '7 marker(s) beyond markersMax=3 are counted but not listed.',
    ]);
  });

  it('indexes a stream with gaps and leaves out seqs that do not rise', () => {
    const s = new LabStream()
      .service(0)
      .agent(1, 'ua1', 'user-agent')
      .agent(2, 'ua2', 'user-agent');
    const events: LabEvent[] = [
      ...s.events,
      { ...s.events[1]!, seq: 9, t: 9 },
      { ...s.events[1]!, seq: 10, t: 10 },
      { ...s.events[1]!, seq: 4, t: 11 },
      { ...s.events[1]!, seq: 12, t: 12 },
    ];
    const timeline = timelineOf(events);
    expect(timeline.count).toBe(6);
    expect(timeline.seek(7, 10)).toMatchObject({ seq: 3, events: events.slice(0, 3) });
    expect(timeline.seek(11, 2)).toMatchObject({ seq: 10, events: events.slice(3, 5) });
    expect(timeline.seek(12, 1).model.seq).toBe(12);
    expect(timeline.find(3, 1, 'violation')).toBe(9); // seq jumps 3 → 9
    expect(timeline.find(9, 1, 'violation')).toBe(10); // seq 4 after 10, marked on the last kept
    expect(timeline.find(10, 1, 'violation')).toBe(12); // jumps 10 → 12
    expect(timeline.notes()).toEqual([
      '6 seq(s) between 1 and 12 are missing.',
      '1 event(s) whose seq did not rise were left out.',
    ]);
    expect(timeline.info(3).density.reduce((a, b) => a + b, 0)).toBe(6);
  });

  it('reads a trace with a gap record: the checker is told, nothing is flagged', async () => {
    const s = busy(3000);
    const lines = [
      JSON.stringify({
        type: 'push-lab-trace',
        version: 1,
        scenario: null,
        seed: 1,
        clockMode: 'virtual',
        pushLabVersion: 'x',
      }),
      ...s.events.slice(0, 2000).map((e) => JSON.stringify(e)),
      JSON.stringify({
        type: 'gap',
        fromSeq: 2001,
        toSeq: 2100,
        droppedCount: 100,
        fromT: 0,
        toT: 0,
      }),
      ...s.events.slice(2100).map((e) => JSON.stringify(e)),
      '{"kind":"message.ac',
    ];
    const reader = await TraceReader.fromStream(Readable.from([lines.join('\n')]), 'gappy.jsonl');
    const timeline = await Timeline.fromReader(reader);
    expect(timeline.count).toBe(2900);
    expect(reader.warnings).toEqual([
      { line: 2903, message: expect.stringMatching(/^trace cut at line 2903/) },
    ]);
    expect(timeline.notes()).toEqual([
      '100 seq(s) between 1 and 3000 are missing (the trace has 1 gap record(s)).',
    ]);
    expect(timeline.info(1).markerCounts.violation).toBe(0);
    expect([...timeline.all()]).toEqual([...s.events.slice(0, 2000), ...s.events.slice(2100)]);
    expect(timeline.seek(2050, 1).seq).toBe(2000);
  });

  it('keeps answering while a live run appends', () => {
    const s = busy(6000);
    const timeline = new Timeline();
    const seen: LabEvent[] = [];
    s.events.forEach((event, i) => {
      timeline.append(event);
      seen.push(event);
      if (i % 997 === 0) {
        const { upTo } = expected(seen, i);
        expect(timeline.seek(i, 50).model).toEqual(applyEvents(emptyModel(), upTo));
        expect(timeline.lastSeq).toBe(i + 1);
      }
    });
    expect([...timeline.all()]).toEqual(s.events);
  });
});

describe('snapshots in a lab with many entries (issue 13)', () => {
  it('stay 1,024 events apart although each holds ~10,000 entries, and seeks equal a fold', () => {
    const events = [...labEvents(24_000)];
    const timeline = new Timeline();
    for (const event of events) timeline.append(event);
    const last = timeline.model();
    // The tables share what the events between two snapshots did not change: a snapshot
    // counts min(K, its entries), so K no longer grows with the lab (it grew to 16,384).
    expect(last.subscriptions.size + last.messages.size).toBeGreaterThan(10_000);
    expect(timeline.snapshotEvery).toBe(1024);
    for (const seq of [1024, 1025, 2048, 2049, 4097, 12_345, 23_999]) {
      expect(modelToWire(timeline.seek(seq, 0).model)).toEqual(
        modelToWire(applyEvents(emptyModel(), events.slice(0, seq))),
      );
    }
  });
});

describe('packing chunks (issue 13)', () => {
  it('packs a recording’s own lines on the thread pool; the events read back are the same', async () => {
    const events = [...labEvents(12 * CHUNK_EVENTS + 5)];
    // The lines as a file may hold them (other spacing than JSON.stringify's).
    const lines = events.map((event) => JSON.stringify(event, null, 1));
    const store = new EventStore();
    const stringify = vi.spyOn(JSON, 'stringify');
    try {
      events.forEach((event, i) => store.append(event, lines[i]));
      // Packed as they are: no event is encoded again.
      expect(stringify).not.toHaveBeenCalled();
    } finally {
      stringify.mockRestore();
    }
    // At most PACKING_MAX chunks deflate at once; meanwhile their events are served as held.
    expect(store.packingCount).toBeGreaterThan(0);
    expect(store.packingCount).toBeLessThanOrEqual(PACKING_MAX);
    expect(store.slice(0, events.length - 1)).toEqual(events);
    await eventually('every chunk packed', () => (store.packingCount === 0 ? true : null), {
      timeoutMs: 10_000,
    });
    // Read back from the packed chunks (nothing cached): the same events.
    store.cacheChunks = 0;
    expect(store.slice(0, events.length - 1)).toEqual(events);
    expect([...store.all()]).toEqual(events);
  });

  it('reads back chunks that are not all ASCII as they were (UTF-8), and ASCII ones alike', async () => {
    const events = [...labEvents(4 * CHUNK_EVENTS)];
    // Chunk 1 gets labels of two- and four-byte characters; chunk 2 one latin1 character.
    const relabel = (i: number, label: string): void => {
      const event = events[i]!;
      events[i] = {
        ...event,
        kind: 'agent.started',
        agentId: `a${i}`,
        role: 'user-agent',
        label,
      } as LabEvent;
    };
    relabel(CHUNK_EVENTS + 3, 'téléphone ☎');
    relabel(CHUNK_EVENTS + 700, 'emoji 📱 here');
    relabel(2 * CHUNK_EVENTS + 9, 'caf\u00e9');
    for (const withLines of [true, false]) {
      const store = new EventStore();
      // Nothing cached: every chunk read back below is unpacked.
      store.cacheChunks = 0;
      for (const event of events)
        store.append(event, withLines ? JSON.stringify(event) : undefined);
      await eventually('every chunk packed', () => (store.packingCount === 0 ? true : null), {
        timeoutMs: 10_000,
      });
      expect(store.slice(0, events.length - 1)).toEqual(events);
      expect(store.slice(CHUNK_EVENTS + 3, CHUNK_EVENTS + 3)[0]).toMatchObject({
        label: 'téléphone ☎',
      });
    }
  });
});

describe('slices parse only what they ask for (issue 13)', () => {
  const packedStore = async (events: LabEvent[], lines?: string[]): Promise<EventStore> => {
    const store = new EventStore();
    events.forEach((event, i) => store.append(event, lines?.[i]));
    await eventually('every chunk packed', () => (store.packingCount === 0 ? true : null), {
      timeoutMs: 10_000,
    });
    return store;
  };

  it('answers any range, near the last one or far from it, cached or not, as the events were', async () => {
    const events = [...labEvents(9 * CHUNK_EVENTS + 17)];
    const compact = events.map((event) => JSON.stringify(event));
    // A recording's own spacing may hold newlines: such chunks are parsed whole, then cut.
    const spaced = events.map((event) => JSON.stringify(event, null, 1));
    for (const [lines, cacheChunks] of [
      [compact, 4],
      [compact, 0],
      [spaced, 4],
      [undefined, 1],
    ] as const) {
      const store = await packedStore(events, lines as string[] | undefined);
      store.cacheChunks = cacheChunks;
      const rand = new Rand(3);
      let from = 0;
      let to = 0;
      for (let i = 0; i < 120; i++) {
        // Steps and small moves of either edge (reusing the last slice), and far jumps.
        const move = rand.int(4);
        if (move === 0) {
          from = rand.int(events.length);
          to = Math.min(events.length - 1, from + rand.int(3 * CHUNK_EVENTS));
        } else {
          from = Math.max(
            0,
            Math.min(events.length - 1, from + rand.int(2 * CHUNK_EVENTS) - CHUNK_EVENTS),
          );
          to = Math.max(
            from,
            Math.min(events.length - 1, to + rand.int(2 * CHUNK_EVENTS) - CHUNK_EVENTS),
          );
        }
        expect(store.slice(from, to)).toEqual(events.slice(from, to + 1));
      }
      expect([...store.all()]).toEqual(events);
    }
  });

  it('parses one event for a step of one event', async () => {
    const events = [...labEvents(6 * CHUNK_EVENTS)];
    const store = await packedStore(events);
    store.slice(CHUNK_EVENTS + 10, 4 * CHUNK_EVENTS + 500);
    const parse = vi.spyOn(JSON, 'parse');
    try {
      expect(store.slice(CHUNK_EVENTS + 11, 4 * CHUNK_EVENTS + 501)).toEqual(
        events.slice(CHUNK_EVENTS + 11, 4 * CHUNK_EVENTS + 502),
      );
      expect(store.slice(CHUNK_EVENTS + 10, 4 * CHUNK_EVENTS + 500)).toEqual(
        events.slice(CHUNK_EVENTS + 10, 4 * CHUNK_EVENTS + 501),
      );
      const parsed = parse.mock.results.map((r) => (r.value as unknown[]).length);
      expect(parsed).toEqual([1, 1]);
    } finally {
      parse.mockRestore();
    }
  });

  it('seeks after the caches have moved on equal a fresh fold, and so do steps back', async () => {
    const events = [...labEvents(16 * CHUNK_EVENTS)];
    const timeline = new Timeline();
    for (const event of events) timeline.append(event, JSON.stringify(event));
    // Every chunk packed, so the seeks below unpack them (none is held as objects).
    const { store } = timeline as unknown as { store: EventStore };
    await eventually('every chunk packed', () => (store.packingCount === 0 ? true : null), {
      timeoutMs: 10_000,
    });
    const check = (seq: number, window: number): void => {
      const result = timeline.seek(seq, window);
      expect(modelToWire(result.model)).toEqual(
        modelToWire(applyEvents(emptyModel(), events.slice(0, seq))),
      );
      expect(result.events).toEqual(events.slice(Math.max(0, seq - window), seq));
    };
    // Far apart (each evicts the last's chunks), then back, then steps around one of them.
    for (const seq of [15_000, 1_500, 9_000, 15_000, 15_001, 14_999, 1_500, 1_499, 3, 16_384])
      check(seq, 5_000);
    check(9_000, 0);
    check(9_001, 20_000);
  });
});
