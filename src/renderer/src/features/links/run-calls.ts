/**
 * Sends the `link.faults` calls of one edit, in order, stopping at the first refusal. Each
 * call is all-or-nothing in the engine; an edit split over several calls says how many links
 * had already changed when one was refused.
 */
import type { Command, ResultOf } from '../../../../shared/commands';
import type { Result } from '../../../../shared/result';
import type { FaultCall } from './fault-plan';

type LinkFaults = Extract<Command, { type: 'link.faults' }>;
export type CallLinkFaults = (command: LinkFaults) => Promise<Result<ResultOf<LinkFaults>>>;

export type EditOutcome = { ok: true; changed: number } | { ok: false; message: string };

export async function runCalls(
  call: CallLinkFaults,
  calls: readonly FaultCall[],
): Promise<EditOutcome> {
  const total = calls.reduce((n, c) => n + c.linkIds.length, 0);
  let changed = 0;
  for (const c of calls) {
    const result = await call({ type: 'link.faults', linkIds: c.linkIds, faults: c.faults });
    if (!result.ok) {
      const partly =
        changed > 0 ? ` (${changed} of ${total} links had already changed; the rest did not)` : '';
      return { ok: false, message: `${result.error.message}${partly}` };
    }
    // The links' new faults come back as link.faults events, into the model the view shows.
    changed += c.linkIds.length;
  }
  return { ok: true, changed };
}
