import { describe, expect, it, vi } from 'vitest';
import { createLabStore } from '../../../src/renderer/src/store/lab-store';
import { selectCurrentSubscriptionId } from '../../../src/renderer/src/store/selectors';
import type { LabEventBody } from '../../../src/shared/events';
import { agents, drivenClient as fakeClient, fakeFrames, modelAfter, stamp } from './fixtures';

const sub = (id: string): LabEventBody => ({
  kind: 'subscription.created',
  serviceId: 's1',
  subscriptionId: id,
  agentId: null,
  pushPath: `/p/${id}`,
});

describe('lab store', () => {
  it('tracks status and remembers having been connected', () => {
    const fake = fakeClient();
    const store = createLabStore(fake.client, { schedule: fakeFrames().schedule });
    expect(store.getState().status).toBe('connecting');
    expect(store.getState().hasConnected).toBe(false);
    fake.status('open');
    expect(store.getState()).toMatchObject({ status: 'open', hasConnected: true });
    fake.status('closed');
    expect(store.getState()).toMatchObject({ status: 'closed', hasConnected: true });
  });

  it('updates the model once per frame and stamps when it changed', () => {
    const fake = fakeClient();
    const frames = fakeFrames();
    let clock = 100;
    const store = createLabStore(fake.client, { schedule: frames.schedule, now: () => clock });
    const updates = vi.fn();
    store.subscribe(updates);

    fake.status('open');
    fake.snapshot(modelAfter(agents(1, 2)));
    updates.mockClear();
    fake.events(agents(3, 2));
    fake.events(agents(5, 2));
    expect(updates).not.toHaveBeenCalled();
    clock = 250;
    frames.frame();
    expect(updates).toHaveBeenCalledTimes(1);
    expect(store.getState().model.seq).toBe(6);
    expect(store.getState().modelAt).toBe(250);
  });

  it('asks the client for a resync on a gap, but not while a reconnect snapshot is due', () => {
    const fake = fakeClient();
    const frames = fakeFrames();
    createLabStore(fake.client, { schedule: frames.schedule });
    fake.status('open');
    fake.snapshot(modelAfter(agents(1, 2)));
    fake.events(agents(5, 1));
    frames.frame();
    expect(fake.client.resync).toHaveBeenCalledTimes(1);

    const fake2 = fakeClient();
    const frames2 = fakeFrames();
    createLabStore(fake2.client, { schedule: frames2.schedule });
    fake2.status('open');
    fake2.snapshot(modelAfter(agents(1, 2)));
    fake2.status('closed');
    fake2.status('connecting');
    fake2.status('open');
    fake2.events(agents(9, 1));
    frames2.frame();
    expect(fake2.client.resync).not.toHaveBeenCalled();
  });

  it('shows the selected subscription, else the first active one', () => {
    const fake = fakeClient();
    const store = createLabStore(fake.client, { schedule: fakeFrames().schedule });
    expect(selectCurrentSubscriptionId(store.getState())).toBeNull();

    const events = stamp(1, [
      { kind: 'service.started', serviceId: 's1', url: 'https://x', profile: 'rfc8030' },
      sub('a'),
      sub('b'),
      sub('c'),
      { kind: 'subscription.deleted', subscriptionId: 'a', reason: 'unsubscribed' },
    ]);
    fake.snapshot(modelAfter(events));
    expect(selectCurrentSubscriptionId(store.getState())).toBe('b');
    store.getState().actions.selectSubscription('c');
    expect(selectCurrentSubscriptionId(store.getState())).toBe('c');
    store.getState().actions.selectSubscription('gone');
    expect(selectCurrentSubscriptionId(store.getState())).toBe('b');
  });

  it('sends through the client and disposes cleanly', async () => {
    const fake = fakeClient();
    const store = createLabStore(fake.client, { schedule: fakeFrames().schedule });
    const result = await store
      .getState()
      .actions.send({ subscriptionId: 'b', ttlSeconds: 60, text: 'hi' });
    expect(result).toEqual({ ok: true, value: { status: 201, messageId: 'm1', detail: null } });
    expect(fake.client.call).toHaveBeenCalledWith({
      type: 'send',
      subscriptionId: 'b',
      ttlSeconds: 60,
      text: 'hi',
    });

    store.getState().actions.dispose();
    expect(fake.listeners()).toBe(0);
    expect(fake.client.close).toHaveBeenCalledTimes(1);
  });
});
