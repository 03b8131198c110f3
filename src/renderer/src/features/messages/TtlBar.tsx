import { formatDuration, formatRemaining } from '../../../../shared/format';

interface Props {
  /** Milliseconds left; may be negative when the expiry event has not arrived yet. */
  remainingMs: number;
  ttlSeconds: number;
}

export function TtlBar({ remainingMs, ttlSeconds }: Props) {
  const total = ttlSeconds * 1000;
  const fraction = total > 0 ? Math.min(1, Math.max(0, remainingMs / total)) : 0;
  const level = fraction > 0.5 ? 'high' : fraction > 0.2 ? 'mid' : 'low';
  return (
    <div className="ttl" title={`TTL ${formatDuration(ttlSeconds * 1000)}`}>
      <div className="ttl-track" aria-hidden="true">
        <div
          className={`ttl-fill ttl-${level}`}
          style={{ width: `${(fraction * 100).toFixed(1)}%` }}
        />
      </div>
      <span className="ttl-label">{formatRemaining(remainingMs)}</span>
    </div>
  );
}
