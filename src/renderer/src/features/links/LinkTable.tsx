/** The links of the running lab as a virtual list (only the visible rows are rendered). */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import type { LinkView } from '../../../../shared/workbench';
import { LINK_ROW_HEIGHT, LinkRow } from './LinkRow';

const MAX_HEIGHT = 520;

interface Props {
  links: readonly LinkView[];
  selected: ReadonlySet<string>;
  onToggle(id: string): void;
  onToggleAll(): void;
  onSelectOnly(id: string): void;
  onEditFault(linkId: string, faultName: string): void;
}

const HEADERS = [
  'Link',
  'Agent',
  'State',
  'Faults',
  'Bytes',
  'Dropped / resets / refused',
  'Conns',
];

export function LinkTable({
  links,
  selected,
  onToggle,
  onToggleAll,
  onSelectOnly,
  onEditFault,
}: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: links.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => LINK_ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 900, height: MAX_HEIGHT },
    getItemKey: (i) => links[i]?.id ?? i,
  });
  const chosen = links.filter((l) => selected.has(l.id)).length;

  return (
    <div className="link-table" role="table" aria-rowcount={links.length}>
      <div role="row" className="link-grid link-head">
        <span role="columnheader">
          <input
            type="checkbox"
            data-testid="link-select-all"
            aria-label="Select all links"
            checked={chosen > 0 && chosen === links.length}
            ref={(el) => {
              if (el) el.indeterminate = chosen > 0 && chosen < links.length;
            }}
            onChange={onToggleAll}
          />
        </span>
        {HEADERS.map((h) => (
          <span key={h} role="columnheader">
            {h}
          </span>
        ))}
      </div>
      <div
        ref={scrollRef}
        className="link-body"
        role="rowgroup"
        style={{ height: Math.min(MAX_HEIGHT, links.length * LINK_ROW_HEIGHT + 2) }}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const link = links[item.index];
            return link ? (
              <LinkRow
                key={link.id}
                link={link}
                top={item.start}
                selected={selected.has(link.id)}
                onToggle={onToggle}
                onSelectOnly={onSelectOnly}
                onEditFault={onEditFault}
              />
            ) : null;
          })}
        </div>
      </div>
    </div>
  );
}
