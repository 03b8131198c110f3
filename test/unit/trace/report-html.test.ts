/**
 * The HTML report: self-contained (no scripts, no external assets) and every id, label and
 * sentence escaped, so a hostile id cannot inject markup into a page attached to a bug.
 */
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../src/main/engine/trace/report';
import { escapeHtml, renderReportHtml } from '../../../src/main/engine/trace/report-html';
import { labelWidth } from '../../../src/main/engine/trace/report-histogram';
import { LabStream } from './lab-stream';
import { wideReport } from './wide-report';

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
      'delivered (1 of 1): 100.0%',
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

describe('a report a person reads', () => {
  const html = renderReportHtml(wideReport());
  const cells = [...html.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map(([, text]) => text!);
  const rows = (caption: string): string[][] => {
    const at = html.indexOf(caption);
    const tableHtml = html.slice(html.indexOf('<table>', at), html.indexOf('</table>', at));
    return [...tableHtml.matchAll(/<tr>(.*?)<\/tr>/g)].map(([, row]) =>
      [...row!.matchAll(/<t[hd][^>]*>([^<]*)<\/t[hd]>/g)].map(([, text]) => text!),
    );
  };

  it('writes every number through shared/format: no raw floats, no epoch milliseconds', () => {
    expect(cells.length).toBeGreaterThan(50);
    for (const text of cells) {
      expect(text).not.toMatch(/\d\.\d{4,}/);
      expect(text).not.toMatch(/\d{5,}/);
    }
    expect(cells).toContain('10.4 kJ');
    expect(html).not.toContain('10431.69');
    // Latencies in the unit a person reads (the slowest are minutes).
    expect(cells.some((text) => / min$/.test(text))).toBe(true);
  });

  it('counts by status as a table, one row per status, not one comma-separated cell', () => {
    expect(cells.some((text) => /\d+: \d+, /.test(text))).toBe(false);
    const receipts = rows('<h2>Receipts</h2>');
    expect(receipts[0]).toEqual(['Status', 'Sent', 'Received']);
    expect(receipts.slice(1).map((row) => row[0])).toEqual(['204', '410']);
    const sent = receipts.slice(1).reduce((sum, row) => sum + Number(row[1]), 0);
    expect(sent).toBe(Math.ceil(1000 / 7));
    const answers = rows('<h2>Application servers</h2><div').slice(0, 1);
    expect(answers[0]).toContain('Sender');
  });

  it('lists link counters as columns, in natural order, and names those zero on every link', () => {
    const links = rows('<h2>Links</h2>');
    expect(links[0]!.slice(0, 2)).toEqual(['Link', 'Resets']);
    const bytesUp = links[0]!.indexOf('bytes up delivered');
    expect(bytesUp).toBeGreaterThan(1);
    expect(links.slice(1).map((row) => row[0])).toEqual([
      'backbone',
      'cell:phone-2',
      'cell:phone-10',
      'wifi:phone-1',
    ]);
    expect(links[1]![bytesUp]).toBe('118 MiB');
    expect(links[1]).toContain('2,048');
    expect(html).toContain(
      'Zero on every link: backpressure pauses, bytes held, connections blackholed.',
    );
  });

  it('labels the histogram axis without two labels overlapping', () => {
    const svgs = [...html.matchAll(/<svg [^>]*>(.*?)<\/svg>/g)].map(([, body]) => body!);
    expect(svgs.length).toBeGreaterThan(1);
    for (const svg of svgs) {
      const labels = [...svg.matchAll(/<text class="axis" x="([\d.]+)"[^>]*>([^<]*)<\/text>/g)].map(
        ([, x, text]) => ({ x: Number(x), text: text! }),
      );
      expect(labels.length).toBeGreaterThan(2);
      for (let i = 1; i < labels.length; i += 1)
        expect(labels[i - 1]!.x + labelWidth(labels[i - 1]!.text)).toBeLessThan(labels[i]!.x);
    }
  });

  it('keeps each wide table in its own scrolling box and leaves a place for new sections', () => {
    expect(html.match(/<table>/g)!.length).toBe(html.match(/<div class="scroll"><table>/g)!.length);
    expect(html).toContain('.scroll{max-width:100%;overflow-x:auto');
  });
});
