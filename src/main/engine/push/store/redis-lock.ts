/**
 * One serve at a time on a service's state in Redis: a key holding the holder's host, pid
 * and open number, with an expiry the holder renews. A second serve is refused with a
 * sentence naming the holder. A holder killed with -9 stops renewing: on its own machine
 * a restart sees its pid is gone and takes the lock over at once (as lock.ts does for a
 * directory); from another machine the lock is free once it expires.
 *
 * With `--instance NAME` each instance holds a lock of its own (its key names the instance),
 * so several serves share one service's state while no two run as the same instance: ids
 * start with the instance's name, so two instances never issue the same one.
 */
import os from 'node:os';
import type { Redis } from 'ioredis';
import { every, type Clock, type Timer } from '../../clock/clock';
import { alive } from './lock';
import { StoreError } from './store';

/** The lock lapses this long after its holder last renewed it. */
export const REDIS_LOCK_TTL_MS = 15_000;
/** The holder renews it this often (three chances before it lapses). */
export const REDIS_LOCK_RENEW_MS = 5_000;

/** Sets KEYS[1] to ARGV[2] (expiring in ARGV[3] ms) only if it still holds ARGV[1]. */
const REPLACE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) else return false end`;
/** Renews KEYS[1] for ARGV[2] ms only if it holds ARGV[1]. */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
/** Deletes KEYS[1] only if it holds ARGV[1]. */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

interface Holder {
  host: string;
  pid: number;
  open: number;
}

/** Opens made by this process (tells two opens in one process apart)… */
let opens = 0;
/** …and those holding a lock now: our pid on a lock with another open number is a recycled pid. */
const heldHere = new Set<number>();

function parseHolder(value: string | null): Holder | null {
  if (value === null) return null;
  try {
    const h = JSON.parse(value) as Holder;
    return typeof h.host === 'string' && Number.isInteger(h.pid) ? h : null;
  } catch {
    return null;
  }
}

export class RedisLock {
  private renewal: Timer | null = null;

  private constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly value: string,
    private readonly open: number,
  ) {}

  /** Takes the lock or throws ERR_STORE_LOCKED; `lost` is told if it is ever taken away. */
  static async acquire(
    redis: Redis,
    key: string,
    url: string,
    clock: Clock,
    lost: (why: string) => void,
  ): Promise<RedisLock> {
    const open = ++opens;
    const value = JSON.stringify({ host: os.hostname(), pid: process.pid, open });
    let taken = (await redis.set(key, value, 'PX', REDIS_LOCK_TTL_MS, 'NX')) === 'OK';
    if (!taken) {
      const current = await redis.get(key);
      const holder = parseHolder(current);
      const stale =
        current !== null &&
        (holder === null ||
          (holder.host === os.hostname() &&
            (holder.pid === process.pid ? !heldHere.has(holder.open) : !alive(holder.pid))));
      if (stale)
        taken = (await redis.eval(REPLACE, 1, key, current, value, REDIS_LOCK_TTL_MS)) === 'OK';
      else if (current === null)
        taken = (await redis.set(key, value, 'PX', REDIS_LOCK_TTL_MS, 'NX')) === 'OK';
      if (!taken) {
        const who = holder
          ? `process ${holder.pid} on ${holder.host}${holder.pid === process.pid && holder.host === os.hostname() ? ' (this one: close the other open first)' : ''}`
          : 'another process';
        throw new StoreError(
          `store ${url} is in use by ${who} (key ${key}); stop that serve, or wait ${REDIS_LOCK_TTL_MS / 1000} s after it died on another machine`,
          'ERR_STORE_LOCKED',
        );
      }
    }
    heldHere.add(open);
    const lock = new RedisLock(redis, key, value, open);
    lock.renewal = every(clock, REDIS_LOCK_RENEW_MS, () => {
      lock.redis.eval(RENEW, 1, key, value, REDIS_LOCK_TTL_MS).then(
        (renewed) => {
          if (renewed !== 1 && lock.renewal) lost(`its lock ${key} was taken by another process`);
        },
        // A failed renewal is a lost connection, which fails the store by itself.
        () => {},
      );
    });
    return lock;
  }

  /** Stops renewing (the store failed: the lock lapses by itself). */
  stop(): void {
    heldHere.delete(this.open);
    this.renewal?.cancel();
    this.renewal = null;
  }

  async release(): Promise<void> {
    this.stop();
    heldHere.delete(this.open);
    await this.redis.eval(RELEASE, 1, this.key, this.value);
  }
}
