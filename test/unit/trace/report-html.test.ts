/**
 * The HTML report: self-contained (no scripts, no external assets) and every id, label and
 * sentence escaped, so a hostile id cannot inject markup into a page attached to a bug.
 */
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../src/main/engine/trace/report';
import { escapeHtml, renderReportHtml } from '../../../src/main/engine/trace/report-html';
import { LabStream } from './lab-stream';

const EVIL = '<script>alert(1)</script>';

function evilRun(): LabStream {
  const s = new LabStream()
    .service(0, `ps${EVIL}`)
    .agent(0, `ua${EVIL}`, 'user-agent')
    .agent(0, 'as1', 'app-server', `shop${EVIL}`);
  s.subscribe(0, 'sub', `ua${EVIL}`, `ps${EVIL}`);
  s.at(0, {
    kind: 'send.attempted',
    agentId: 'as1',
    subscriptionId: 'sub',
    status: 201,
    messageId: `m${EVIL}`,
    attempt: 1,
    retryInMs: null,
  });
  s.accept(0, `m${EVIL}`, {
    serviceId: `ps${EVIL}`,
    subscriptionId: 'sub',
    senderId: 'as1',
    ttlSeconds: 1,
  });
  s.push(0, `m${EVIL}`, 1, 'very-low', 'sub').receive(12, `m${EVIL}`, `ua${EVIL}`, false, 'sub');
  s.push(5, `ghost${EVIL}`); // a violation whose sentence carries the id
  return s;
}

describe('renderReportHtml', () => {
  const report = buildReport(evilRun().events, {
    endT: 5000,
    meta: {
      scenario: `scenario${EVIL}`,
      seed: 'seed"\'&',
      clockMode: 'virtual',
      pushLabVersion: '0.1.0',
    },
    extras: { links: { [`l${EVIL}`]: { bytes: 1 } } },
  });
  const html = renderReportHtml(report);

  it('escapes <script> in ids, labels, sentences and meta', () => {
    expect(html).not.toContain('<script');
    expect(html).not.toContain(EVIL);
    expect(html).toContain('ps&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('shop&lt;script&gt;');
    expect(html).toContain('ghost&lt;script&gt;');
    expect(html).toContain('l&lt;script&gt;');
    expect(html).toContain('seed&quot;&#39;&amp;');
    expect(html).toContain(
      '<title>Push Lab report — scenario&lt;script&gt;alert(1)&lt;/script&gt;</title>',
    );
  });

  it('is self-contained: inline CSS and SVG, no scripts, no external assets', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).toMatch(/<svg [^>]*>.*<rect /s);
    expect(html).not.toMatch(/\s(src|href)=/i);
    expect(html).not.toMatch(/<link|@import|url\(/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });

  it('shows the verdict, the tables and the numbers', () => {
    // The ghost push (bookkeeping) and the message never acked within its 1 s TTL (lost).
    expect(html).toContain('2 invariant violation(s).');
    expect(html).toContain('<th>Delivered</th>');
    expect(html).toContain('<th class="l">Push service</th>');
    expect(report.totals.delivered).toBe(1);
    expect(report.totals.stale).toBe(0);
  });

  it('lists links and agents in the order people read ids (phone-2 before phone-10)', () => {
    const run = new LabStream().service(0, 'ps1');
    for (const id of ['phone-10', 'phone-2', 'phone-1']) run.agent(0, id, 'user-agent');
    const linked = buildReport(run.events, {
      endT: 1000,
      extras: {
        links: {
          'cell:phone-10': { bytes: 1 },
          'cell:phone-2': { bytes: 1 },
          'cell:phone-1': { bytes: 1 },
        },
      },
    });
    expect(Object.keys(linked.links!.countersById)).toEqual([
      'cell:phone-1',
      'cell:phone-2',
      'cell:phone-10',
    ]);
    const page = renderReportHtml(linked);
    const order = ['cell:phone-1<', 'cell:phone-2<', 'cell:phone-10<'].map((id) =>
      page.indexOf(id),
    );
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('opens with a headline: verdict, delivered, latency, lost — before the sections', () => {
    const start = html.indexOf('data-testid="report-headline"');
    expect(start).toBeGreaterThan(0);
    expect(start).toBeLessThan(html.indexOf('invariant violation(s).'));
    const headline = html.slice(start, html.indexOf('</div></div>', start));
    const figures = [...headline.matchAll(/<b>([^<]*)<\/b><span>([^<]*)<\/span>/g)].map(
      ([, value, label]) => `${label}: ${value}`,
    );
    expect(figures).toEqual([
      'invariant violations: 2',
      'delivered (1 of 1): 100 %',
      `latency p50: ${report.totals.latencyMs.p50} ms`,
      `latency p99: ${report.totals.latencyMs.p99} ms`,
      `lost: ${report.totals.lost}`,
    ]);
    expect(report.totals.lost).toBe(1);
    // Its span in lab time as a person reads it, not epoch milliseconds.
    const meta = /<p class="meta">[^<]*/.exec(html)![0];
    expect(meta).toMatch(/ · \d+ ms of lab time from \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect(meta).not.toMatch(/\d{13}/);
  });

  it('escapeHtml covers the five special characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});
