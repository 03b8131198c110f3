/**
 * A world's application servers take sender secrets made ahead on a worker thread once they
 * have sent enough messages; whether a secret was ready is up to the wall clock, so nothing
 * the lab records may depend on it: the same seed gives the same event stream with the worker
 * serving most sends and with it serving none.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SenderSecrets } from '../../../src/main/engine/agents/sender-secrets';
import { validateScenario } from '../../../src/main/engine/scenario/load';
import { runScenario } from '../../../src/main/engine/scenario/run';

const loaded = validateScenario({
  name: 'enough sends to start the sender-secret worker',
  seed: 7,
  duration: '40s',
  services: [{ id: 'ps1' }],
  links: [{ id: 'cell', preset: 'fast-4g' }],
  userAgents: [{ id: 'phone', count: 4, service: 'ps1', link: 'cell' }],
  appServers: [
    {
      id: 'app',
      service: 'ps1',
      targets: ['phone'],
      traffic: { pattern: 'constant', ratePerSecond: 10 },
      mix: { ttl: [{ value: 60, share: 1 }], receiptShare: 0.2 },
    },
  ],
});

async function digestOfRun(): Promise<{ digest: string; events: number }> {
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  const hash = createHash('sha256');
  let events = 0;
  await runScenario(
    loaded.scenario,
    {},
    {
      onEvent: (e) => {
        events += 1;
        hash.update(`${JSON.stringify(e)}\n`);
      },
    },
  );
  return { digest: hash.digest('hex'), events };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('sender secrets made ahead in a scenario run', () => {
  it('serve sends and leave the event stream as it is without them', async () => {
    const take = SenderSecrets.prototype.take;
    let served = 0;
    vi.spyOn(SenderSecrets.prototype, 'take').mockImplementation(function (
      this: SenderSecrets,
      key: Uint8Array,
    ) {
      const secret = take.call(this, key);
      if (secret) served += 1;
      return secret;
    });
    const withWorker = await digestOfRun();
    expect(served).toBeGreaterThan(0);

    vi.restoreAllMocks();
    vi.spyOn(SenderSecrets.prototype, 'take').mockReturnValue(null);
    const without = await digestOfRun();

    expect(withWorker.events).toBeGreaterThan(400); // 400 sends, each with its events
    expect(without).toEqual(withWorker);
  }, 120_000);
});
