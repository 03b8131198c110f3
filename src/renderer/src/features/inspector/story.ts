/**
 * A message's story, told from the raw events: accepted, each delivery attempt, receipt by
 * an agent (decrypted or not), ack, receipts, and how it ended. How it ended is the shared
 * lifecycle's verdict (its life is folded with the same step function as the model's), so an
 * end the lifecycle ignores (a second one) is told as ignored. Pure, so it is unit-tested.
 */
import { describeLegacy, type LabEvent, type LabEventKind } from '../../../../shared/events';
import { isEndEvent, stepMessage, type MessageLife } from '../../../../shared/lifecycle';
import { formatHttpStatus } from '../../format';
import { formatBytes, formatCount, formatDuration } from '../../../../shared/format';

export type StoryTone = 'ok' | 'bad' | 'warn' | 'info' | 'neutral';

export interface StoryStep {
  seq: number;
  t: number;
  kind: LabEventKind;
  title: string;
  details: [label: string, value: string][];
  tone: StoryTone;
}

export interface MessageStory {
  steps: StoryStep[];
  /** The text the user agent decrypted (first characters), from the first good receipt. */
  preview: string | null;
  /** False when the message's acceptance is older than the events kept. */
  complete: boolean;
  /** The message's life as the lifecycle folds these events; null when none is about it. */
  life: MessageLife | null;
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

/** A TTL as a person reads it, with the header's exact seconds when the unit is larger. */
export function ttlText(seconds: number): string {
  const read = formatDuration(seconds * 1000);
  return seconds >= 60 ? `${read} (${formatCount(seconds)} s)` : read;
}

/** The events about `messageId`, oldest first, as steps. */
export function buildStory(messageId: string, events: readonly LabEvent[]): MessageStory {
  const steps: StoryStep[] = [];
  let preview: string | null = null;
  let life: MessageLife | undefined;
  for (const e of events) {
    const about = 'messageId' in e && e.messageId === messageId;
    const replacing = e.kind === 'message.replaced' && e.byMessageId === messageId;
    if (!about && !replacing) continue;
    const before = life;
    if (about) life = stepMessage(life, e, true);
    /** An end after the end: the lifecycle keeps the first, so this one changed nothing. */
    const ignoredEnd = before?.end != null && life === before && isEndEvent(e) && !replacing;
    const ignored = ignoredEnd ? ` — ignored, it was already ${before.end}` : '';
    const step = (
      title: string,
      details: [string, string][] = [],
      tone: StoryTone = 'info',
    ): void => {
      steps.push({ seq: e.seq, t: e.t, kind: e.kind, title, details, tone });
    };
    switch (e.kind) {
      case 'message.accepted': {
        const ttl =
          e.ttlRequestedSeconds === e.ttlSeconds
            ? `${ttlText(e.ttlSeconds)}, as asked`
            : `${ttlText(e.ttlSeconds)} kept, asked ${ttlText(e.ttlRequestedSeconds)}`;
        step(`Accepted by ${e.serviceId}`, [
          ['TTL', ttl],
          ['Urgency', e.urgency],
          ['Topic', e.topic ?? '—'],
          ['Size', formatBytes(e.bytes)],
          ['Receipt requested', yesNo(e.receiptRequested)],
          ['Sender', e.senderId ?? 'not a lab agent'],
          ['Subscription', e.subscriptionId],
          ...(e.legacy?.length
            ? [['Sent with', describeLegacy(e.legacy)] as [string, string]]
            : []),
        ]);
        break;
      }
      case 'send.attempted':
        step(
          e.status === 0
            ? 'Send failed on the network'
            : `Sender got ${formatHttpStatus(e.status)}`,
          [
            ['Sender', e.agentId],
            ['Attempt', String(e.attempt)],
            ...(e.retryInMs === null
              ? []
              : [['Retry in', formatDuration(e.retryInMs)] as [string, string]]),
          ],
          e.status > 0 && e.status < 300 ? 'ok' : 'bad',
        );
        break;
      case 'message.pushed':
        step(
          e.attempt > 1 ? `Redelivered (attempt ${e.attempt})` : 'Pushed (attempt 1)',
          [['Monitor urgency filter', `≥ ${e.urgencyMin}`]],
          e.attempt > 1 ? 'warn' : 'info',
        );
        break;
      case 'message.received':
        if (preview === null && e.decryption !== 'failed' && !e.duplicate) preview = e.preview;
        step(
          `Received by ${e.agentId}${e.duplicate ? ' (duplicate)' : ''}`,
          [
            ['Duplicate', yesNo(e.duplicate)],
            ['Decryption', e.decryption],
            ['Preview', e.decryption === 'failed' ? '—' : e.preview],
            ['Size', formatBytes(e.bytes)],
          ],
          e.decryption === 'failed' ? 'bad' : e.duplicate ? 'warn' : 'ok',
        );
        break;
      case 'message.acknowledging':
        step(`${e.agentId} acknowledges (${e.policy})`, [['Ack policy', e.policy]], 'neutral');
        break;
      case 'device.delivered':
        step(
          `Delivered to device ${e.deviceId}`,
          [
            ['Gateway', e.gatewayId],
            ['Confirmed', yesNo(e.confirmed)],
          ],
          'ok',
        );
        break;
      case 'message.acked':
        step(`Acknowledged (DELETE)${ignored}`, [], ignoredEnd ? 'warn' : 'ok');
        break;
      case 'receipt.sent':
        step(`Receipt sent: ${e.status}`, [], e.status === 204 ? 'ok' : 'warn');
        break;
      case 'receipt.received':
        step(`Receipt received by ${e.agentId}: ${e.status}`, [], e.status === 204 ? 'ok' : 'warn');
        break;
      case 'message.expired':
        step(`Expired (TTL ran out)${ignored}`, [], ignoredEnd ? 'warn' : 'bad');
        break;
      case 'message.replaced':
        if (replacing) step(`Replaced earlier message ${e.messageId}`, [], 'neutral');
        else step(`Replaced by ${e.byMessageId}${ignored}`, [], ignoredEnd ? 'warn' : 'neutral');
        break;
      case 'message.dropped':
        step(`Dropped (${e.reason})${ignored}`, [], ignoredEnd ? 'warn' : 'bad');
        break;
      default:
        break;
    }
  }
  return { steps, preview, complete: life?.acceptedSeq != null, life: life ?? null };
}
