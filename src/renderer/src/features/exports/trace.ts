/**
 * The recent events as a trace file (JSON Lines): a header line, then one event a line, the
 * format docs/traces.md describes. Pure.
 */
import type { LabEvent } from '../../../../shared/events';
import type { RunStatus } from '../../../../shared/workbench';

// Copied from src/main/engine/trace/format.ts (TRACE_TYPE, TRACE_VERSION), which the renderer
// may not import; keep them in step with it.
export const TRACE_TYPE = 'push-lab-trace';
export const TRACE_VERSION = 1;

/** The header's meta: the show's, as its status tells it (traceMetaOf). */
export interface TraceExportMeta {
  scenario: string | null;
  seed: number | string | null;
  clockMode: 'real' | 'scaled' | 'virtual';
  pushLabVersion: string;
}

/** Before any status arrives: an interactive lab on the real clock. */
export const UI_TRACE_META: TraceExportMeta = {
  scenario: null,
  seed: null,
  clockMode: 'real',
  pushLabVersion: '0.1.0',
};

/** The meta of the show the events come from: its scenario, seed and clock, as the engine says. */
export function traceMetaOf(run: RunStatus | null): TraceExportMeta {
  if (!run) return UI_TRACE_META;
  return { ...UI_TRACE_META, scenario: run.scenario, seed: run.seed, clockMode: run.clockMode };
}

/** The header line (no newline), keys in the writer's order. */
export function traceHeaderLine(meta: TraceExportMeta = UI_TRACE_META): string {
  return JSON.stringify({
    type: TRACE_TYPE,
    version: TRACE_VERSION,
    scenario: meta.scenario,
    seed: meta.seed,
    clockMode: meta.clockMode,
    pushLabVersion: meta.pushLabVersion,
  });
}

/** The trace export of what the UI holds: its recent events, under the show's meta. */
export function traceExport(state: {
  recentEvents: readonly LabEvent[];
  run: RunStatus | null;
}): string {
  return toTraceJsonl(state.recentEvents, traceMetaOf(state.run));
}

/** The whole file: header and events, `\n` after every line. */
export function toTraceJsonl(
  events: readonly LabEvent[],
  meta: TraceExportMeta = UI_TRACE_META,
): string {
  const lines = [traceHeaderLine(meta)];
  for (const event of events) lines.push(JSON.stringify(event));
  return `${lines.join('\n')}\n`;
}
