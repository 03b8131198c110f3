/**
 * What the push core remembers of finished messages (push/recent.ts) is bounded the way its
 * BoundedMaps were: the last `countMax` distinct keys, the oldest forgotten first, a key added
 * again keeping its place; the archive and the token table answer with what was put.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/main/engine/clock/virtual';
import {
  ARCHIVED_MESSAGES_MAX,
  PushCore,
  RECENT_TOKENS_MAX,
} from '../../../src/main/engine/push/core';
import { MessageArchive, RecentKeys, RecentTokens } from '../../../src/main/engine/push/recent';
import { DEFAULT_SERVICE_LIMITS } from '../../../src/main/engine/push/types';
import { EventBus } from '../../../src/main/engine/trace/bus';

describe('RecentKeys', () => {
  it('holds the last countMax keys, forgetting the oldest first, and reuses its slots', () => {
    const keys = new RecentKeys<string>(3);
    const slots = ['a', 'b', 'c'].map((k) => keys.claim(k));
    expect(new Set(slots).size).toBe(3);
    expect(keys.size).toBe(3);
    const d = keys.claim('d');
    expect(d).toBe(keys.slotOf('d'));
    expect(slots).toContain(d);
    expect(keys.slotOf('a')).toBe(-1);
    expect(['b', 'c', 'd'].map((k) => keys.slotOf(k) >= 0)).toEqual([true, true, true]);
    expect(keys.size).toBe(3);
    expect(keys.forgottenCount).toBe(1);
  });

  it('a key added again keeps its slot and its place in the eviction order', () => {
    const keys = new RecentKeys<string>(2);
    const a = keys.claim('a');
    keys.claim('b');
    expect(keys.claim('a')).toBe(a);
    keys.claim('c'); // forgets a, the oldest insertion, as BoundedMap did
    expect(keys.slotOf('a')).toBe(-1);
    expect(keys.slotOf('b')).toBeGreaterThanOrEqual(0);
    expect(keys.forgottenCount).toBe(1);
  });

  it('stays within its bound over many insertions', () => {
    const keys = new RecentKeys<number>(100);
    for (let i = 0; i < 10_000; i++) keys.claim(i);
    expect(keys.size).toBe(100);
    expect(keys.slotOf(9_899)).toBe(-1);
    expect(keys.slotOf(9_900)).toBeGreaterThanOrEqual(0);
    expect(keys.forgottenCount).toBe(9_900);
  });

  it('refuses a bound that is not a positive integer, naming it', () => {
    expect(() => new RecentKeys(0)).toThrow(/countMax: got 0; allowed an integer of at least 1/);
  });
});

describe('MessageArchive and RecentTokens', () => {
  it('the archive answers with what was put, until the message is among the oldest forgotten', () => {
    const archive = new MessageArchive(2);
    const body = Buffer.from('ciphertext');
    archive.put('s.m1', 's.s1', body, { 'content-encoding': 'aes128gcm' }, 60);
    archive.set('s.m2', {
      subscriptionId: 's.s2',
      body: Buffer.from('x'),
      contentHeaders: {},
      ttlRequestedSeconds: 2 ** 31,
    });
    expect(archive.get('s.m1')).toEqual({
      subscriptionId: 's.s1',
      body,
      contentHeaders: { 'content-encoding': 'aes128gcm' },
      ttlRequestedSeconds: 60,
    });
    expect(archive.get('s.m2')?.ttlRequestedSeconds).toBe(2 ** 31);
    archive.put('s.m3', 's.s1', Buffer.alloc(0), {}, 0);
    expect(archive.get('s.m1')).toBeUndefined();
    expect(archive.get('s.m3')?.subscriptionId).toBe('s.s1');
    expect(archive.size).toBe(2);
  });

  it('the archive counts up to its bound, wraps, and answers an id put twice with the later put', () => {
    const archive = new MessageArchive(3);
    expect(archive.size).toBe(0);
    expect(archive.get('s.m1')).toBeUndefined();
    for (let i = 1; i <= 7; i++) archive.put(`s.m${i}`, 's.s1', Buffer.from([i]), {}, i);
    expect(archive.size).toBe(3);
    expect([4, 5, 6, 7].map((i) => archive.get(`s.m${i}`)?.ttlRequestedSeconds)).toEqual([
      undefined,
      5,
      6,
      7,
    ]);
    archive.put('s.m6', 's.s2', Buffer.from('again'), {}, 60);
    expect(archive.get('s.m6')).toMatchObject({ subscriptionId: 's.s2', ttlRequestedSeconds: 60 });
    expect(archive.get('s.m5')).toBeUndefined();
    expect(archive.size).toBe(3);
    expect(() => new MessageArchive(0)).toThrow(
      /countMax: got 0; allowed an integer of at least 1/,
    );
  });

  it('recent tokens name their message and subscription, null once forgotten', () => {
    const tokens = new RecentTokens(2);
    tokens.set('t1', 's.m1', 's.s1');
    tokens.set('t2', 's.m2', 's.s1');
    expect(tokens.get('t1')).toEqual({ messageId: 's.m1', subscriptionId: 's.s1' });
    tokens.set('t3', 's.m3', 's.s2');
    expect(tokens.get('t1')).toBeNull();
    expect(tokens.get('t3')).toEqual({ messageId: 's.m3', subscriptionId: 's.s2' });
    expect(tokens.get('never')).toBeNull();
  });
});

describe('PushCore keeps its recent memories bounded', () => {
  it('names the last RECENT_TOKENS_MAX tokens and archives the last ARCHIVED_MESSAGES_MAX bodies', () => {
    const clock = new VirtualClock(1_000_000);
    const bus = new EventBus(clock);
    const core = new PushCore('ps1', clock, bus, {
      ...DEFAULT_SERVICE_LIMITS,
      queueCountMax: RECENT_TOKENS_MAX + 10,
    });
    const sub = core.subscribe('ua1')!;
    const accepted: { messageId: string; messageToken: string }[] = [];
    for (let i = 0; i < RECENT_TOKENS_MAX + 1; i++) {
      const outcome = core.send(sub, {
        body: Buffer.from(`m${i}`),
        contentHeaders: {},
        ttlSeconds: 60,
        urgency: 'normal',
        topic: null,
        receiptSubscriptionId: null,
        senderId: null,
      });
      if (outcome.kind !== 'accepted') throw new Error(`send ${i}: ${outcome.kind}`);
      accepted.push(outcome);
    }
    const first = accepted[0]!;
    const last = accepted[accepted.length - 1]!;
    expect(core.identifyToken(first.messageToken)).toBeNull();
    expect(core.identifyToken(accepted[1]!.messageToken)).toEqual({
      messageId: accepted[1]!.messageId,
      subscriptionId: sub.id,
    });
    // Still named after it finished (acknowledged).
    expect(core.ack(last.messageToken)).toBe('acked');
    expect(core.identifyToken(last.messageToken)?.messageId).toBe(last.messageId);
    const oldestKept = accepted[accepted.length - ARCHIVED_MESSAGES_MAX]!;
    expect(core.archive.get(oldestKept.messageId)?.body.toString()).toBe(
      `m${RECENT_TOKENS_MAX + 1 - ARCHIVED_MESSAGES_MAX}`,
    );
    expect(core.archive.get(accepted[accepted.length - ARCHIVED_MESSAGES_MAX - 1]!.messageId)).toBe(
      undefined,
    );
    expect(core.archive.size).toBe(ARCHIVED_MESSAGES_MAX);
    core.close();
  });
});
