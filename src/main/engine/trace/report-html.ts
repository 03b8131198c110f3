/**
 * The report as one self-contained HTML page to attach to a bug report: inline CSS, no
 * scripts, no external assets; tables plus a small inline SVG latency histogram per row.
 * Every piece of text from the report (ids, labels, sentences, meta) goes through escapeHtml.
 */
import { formatDuration, formatJoules } from '../../../shared/format';
import { naturalCompare } from '../../../shared/natural-order';
import { CHECKER_RULES } from './checker-rules';
import type { HistogramBin } from './latency';
import { markersSection } from './report-markers';
import type { Report } from './report-types';
import type { MessageStats } from './report-rows';

export interface ReportHtmlOptions {
  /** Page title; default "Push Lab report" plus the scenario name. */
  title?: string;
}

/** Escapes text for HTML element content and double- or single-quoted attributes. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d232b;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.meta{color:#5a6470}.ok{color:#17803d;font-weight:600}.bad{color:#b42318;font-weight:600}
table{border-collapse:collapse;margin:4px 0 12px;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d6dbe1;padding:3px 8px;text-align:right;vertical-align:top}
th{background:#f3f5f7}td.l,th.l{text-align:left}
.hists{display:flex;flex-wrap:wrap;gap:16px}.hist{border:1px solid #d6dbe1;padding:6px}
.hist b{display:block;font-size:12px;margin-bottom:2px}svg text{font:10px system-ui,sans-serif;fill:#5a6470}
ul.notes li{color:#5a6470}
.headline{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}.fig{border:1px solid #d6dbe1;padding:6px 12px;min-width:7em}
.fig b{display:block;font-size:20px;font-variant-numeric:tabular-nums}.fig span{color:#5a6470;font-size:12px}
.fig.ok b{color:#17803d}.fig.bad b{color:#b42318}`;

/** Renders the whole page. */
export function renderReportHtml(report: Report, options: ReportHtmlOptions = {}): string {
  const scenario = report.meta?.scenario ?? null;
  const title = options.title ?? `Push Lab report${scenario ? ` — ${scenario}` : ''}`;
  const parts = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title><style>${CSS}</style></head><body>`,
    `<h1>${escapeHtml(title)}</h1>`,
    metaLine(report),
    headlineSection(report),
    violationsSection(report),
    markersSection(report),
    messagesSection(report),
    sendersSection(report),
    receiptsSection(report),
    energySection(report),
    linksSection(report),
    histogramsSection(report),
    report.notes.length > 0
      ? `<h2>Notes</h2><ul class="notes">${report.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`
      : '',
    '</body></html>',
  ];
  return parts.filter((p) => p !== '').join('\n') + '\n';
}

function metaLine(r: Report): string {
  const bits: string[] = [];
  if (r.meta) {
    bits.push(`scenario ${r.meta.scenario ?? '(none)'}`, `seed ${r.meta.seed ?? '(none)'}`);
    bits.push(`clock ${r.meta.clockMode}`, `Push Lab ${r.meta.pushLabVersion}`);
  }
  if (r.scheduleHash !== null) bits.push(`schedule hash ${r.scheduleHash}`);
  const s = r.span;
  bits.push(`${s.eventCount} events`);
  if (s.firstSeq !== null)
    bits.push(
      `seq ${s.firstSeq}–${s.lastSeq}`,
      // Lab time as a person reads it; the wall-clock start once, for a real or scaled run.
      `${formatDuration(s.durationMs ?? 0)} of lab time from ${new Date(s.firstT!)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC')}`,
    );
  return `<p class="meta">${escapeHtml(bits.join(' · '))}</p>`;
}

/**
 * What a reader wants first, in one line of figures: the verdict, how much was delivered, how
 * fast, what was lost, and the energy spent — each taken from the sections below.
 */
function headlineSection(r: Report): string {
  const t = r.totals;
  const figure = (label: string, value: string, tone = ''): string =>
    `<div class="fig${tone}"><b>${escapeHtml(value)}</b><span>${escapeHtml(label)}</span></div>`;
  const figures = [
    r.violations.count === 0
      ? figure('invariant violations', '0', ' ok')
      : figure('invariant violations', String(r.violations.count), ' bad'),
    figure(
      `delivered (${t.delivered.toLocaleString('en-US')} of ${t.accepted.toLocaleString('en-US')})`,
      t.deliveryRatio === null ? '–' : `${Math.round(t.deliveryRatio * 1000) / 10} %`,
    ),
    figure('latency p50', t.latencyMs.p50 === null ? '–' : formatDuration(t.latencyMs.p50)),
    figure('latency p99', t.latencyMs.p99 === null ? '–' : formatDuration(t.latencyMs.p99)),
    figure('lost', t.lost.toLocaleString('en-US'), t.lost > 0 ? ' bad' : ''),
    ...(r.energy ? [figure('energy', formatJoules(r.energy.joulesTotal))] : []),
  ];
  return `<div class="headline" data-testid="report-headline">${figures.join('')}</div>`;
}

function violationsSection(r: Report): string {
  const v = r.violations;
  const verdict =
    v.count === 0
      ? '<p class="ok">No invariant violations.</p>'
      : `<p class="bad">${v.count} invariant violation(s).</p>`;
  const rules = table(
    ['Rule', 'Title', 'Violations'],
    CHECKER_RULES.map((rule) => [`${rule.letter}. ${rule.id}`, rule.title, v.countByRule[rule.id]]),
    2,
  );
  const listed =
    v.listed.length === 0
      ? ''
      : table(
          ['Rule', 'Message', 'Subscription', 'Seqs', 't (ms)', 'What happened'],
          v.listed.map((x) => [
            x.rule,
            x.messageId ?? '',
            x.subscriptionId ?? '',
            x.seqs.join(', '),
            x.t,
            x.sentence,
          ]),
          3,
          [5],
        );
  return `<h2>Invariants</h2>${verdict}${rules}${listed}`;
}

const STAT_HEADS = [
  'Accepted',
  'Delivered',
  'Ratio',
  'p50 ms',
  'p90 ms',
  'p99 ms',
  'Max ms',
  'Stale',
  'Acked',
  'Expired',
  'Replaced',
  'Dropped',
  'Lost',
  'Still queued',
  'Redeliveries',
  'Duplicates',
];

function statCells(s: MessageStats): Cell[] {
  const l = s.latencyMs;
  return [
    s.accepted,
    s.delivered,
    s.deliveryRatio,
    l.p50,
    l.p90,
    l.p99,
    l.max,
    s.stale,
    s.acked,
    s.expired,
    s.replaced,
    s.dropped,
    s.lost,
    s.stillQueued,
    s.redeliveries,
    s.duplicates,
  ];
}

function messagesSection(r: Report): string {
  const services = table(
    [
      'Push service',
      'Profile',
      ...STAT_HEADS,
      'Rejected',
      'Receipts sent',
      'Connections',
      'Disconnects',
    ],
    [
      ['(all)', '', ...statCells(r.totals), '', '', '', ''],
      ...r.services.map((s) => [
        s.serviceId,
        s.profile ?? '',
        ...statCells(s),
        counts(s.rejectedByStatus),
        counts(s.receiptsSentByStatus),
        s.connectionsOpened,
        s.disconnects,
      ]),
    ],
    2,
  );
  const classes =
    r.classes.length === 0
      ? ''
      : table(
          [
            'Agent class',
            'Agents',
            ...STAT_HEADS,
            'Connections',
            'Disconnects',
            'Joules',
            'J / delivered',
          ],
          r.classes.map((c) => [
            c.agentClass,
            c.agentCount,
            ...statCells(c),
            c.connectionsOpened,
            c.disconnects,
            c.joules,
            c.joulesPerDeliveredMessage,
          ]),
          1,
        );
  return `<h2>Messages</h2>${services}${classes}`;
}

function sendersSection(r: Report): string {
  if (r.senders.length === 0) return '';
  return `<h2>Application servers</h2>${table(
    [
      'Sender',
      'Label',
      'Attempts',
      'Retries',
      'Responses',
      'Rejected',
      'Accepted',
      'Delivered',
      'Ratio',
      'p50 ms',
      'Receipts received',
    ],
    r.senders.map((s) => [
      s.agentId,
      s.label,
      s.sendAttempts,
      s.retries,
      counts(s.responsesByStatus),
      counts(s.rejectedByStatus),
      s.accepted,
      s.delivered,
      s.deliveryRatio,
      s.latencyMs.p50,
      counts(s.receiptsReceivedByStatus),
    ]),
    2,
  )}`;
}

function receiptsSection(r: Report): string {
  return `<h2>Receipts</h2>${table(['Sent', 'Received'], [[counts(r.receipts.sentByStatus), counts(r.receipts.receivedByStatus)]], 0)}`;
}

function energySection(r: Report): string {
  if (!r.energy) return '';
  const e = r.energy;
  const byClass = Object.entries(e.byClass).map(([name, joules]): Cell[] => [name, joules]);
  return `<h2>Energy</h2>${table(['Total joules', 'J / delivered message'], [[e.joulesTotal, e.joulesPerDeliveredMessage]], 0)}${
    byClass.length > 0 ? table(['Energy class', 'Joules'], byClass, 1) : ''
  }`;
}

function linksSection(r: Report): string {
  if (!r.links) return '';
  const ids = [
    ...new Set([...Object.keys(r.links.resetsById), ...Object.keys(r.links.countersById)]),
  ].sort(naturalCompare);
  return `<h2>Links</h2>${table(
    ['Link', 'Resets', 'Counters'],
    ids.map((id) => [id, r.links!.resetsById[id] ?? 0, counts(r.links!.countersById[id] ?? {})]),
    1,
  )}`;
}

function histogramsSection(r: Report): string {
  const rows: [string, MessageStats][] = [
    ['all services', r.totals],
    ...r.services.map((s): [string, MessageStats] => [`service ${s.serviceId}`, s]),
    ...r.classes.map((c): [string, MessageStats] => [`class ${c.agentClass}`, c]),
  ];
  const figures = rows
    .filter(([, s]) => s.latencyHistogram.length > 0)
    .map(([name, s]) => histogramSvg(name, s.latencyHistogram));
  if (figures.length === 0) return '';
  return `<h2>Delivery latency (accepted → first delivery)</h2><div class="hists">${figures.join('')}</div>`;
}

/** A bar chart of one row's latency bins; each bar's <title> gives its range and count. */
function histogramSvg(name: string, bins: HistogramBin[]): string {
  const barW = 22;
  const gap = 2;
  const plotH = 80;
  const width = bins.length * (barW + gap) + gap;
  const height = plotH + 30;
  const top = Math.max(1, ...bins.map((b) => b.count));
  const bars = bins.map((b, i) => {
    const h = Math.round((b.count / top) * plotH);
    const x = gap + i * (barW + gap);
    const range = `${formatDuration(b.fromMs)}–${formatDuration(b.toMs)}`;
    return (
      `<g><title>${escapeHtml(`${range}: ${b.count}`)}</title>` +
      `<rect x="${x}" y="${12 + plotH - h}" width="${barW}" height="${h}" fill="#3b6fd8"></rect>` +
      (b.count > 0
        ? `<text x="${x + barW / 2}" y="${10 + plotH - h}" text-anchor="middle">${b.count}</text>`
        : '') +
      `<text x="${x}" y="${height - 4}">${escapeHtml(formatDuration(b.fromMs))}</text></g>`
    );
  });
  return (
    `<div class="hist"><b>${escapeHtml(name)}</b>` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width + 24}" height="${height}" role="img" aria-label="${escapeHtml(`latency histogram, ${name}`)}">` +
    `${bars.join('')}</svg></div>`
  );
}

type Cell = string | number | null;

/** A table; the first `leftCols` columns (and any in `leftAlso`) are left-aligned text. */
function table(heads: string[], rows: Cell[][], leftCols: number, leftAlso: number[] = []): string {
  const left = (i: number): string => (i < leftCols || leftAlso.includes(i) ? ' class="l"' : '');
  const head = heads.map((h, i) => `<th${left(i)}>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map(
      (row) =>
        `<tr>${row.map((c, i) => `<td${left(i)}>${escapeHtml(c === null ? '–' : String(c))}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** {"204": 3, "410": 1} → "204: 3, 410: 1". */
function counts(record: Record<string, number>): string {
  return Object.entries(record)
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ');
}
