/** The run bar's state word (unknown without the lab) and a starting fleet's progress. */
import { describe, expect, it } from 'vitest';
import {
  shownRunState,
  startingShare,
  startingText,
} from '../../../src/renderer/src/features/run/run-state';
import { enabledControls } from '../../../src/renderer/src/features/run/run-commands';

describe('shownRunState', () => {
  it("says the lab's state while connected, and unknown once the connection is lost", () => {
    expect(shownRunState('running', 'open')).toEqual({
      state: 'running',
      label: 'running',
      title: undefined,
    });
    for (const connection of ['closed', 'connecting'] as const) {
      const shown = shownRunState('running', connection);
      expect(shown.state).toBe('unknown');
      expect(shown.label).not.toMatch(/running/);
      expect(shown.title).toMatch(/^Last seen running; the connection to the lab is lost/);
    }
    expect(shownRunState(null, 'closed').state).toBe('none');
  });

  it('leaves no control enabled without the lab (the bar passes null then)', () => {
    expect(Object.values(enabledControls(null)).some(Boolean)).toBe(false);
  });
});

describe('a starting fleet', () => {
  it('reads agents and subscriptions of their totals, and a share for the bar', () => {
    const p = { agents: 1234, agentsTotal: 5000, subscriptions: 800, subscriptionsTotal: 5000 };
    expect(startingText(p)).toBe('1,234 of 5,000 agents connected · 800 of 5,000 subscriptions');
    expect(startingShare(p)).toBeCloseTo(2034 / 10_000);
    const none = { agents: 0, agentsTotal: 3, subscriptions: 0, subscriptionsTotal: 0 };
    expect(startingText(none)).toBe('0 of 3 agents connected');
    expect(startingShare({ ...none, agentsTotal: 0 })).toBe(1);
  });
});
