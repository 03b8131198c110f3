/**
 * The seek answers the workbench sent each client session, the last SEEK_BASES_KEPT of each,
 * so a later seek naming one as its `base` can be answered with what changed since it
 * (shared/seek-wire.ts). A base is found only in the asking session's own answers, of the
 * show on screen now: a wrong, stale or another session's id finds nothing, and the answer is
 * sent whole. Held per session weakly, and dropped when the session ends (`forget`).
 *
 * Also the last SEEK_BASES_KEPT answers each session was sent whole (their tables' columns):
 * a later whole answer leaves out the columns that are the same as the one the client names
 * as `like` (seek-wire.ts). Replaced by later whole answers and dropped with the session.
 */
import { SEEK_BASES_KEPT, type WholeSeek } from '../../../shared/seek-wire';
import type { LabModel } from '../../../shared/model';

/** An answer as sent: its model and its window's store positions [first, end). */
export interface SentSeek {
  id: number;
  epoch: number;
  model: LabModel;
  first: number;
  end: number;
}

/**
 * Events apart (store positions) beyond which a seek is sent whole even with a base: so far
 * apart, nearly every subscription and message changed and the delta is no cheaper (model
 * only, encode + parse + apply, CPU: 2,000 apart 13 vs 40 ms whole; 50,000: 31 vs 33;
 * 100,000: 36 vs 35; 300,000: 37 vs 32 — bench/results-parts/seek4.md).
 */
export const SEEK_DELTA_SPAN_MAX = 50_000;

export class SentSeeks {
  /** Ids rise across sessions and shows: one never names another's answer by accident. */
  private lastId = 0;
  private readonly bySession = new WeakMap<object, SentSeek[]>();
  private readonly wholeBySession = new WeakMap<object, (WholeSeek & { epoch: number })[]>();

  constructor(private readonly spanMax = SEEK_DELTA_SPAN_MAX) {}

  /**
   * The answer `id` this session was sent for the show `epoch`, to send an answer whose
   * window ends at `end` relative to; null when there is none or it is too far from `end`.
   */
  find(
    session: object | undefined,
    epoch: number,
    id: number | undefined,
    end: number,
  ): SentSeek | null {
    if (session === undefined || id === undefined) return null;
    const sent = this.bySession.get(session)?.find((s) => s.id === id && s.epoch === epoch);
    return sent !== undefined && Math.abs(sent.end - end) <= this.spanMax ? sent : null;
  }

  /** Keeps an answer about to be sent (only with a session to send it to); returns its id. */
  remember(session: object | undefined, sent: Omit<SentSeek, 'id'>): number {
    const id = ++this.lastId;
    if (session === undefined) return id;
    // A show's answers are no base for the next show's: dropped once it answers.
    const kept = (this.bySession.get(session) ?? []).filter((s) => s.epoch === sent.epoch);
    kept.push({ id, ...sent });
    if (kept.length > SEEK_BASES_KEPT) kept.shift();
    this.bySession.set(session, kept);
    return id;
  }

  /** The answer `id` this session was sent whole for the show `epoch`, or null. */
  like(session: object | undefined, epoch: number, id: number | undefined): WholeSeek | null {
    if (session === undefined || id === undefined) return null;
    const kept = this.wholeBySession.get(session);
    return kept?.find((w) => w.id === id && w.epoch === epoch) ?? null;
  }

  /**
   * Keeps answer `id`, about to be sent whole, as the session's last (its columns are filled
   * in when it is encoded) and returns it; kept only with a session to send it to.
   */
  keepWhole(session: object | undefined, epoch: number, id: number): WholeSeek {
    const whole = { id, epoch, tables: null };
    if (session === undefined) return whole;
    const kept = (this.wholeBySession.get(session) ?? []).filter((w) => w.epoch === epoch);
    kept.push(whole);
    if (kept.length > SEEK_BASES_KEPT) kept.shift();
    this.wholeBySession.set(session, kept);
    return whole;
  }

  /** The session ended: its answers are released. */
  forget(session: object): void {
    this.bySession.delete(session);
    this.wholeBySession.delete(session);
  }
}
