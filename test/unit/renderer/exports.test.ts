import { describe, expect, it } from 'vitest';
import { csvField, subscriptionsCsv, toCsv } from '../../../src/renderer/src/features/exports/csv';
import { exportFilename } from '../../../src/renderer/src/features/exports/download';
import { styleText, svgDocument } from '../../../src/renderer/src/features/exports/svg';
import { Readable } from 'node:stream';
import {
  traceExport,
  toTraceJsonl,
  TRACE_TYPE,
  TRACE_VERSION,
  traceHeaderLine,
} from '../../../src/renderer/src/features/exports/trace';
import type { SubRow } from '../../../src/renderer/src/features/subscriptions/table';
import {
  TRACE_TYPE as ENGINE_TRACE_TYPE,
  TRACE_VERSION as ENGINE_TRACE_VERSION,
} from '../../../src/main/engine/trace/format';
import { TraceReader } from '../../../src/main/engine/trace/reader';
import type { RunStatus } from '../../../src/shared/workbench';
import { stamp } from './fixtures';

describe('trace export', () => {
  it('keeps the constants copied from the engine in step', () => {
    expect(TRACE_TYPE).toBe(ENGINE_TRACE_TYPE);
    expect(TRACE_VERSION).toBe(ENGINE_TRACE_VERSION);
  });

  it('writes the header line the trace reader expects', () => {
    expect(traceHeaderLine()).toBe(
      '{"type":"push-lab-trace","version":1,"scenario":null,"seed":null,"clockMode":"real","pushLabVersion":"0.1.0"}',
    );
  });

  it('writes one event a line, newline after each, events unchanged', () => {
    const events = stamp(1, [
      { kind: 'service.started', serviceId: 'ps1', url: 'https://x', profile: 'rfc8030' },
      { kind: 'message.acked', subscriptionId: 's1', messageId: 'm1' },
    ]);
    const text = toTraceJsonl(events);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: 'push-lab-trace', version: 1 });
    expect(lines.slice(1).map((l) => JSON.parse(l))).toEqual(events);
  });

  it("carries the show's scenario, seed and clock, read back by the engine's reader", async () => {
    const run: RunStatus = {
      mode: 'run',
      epoch: 3,
      name: 'Commute',
      scenario: 'Commute',
      state: 'paused',
      seed: 2015,
      clockMode: 'virtual',
      speed: 10,
      elapsedMs: 1000,
      durationMs: 60_000,
      events: 2,
      controllable: true,
      path: 'commute.yaml',
      canSave: true,
      canRerun: true,
      warning: null,
      error: null,
    };
    const recentEvents = stamp(1, [
      { kind: 'service.started', serviceId: 'ps1', url: 'https://x', profile: 'rfc8030' },
    ]);
    // Before: every export said {"scenario":null,"seed":null,"clockMode":"real"}.
    const text = traceExport({ recentEvents, run });
    const reader = await TraceReader.fromStream(Readable.from([text]), 'export.jsonl');
    expect(reader.header).toMatchObject({ scenario: 'Commute', seed: 2015, clockMode: 'virtual' });
    reader.close();
    // The sandbox (no scenario, no seed) and before any status: the interactive defaults.
    expect(JSON.parse(traceExport({ recentEvents, run: null }).split('\n')[0]!)).toMatchObject({
      scenario: null,
      seed: null,
      clockMode: 'real',
    });
  });

  it('is just the header for no events', () => {
    expect(toTraceJsonl([])).toBe(`${traceHeaderLine()}\n`);
  });
});

describe('CSV', () => {
  it('quotes only fields that need it, doubling quotes (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField(null)).toBe('');
    expect(csvField(42)).toBe('42');
    expect(csvField(false)).toBe('false');
  });

  it('ends every record with CRLF', () => {
    expect(
      toCsv([
        ['a', 'b'],
        [1, null],
      ]),
    ).toBe('a,b\r\n1,\r\n');
  });

  it('writes the subscription rows under a header, times in whole ms from the start', () => {
    const rows: SubRow[] = [
      {
        id: 'ps1.s1',
        owner: 'phone, "one"',
        profile: 'rfc8030',
        createdAt: 1100.4,
        outstanding: 2,
        lastDeliveryAt: 1500.5,
        state: 'active',
      },
      {
        id: 'ps1.s2',
        owner: null,
        profile: null,
        createdAt: 1200,
        outstanding: 0,
        lastDeliveryAt: null,
        state: 'deleted',
      },
    ];
    expect(subscriptionsCsv(rows, 1000).split('\r\n')).toEqual([
      'id,owner,profile,createdAt_ms,outstanding,lastDeliveryAt_ms,state',
      'ps1.s1,"phone, ""one""",rfc8030,100,2,501,active',
      'ps1.s2,,,200,0,,deleted',
      '',
    ]);
  });
});

describe('SVG export helpers', () => {
  it('builds a style attribute from the properties that have values', () => {
    const values: Record<string, string> = { fill: 'rgb(1, 2, 3)', stroke: ' none ', opacity: '' };
    expect(styleText((p) => values[p] ?? '', ['fill', 'stroke', 'opacity'])).toBe(
      'fill:rgb(1, 2, 3);stroke:none',
    );
  });

  it('adds the XML declaration and the SVG namespace once', () => {
    const doc = svgDocument('<svg width="10"><g/></svg>');
    expect(doc.startsWith('<?xml version="1.0"')).toBe(true);
    expect(doc).toContain('<svg xmlns="http://www.w3.org/2000/svg" width="10">');
    const again = svgDocument('<svg xmlns="http://www.w3.org/2000/svg" width="10"></svg>');
    expect(again.match(/xmlns=/g)).toHaveLength(1);
  });
});

describe('export file names', () => {
  it('stamps the local date and time', () => {
    expect(exportFilename('trace', 'jsonl', new Date(2025, 0, 2, 3, 4, 5))).toBe(
      'push-lab-trace-20250102-030405.jsonl',
    );
  });
});
