/** The timeline scrubber's pure parts: time ↔ x, steps, marker layout and hits, playback. */
import { describe, expect, it } from 'vitest';
import { MARKER_BAND } from '../../../src/renderer/src/features/timeline/draw';
import {
  hitMarker,
  laneAt,
  layoutMarkers,
  MARKER_KINDS,
} from '../../../src/renderer/src/features/timeline/markers';
import {
  advancePlay,
  FRAME_GAP_MAX_MS,
  playStart,
} from '../../../src/renderer/src/features/timeline/play';
import {
  bucketCount,
  stepSeq,
  timeToX,
  xToTime,
} from '../../../src/renderer/src/features/timeline/scale';
import { TIMELINE_BUCKETS_MAX, type TimelineMarker } from '../../../src/shared/workbench';

const scale = { firstT: 1000, lastT: 3000, width: 200 };

describe('timeline scale', () => {
  it('maps lab time to x and back, clamped to the recording', () => {
    expect(timeToX(scale, 1000)).toBe(0);
    expect(timeToX(scale, 2000)).toBe(100);
    expect(timeToX(scale, 3000)).toBe(200);
    expect(timeToX(scale, 0)).toBe(0);
    expect(timeToX(scale, 9000)).toBe(200);
    expect(xToTime(scale, 50)).toBe(1500);
    expect(xToTime(scale, -10)).toBe(1000);
    expect(xToTime(scale, 500)).toBe(3000);
    for (const x of [0, 37, 100, 199]) expect(timeToX(scale, xToTime(scale, x))).toBeCloseTo(x);
  });

  it('puts a recording without duration at its end', () => {
    const instant = { firstT: 5, lastT: 5, width: 100 };
    expect(timeToX(instant, 5)).toBe(100);
    expect(timeToX(instant, 4)).toBe(0);
    expect(xToTime(instant, 30)).toBe(5);
    expect(xToTime({ ...scale, width: 0 }, 30)).toBe(3000);
  });

  it('asks for one bucket per pixel, within the contract', () => {
    expect(bucketCount(640.7)).toBe(640);
    expect(bucketCount(0)).toBe(1);
    expect(bucketCount(10_000)).toBe(TIMELINE_BUCKETS_MAX);
  });

  it('steps one event, and not past either end', () => {
    expect(stepSeq(5, 1, 1, 10)).toBe(6);
    expect(stepSeq(5, -1, 1, 10)).toBe(4);
    expect(stepSeq(10, 1, 1, 10)).toBeNull();
    expect(stepSeq(1, -1, 1, 10)).toBeNull();
    expect(stepSeq(42, -1, 1, 10)).toBe(10);
  });
});

describe('timeline markers', () => {
  const markers: TimelineMarker[] = [
    { seq: 3, t: 1500, kind: 'receipt', label: 'receipt 204 for m1' },
    { seq: 4, t: 1520, kind: 'receipt', label: 'receipt 204 for m2' },
    { seq: 9, t: 2000, kind: 'violation', label: 'lost m3' },
    { seq: 12, t: 2500, kind: 'outage', label: 'cell down' },
  ];
  const placed = layoutMarkers(markers, scale);
  const laneY = (kind: TimelineMarker['kind']) =>
    MARKER_BAND.top + MARKER_KINDS.indexOf(kind) * MARKER_BAND.laneHeight + 1;

  it('places each marker at its time in its kind’s lane', () => {
    expect(placed.map((p) => [p.x, p.lane])).toEqual([
      [50, 3],
      [52, 3],
      [100, 4],
      [150, 0],
    ]);
  });

  it('finds the lane under the pointer', () => {
    expect(laneAt(MARKER_BAND.top - 1, MARKER_BAND)).toBeNull();
    expect(laneAt(MARKER_BAND.top, MARKER_BAND)).toBe(0);
    expect(laneAt(laneY('violation'), MARKER_BAND)).toBe(4);
    expect(laneAt(MARKER_BAND.top + 5 * MARKER_BAND.laneHeight, MARKER_BAND)).toBeNull();
  });

  it('hits the nearest marker of the lane within the tolerance', () => {
    expect(hitMarker(placed, 51.5, laneY('receipt'), MARKER_BAND)?.seq).toBe(4);
    expect(hitMarker(placed, 49, laneY('receipt'), MARKER_BAND)?.seq).toBe(3);
    expect(hitMarker(placed, 101, laneY('violation'), MARKER_BAND)?.seq).toBe(9);
    // The right place but another lane, too far, or over the density bars: no marker.
    expect(hitMarker(placed, 100, laneY('receipt'), MARKER_BAND)).toBeNull();
    expect(hitMarker(placed, 60, laneY('receipt'), MARKER_BAND)).toBeNull();
    expect(hitMarker(placed, 100, 10, MARKER_BAND)).toBeNull();
  });
});

describe('timeline playback', () => {
  it('starts where the views are, or from the beginning at the end', () => {
    expect(playStart(null, 1000, 3000)).toBe(1000);
    expect(playStart(3000, 1000, 3000)).toBe(1000);
    expect(playStart(2200, 1000, 3000)).toBe(2200);
    expect(playStart(500, 1000, 3000)).toBe(1000);
  });

  it('advances by real time × speed and stops at the end', () => {
    expect(advancePlay(1000, 16, 10, 3000)).toEqual({ t: 1160, done: false });
    expect(advancePlay(1000, 16, 0.5, 3000)).toEqual({ t: 1008, done: false });
    expect(advancePlay(2900, 16, 100, 3000)).toEqual({ t: 3000, done: true });
    // A long pause between frames (hidden tab) does not leap ahead.
    expect(advancePlay(1000, 60_000, 1, 1e9).t).toBe(1000 + FRAME_GAP_MAX_MS);
    expect(advancePlay(1000, -5, 1, 3000).t).toBe(1000);
  });
});
