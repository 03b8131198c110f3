/**
 * Compare: the same scenario, seed and traffic under each protocol profile — every push
 * service of the scenario switched to the profile, one run per profile on the virtual clock —
 * with the report's figures and energy side by side, and per-bucket series for one chart.
 */
import type { Profile } from '../../../shared/events';
import { isLifecycleEvent, stepMessage, type AcceptedLife } from '../../../shared/lifecycle';
import type { CompareResult, CompareRow } from '../../../shared/workbench';
import { ENGINE_ERROR_CODES, LabError } from '../errors';
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
  /** Polled between buckets; true abandons the comparison. */
  cancelled?: () => boolean;
}

export async function compareProfiles(
  base: Scenario,
  options: CompareOptions,
): Promise<CompareResult> {
  const durationMs = options.durationMs ?? base.duration;
  const seed = options.seed ?? base.seed;
  const bucketMs = Math.max(1, Math.ceil(durationMs / COMPARE_BUCKETS));
  const rows: CompareRow[] = [];
  for (const profile of options.profiles) {
    const scenario: Scenario = {
      ...base,
      services: base.services.map((s) => ({ ...s, profile })),
    };
    rows.push(await runOne(scenario, profile, { seed, durationMs, bucketMs }, options.cancelled));
  }
  return { scenario: base.name, seed, durationMs, bucketMs, rows };
}

async function runOne(
  scenario: Scenario,
  profile: Profile,
  settings: { seed: number | string; durationMs: number; bucketMs: number },
  cancelled?: () => boolean,
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
      if (run.done) break;
      if (cancelled?.()) {
        stoppedEarly = true;
        break;
      }
    }
  } finally {
    await run.finish(stoppedEarly).catch(() => undefined);
  }
  if (stoppedEarly) throw new LabError(ENGINE_ERROR_CODES.CANCELLED, 'compare: cancelled');
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
