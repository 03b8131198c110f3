import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../../src/shared/commands';
import type { MessageDetail, RunStatus } from '../../../src/shared/workbench';
import type { Workbench } from '../../../src/main/engine/workbench/workbench';
import { eventually } from '../../helpers/poll';
import { commandValue, workbenchPerTest } from '../../helpers/workbench';

let bench: Workbench;
workbenchPerTest('push-lab-inspect-', (b) => (bench = b));

/** Ids in a model table, whatever its in-memory form (its JSON is a plain record). */
const idsOf = (table: unknown): string[] =>
  Object.keys(JSON.parse(JSON.stringify(table)) as object);

const value = <T>(command: Command): Promise<T> => commandValue<T>(bench, command);

describe('the inspector: a message body, decrypted with its holder keys', () => {
  it('in the sandbox: the ciphertext as received and the plaintext the user agent reads', async () => {
    const subscriptionId = idsOf(bench.snapshot().subscriptions)[0]!;
    const sent = await value<{ messageId: string }>({
      type: 'send',
      subscriptionId,
      ttlSeconds: 60,
      text: 'Meet at the usual place',
    });
    const detail = await value<MessageDetail>({ type: 'message', messageId: sent.messageId });
    expect(detail).toMatchObject({
      subscriptionId,
      decryption: 'ok',
      plaintext: 'Meet at the usual place',
      holderId: 'ua1',
      ttlRequestedSeconds: 60,
      contentHeaders: { 'content-encoding': 'aes128gcm' },
    });
    expect(detail.bodyHex).toHaveLength(detail.bytes * 2);
    // RFC 8188 header: 16-octet salt, then the record size 4096 (00001000).
    expect(detail.bodyHex.slice(32, 40)).toBe('00001000');
    const missing = await bench.execute({ type: 'message', messageId: 'ps1.m999' });
    expect(!missing.ok && missing.error.message).toMatch(
      /"ps1\.m999" is not among the last messages kept/,
    );
  });

  it('in a scenario run: messages of the plan, decrypted with the phone that holds them', async () => {
    const text = await readFile(path.resolve('resources/scenarios/smoke.yaml'), 'utf8');
    await value<RunStatus>({ type: 'run.start', text, speed: 0 });
    await eventually('the run to finish', () => bench.status().state === 'finished', {
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    const messageId = idsOf(bench.snapshot().messages)[0]!;
    const detail = await value<MessageDetail>({ type: 'message', messageId });
    expect(detail.decryption).toBe('ok');
    expect(detail.plaintext).toMatch(/^message \d+/);
    expect(detail.holderId).toMatch(/^phone-/);
  });
});

describe("the inspector reads a message through its profile's decoding", () => {
  it('draft-damaggio: unwraps the JSON envelope as the user agent does, then decrypts', async () => {
    const smoke = await readFile(path.resolve('resources/scenarios/smoke.yaml'), 'utf8');
    const text = smoke.replace('  - id: ps1\n', '  - id: ps1\n    profile: draft-damaggio\n');
    expect(text).toContain('profile: draft-damaggio');
    await value<RunStatus>({ type: 'run.start', text, speed: 0 });
    await eventually('the run to finish', () => bench.status().state === 'finished', {
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    const messageId = idsOf(bench.snapshot().messages)[0]!;
    const detail = await value<MessageDetail>({ type: 'message', messageId });
    // Before: the envelope {"encoding":"aes128gcm","data":…} shown as 'not-encrypted' text.
    expect(detail).toMatchObject({ decryption: 'ok', note: null });
    expect(detail.plaintext).toMatch(/^message \d+/);
    expect(detail.holderId).toMatch(/^phone-/);
  });
});
