import { describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../src/shared/events';
import { buildReport } from '../../../src/main/engine/trace/report';

describe('the report and error events', () => {
  it('counts service.error and lab.error by code in its notes, including the ones left out', () => {
    const events: LabEvent[] = [
      {
        seq: 1,
        t: 0,
        kind: 'service.started',
        serviceId: 'ps1',
        url: 'http://x',
        profile: 'rfc8030',
      },
      {
        seq: 2,
        t: 5,
        kind: 'service.error',
        serviceId: 'ps1',
        method: 'POST',
        path: '/subscribe',
        code: 'ERR_INTERNAL',
        message: 'boom',
        suppressed: 4,
      },
      {
        seq: 3,
        t: 6,
        kind: 'lab.error',
        code: 'ERR_TRACE_OPEN',
        message: 'x',
        eventSeq: 2,
        eventKind: 'service.error',
        suppressed: 0,
      },
    ];
    const report = buildReport(events);
    expect(report.notes).toContain(
      'Errors in the lab (its events say which): service.error ERR_INTERNAL 5×, lab.error ERR_TRACE_OPEN 1×.',
    );
    expect(report.violations.count).toBe(0);
  });
});
