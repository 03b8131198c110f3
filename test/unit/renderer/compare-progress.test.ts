/**
 * The Compare view while a comparison runs in the engine's workers: the store asks for each
 * profile's progress until the answer comes, a cancel is one command and ends in a notice, and
 * the form shows a line and a bar per profile and a Cancel button.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  profileLine,
  whereLine,
} from '../../../src/renderer/src/features/compare/compare-progress';
import {
  CANCELLED_MESSAGE,
  compareFeature,
  createCompareStore,
} from '../../../src/renderer/src/features/compare/compare-store';
import { CompareView } from '../../../src/renderer/src/features/compare/CompareView';
import { createLabStore, LabProvider } from '../../../src/renderer/src/store';
import type { Command } from '../../../src/shared/commands';
import {
  COMPARE_PROGRESS_POLL_MS,
  type CompareProgress,
  type ScenarioExample,
} from '../../../src/shared/workbench';
import { fakeFrames, idleClient } from './fixtures';

const examples: ScenarioExample[] = [
  { id: 'smoke', title: 'Smoke', description: '', text: 'name: s\n' },
];
const progress = (elapsedMs: number): CompareProgress => ({
  id: 1,
  running: true,
  where: 'workers',
  workers: 2,
  profiles: [
    { profile: 'rfc8030', state: 'running', elapsedMs, durationMs: 120_000 },
    { profile: 'draft-thomson', state: 'running', elapsedMs: 0, durationMs: 120_000 },
    { profile: 'draft-damaggio', state: 'waiting', elapsedMs: 0, durationMs: 120_000 },
  ],
});

afterEach(() => {
  vi.useRealTimers();
});

/** A lab `call` whose `compare` answers when the test says; progress and cancel at once. */
function fakeLab() {
  let answerCompare!: (value: unknown) => void;
  let elapsedMs = 0;
  const calls: string[] = [];
  const call = vi.fn((command: Command) => {
    calls.push(command.type);
    if (command.type === 'scenario.examples') return Promise.resolve({ ok: true, value: examples });
    if (command.type === 'compare') return new Promise((resolve) => (answerCompare = resolve));
    if (command.type === 'compare.progress') {
      elapsedMs += 30_000;
      return Promise.resolve({ ok: true, value: progress(elapsedMs) });
    }
    if (command.type === 'compare.cancel') {
      answerCompare({ ok: false, error: { code: 'ERR_CANCELLED', message: 'compare: cancelled' } });
      return Promise.resolve({ ok: true, value: { cancelled: true } });
    }
    return Promise.resolve({ ok: false, error: { code: 'ERR_TEST', message: command.type } });
  });
  return { call, calls, answer: (value: unknown) => answerCompare(value) };
}

describe('compare progress', () => {
  it('asks for progress while the comparison runs, and stops asking when it answers', async () => {
    vi.useFakeTimers();
    const store = createCompareStore();
    const lab = fakeLab();
    await store.getState().loadExamples(lab.call as never);
    const running = store.getState().run(lab.call as never);
    expect(store.getState().progress).toBeNull();
    await vi.advanceTimersByTimeAsync(COMPARE_PROGRESS_POLL_MS);
    expect(store.getState().progress?.profiles[0]?.elapsedMs).toBe(30_000);
    await vi.advanceTimersByTimeAsync(COMPARE_PROGRESS_POLL_MS);
    expect(store.getState().progress?.profiles[0]?.elapsedMs).toBe(60_000);
    lab.answer({
      ok: true,
      value: { scenario: 's', seed: 1, durationMs: 1, bucketMs: 1, rows: [] },
    });
    await running;
    const asked = lab.calls.filter((c) => c === 'compare.progress').length;
    await vi.advanceTimersByTimeAsync(COMPARE_PROGRESS_POLL_MS * 4);
    expect(lab.calls.filter((c) => c === 'compare.progress').length).toBe(asked);
    expect(store.getState()).toMatchObject({ running: false, problem: null });
  });

  it('cancels with one command and says so when the comparison answers cancelled', async () => {
    const store = createCompareStore();
    const lab = fakeLab();
    await store.getState().loadExamples(lab.call as never);
    const running = store.getState().run(lab.call as never);
    await store.getState().cancel(lab.call as never);
    await running;
    expect(lab.calls).toContain('compare.cancel');
    expect(store.getState()).toMatchObject({
      running: false,
      cancelling: false,
      problem: { field: null, message: CANCELLED_MESSAGE },
    });
    // Nothing runs: nothing to cancel, no command.
    const before = lab.calls.length;
    await store.getState().cancel(lab.call as never);
    expect(lab.calls.length).toBe(before);
  });

  it('words each profile and where the comparison runs', () => {
    const p = progress(30_000);
    expect(p.profiles.map(profileLine)).toEqual([
      'rfc8030: running, 25% (00:30.0 of 02:00.0)',
      'draft-thomson: running, 0% (00:00.0 of 02:00.0)',
      'draft-damaggio: waiting for a worker, 0% (00:00.0 of 02:00.0)',
    ]);
    expect(whereLine(p)).toBe('in 2 worker threads, at once');
    expect(whereLine({ ...p, where: 'in-process', workers: 1 })).toBe(
      'one after another in the engine',
    );
  });

  it('shows a line and a bar per profile and a Cancel button while it runs', () => {
    const store = createLabStore(idleClient(), { schedule: fakeFrames().schedule });
    const compare = store.feature(compareFeature);
    compare.setState({ running: true, progress: progress(60_000) });
    // Server rendering reads a store's initial state: let it read the current one.
    compare.getInitialState = compare.getState;
    const html = renderToStaticMarkup(
      createElement(LabProvider, { store, children: createElement(CompareView) }),
    );
    expect(html).toContain('data-testid="compare-cancel"');
    expect(html).toContain('Running the comparison in 2 worker threads, at once');
    expect(html).toContain('data-testid="compare-profile-progress-rfc8030"');
    expect(html).toContain('rfc8030: running, 50% (01:00.0 of 02:00.0)');
    expect(html).toMatch(/<progress max="1" value="0.5"/);
  });
});
