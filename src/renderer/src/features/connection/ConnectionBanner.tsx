import { selectHasConnected, selectStatus, useLab } from '../../store';

/** Shown while the lab is unreachable: after a drop, or when the first attempt failed. */
export function ConnectionBanner() {
  const status = useLab(selectStatus);
  const hasConnected = useLab(selectHasConnected);
  if (status === 'open') return null;
  if (hasConnected) {
    return (
      <div className="banner" role="alert" data-testid="connection-banner">
        Connection to the lab lost — reconnecting…
      </div>
    );
  }
  if (status === 'closed') {
    return (
      <div className="banner" role="alert" data-testid="connection-banner">
        Cannot reach the lab — retrying…
      </div>
    );
  }
  return null;
}
