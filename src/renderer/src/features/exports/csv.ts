/** CSV (RFC 4180) and the subscriptions table as CSV. Pure. */
import type { SubRow } from '../subscriptions/table';

/** One field: quoted when it holds a comma, a quote, CR or LF (quotes doubled), else as is. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Records joined with CRLF, as RFC 4180 has it, with a CRLF after the last one. */
export function toCsv(rows: readonly (readonly (string | number | boolean | null)[])[]): string {
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Columns for a spreadsheet: a quantity's unit is in its name, its cells are whole numbers. */
export const SUBSCRIPTION_CSV_COLUMNS = [
  'id',
  'owner',
  'profile',
  'createdAt_ms',
  'outstanding',
  'lastDeliveryAt_ms',
  'state',
] as const;

/** Whole milliseconds from `startT` (a lab clock runs on fractional ms); null stays empty. */
const msFrom = (t: number | null, startT: number): number | null =>
  t === null ? null : Math.round(t - startT);

/**
 * The subscriptions table: a header, then one record a row. Times are whole lab-clock
 * milliseconds relative to `startT` (the lab's start, as the table shows them); empty when
 * unknown.
 */
export function subscriptionsCsv(rows: readonly SubRow[], startT = 0): string {
  return toCsv([
    SUBSCRIPTION_CSV_COLUMNS,
    ...rows.map((r) => [
      r.id,
      r.owner,
      r.profile,
      msFrom(r.createdAt, startT),
      r.outstanding,
      msFrom(r.lastDeliveryAt, startT),
      r.state,
    ]),
  ]);
}
