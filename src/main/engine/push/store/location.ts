/**
 * Where a durable store lives, as `serve --store` and the Lab take it: a directory (the
 * embedded write-ahead log, wal.ts) or a `redis://HOST:PORT[/DB]` URL (redis.ts). This is
 * the one place that tells them apart and checks a URL.
 */
import { REDIS_CHANGES_KEPT_MAX } from './redis-limits';

export interface RedisAddress {
  host: string;
  port: number;
  /** Redis's logical database (SELECT), 0 by default. */
  db: number;
  /** The URL as given, for messages. */
  url: string;
  /**
   * Entries the change stream several instances share keeps at most (`?changes-kept=N`;
   * REDIS_CHANGES_KEPT_MAX by default): what an instance may fall behind before it reloads.
   */
  changesKeptMax: number;
}

export type StoreLocation =
  { kind: 'directory'; dir: string } | { kind: 'redis'; redis: RedisAddress };

/** Logical databases a stock Redis has (`databases 16`). */
export const REDIS_DB_MAX = 15;

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const ALLOWED = `allowed a directory or redis://HOST:PORT[/DB][?changes-kept=N] (DB 0–${REDIS_DB_MAX}, N ≥ 1)`;

/**
 * A directory or a Redis address; `{ error }` with a clause naming the value and what is
 * allowed when it is a URL this store cannot use (the caller prefixes the option's name).
 */
export function storeLocation(value: string): StoreLocation | { error: string } {
  const scheme = SCHEME.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'directory', dir: value };
  if (scheme !== 'redis') return { error: `${value}: ${scheme}:// is not a store; ${ALLOWED}` };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { error: `${value}: not a URL; ${ALLOWED}` };
  }
  const port = url.port === '' ? 6379 : Number(url.port);
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (url.hostname === '') return { error: `${value}: no host; ${ALLOWED}` };
  if (url.username !== '' || url.password !== '' || url.hash !== '') {
    return { error: `${value}: credentials and fragments are not taken; ${ALLOWED}` };
  }
  let changesKeptMax = REDIS_CHANGES_KEPT_MAX;
  for (const [name, text] of url.searchParams) {
    if (name !== 'changes-kept' || !/^\d{1,9}$/.test(text) || Number(text) < 1)
      return { error: `${value}: query "${name}=${text}" is not taken; ${ALLOWED}` };
    changesKeptMax = Number(text);
  }
  if (!/^\d+$/.test(dbText === '' ? '0' : dbText) || db > REDIS_DB_MAX) {
    return {
      error: `${value}: database "${dbText}" is not a number 0–${REDIS_DB_MAX}; ${ALLOWED}`,
    };
  }
  // URL keeps brackets around an IPv6 host; the client wants the bare address.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { kind: 'redis', redis: { host, port, db, url: value, changesKeptMax } };
}
