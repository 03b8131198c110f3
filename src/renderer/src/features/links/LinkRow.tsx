/** One row of the Links table: checkbox, ids, state badge, fault chips and counters. */
import { memo } from 'react';
import type { FaultView, LinkView } from '../../../../shared/workbench';
import { formatBytes, formatCount } from '../../../../shared/format';

/** Room for two lines of fault chips. */
export const LINK_ROW_HEIGHT = 52;

interface Props {
  link: LinkView;
  /** Offset in the virtual list, in pixels. */
  top: number;
  selected: boolean;
  onToggle(id: string): void;
  onSelectOnly(id: string): void;
  onEditFault(linkId: string, faultName: string): void;
}

const count = (link: LinkView, name: string): number => link.counters[name] ?? 0;

function FaultChip({ fault, onEdit }: { fault: FaultView; onEdit(): void }) {
  const type = typeof fault.spec.type === 'string' ? fault.spec.type : '?';
  const when = fault.active ? 'active' : 'waiting';
  return (
    <button
      type="button"
      className={`fault-chip fault-chip-${when}${type === 'outage' ? ' fault-chip-outage' : ''}`}
      data-testid="link-fault-chip"
      data-fault-name={fault.name}
      data-active={fault.active}
      title={`${fault.name}: ${type}, ${when} — click to change or remove\n${JSON.stringify(fault.spec)}`}
      onClick={(e) => {
        e.stopPropagation();
        onEdit();
      }}
    >
      {fault.name}
      {/* Default names (latency_upstream) say the type already. */}
      {fault.name.startsWith(type) ? null : <span className="fault-chip-type">{type}</span>}
    </button>
  );
}

export const LinkRow = memo(function LinkRow({
  link,
  top,
  selected,
  onToggle,
  onSelectOnly,
  onEditFault,
}: Props) {
  const up = count(link, 'bytesUpDelivered');
  const down = count(link, 'bytesDownDelivered');
  const dropped = count(link, 'bytesDropped');
  const reset = count(link, 'connectionsReset');
  const refused = count(link, 'connectionsRefused');
  return (
    <div
      role="row"
      data-testid="link-row"
      data-link-id={link.id}
      data-agent-id={link.agentId}
      data-state={link.state}
      aria-selected={selected}
      className={selected ? 'link-grid link-row row-selected' : 'link-grid link-row'}
      style={{ transform: `translateY(${top}px)`, height: LINK_ROW_HEIGHT }}
      onClick={() => onSelectOnly(link.id)}
    >
      <span role="cell">
        <input
          type="checkbox"
          data-testid="link-select"
          aria-label={`Select link ${link.id}`}
          checked={selected}
          onClick={(e) => e.stopPropagation()}
          onChange={() => onToggle(link.id)}
        />
      </span>
      <span role="cell" className="link-id" title={link.id}>
        {link.id}
      </span>
      <span role="cell" title={link.agentId}>
        {link.agentId}
      </span>
      <span role="cell">
        <span className={`badge link-state link-state-${link.state}`}>{link.state}</span>
      </span>
      <span role="cell" className="link-faults">
        {link.faults.length === 0 ? <span className="muted">none</span> : null}
        {link.faults.map((f) => (
          <FaultChip key={f.name} fault={f} onEdit={() => onEditFault(link.id, f.name)} />
        ))}
      </span>
      <span
        role="cell"
        className="num"
        title={`${formatCount(up)} bytes up, ${formatCount(down)} bytes down delivered`}
      >
        ↑ {formatBytes(up)} ↓ {formatBytes(down)}
      </span>
      <span
        role="cell"
        className="num"
        title={`${formatCount(dropped)} bytes dropped, ${formatCount(reset)} connections reset, ${formatCount(refused)} refused`}
      >
        {formatBytes(dropped)} / {formatCount(reset)} / {formatCount(refused)}
      </span>
      <span role="cell" className="num">
        {formatCount(link.connections)}
      </span>
    </div>
  );
});
