import type { Counters } from '../../../../shared/model';
import { formatCount } from '../../../../shared/format';
import { selectCounters, useLab } from '../../store';

const SHOWN: readonly (keyof Counters)[] = [
  'accepted',
  'pushed',
  'acked',
  'expired',
  'redelivered',
];

export function CounterStrip() {
  const counters = useLab(selectCounters);
  return (
    <dl className="counters" aria-label="Counters">
      {SHOWN.map((key) => (
        <div key={key} className="counter" data-testid={`counter-${key}`}>
          <dt>{key}</dt>
          <dd>{formatCount(counters[key])}</dd>
        </div>
      ))}
    </dl>
  );
}
