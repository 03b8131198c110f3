/** The Recordings view's pure parts: the upload bound and encoding, and the diff's display. */
import { describe, expect, it } from 'vitest';
import {
  diffStartT,
  divergenceTarget,
  fieldRows,
  openSide,
  parseFigure,
} from '../../../src/renderer/src/features/recordings/diff-view';
import {
  base64Length,
  toBase64,
  UPLOAD_BYTES_MAX,
  uploadProblem,
} from '../../../src/renderer/src/features/recordings/upload';
import type { LabEvent } from '../../../src/shared/events';
import type { DiffResult, RunStatus } from '../../../src/shared/workbench';

describe('bundle upload', () => {
  it('allows exactly the files the contract allows', () => {
    expect(uploadProblem('run.plb', UPLOAD_BYTES_MAX)).toBeNull();
    expect(uploadProblem('run.plb', UPLOAD_BYTES_MAX + 1)).toBe(
      'run.plb is 64.1 MiB; an upload may have at most 64.0 MiB. Put it in the recordings folder and open it by name instead.',
    );
    expect(uploadProblem('big.plb', 70 * 1_048_576)).toMatch(/^big\.plb is 70\.0 MiB; .*at most/);
    expect(uploadProblem('empty.plb', 0)).toBe('empty.plb is empty: it is not a recording.');
  });

  it('encodes base64 as the standard does, across chunk boundaries', () => {
    for (const size of [0, 1, 2, 3, 49_151, 49_152, 49_153, 150_001]) {
      const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 7919) % 256);
      const encoded = toBase64(bytes);
      expect(encoded).toBe(Buffer.from(bytes).toString('base64'));
      expect(encoded.length).toBe(base64Length(size));
    }
  });
});

const event = (fields: Record<string, unknown>) => fields as unknown as LabEvent;

const diff = (over: Partial<DiffResult> = {}): DiffResult => ({
  a: '/tmp/runs/failure.plb',
  b: '/tmp/runs/again.plb',
  sameScenario: true,
  divergence: {
    index: 41,
    t: 1234,
    a: event({ kind: 'message.pushed', messageId: 'ps1.m4', attempt: 1, seq: 42, t: 1_001_234 }),
    b: event({ kind: 'message.expired', messageId: 'ps1.m4', seq: 42, t: 1_001_300 }),
    fields: ['kind', 't', 'attempt'],
  },
  figures: ['totals.expired: 0 → 1'],
  eventsA: 100,
  eventsB: 99,
  warnings: [],
  ...over,
});

describe('diff display', () => {
  it('splits a figure line into its name and both values', () => {
    expect(parseFigure('totals.expired: 0 → 1')).toEqual({
      figure: 'totals.expired',
      a: '0',
      b: '1',
    });
    expect(parseFigure('latency p50: 8.5 ms → 12 ms')).toEqual({
      figure: 'latency p50',
      a: '8.5 ms',
      b: '12 ms',
    });
    expect(parseFigure('something else')).toEqual({ figure: 'something else', a: '', b: '' });
  });

  it('lines up both events field by field and marks the fields that differ', () => {
    const d = diff().divergence!;
    const rows = fieldRows(d.a, d.b, d.fields);
    expect(rows.map((r) => [r.key, r.differs])).toEqual([
      ['kind', true],
      ['messageId', false],
      ['attempt', true],
      ['seq', false],
      ['t', true],
    ]);
    expect(rows.find((r) => r.key === 'attempt')).toMatchObject({ a: '1', b: null });
    expect(rows.find((r) => r.key === 'kind')).toMatchObject({
      a: '"message.pushed"',
      b: '"message.expired"',
    });
  });

  it('writes t as a lab offset from the first event, exact only where the offsets read alike', () => {
    const result = diff();
    expect(diffStartT(result)).toBe(1_000_000);
    const t = fieldRows(result.divergence!.a, result.divergence!.b, ['t'], 1_000_000).find(
      (r) => r.key === 't',
    );
    expect(t).toMatchObject({ a: '+00:01.2', b: '+00:01.3', differs: true });
    const close = fieldRows(event({ t: 1_001_234.5 }), event({ t: 1_001_234.25 }), [], 1_000_000);
    expect(close[0]).toMatchObject({
      a: '+00:01.2 (1.2345 s)',
      b: '+00:01.2 (1.2343 s)',
      differs: true,
    });
    // Without a start, the raw value as before.
    expect(fieldRows(result.divergence!.a, null, [])[4]).toMatchObject({ key: 't', a: '1001234' });
  });

  it('marks a nested field the diff names, and fields of an event that is missing', () => {
    const a = event({ kind: 'x', detail: { n: 1 }, seq: 1, t: 0 });
    const b = event({ kind: 'x', detail: { n: 1 }, seq: 1, t: 0 });
    expect(fieldRows(a, b, ['detail.n']).find((r) => r.key === 'detail')?.differs).toBe(true);
    expect(fieldRows(a, null, []).every((r) => r.differs && r.b === null)).toBe(true);
  });

  it('knows which side is open and where "Show in flows" travels', () => {
    const run = (over: Partial<RunStatus>) =>
      ({ mode: 'replay', path: null, name: null, ...over }) as RunStatus;
    expect(openSide(diff(), run({ path: '/tmp/runs/again.plb' }))).toBe('b');
    expect(openSide(diff(), run({ name: 'failure.plb' }))).toBe('a');
    expect(openSide(diff(), run({ name: 'other.plb' }))).toBeNull();
    expect(openSide(diff(), run({ mode: 'run', name: 'failure.plb' }))).toBeNull();
    expect(openSide(diff(), null)).toBeNull();

    expect(divergenceTarget(diff(), 'a')).toEqual({ seq: 42, messageId: 'ps1.m4' });
    const ended = diff({
      divergence: {
        index: 99,
        t: 5000,
        a: null,
        b: event({ kind: 'message.acked', messageId: 'm9', seq: 100, t: 9 }),
        fields: [],
      },
    });
    // A's recording ended there: travel to index + 1 (the seek clamps it to A's last event).
    expect(divergenceTarget(ended, 'a')).toEqual({ seq: 100, messageId: 'm9' });
    expect(divergenceTarget(diff({ divergence: null }), 'a')).toBeNull();
  });
});
