/**
 * Compare: the same scenario, seed and traffic under each protocol profile — every push
 * service of the scenario switched to the profile, one run per profile on the virtual clock —
 * with the report's figures and energy side by side, and per-bucket series for one chart.
 * With a worker pool each profile runs in its own worker, all at once (the caller's event loop
 * stays free: the UI's live show goes on); without one they run here, one after another.
 */
import type { Profile } from '../../../shared/events';
import { isLifecycleEvent, stepMessage, type AcceptedLife } from '../../../shared/lifecycle';
import type { CompareResult, CompareRow } from '../../../shared/workbench';
import { describeError, ENGINE_ERROR_CODES, LabError } from '../errors';
import type { WorkerPool } from '../parallel/pool';
import type { EngineTasks } from '../parallel/tasks';
import type { RunProgress } from '../parallel/verdict-run';
import { reportExtras, ScenarioRun } from '../scenario/run';
import type { Scenario } from '../scenario/schema';
import { ReportBuilder } from '../trace/report';
import { VERSION } from '../version';

/** Chart buckets per run (the series length). */
export const COMPARE_BUCKETS = 120;

export interface CompareOptions {
  profiles: readonly Profile[];
  seed?: number | string;
  durationMs?: number;
  /** Aborting abandons the comparison (ERR_CANCELLED); each run stops at its next bucket. */
  signal?: AbortSignal;
  /** Runs each profile in a worker of this pool, all at once; without it, here in turn. */
  pool?: WorkerPool<EngineTasks>;
  /** A profile's lab time so far (at most one a bucket, or PROGRESS_INTERVAL_MS from a worker). */
  onProgress?: (profile: Profile, progress: RunProgress) => void;
}

/** What every profile's run of one comparison shares. */
export interface CompareSettings {
  seed: number | string;
  durationMs: number;
  bucketMs: number;
}

export async function compareProfiles(
  base: Scenario,
  options: CompareOptions,
): Promise<CompareResult> {
  const durationMs = options.durationMs ?? base.duration;
  const seed = options.seed ?? base.seed;
  const bucketMs = Math.max(1, Math.ceil(durationMs / COMPARE_BUCKETS));
  const settings: CompareSettings = { seed, durationMs, bucketMs };
  const withProfile = (profile: Profile): Scenario => ({
    ...base,
    services: base.services.map((s) => ({ ...s, profile })),
  });
  const { pool, signal } = options;
  if (signal?.aborted) throw cancelledError();
  let rows: CompareRow[];
  if (pool) {
    // One profile failing (or cancelled) ends the comparison: the others are cancelled too.
    const stop = new AbortController();
    const abort = (): void => stop.abort();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      // Settled, not raced: when the comparison answers, none of its runs holds a worker.
      const settled = await Promise.allSettled(
        options.profiles.map((profile) =>
          pool
            .run(
              'compare.profile',
              { scenario: withProfile(profile), profile, settings },
              {
                signal: stop.signal,
                onProgress: (progress) => options.onProgress?.(profile, progress),
              },
            )
            .catch((error: unknown) => {
              stop.abort();
              throw error;
            }),
        ),
      );
      if (signal?.aborted) throw cancelledError();
      const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason] : []));
      // The first failure that is not the others' cancellation is the one to tell.
      const failure =
        failures.find((e) => describeError(e).code !== ENGINE_ERROR_CODES.CANCELLED) ?? failures[0];
      if (failure !== undefined) throw failure;
      rows = settled.map((s) => (s as PromiseFulfilledResult<CompareRow>).value);
    } finally {
      signal?.removeEventListener('abort', abort);
    }
  } else {
    rows = [];
    for (const profile of options.profiles) {
      rows.push(
        await compareProfile(withProfile(profile), profile, settings, {
          cancelled: () => signal?.aborted ?? false,
          onProgress: (progress) => options.onProgress?.(profile, progress),
        }),
      );
    }
  }
  return { scenario: base.name, seed, durationMs, bucketMs, rows };
}

const cancelledError = (): LabError =>
  new LabError(ENGINE_ERROR_CODES.CANCELLED, 'compare: cancelled');

/** One profile's run of a comparison (`scenario` already switched to `profile`). */
export async function compareProfile(
  scenario: Scenario,
  profile: Profile,
  settings: CompareSettings,
  hooks: { cancelled?: () => boolean; onProgress?: (progress: RunProgress) => void } = {},
): Promise<CompareRow> {
  const meta = {
    scenario: scenario.name,
    seed: settings.seed,
    clockMode: 'virtual' as const,
    pushLabVersion: VERSION,
  };
  const builder = new ReportBuilder({ meta });
  const delivered: number[] = [];
  const joules: number[] = [];
  // Each message's life (the shared lifecycle): the series counts a message once, at its
  // first delivery, as the report's delivered total does.
  const lives = new Map<string, AcceptedLife>();
  let startT = 0;
  const run = new ScenarioRun(
    scenario,
    { seed: settings.seed, durationMs: settings.durationMs, mode: 'virtual' },
    (event) => {
      builder.add(event);
      if (!isLifecycleEvent(event)) return;
      const before = lives.get(event.messageId);
      const after = stepMessage(before, event);
      if (after === undefined || after === before) return;
      lives.set(event.messageId, after);
      if (before?.deliveredAt == null && after.deliveredAt !== null) {
        const bucket = Math.min(
          Math.floor((event.t - startT) / settings.bucketMs),
          Math.ceil(settings.durationMs / settings.bucketMs) - 1,
        );
        while (delivered.length <= bucket) delivered.push(0);
        delivered[bucket]! += 1;
      }
    },
  );
  startT = run.startT;
  let stoppedEarly = false;
  try {
    await run.start();
    for (let end = startT + settings.bucketMs; ; end += settings.bucketMs) {
      await run.advance(end);
      joules.push(round(run.world.energy().total.joules));
      hooks.onProgress?.({
        elapsedMs: Math.min(end - startT, settings.durationMs),
        durationMs: settings.durationMs,
      });
      if (run.done) break;
      if (hooks.cancelled?.()) {
        stoppedEarly = true;
        break;
      }
    }
  } finally {
    await run.finish(stoppedEarly).catch(() => undefined);
  }
  if (stoppedEarly) throw cancelledError();
  const outcome = await run.finish();
  const { report, check } = builder.finish(outcome.endT, reportExtras(outcome));
  const buckets = Math.ceil(settings.durationMs / settings.bucketMs);
  while (delivered.length < buckets) delivered.push(0);
  const service = report.services;
  return {
    profile,
    events: outcome.eventCount,
    accepted: report.totals.accepted,
    delivered: report.totals.delivered,
    expired: report.totals.expired,
    replaced: report.totals.replaced,
    lost: report.totals.lost,
    stale: report.totals.stale,
    redeliveries: report.totals.redeliveries,
    latencyP50Ms: report.totals.latencyMs.p50 ?? null,
    latencyP99Ms: report.totals.latencyMs.p99 ?? null,
    connections: service.reduce((n, s) => n + s.connectionsOpened, 0),
    joulesTotal: report.energy ? round(report.energy.joulesTotal) : null,
    joulesPerDelivered:
      report.energy?.joulesPerDeliveredMessage != null
        ? round(report.energy.joulesPerDeliveredMessage)
        : null,
    joulesByClass: Object.fromEntries(
      Object.entries(report.energy?.byClass ?? {}).map(([k, v]) => [k, round(v)]),
    ),
    violations: check.violationCount,
    deliveredSeries: delivered,
    joulesSeries: report.energy ? joules : [],
  };
}

const round = (value: number): number => Math.round(value * 1000) / 1000;
