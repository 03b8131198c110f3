import type { ConnectionStatus } from '../../bridge/client';
import { selectStatus, useLab } from '../../store';

const LABEL: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  open: 'Connected',
  closed: 'Disconnected',
};

export function ConnectionIndicator() {
  const status = useLab(selectStatus);
  return (
    <span
      className={`connection connection-${status}`}
      data-testid="connection-status"
      data-status={status}
    >
      <span className="connection-dot" aria-hidden="true" />
      {LABEL[status]}
    </span>
  );
}
