/** One line about a valid scenario: what it declares and how long it runs. Pure. */
import type { ScenarioSummary } from '../../../../shared/workbench';
import { formatRemaining } from '../../../../shared/format';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function describeSummary(summary: ScenarioSummary): string {
  const profiles = [...new Set(summary.services.map((s) => s.profile))].join(', ');
  const clock =
    summary.clockMode === 'scaled' ? `scaled ${summary.speed}×` : `${summary.clockMode} clock`;
  return [
    `seed ${String(summary.seed)}`,
    `${formatRemaining(summary.durationMs)} (${clock})`,
    `${plural(summary.services.length, 'service')} (${profiles})`,
    plural(summary.userAgents, 'user agent'),
    `${plural(summary.gateways, 'gateway')} with ${plural(summary.devices, 'device')}`,
    plural(summary.appServers, 'application server'),
  ].join(' · ');
}
