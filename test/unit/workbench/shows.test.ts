/**
 * Issue 11, shows: each show records its events once (one fold, one check), every command of
 * the contract has a handler in the one table, and a show that cannot do a command answers
 * with a stable code instead of the workbench branching on which show it is.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { commandSchema, type Command, type CommandType } from '../../../src/shared/commands';
import type { LabEvent } from '../../../src/shared/events';
import type * as SharedModel from '../../../src/shared/model';
import type { LabModel } from '../../../src/shared/model';
import type { Result } from '../../../src/shared/result';
import type { RunStatus } from '../../../src/shared/workbench';
import { InvariantChecker } from '../../../src/main/engine/trace/checker';
import { CHUNK_EVENTS } from '../../../src/main/engine/trace/timeline-events';
import { COMMAND_HANDLERS, type Handlers } from '../../../src/main/engine/workbench/commands';
import { SHOW_ERROR_CODES } from '../../../src/main/engine/workbench/shows/show';
import type { Workbench } from '../../../src/main/engine/workbench/workbench';
import { eventually } from '../../helpers/poll';
import { commandValue, examplesDir, workbenchPerTest } from '../../helpers/workbench';

/**
 * Events folded by the shared reducer, counted through wrappers around the real one: batches
 * (applyEvents) and the fold a Timeline keeps open as events are appended (ModelFold).
 */
const folded = vi.hoisted(() => ({ events: 0 }));
vi.mock('../../../src/shared/model', async (importOriginal) => {
  const actual = await importOriginal<typeof SharedModel>();
  class CountedFold extends actual.ModelFold {
    override apply(e: LabEvent): void {
      folded.events += 1;
      super.apply(e);
    }
  }
  return {
    ...actual,
    ModelFold: CountedFold,
    applyEvents: (model: LabModel, events: readonly LabEvent[]): LabModel => {
      folded.events += events.length;
      return actual.applyEvents(model, events);
    },
  };
});

let bench: Workbench;
workbenchPerTest('push-lab-shows-', (b) => (bench = b));
afterEach(() => vi.restoreAllMocks());

const value = <T>(command: Command): Promise<T> => commandValue<T>(bench, command);

async function code(command: Command): Promise<string | null> {
  const result: Result<unknown> = await bench.execute(command);
  return result.ok ? null : result.error.code;
}

/** The smoke scenario, busier: enough events that a timeline snapshot is taken on the way. */
async function busySmoke(): Promise<string> {
  const text = await readFile(path.join(examplesDir, 'smoke.yaml'), 'utf8');
  return text.replace('ratePerSecond: 0.5', 'ratePerSecond: 2');
}

async function runToEnd(text: string): Promise<RunStatus> {
  await value({ type: 'run.start', text, speed: 0 });
  return eventually(
    'the run to end',
    () => (['finished', 'failed'].includes(bench.status().state) ? bench.status() : null),
    { timeoutMs: 60_000 },
  );
}

describe('one recorder per show', () => {
  it('a scenario run folds each event into the model once (before: Timeline and ModelTracker)', async () => {
    const ended = await runToEnd(await busySmoke());
    expect(ended.state).toBe('finished');
    folded.events = 0;
    // What the run folded, counted from a fresh show of the same run.
    const again = await value<RunStatus>({ type: 'bundle.rerun' });
    expect(again.mode).toBe('run');
    const status = await eventually(
      'the rerun to end',
      () => (bench.status().state === 'finished' ? bench.status() : null),
      { timeoutMs: 60_000 },
    );
    const model = bench.snapshot();
    // Enough events that the timeline has folded its own snapshots on the way.
    expect(status.events).toBeGreaterThan(2 * CHUNK_EVENTS);
    expect(model.seq).toBe(status.events);
    expect(folded.events).toBe(status.events);
  }, 120_000);

  it('the sandbox checks each event once (before: Timeline and the Lab report builder)', async () => {
    const check = vi.spyOn(InvariantChecker.prototype, 'check');
    const before = bench.status().events;
    const checkedBefore = check.mock.calls.length;
    await value({ type: 'subscribe' });
    const [sub] = [...bench.snapshot().subscriptions.keys()];
    await value({ type: 'send', subscriptionId: sub!, ttlSeconds: 60, text: 'once' });
    await eventually('the message acked', () => bench.snapshot().counters.acked >= 1 || null);
    const recorded = bench.status().events - before;
    expect(recorded).toBeGreaterThan(3);
    expect(check.mock.calls.length - checkedBefore).toBe(recorded);
    // The report reads that one checker: no violation in a healthy sandbox.
    const report = await value<{ content: string }>({ type: 'report', format: 'json' });
    expect(JSON.parse(report.content)).toMatchObject({ violations: { count: 0 } });
  });
});

describe('the command table', () => {
  const types = commandSchema.options.map((o) => o.shape.type.value) as CommandType[];

  it('routes every command of the contract to a handler, and nothing else', () => {
    expect(types.length).toBeGreaterThan(30);
    for (const type of types) expect(typeof COMMAND_HANDLERS[type], type).toBe('function');
    expect(Object.keys(COMMAND_HANDLERS).sort()).toEqual([...types].sort());
  });

  it('answers a command that skipped validation with the contract code, naming the type', async () => {
    const result = await bench.execute({ type: 'nope' } as unknown as Command);
    expect(result).toMatchObject({ ok: false, error: { code: 'ERR_BAD_COMMAND' } });
    if (!result.ok)
      expect(result.error.message).toMatch(/^type: got "nope"; allowed one of snapshot, /);
  });

  it('does not compile without a handler for each command', () => {
    const { find: _find, ...withoutFind } = COMMAND_HANDLERS;
    // @ts-expect-error 'find' is missing: a table of handlers must cover every command type.
    const table: Handlers = withoutFind;
    expect(Object.keys(table)).not.toContain('find');
  });
});

describe('a show that cannot do a command', () => {
  const NOT_HERE = SHOW_ERROR_CODES.NOT_IN_THIS_SHOW;

  it('the sandbox: run controls and rerun answer with the stable code', async () => {
    for (const command of [
      { type: 'run.pause' },
      { type: 'run.step', count: 1 },
      { type: 'run.speed', speed: 2 },
      { type: 'bundle.rerun' },
    ] as Command[]) {
      expect(await code(command), command.type).toBe(NOT_HERE);
    }
    // What it can do still works.
    expect(await code({ type: 'subscribe' })).toBeNull();
  });

  it('a run: send and subscribe answer with the stable code; once ended, so do its controls', async () => {
    await runToEnd(await readFile(path.join(examplesDir, 'smoke.yaml'), 'utf8'));
    expect(await code({ type: 'subscribe' })).toBe(NOT_HERE);
    expect(await code({ type: 'send', subscriptionId: 'ps1.s1', ttlSeconds: 1 })).toBe(NOT_HERE);
    expect(await code({ type: 'run.resume' })).toBe(NOT_HERE);
    expect(await code({ type: 'run.stop' })).toBeNull();
  }, 90_000);

  it('a plain recording: send, run controls and rerun answer with the stable code', async () => {
    await value({ type: 'subscribe' });
    const saved = await value<{ path: string }>({ type: 'bundle.save', path: 'plain.jsonl.gz' });
    await value({ type: 'bundle.open', path: saved.path });
    expect(bench.status().mode).toBe('replay');
    for (const command of [
      { type: 'subscribe' },
      { type: 'run.resume' },
      { type: 'bundle.rerun' },
    ] as Command[]) {
      expect(await code(command), command.type).toBe(NOT_HERE);
    }
    // Its report is the recorder's, read once at open: the subscriptions it holds.
    const report = await value<{ content: string }>({ type: 'report', format: 'json' });
    expect(JSON.parse(report.content)).toMatchObject({ meta: { seed: null } });
    expect(bench.snapshot().subscriptions.size).toBe(2);
  });
});
