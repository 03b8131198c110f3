/**
 * Application-server traffic, planned up front from the seeded Rng: every send of a run
 * (when, to which target, with which TTL, urgency, topic and receipt request) is decided
 * before the run starts, so the same scenario and seed give the same schedule whatever the
 * clock does, and the schedule can be hashed.
 */
import type { Urgency } from '../../../shared/events';
import type { Rng } from '../rng/rng';

export type TrafficPattern =
  | { kind: 'constant'; ratePerSecond: number }
  | { kind: 'poisson'; ratePerSecond: number }
  | { kind: 'burst'; size: number; everyMs: number }
  | { kind: 'script'; sends: ScriptedSend[] };

export interface ScriptedSend {
  atMs: number;
  /** Index into the server's targets (modulo their count); random when absent. */
  target?: number;
  ttlSeconds?: number;
  urgency?: Urgency;
  topic?: string;
  receipt?: boolean;
  text?: string;
}

/** Shares of each choice; shares need not add up to 1 (they are weights). */
export interface TrafficMix {
  ttlSeconds: { value: number; share: number }[];
  urgency: Partial<Record<Urgency, number>>;
  /** Share of messages that carry a topic, and how many distinct topics there are. */
  topic: { share: number; count: number };
  receiptShare: number;
}

export interface PlannedSend {
  /** Clock ms after the traffic starts. */
  atMs: number;
  /** Raw target choice; taken modulo the number of targets when sent. */
  target: number;
  ttlSeconds: number;
  urgency: Urgency;
  topic: string | null;
  receipt: boolean;
  text: string;
}

export const DEFAULT_MIX: TrafficMix = {
  ttlSeconds: [{ value: 3600, share: 1 }],
  urgency: { normal: 1 },
  topic: { share: 0, count: 1 },
  receiptShare: 0,
};

/** Sends planned per server at most (a bound like every other). */
export const PLANNED_SENDS_MAX = 2_000_000;

export function planTraffic(
  pattern: TrafficPattern,
  mix: TrafficMix,
  window: { startMs: number; stopMs: number },
  rng: Rng,
  sendsMax = PLANNED_SENDS_MAX,
): PlannedSend[] {
  const times: { atMs: number; scripted?: ScriptedSend }[] = [];
  const { startMs, stopMs } = window;
  switch (pattern.kind) {
    case 'constant': {
      const gapMs = 1000 / pattern.ratePerSecond;
      for (let t = startMs; t < stopMs && times.length < sendsMax; t += gapMs)
        times.push({ atMs: t });
      break;
    }
    case 'poisson': {
      const meanMs = 1000 / pattern.ratePerSecond;
      for (
        let t = startMs + rng.exponential(meanMs);
        t < stopMs && times.length < sendsMax;
        t += rng.exponential(meanMs)
      ) {
        times.push({ atMs: t });
      }
      break;
    }
    case 'burst':
      for (let t = startMs; t < stopMs && times.length < sendsMax; t += pattern.everyMs) {
        for (let i = 0; i < pattern.size && times.length < sendsMax; i++) times.push({ atMs: t });
      }
      break;
    case 'script':
      for (const send of pattern.sends.slice(0, sendsMax))
        times.push({ atMs: send.atMs, scripted: send });
      times.sort((a, b) => a.atMs - b.atMs);
      break;
  }
  return times.map(({ atMs, scripted }, i) => {
    const topicChosen = rng.chance(mix.topic.share);
    const topicIndex = rng.int(Math.max(1, mix.topic.count));
    const plan: PlannedSend = {
      atMs: Math.round(atMs),
      target: scripted?.target ?? rng.nextUint32(),
      ttlSeconds:
        scripted?.ttlSeconds ??
        weighted(
          rng,
          mix.ttlSeconds.map((o) => [o.value, o.share]),
        ),
      urgency:
        scripted?.urgency ?? weighted(rng, Object.entries(mix.urgency) as [Urgency, number][]),
      topic: scripted?.topic ?? (topicChosen ? `topic${topicIndex}` : null),
      receipt: scripted?.receipt ?? rng.chance(mix.receiptShare),
      text: scripted?.text ?? `message ${i + 1}`,
    };
    return plan;
  });
}

/** Picks a value with probability proportional to its weight (the first when all are 0). */
export function weighted<T>(rng: Rng, options: readonly [T, number][]): T {
  const total = options.reduce((sum, [, w]) => sum + Math.max(0, w), 0);
  if (options.length === 0) throw new Error('weighted: no options');
  let x = rng.next() * total;
  for (const [value, w] of options) {
    x -= Math.max(0, w);
    if (x < 0) return value;
  }
  return options[0]![0];
}
