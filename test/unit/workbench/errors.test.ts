import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LabEvent } from '../../../src/shared/events';
import type { Result } from '../../../src/shared/result';
import type { RunStatus, SeekResult } from '../../../src/shared/workbench';
import { Timeline } from '../../../src/main/engine/trace/timeline';
import type { Workbench } from '../../../src/main/engine/workbench/workbench';
import { eventually } from '../../helpers/poll';
import { examplesDir, hostCall, workbenchPerTest } from '../../helpers/workbench';

let dir: string;
let bench: Workbench;
workbenchPerTest('push-lab-wb-errors-', (b, d) => ((bench = b), (dir = d)));
afterEach(() => vi.restoreAllMocks());

const call = (input: Record<string, unknown>): Promise<Result<unknown>> => hostCall(bench, input);

/** Polls the workbench's status (a paced run moves with the wall clock). */
async function until(predicate: (s: RunStatus) => boolean, timeoutMs = 60_000): Promise<void> {
  await eventually('the run status', () => predicate(bench.status()), { timeoutMs });
}

/** Every event the show's timeline holds. */
async function recorded(): Promise<LabEvent[]> {
  const result = await call({ type: 'seek', seq: bench.status().events, window: 20_000 });
  if (!result.ok) throw new Error(result.error.message);
  return (result.value as SeekResult).events;
}

describe('command failures keep their code', () => {
  it("a link that does not exist is the net layer's ERR_NET_UNKNOWN_LINK", async () => {
    const result = await call({ type: 'link.faults', linkIds: ['nope'], faults: [] });
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'ERR_NET_UNKNOWN_LINK',
        message: 'linkIds: no link "nope"; this lab has no links',
      },
    });
  });

  it('a recording that is a folder is ERR_FILE_NOT_REGULAR', async () => {
    await mkdir(path.join(dir, 'recordings', 'folder.jsonl.gz'), { recursive: true });
    const result = await call({ type: 'bundle.open', path: 'folder.jsonl.gz' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('ERR_FILE_NOT_REGULAR');
      expect(result.error.message).toMatch(/a recording must be a regular file/);
    }
  });

  it('only an unexpected error is ERR_INTERNAL, with its message', async () => {
    vi.spyOn(bench, 'snapshot').mockImplementation(() => {
      throw new TypeError("cannot read properties of undefined (reading 'x')");
    });
    expect(await call({ type: 'snapshot' })).toEqual({
      ok: false,
      error: { code: 'ERR_INTERNAL', message: "cannot read properties of undefined (reading 'x')" },
    });
  });
});

describe("the workbench's bus listener", () => {
  it('keeps recording and streaming to other clients when one client stream throws', async () => {
    bench.onEvent(() => {
      throw new Error('client gone');
    });
    const streamed: LabEvent[] = [];
    bench.onEvent((e) => streamed.push(e));
    const before = bench.status().events;
    expect((await call({ type: 'subscribe' })).ok).toBe(true);
    expect((await call({ type: 'subscribe' })).ok).toBe(true);
    const created = (events: LabEvent[]) =>
      events.filter((e) => e.kind === 'subscription.created').length;
    expect(created(streamed)).toBe(2);
    const events = await recorded();
    expect(events.length).toBeGreaterThan(before);
    expect(created(events.slice(before))).toBe(2);
    // The failure is in the recording, with the event it failed on.
    const failure = events.find((e) => e.kind === 'lab.error');
    expect(failure).toMatchObject({ code: 'ERR_INTERNAL', message: 'client gone' });
  });

  it('keeps streaming when the recording throws', async () => {
    const streamed: LabEvent[] = [];
    bench.onEvent((e) => streamed.push(e));
    vi.spyOn(Timeline.prototype, 'append').mockImplementation(() => {
      throw new RangeError('timeline broken');
    });
    expect((await call({ type: 'subscribe' })).ok).toBe(true);
    expect((await call({ type: 'subscribe' })).ok).toBe(true);
    expect(streamed.filter((e) => e.kind === 'subscription.created')).toHaveLength(2);
    expect(streamed.find((e) => e.kind === 'lab.error')).toMatchObject({
      code: 'ERR_INTERNAL',
      message: 'timeline broken',
    });
  });

  it('a scenario run records every event although a client stream throws on each', async () => {
    const streamed: LabEvent[] = [];
    bench.onEvent(() => {
      throw new Error('client gone');
    });
    bench.onEvent((e) => streamed.push(e));
    // The stream starts over with the run's show (what came before it is in its snapshot).
    bench.onReset(() => (streamed.length = 0));
    const text = await readFile(path.join(examplesDir, 'smoke.yaml'), 'utf8');
    expect((await call({ type: 'run.start', text, speed: 0 })).ok).toBe(true);
    await until((s) => s.state === 'finished' || s.state === 'failed');
    expect(bench.status().state).toBe('finished');
    const events = await recorded();
    // Every event of the run reached the recording and the healthy client, reports included.
    expect(events.length).toBeGreaterThan(100);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(streamed.length).toBeGreaterThan(events.length - 50);
    expect(streamed).toEqual(events.slice(events.length - streamed.length));
    expect(events.some((e) => e.kind === 'lab.error')).toBe(true);
  }, 90_000);
});
