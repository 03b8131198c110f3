/**
 * The report's marker list: the show's violations, outages, expiries, replacements and
 * receipts with their sentence, lab time and seq — the list the timeline shows beside its
 * track (`markers` command), read from the same Timeline, so a sentence is written once (when
 * the timeline indexes its event; a violation's by the checker) and read by both.
 */
import { formatCount, formatLabOffset } from '../../../shared/format';
import { MARKER_KIND_ORDER, type ListedMarker, type MarkerKind } from '../../../shared/workbench';
import { escapeHtml } from './html-escape';
import type { Report } from './report-types';
import type { Timeline } from './timeline';

/** Markers the report lists (the first ones of the run); the rest are counted. */
export const REPORT_MARKERS_MAX = 200;

export interface ReportMarkers {
  /** All markers by kind, listed or not. */
  counts: Record<MarkerKind, number>;
  /** The first markers of the run, oldest first, at most REPORT_MARKERS_MAX. */
  listed: ListedMarker[];
}

/** The report's markers, from the show's timeline. */
export function reportMarkers(timeline: Timeline): ReportMarkers {
  const page = timeline.markerPage(-1, MARKER_KIND_ORDER, '', REPORT_MARKERS_MAX);
  return { counts: page.counts, listed: page.markers };
}

const KIND_WORDS: Readonly<Record<MarkerKind, string>> = {
  violation: 'violations',
  outage: 'outages',
  expiry: 'expiries',
  replacement: 'replacements',
  receipt: 'receipts',
};

/** The "Markers" section: counts by kind, then the list; '' when the report has none to show. */
export function markersSection(r: Report): string {
  const m = r.markers;
  if (m === undefined) return '';
  const total = MARKER_KIND_ORDER.reduce((sum, kind) => sum + m.counts[kind], 0);
  const counts = MARKER_KIND_ORDER.map(
    (kind) => `${formatCount(m.counts[kind])} ${KIND_WORDS[kind]}`,
  ).join(' · ');
  const heading = `<h2>Markers</h2><p class="meta" data-testid="report-marker-counts">${escapeHtml(counts)}</p>`;
  if (m.listed.length === 0) return heading;
  // Lab time from the run's first event, as the timeline shows it.
  const origin = r.span.firstT ?? m.listed[0]!.t;
  const rows = m.listed
    .map(
      (x) =>
        `<tr data-kind="${x.kind}"><td class="l">${escapeHtml(formatLabOffset(x.t - origin))}</td>` +
        `<td>${x.seq}</td><td class="l">${x.kind}</td><td class="l">${escapeHtml(x.label)}</td></tr>`,
    )
    .join('');
  const more =
    total > m.listed.length
      ? `<p class="meta">The first ${formatCount(m.listed.length)} of ${formatCount(total)} markers; the timeline's marker list in the app pages through them all.</p>`
      : '';
  return (
    `${heading}<table data-testid="report-markers"><thead><tr><th class="l">Lab time</th><th>Seq</th>` +
    `<th class="l">Kind</th><th class="l">What happened</th></tr></thead><tbody>${rows}</tbody></table>${more}`
  );
}
