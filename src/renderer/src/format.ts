/**
 * Display helpers of the renderer alone (ids, HTTP statuses); numbers, durations and times
 * are written by the shared formatting module, src/shared/format.ts.
 */

/** Ids can be long (tokens); show the start and keep the whole in a title. */
export function shortId(id: string, keep = 12): string {
  return id.length <= keep + 1 ? id : `${id.slice(0, keep)}…`;
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  201: 'Created',
  202: 'Accepted',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  410: 'Gone',
  413: 'Content Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function formatHttpStatus(status: number): string {
  const text = STATUS_TEXT[status];
  return text ? `${status} ${text}` : String(status);
}
