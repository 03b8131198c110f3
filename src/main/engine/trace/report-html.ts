/**
 * The report as one self-contained HTML page to attach to a bug report: inline CSS, no
 * scripts, no external assets; tables plus a small inline SVG latency histogram per row.
 * Every piece of text from the report (ids, labels, sentences, meta) goes through escapeHtml,
 * and every number a person reads through shared/format.ts. The page fits 1280 px: a table
 * wider than the window scrolls inside its own box, the page itself never does.
 */
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatJoules,
  formatLabOffset,
  formatPercent,
  formatUtc,
  NO_VALUE,
} from '../../../shared/format';
import { naturalCompare } from '../../../shared/natural-order';
import { CHECKER_RULES } from './checker-rules';
import type { HistogramBin } from './latency';
import { escapeHtml } from './html-escape';
import { histogramLayout } from './report-histogram';
import { markersSection } from './report-markers';
import type { Report } from './report-types';

export { escapeHtml };
import type { MessageStats } from './report-rows';

export interface ReportHtmlOptions {
  /** Page title; default "Push Lab report" plus the scenario name. */
  title?: string;
}

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d232b;background:#fff;overflow-wrap:anywhere}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}h3{font-size:14px;margin:12px 0 4px}
.meta{color:#5a6470}.ok{color:#17803d;font-weight:600}.bad{color:#b42318;font-weight:600}
.scroll{max-width:100%;overflow-x:auto;margin:4px 0 12px}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d6dbe1;padding:3px 8px;text-align:right;vertical-align:top}
th{background:#f3f5f7;white-space:nowrap}td{white-space:nowrap}td.l,th.l{text-align:left}td.w{white-space:normal;min-width:24em}
.hists{display:flex;flex-wrap:wrap;gap:16px}.hist{border:1px solid #d6dbe1;padding:6px;max-width:100%;overflow-x:auto}
.hist b{display:block;font-size:12px;margin-bottom:2px}svg text{font:10px system-ui,sans-serif;fill:#5a6470}
ul.notes li{color:#5a6470}
.headline{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}.fig{border:1px solid #d6dbe1;padding:6px 12px;min-width:7em}
.fig b{display:block;font-size:20px;font-variant-numeric:tabular-nums}.fig span{color:#5a6470;font-size:12px}
.fig.ok b{color:#17803d}.fig.bad b{color:#b42318}`;

/** Renders the whole page. */
export function renderReportHtml(report: Report, options: ReportHtmlOptions = {}): string {
  const scenario = report.meta?.scenario ?? null;
  const title = options.title ?? `Push Lab report${scenario ? ` — ${scenario}` : ''}`;
  // The page's sections in reading order: a new section is one entry here (the markers list
  // of issue 14 goes right after the invariants).
  const sections = [
    headlineSection(report),
    violationsSection(report),
    markersSection(report),
    messagesSection(report),
    sendersSection(report),
    receiptsSection(report),
    energySection(report),
    linksSection(report),
    histogramsSection(report),
    notesSection(report),
  ];
  const parts = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    `<title>${escapeHtml(title)}</title><style>${CSS}</style></head><body>`,
    `<h1>${escapeHtml(title)}</h1>`,
    metaLine(report),
    ...sections,
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
  bits.push(`${formatCount(s.eventCount)} events`);
  if (s.firstSeq !== null)
    bits.push(
      `seq ${s.firstSeq}–${s.lastSeq}`,
      // Lab time as a person reads it; the wall-clock start once, for a real or scaled run.
      `${formatDuration(s.durationMs ?? 0)} of lab time from ${formatUtc(s.firstT!)}`,
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
    figure(
      'invariant violations',
      formatCount(r.violations.count),
      r.violations.count === 0 ? ' ok' : ' bad',
    ),
    figure(
      `delivered (${formatCount(t.delivered)} of ${formatCount(t.accepted)})`,
      formatPercent(t.deliveryRatio),
    ),
    figure('latency p50', ms(t.latencyMs.p50)),
    figure('latency p99', ms(t.latencyMs.p99)),
    figure('lost', formatCount(t.lost), t.lost > 0 ? ' bad' : ''),
    ...(r.energy ? [figure('energy', formatJoules(r.energy.joulesTotal))] : []),
  ];
  return `<div class="headline" data-testid="report-headline">${figures.join('')}</div>`;
}

function violationsSection(r: Report): string {
  const v = r.violations;
  const verdict =
    v.count === 0
      ? '<p class="ok">No invariant violations.</p>'
      : `<p class="bad">${formatCount(v.count)} invariant violation(s).</p>`;
  const rules = table(
    ['Rule', 'Title', 'Violations'],
    CHECKER_RULES.map((rule) => [`${rule.letter}. ${rule.id}`, rule.title, v.countByRule[rule.id]]),
    2,
  );
  const startT = r.span.firstT ?? 0;
  const listed =
    v.listed.length === 0
      ? ''
      : table(
          ['Rule', 'Message', 'Subscription', 'Seqs', 'At (lab time)', 'What happened'],
          v.listed.map((x) => [
            x.rule,
            x.messageId ?? '',
            x.subscriptionId ?? '',
            x.seqs.join(', '),
            formatLabOffset(x.t - startT),
            x.sentence,
          ]),
          3,
          [5],
          [5],
        );
  return `<h2>Invariants</h2>${verdict}${rules}${listed}`;
}

const STAT_HEADS = [
  'Accepted',
  'Delivered',
  'Delivered %',
  'Latency p50',
  'p90',
  'p99',
  'Max',
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
    formatPercent(s.deliveryRatio),
    ms(l.p50),
    ms(l.p90),
    ms(l.p99),
    ms(l.max),
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
    ['Push service', 'Profile', ...STAT_HEADS, 'Connections', 'Disconnects'],
    [
      ['(all)', '', ...statCells(r.totals), '', ''],
      ...r.services.map((s) => [
        s.serviceId,
        s.profile ?? '',
        ...statCells(s),
        s.connectionsOpened,
        s.disconnects,
      ]),
    ],
    2,
  );
  const byStatus = statusTable(
    'Push service',
    ['Rejected', 'Receipts sent'],
    r.services.map((s) => ({ id: s.serviceId, by: [s.rejectedByStatus, s.receiptsSentByStatus] })),
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
            'Energy',
            'Energy / delivered',
          ],
          r.classes.map((c) => [
            c.agentClass,
            c.agentCount,
            ...statCells(c),
            c.connectionsOpened,
            c.disconnects,
            joules(c.joules),
            joules(c.joulesPerDeliveredMessage),
          ]),
          1,
        );
  const answers = byStatus === '' ? '' : `<h3>Answers by status</h3>${byStatus}`;
  return `<h2>Messages</h2>${services}${answers}${classes}`;
}

function sendersSection(r: Report): string {
  if (r.senders.length === 0) return '';
  const senders = table(
    [
      'Sender',
      'Label',
      'Attempts',
      'Retries',
      'Accepted',
      'Delivered',
      'Delivered %',
      'Latency p50',
    ],
    r.senders.map((s) => [
      s.agentId,
      s.label,
      s.sendAttempts,
      s.retries,
      s.accepted,
      s.delivered,
      formatPercent(s.deliveryRatio),
      ms(s.latencyMs.p50),
    ]),
    2,
  );
  const byStatus = statusTable(
    'Sender',
    ['Responses', 'Rejected', 'Receipts received'],
    r.senders.map((s) => ({
      id: s.agentId,
      by: [s.responsesByStatus, s.rejectedByStatus, s.receiptsReceivedByStatus],
    })),
  );
  const answers = byStatus === '' ? '' : `<h3>Answers by status</h3>${byStatus}`;
  return `<h2>Application servers</h2>${senders}${answers}`;
}

function receiptsSection(r: Report): string {
  const byStatus = statusTable(
    null,
    ['Sent', 'Received'],
    [{ id: '', by: [r.receipts.sentByStatus, r.receipts.receivedByStatus] }],
  );
  return `<h2>Receipts</h2>${byStatus === '' ? '<p class="meta">No receipts.</p>' : byStatus}`;
}

function energySection(r: Report): string {
  if (!r.energy) return '';
  const e = r.energy;
  const byClass = Object.entries(e.byClass)
    .sort(([a], [b]) => naturalCompare(a, b))
    .map(([name, j]): Cell[] => [name, joules(j)]);
  return `<h2>Energy</h2>${table(['Total', 'Per delivered message'], [[joules(e.joulesTotal), joules(e.joulesPerDeliveredMessage)]], 0)}${
    byClass.length > 0 ? table(['Energy class', 'Energy'], byClass, 1) : ''
  }`;
}

/**
 * One row per link, one column per counter; a counter that is zero on every link is named
 * below the table instead of taking a column of zeros.
 */
function linksSection(r: Report): string {
  if (!r.links) return '';
  const links = r.links;
  const ids = [
    ...new Set([...Object.keys(links.resetsById), ...Object.keys(links.countersById)]),
  ].sort(naturalCompare);
  const names = [...new Set(ids.flatMap((id) => Object.keys(links.countersById[id] ?? {})))];
  const used = names.filter((name) =>
    ids.some((id) => (links.countersById[id]?.[name] ?? 0) !== 0),
  );
  const unused = names.filter((name) => !used.includes(name));
  const rows = ids.map((id): Cell[] => [
    id,
    links.resetsById[id] ?? 0,
    ...used.map((name) => linkCounter(name, links.countersById[id]?.[name] ?? 0)),
  ]);
  const zero =
    unused.length === 0
      ? ''
      : `<p class="meta">Zero on every link: ${escapeHtml(unused.map(counterHead).join(', '))}.</p>`;
  return `<h2>Links</h2>${table(['Link', 'Resets', ...used.map(counterHead)], rows, 1)}${zero}`;
}

/** `bytesUpDelivered` → `bytes up delivered`. */
function counterHead(name: string): string {
  return name.replace(/([a-z\d])([A-Z])/g, '$1 $2').toLowerCase();
}

function linkCounter(name: string, value: number): Cell {
  return /^bytes/.test(name) ? formatBytes(value) : value;
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

function notesSection(r: Report): string {
  if (r.notes.length === 0) return '';
  return `<h2>Notes</h2><ul class="notes">${r.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`;
}

function ms(value: number | null): string {
  return value === null ? NO_VALUE : formatDuration(value);
}

function joules(value: number | null): string {
  return value === null ? NO_VALUE : formatJoules(value);
}

/** A cell: text as given, a number as a count (thousands grouped), null as the missing value. */
type Cell = string | number | null;

/**
 * A table in its own scrolling box; the first `leftCols` columns (and any in `leftAlso`) are
 * left-aligned text, and those in `wrap` (long sentences) wrap instead of widening the table.
 */
function table(
  heads: string[],
  rows: Cell[][],
  leftCols: number,
  leftAlso: number[] = [],
  wrap: number[] = [],
): string {
  const cls = (i: number): string => {
    const names = [
      ...(i < leftCols || leftAlso.includes(i) ? ['l'] : []),
      ...(wrap.includes(i) ? ['w'] : []),
    ];
    return names.length === 0 ? '' : ` class="${names.join(' ')}"`;
  };
  const head = heads.map((h, i) => `<th${cls(i)}>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map(
      (row) =>
        `<tr>${row.map((c, i) => `<td${cls(i)}>${escapeHtml(cellText(c))}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

function cellText(c: Cell): string {
  if (c === null) return NO_VALUE;
  return typeof c === 'number' ? formatCount(c) : c;
}

/**
 * Counters by status as a table, one row per (row id, status), one column per counter:
 * `{"204": 3, "410": 1}` is two rows, not one "204: 3, 410: 1" cell. `idHead` null: one
 * unnamed row (no id column). Statuses in natural order; empty when there is nothing to count.
 */
function statusTable(
  idHead: string | null,
  heads: string[],
  rows: { id: string; by: Record<string, number>[] }[],
): string {
  const body: Cell[][] = [];
  for (const row of rows) {
    const statuses = [...new Set(row.by.flatMap((record) => Object.keys(record)))].sort(
      naturalCompare,
    );
    for (const status of statuses)
      body.push([
        ...(idHead === null ? [] : [row.id]),
        status === '0' ? '0 (network)' : status,
        ...row.by.map((record) => record[status] ?? 0),
      ]);
  }
  if (body.length === 0) return '';
  const ids = idHead === null ? [] : [idHead];
  return table([...ids, 'Status', ...heads], body, ids.length + 1);
}

/** A bar chart of one row's latency bins; each bar's <title> gives its range and count. */
function histogramSvg(name: string, bins: HistogramBin[]): string {
  const layout = histogramLayout(bins);
  const bars = layout.bars.map(
    (b) =>
      `<g><title>${escapeHtml(`${b.range}: ${b.count}`)}</title>` +
      `<rect x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" fill="#3b6fd8"></rect></g>`,
  );
  const counts = layout.counts.map(
    (c) => `<text x="${c.x}" y="${c.y}" text-anchor="middle">${escapeHtml(c.text)}</text>`,
  );
  const axis = layout.axis.map(
    (a) => `<text class="axis" x="${a.x}" y="${layout.axisY}">${escapeHtml(a.text)}</text>`,
  );
  return (
    `<div class="hist"><b>${escapeHtml(name)}</b>` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" role="img" aria-label="${escapeHtml(`latency histogram, ${name}`)}">` +
    `${bars.join('')}${counts.join('')}${axis.join('')}</svg></div>`
  );
}
