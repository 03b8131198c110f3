/**
 * The agent and link facts folded in the shared model (model-agents.ts): a link that went down
 * early stays down at any later moment, whether folded live, from a snapshot plus later
 * events, or answered by a Timeline seek with a short event window (the old Topology folded
 * them from the raw ring, so a seek's 5,000-event window showed such a link as up, and Links
 * had no model at all: it polled today's engine).
 */
import { describe, expect, it } from 'vitest';
import type { LabEvent, LabEventBody } from '../../../src/shared/events';
import { applyEvents, emptyModel, modelFromWire, modelToWire } from '../../../src/shared/model';
import { addSample, ENERGY_SAMPLES_MAX, EMPTY_ENERGY } from '../../../src/shared/model-agents';
import { Timeline } from '../../../src/main/engine/trace/timeline';

const LINK = 'tunnel:phone-1';
const OUTAGE = { name: 'cut', spec: { type: 'outage', name: 'cut' }, active: true };

/** A commute in miniature: the link goes down at event 3, then 8,000 events of other facts. */
function commute(): LabEvent[] {
  const bodies: LabEventBody[] = [
    { kind: 'agent.started', agentId: 'phone-1', role: 'user-agent', label: 'phone-1' },
    { kind: 'link.faults', linkId: LINK, agentId: 'phone-1', state: 'up', faults: [] },
    { kind: 'link.faults', linkId: LINK, agentId: 'phone-1', state: 'down', faults: [OUTAGE] },
    { kind: 'link.changed', linkId: LINK, state: 'down', faults: ['outage'] },
    {
      kind: 'agent.power',
      agentId: 'phone-1',
      battery: 0.5,
      charging: false,
      wifi: false,
      urgencyMin: 'low',
    },
    { kind: 'agent.sleep', agentId: 'phone-1' },
  ];
  for (let i = 0; i < 8_000; i++) {
    bodies.push(
      i % 2 === 0
        ? {
            kind: 'radio.state',
            agentId: 'phone-1',
            technology: 'lte',
            from: 'idle',
            to: 'connected',
          }
        : {
            kind: 'energy.sampled',
            byClass: { 'user-agent:lte': { joules: i, devices: 2 } },
            devices: { 'phone-1': i / 2 },
          },
    );
  }
  bodies.push({
    kind: 'link.sampled',
    counters: { [LINK]: { bytesUpDelivered: 10, connectionsActive: 0 } },
  });
  return bodies.map((b, i) => ({ ...b, seq: i + 1, t: 1_000 + i * 10 }) as LabEvent);
}

describe('agent and link facts in the model', () => {
  it('keeps a link that went down early down: live, snapshot + later events, and a seek', () => {
    const events = commute();
    const live = applyEvents(emptyModel(), events);
    const link = live.links.get(LINK);
    expect(link).toMatchObject({ agentId: 'phone-1', state: 'down', faults: [OUTAGE] });
    expect(link?.counters).toEqual({ bytesUpDelivered: 10, connectionsActive: 0 });

    // A snapshot taken mid-stream (as a resync or a remount gets one) plus the rest.
    const snapshot = modelFromWire(
      JSON.parse(JSON.stringify(modelToWire(applyEvents(emptyModel(), events.slice(0, 3_000))))),
    );
    expect(modelToWire(applyEvents(snapshot, events.slice(3_000)))).toEqual(modelToWire(live));

    // A seek far past the cut, with a window that no longer holds it.
    const timeline = new Timeline();
    for (const e of events) timeline.append(e);
    const seek = timeline.seek(7_000, 5_000);
    expect(seek.events[0]!.seq).toBeGreaterThan(4);
    expect(seek.model.links.get(LINK)?.state).toBe('down');
    expect(seek.model.agentFacts.get('phone-1')).toMatchObject({
      asleep: true,
      battery: 0.5,
      urgencyMin: 'low',
      radio: 'lte connected',
    });
  });

  it('before the cut the link is up, and the energy series ends at the moment shown', () => {
    const events = commute();
    const timeline = new Timeline();
    for (const e of events) timeline.append(e);
    expect(timeline.seek(2, 100).model.links.get(LINK)?.state).toBe('up');
    const at = timeline.seek(1_000, 100).model;
    expect(at.energy.t.at(-1)).toBeLessThanOrEqual(at.t);
    expect(at.energy.t.at(-1)).toBe(events[999]!.t);
    // Event 1,000 is the sample of 496.5 J: the device's joules as of the moment shown.
    expect(at.agentFacts.get('phone-1')?.joules).toBe(496.5);
  });

  it("turns each class's joules into joules per device", () => {
    let series = addSample(EMPTY_ENERGY, 11_000, { 'phone-lte': { joules: 10, devices: 2 } });
    series = addSample(series, 12_000, {
      'phone-lte': { joules: 14, devices: 2 },
      'sensor-nbiot': { joules: 1, devices: 2 },
    });
    expect(series.t).toEqual([11_000, 12_000]);
    expect(series.classes).toEqual(['phone-lte', 'sensor-nbiot']);
    expect(series.perDevice).toEqual([
      [5, 7],
      [null, 0.5],
    ]);
  });

  it('bounds the energy series and gives a class that comes later nulls before it', () => {
    let series = EMPTY_ENERGY;
    for (let i = 0; i < ENERGY_SAMPLES_MAX + 10; i++) {
      series = addSample(series, i, { a: { joules: i * 2, devices: 2 } });
    }
    series = addSample(series, 9_999, {
      a: { joules: 2, devices: 2 },
      b: { joules: 3, devices: 1 },
    });
    expect(series.t).toHaveLength(ENERGY_SAMPLES_MAX);
    expect(series.t.at(-1)).toBe(9_999);
    expect(series.classes).toEqual(['a', 'b']);
    expect(series.perDevice[0]!.at(-2)).toBe(ENERGY_SAMPLES_MAX + 9);
    expect(series.perDevice[1]!.slice(0, -1).every((v) => v === null)).toBe(true);
    expect(series.perDevice[1]!.at(-1)).toBe(3);
  });
});
