/**
 * The one banner that says the views show another moment than now: which moment, and a way
 * back to live. While it shows, every control that changes the lab is locked
 * (`selectCanChangeLab`), so nothing is edited against a past the lab has left.
 */
import './timeline.css';
import { formatLabTime } from '../../../../shared/format';
import { selectActions, selectTravel, useLab } from '../../store';

export function TravelBanner() {
  const travel = useLab(selectTravel);
  const startT = useLab((s) => s.liveModel.startT);
  const live = useLab((s) => s.run?.mode !== 'replay');
  const { returnToLive } = useLab(selectActions);
  if (travel === null) return null;
  return (
    <div className="travel-banner" role="status" data-testid="travel-banner" data-t={travel.t}>
      <span>
        Showing the lab at <strong>{formatLabTime(travel.t - (startT ?? travel.t))}</strong> (event{' '}
        {travel.seq}){live ? ': changes are locked until you go back to live.' : '.'}
      </span>
      {live ? (
        <button type="button" data-testid="travel-banner-live" onClick={returnToLive}>
          Back to live
        </button>
      ) : null}
    </div>
  );
}
