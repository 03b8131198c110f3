import type { MessageState } from '../../../../shared/model';

export function StateBadge({ state }: { state: MessageState }) {
  return <span className={`badge badge-msg badge-${state}`}>{state}</span>;
}
