/**
 * Bounds of a Redis store that the location parser (location.ts) needs too, kept apart from
 * redis.ts so parsing a `--store` value never loads the store itself.
 */

/**
 * Entries the change stream keeps at most, whatever its followers have read (a hard cap;
 * `--store redis://…?changes-kept=N` sets another). Below it the stream is trimmed to the
 * oldest entry a live instance has not read; an instance the cap trimmed past reloads the
 * whole state instead of going on with a gap (a `limit.reached` `store-changes` event).
 */
export const REDIS_CHANGES_KEPT_MAX = 100_000;
