import { afterEach, describe, expect, it, vi } from 'vitest';
import { emptyModel, type LabModel } from '../../../src/shared/model';
import {
  animationFrameScheduler,
  EventBatcher,
  FRAME_FALLBACK_MS,
  type EventBatcherOptions,
} from '../../../src/renderer/src/store/batcher';
import { agents, fakeFrames, modelAfter, stamp } from './fixtures';

function setup(overrides: Partial<EventBatcherOptions> = {}, initial: LabModel = emptyModel()) {
  const frames = fakeFrames();
  let model = initial;
  let clock = 0;
  const setModel = vi.fn((next: LabModel) => {
    model = next;
  });
  const requestResync = vi.fn();
  const batcher = new EventBatcher({
    getModel: () => model,
    setModel,
    requestResync,
    schedule: frames.schedule,
    now: () => clock,
    ...overrides,
  });
  return {
    batcher,
    frames,
    setModel,
    requestResync,
    get model() {
      return model;
    },
    advance(ms: number) {
      clock += ms;
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('EventBatcher', () => {
  it('applies every batch that arrived before a frame in one update on that frame', () => {
    const lab = setup();
    lab.batcher.pushEvents(agents(1, 3));
    lab.batcher.pushEvents(agents(4, 2));
    lab.batcher.pushEvents(agents(6, 4));

    expect(lab.setModel).not.toHaveBeenCalled();
    expect(lab.frames.scheduled).toBe(1);

    lab.frames.frame();
    expect(lab.setModel).toHaveBeenCalledTimes(1);
    expect(lab.model.seq).toBe(9);
    expect(lab.model.agents.size).toBe(9);
    expect(lab.model).toEqual(modelAfter(agents(1, 9)));
    expect(lab.batcher.queued).toBe(0);

    // Nothing new: no frame, no update.
    expect(lab.frames.scheduled).toBe(0);
    lab.frames.frame();
    expect(lab.setModel).toHaveBeenCalledTimes(1);
  });

  it('schedules a new frame for events after a flush', () => {
    const lab = setup();
    lab.batcher.pushEvents(agents(1, 2));
    lab.frames.frame();
    lab.batcher.pushEvents(agents(3, 2));
    expect(lab.frames.scheduled).toBe(1);
    lab.frames.frame();
    expect(lab.setModel).toHaveBeenCalledTimes(2);
    expect(lab.model.seq).toBe(4);
  });

  it('applies a message lifecycle exactly like the shared reducer', () => {
    const events = stamp(1, [
      {
        kind: 'service.started',
        serviceId: 's1',
        url: 'https://127.0.0.1:4430',
        profile: 'rfc8030',
      },
      {
        kind: 'subscription.created',
        serviceId: 's1',
        subscriptionId: 'sub1',
        agentId: null,
        pushPath: '/p/sub1',
      },
      {
        kind: 'message.accepted',
        serviceId: 's1',
        subscriptionId: 'sub1',
        messageId: 'm1',
        ttlSeconds: 60,
        ttlRequestedSeconds: 60,
        urgency: 'normal',
        topic: null,
        bytes: 42,
        receiptRequested: false,
        senderId: null,
      },
      {
        kind: 'message.pushed',
        subscriptionId: 'sub1',
        messageId: 'm1',
        attempt: 1,
        urgencyMin: 'very-low',
      },
      { kind: 'message.acked', subscriptionId: 'sub1', messageId: 'm1' },
    ]);
    const lab = setup();
    lab.batcher.pushEvents(events.slice(0, 2));
    lab.batcher.pushEvents(events.slice(2));
    lab.frames.frame();
    expect(lab.model).toEqual(modelAfter(events));
    expect(lab.model.messages.get('m1')?.state).toBe('acked');
    expect(lab.model.subscriptions.get('sub1')?.outstanding).toBe(0);
  });

  it('replaces the model on a snapshot at once and drops queued events it contains', () => {
    const lab = setup();
    lab.batcher.pushEvents(agents(1, 5));
    const snapshot = modelAfter(agents(1, 7));
    lab.batcher.applySnapshot(snapshot);
    expect(lab.setModel).toHaveBeenCalledTimes(1);
    expect(lab.model).toBe(snapshot);
    expect(lab.batcher.queued).toBe(0);
    // The frame that was scheduled for the dropped events has nothing left to do.
    lab.frames.frame();
    expect(lab.setModel).toHaveBeenCalledTimes(1);
  });

  it('keeps queued events newer than the snapshot and applies them on the next frame', () => {
    const lab = setup();
    lab.batcher.pushEvents(agents(3, 6)); // 3..8, a gap until the snapshot comes
    lab.batcher.applySnapshot(modelAfter(agents(1, 5)));
    expect(lab.batcher.queued).toBe(3); // 6, 7, 8
    expect(lab.frames.scheduled).toBe(1);
    lab.frames.frame();
    expect(lab.model.seq).toBe(8);
    expect(lab.model).toEqual(modelAfter(agents(1, 8)));
    expect(lab.requestResync).not.toHaveBeenCalled();
  });

  it('asks for a resync on a gap, applies what comes before it and holds the rest', () => {
    const lab = setup();
    lab.batcher.applySnapshot(modelAfter(agents(1, 2)));
    lab.batcher.pushEvents(agents(3, 2)); // 3, 4
    lab.batcher.pushEvents(agents(7, 2)); // 7, 8: 5 and 6 are missing
    lab.frames.frame();

    expect(lab.requestResync).toHaveBeenCalledTimes(1);
    expect(lab.model.seq).toBe(4);
    expect(lab.batcher.queued).toBe(2);
    expect(lab.batcher.awaitingSnapshot).toBe(true);

    // More events behind the same gap: still held, no second request.
    lab.batcher.pushEvents(agents(9, 1));
    lab.frames.frame();
    expect(lab.requestResync).toHaveBeenCalledTimes(1);
    expect(lab.model.seq).toBe(4);

    // The snapshot fills the gap; held events after it are applied on the next frame.
    lab.batcher.applySnapshot(modelAfter(agents(1, 7)));
    lab.frames.frame();
    expect(lab.model.seq).toBe(9);
    expect(lab.model).toEqual(modelAfter(agents(1, 9)));
    expect(lab.batcher.awaitingSnapshot).toBe(false);
  });

  it('detects a gap between the model and the first event of a batch', () => {
    const lab = setup();
    lab.batcher.applySnapshot(modelAfter(agents(1, 10)));
    lab.batcher.pushEvents(agents(12, 3));
    lab.frames.frame();
    expect(lab.requestResync).toHaveBeenCalledTimes(1);
    expect(lab.model.seq).toBe(10);
    expect(lab.setModel).toHaveBeenCalledTimes(1); // only the snapshot
  });

  it('asks again when the snapshot does not come within the retry interval', () => {
    const lab = setup({ resyncRetryMs: 1000 });
    lab.batcher.applySnapshot(emptyModel());
    lab.batcher.pushEvents(agents(5, 1));
    lab.frames.frame();
    expect(lab.requestResync).toHaveBeenCalledTimes(1);

    lab.advance(999);
    lab.batcher.pushEvents(agents(6, 1));
    lab.frames.frame();
    expect(lab.requestResync).toHaveBeenCalledTimes(1);

    lab.advance(1);
    lab.batcher.pushEvents(agents(7, 1));
    lab.frames.frame();
    expect(lab.requestResync).toHaveBeenCalledTimes(2);
  });

  it('does not ask for a resync while the first snapshot (or one after a reconnect) is on its way', () => {
    const lab = setup();
    lab.batcher.pushEvents(agents(40, 2));
    lab.frames.frame();
    expect(lab.requestResync).not.toHaveBeenCalled();
    expect(lab.model.seq).toBe(0);

    lab.batcher.applySnapshot(modelAfter(agents(1, 40)));
    lab.frames.frame();
    expect(lab.model.seq).toBe(41);

    lab.batcher.expectSnapshot(); // e.g. the transport reconnected
    lab.batcher.pushEvents(agents(50, 1));
    lab.frames.frame();
    expect(lab.requestResync).not.toHaveBeenCalled();
  });

  it('sorts out-of-order batches and skips duplicates and events already applied', () => {
    const lab = setup();
    lab.batcher.applySnapshot(modelAfter(agents(1, 3)));
    lab.batcher.pushEvents([...agents(5, 2), ...agents(2, 3)]); // 5,6,2,3,4
    lab.batcher.pushEvents(agents(4, 3)); // 4,5,6 again
    lab.frames.frame();
    expect(lab.requestResync).not.toHaveBeenCalled();
    expect(lab.model).toEqual(modelAfter(agents(1, 6)));
  });

  it('applies at once instead of letting the queue grow past its bound', () => {
    const lab = setup({ maxQueued: 10 });
    lab.batcher.applySnapshot(emptyModel());
    lab.batcher.pushEvents(agents(1, 6));
    expect(lab.setModel).toHaveBeenCalledTimes(1);
    lab.batcher.pushEvents(agents(7, 6));
    expect(lab.setModel).toHaveBeenCalledTimes(2);
    expect(lab.model.seq).toBe(12);
    expect(lab.frames.scheduled).toBe(0);
  });

  it('drops held events past the bound and asks for a resync', () => {
    const lab = setup({ maxQueued: 10 });
    lab.batcher.applySnapshot(emptyModel());
    lab.batcher.pushEvents(agents(5, 4));
    lab.frames.frame();
    expect(lab.requestResync).toHaveBeenCalledTimes(1);
    lab.batcher.pushEvents(agents(9, 8));
    expect(lab.batcher.queued).toBe(0);
    expect(lab.requestResync).toHaveBeenCalledTimes(2);
    expect(lab.model.seq).toBe(0);
  });

  it('stops scheduling after dispose', () => {
    const lab = setup();
    lab.batcher.pushEvents(agents(1, 2));
    lab.batcher.dispose();
    expect(lab.frames.scheduled).toBe(0);
    expect(lab.batcher.queued).toBe(0);
  });
});

describe('animationFrameScheduler', () => {
  it('falls back to a 16 ms timer without requestAnimationFrame', () => {
    vi.useFakeTimers();
    expect(typeof globalThis.requestAnimationFrame).toBe('undefined');
    const schedule = animationFrameScheduler();
    const callback = vi.fn();
    schedule(callback);
    vi.advanceTimersByTime(FRAME_FALLBACK_MS - 1);
    expect(callback).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(callback).toHaveBeenCalledTimes(1);

    const cancelled = vi.fn();
    schedule(cancelled)();
    vi.advanceTimersByTime(100);
    expect(cancelled).not.toHaveBeenCalled();
  });

  it('uses requestAnimationFrame when there is one, once per request', () => {
    vi.useFakeTimers();
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => frames.push(cb));
    vi.stubGlobal('cancelAnimationFrame', () => {});
    try {
      const schedule = animationFrameScheduler();
      const callback = vi.fn();
      schedule(callback);
      expect(frames).toHaveLength(1);
      frames[0]?.(0);
      expect(callback).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(1000); // the backstop timer does not run it again
      expect(callback).toHaveBeenCalledTimes(1);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('still runs when frames stall (hidden window), via the backstop timer', () => {
    vi.useFakeTimers();
    vi.stubGlobal('requestAnimationFrame', () => 1);
    vi.stubGlobal('cancelAnimationFrame', () => {});
    try {
      const callback = vi.fn();
      animationFrameScheduler()(callback);
      vi.advanceTimersByTime(1000);
      expect(callback).toHaveBeenCalledTimes(1);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
