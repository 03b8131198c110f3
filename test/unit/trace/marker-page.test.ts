/**
 * The marker list (issue 14): pages of the timeline's markers in seq order, by kind and
 * text, bounded; each sentence written once (a violation's by the checker) and read by the
 * list and the report alike.
 */
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/shared/commands';
import type { LabEvent } from '../../../src/shared/events';
import { MARKER_PAGE_MAX } from '../../../src/shared/workbench';
import { InvariantChecker } from '../../../src/main/engine/trace/checker';
import { Recorder } from '../../../src/main/engine/trace/recorder';
import { renderReportHtml } from '../../../src/main/engine/trace/report-html';
import { REPORT_MARKERS_MAX } from '../../../src/main/engine/trace/report-markers';
import { Timeline } from '../../../src/main/engine/trace/timeline';
import { LabStream } from './lab-stream';

const ALL = ['violation', 'outage', 'expiry', 'replacement', 'receipt'] as const;

/** A run with every kind of marker: outages, expiries, a replacement, receipts, violations. */
function mixed(): LabStream {
  const s = new LabStream().service(0).agent(0, 'ua1', 'user-agent').subscribe(0, 'ps1.s1', 'ua1');
  for (let i = 0; i < 30; i++) {
    s.accept(10 + i * 10, `m${i}`, { topic: i % 10 === 1 ? 'news' : null });
    if (i % 3 === 0) s.expire(12 + i * 10, `m${i}`);
    if (i % 10 === 1) s.replace(13 + i * 10, `m${i}`, `m${i + 1}`);
    if (i % 4 === 0)
      s.at(14 + i * 10, {
        kind: 'link.changed',
        linkId: `phone-${i}`,
        state: 'down',
        faults: ['cut'],
      });
    if (i % 5 === 0) s.receipt(15 + i * 10, `m${i}`, 204);
  }
  s.ack(400, 'never-accepted'); // a violation: acknowledged, never accepted
  return s;
}

function timelineOf(events: readonly LabEvent[], markersMax?: number): Timeline {
  const timeline = new Timeline(markersMax === undefined ? {} : { markersMax });
  for (const e of events) timeline.append(e);
  return timeline;
}

describe('Timeline.markerPage', () => {
  it('pages through every marker in seq order, each once, with the message of its event', () => {
    const s = mixed();
    const timeline = timelineOf(s.events);
    const counts = timeline.info(1).markerCounts;
    const total = ALL.reduce((n, k) => n + counts[k], 0);
    const seen: number[] = [];
    let after = -1;
    for (let pages = 0; pages < 100; pages++) {
      const page = timeline.markerPage(after, ALL, '', 7);
      expect(page.matched).toBe(total);
      expect(page.markers.length).toBeLessThanOrEqual(7);
      seen.push(...page.markers.map((m) => m.seq));
      for (const m of page.markers) {
        const event = s.events.find((e) => e.seq === m.seq)!;
        expect(m.t).toBe(event.t);
        expect(m.messageId).toBe('messageId' in event ? event.messageId : null);
      }
      if (page.next === null) break;
      expect(page.next).toBe(page.markers[page.markers.length - 1]!.seq);
      after = page.next;
    }
    expect(seen).toHaveLength(total);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    // The same seqs the timeline's own marker list places.
    expect(seen).toEqual(timeline.info(1).markers.map((m) => m.seq));
  });

  it('filters by kind and by text (any case), and counts what matches on every page', () => {
    const timeline = timelineOf(mixed().events);
    const outages = timeline.markerPage(-1, ['outage'], '', 3);
    expect(outages.markers.map((m) => m.kind)).toEqual(['outage', 'outage', 'outage']);
    expect(outages.matched).toBe(8);
    expect(outages.markers[0]!.label).toBe('link phone-0 down (cut)');
    expect(outages.markers[0]!.messageId).toBeNull();
    const phone2 = timeline.markerPage(-1, ALL, 'PHONE-2', 50);
    expect(phone2.markers.map((m) => m.label)).toEqual([
      'link phone-20 down (cut)',
      'link phone-24 down (cut)',
      'link phone-28 down (cut)',
    ]);
    expect(phone2.matched).toBe(3);
    expect(phone2.next).toBeNull();
    const m21 = timeline.markerPage(-1, ['expiry', 'replacement'], 'm21', 50);
    expect(m21.markers.map((m) => [m.kind, m.label])).toEqual([
      ['expiry', 'message m21 expired'],
      ['replacement', 'message m21 replaced by m22'],
    ]);
    expect(timeline.markerPage(-1, ALL, 'nothing like this', 5)).toMatchObject({
      markers: [],
      matched: 0,
      next: null,
    });
  });

  it('starts after the seq given and stays within the markers kept', () => {
    const s = mixed();
    const timeline = timelineOf(s.events, 10);
    const first = timeline.markerPage(-1, ALL, '', MARKER_PAGE_MAX);
    expect(first.markers).toHaveLength(10);
    expect(first.next).toBeNull();
    const counts = first.counts;
    expect(ALL.reduce((n, k) => n + counts[k], 0)).toBeGreaterThan(10); // counted, not listed
    const later = timeline.markerPage(first.markers[4]!.seq, ALL, '', MARKER_PAGE_MAX);
    expect(later.markers).toEqual(first.markers.slice(5));
    expect(timeline.markerPage(1_000_000, ALL, '', 5).markers).toEqual([]);
  });

  it("lists a violation with the checker's own sentence", () => {
    const s = mixed();
    const timeline = timelineOf(s.events);
    const checker = new InvariantChecker();
    for (const e of s.events) checker.check(e);
    const violations = checker.finish().violations;
    expect(violations.length).toBeGreaterThan(0);
    const page = timeline.markerPage(-1, ['violation'], '', 50);
    // One violation per event here, so each is listed, with the checker's words.
    expect(page.markers.map((m) => m.label)).toEqual(violations.map((v) => v.sentence));
    expect(page.markers.map((m) => m.messageId)).toEqual(violations.map((v) => v.messageId));
  });
});

describe('the markers command', () => {
  it('takes kinds, text, after and a limit up to MARKER_PAGE_MAX, and names what it refuses', () => {
    expect(parseCommand({ type: 'markers' }).ok).toBe(true);
    expect(
      parseCommand({ type: 'markers', after: 5, kinds: ['outage'], text: 'phone', limit: 20 }).ok,
    ).toBe(true);
    const tooMany = parseCommand({ type: 'markers', limit: MARKER_PAGE_MAX + 1 });
    expect(tooMany.ok).toBe(false);
    if (!tooMany.ok) expect(tooMany.error.message).toMatch(/^limit: .*\(got 501\)/);
    const kind = parseCommand({ type: 'markers', kinds: ['lost'] });
    expect(kind.ok).toBe(false);
    if (!kind.ok) expect(kind.error.message).toMatch(/^kinds\.0: /);
    expect(parseCommand({ type: 'markers', kinds: [] }).ok).toBe(false);
    expect(parseCommand({ type: 'markers', text: 'x'.repeat(201) }).ok).toBe(false);
  });
});

describe("the report's marker list", () => {
  it('lists the same sentences as the timeline, escaped, with lab time and seq', () => {
    const s = mixed();
    s.at(500, { kind: 'link.changed', linkId: '<script>', state: 'down', faults: [] });
    const recorder = new Recorder({
      meta: { scenario: 'markers', seed: 1, clockMode: 'virtual', pushLabVersion: 'test' },
    });
    for (const e of s.events) recorder.record(e);
    const report = recorder.report();
    const page = recorder.timeline.markerPage(-1, ALL, '', REPORT_MARKERS_MAX);
    expect(report.markers?.listed).toEqual(page.markers);
    expect(report.markers?.counts).toEqual(page.counts);
    const html = renderReportHtml(report);
    const section = html.slice(html.indexOf('<h2>Markers</h2>'));
    expect(section).toContain('data-testid="report-markers"');
    const rows = section.match(/<tr data-kind="[a-z]+">.*?<\/tr>/g) ?? [];
    expect(rows).toHaveLength(page.markers.length);
    // The violation's row: its lab time from the first event, its seq and the checker's sentence.
    const v = page.markers.find((m) => m.kind === 'violation')!;
    expect(rows.find((r) => r.includes(`<td>${v.seq}</td>`))).toContain(v.label);
    expect(section).toContain('<td class="l">+00:00.4</td>');
    expect(section).toContain('link &lt;script&gt; down');
    expect(section).not.toContain('<script>');
  });

  it('says how many it leaves out past REPORT_MARKERS_MAX', () => {
    const s = new LabStream()
      .service(0)
      .agent(0, 'ua1', 'user-agent')
      .subscribe(0, 'ps1.s1', 'ua1');
    for (let i = 0; i < REPORT_MARKERS_MAX + 50; i++) {
      s.at(i, { kind: 'link.changed', linkId: `l${i}`, state: 'down', faults: [] });
    }
    const recorder = new Recorder({
      meta: { scenario: null, seed: 1, clockMode: 'virtual', pushLabVersion: 'test' },
    });
    for (const e of s.events) recorder.record(e);
    const html = renderReportHtml(recorder.report());
    expect(html).toContain('The first 200 of 250 markers');
    expect(html.match(/<tr data-kind="outage">/g)).toHaveLength(REPORT_MARKERS_MAX);
  });
});
