import { memo } from 'react';
import { FLOW_GEOMETRY, type FlowArrow, type FlowLayout, type FlowMark } from './layout';
import { formatOffset } from '../log/filters';

interface Props {
  layout: FlowLayout;
  startT: number;
  selectedMessageId: string | null;
  onSelectMessage(id: string): void;
}

/** Draws a flow layout: lifelines, one row per arrow or mark, times on the left. */
export const FlowChart = memo(function FlowChart({
  layout,
  startT,
  selectedMessageId,
  onSelectMessage,
}: Props) {
  const g = FLOW_GEOMETRY;
  return (
    <svg
      className="flow-chart"
      data-export="flow-chart"
      width={layout.width}
      height={layout.height}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      role="img"
      aria-label="Message sequence chart"
    >
      <defs>
        <marker
          id="flow-head"
          viewBox="0 0 10 10"
          refX="10"
          refY="5"
          // In the page's units, not the line's: a selected (thicker) arrow keeps a head of
          // the same size instead of one twice as large.
          markerUnits="userSpaceOnUse"
          markerWidth="9"
          markerHeight="9"
          orient="auto-start-reverse"
        >
          <path d="M0,0 L10,5 L0,10 z" fill="context-stroke" />
        </marker>
      </defs>
      {layout.lanes.map((lane) => (
        <g key={lane.key} className={`flow-lane flow-lane-${lane.role}`}>
          <LaneTitle lane={lane} />
          <line x1={lane.x} x2={lane.x} y1={g.top - 8} y2={layout.height} />
        </g>
      ))}
      {layout.items.map((item) => {
        const selected = item.messageId !== null && item.messageId === selectedMessageId;
        const select =
          item.messageId === null ? undefined : () => onSelectMessage(item.messageId as string);
        return (
          <g
            key={`${item.seq}-${item.type}-${item.label}`}
            className={`flow-item flow-${item.tone}${selected ? ' flow-selected' : ''}${select ? ' flow-clickable' : ''}`}
            onClick={select}
            // A message's arrow or mark opens it by keyboard too, as a Log row does.
            role={select ? 'button' : undefined}
            tabIndex={select ? 0 : undefined}
            aria-label={select ? `${item.label}, message ${item.messageId}` : undefined}
            onKeyDown={
              select
                ? (k) => {
                    if (k.key === 'Enter' || k.key === ' ') {
                      k.preventDefault();
                      select();
                    }
                  }
                : undefined
            }
          >
            <text x={8} y={item.y + 4} className="flow-time">
              {formatOffset(item.t - startT)}
            </text>
            {item.type === 'arrow' ? <Arrow arrow={item} /> : <Mark mark={item} />}
          </g>
        );
      })}
    </svg>
  );
});

/**
 * The lanes' names again, in a band that sticks to the top of the scroller (FlowsView's
 * `.flows-scroll`) over the chart's own, so a long chart still says whose lifeline is whose.
 * The chart keeps its own names for the SVG export; this band is only on screen.
 */
export const FlowLaneHeader = memo(function FlowLaneHeader({ layout }: { layout: FlowLayout }) {
  const h = FLOW_GEOMETRY.header;
  return (
    <div className="flow-lane-header" style={{ width: layout.width, height: h, marginBottom: -h }}>
      <svg
        width={layout.width}
        height={h}
        viewBox={`0 0 ${layout.width} ${h}`}
        className="flow-chart"
        data-testid="flow-lane-header"
        aria-hidden="true"
      >
        {layout.lanes.map((lane) => (
          <g key={lane.key} className={`flow-lane flow-lane-${lane.role}`} data-lane={lane.label}>
            <LaneTitle lane={lane} />
          </g>
        ))}
      </svg>
    </div>
  );
});

/**
 * The times again, in a column that sticks to the scroller's left edge (FlowsView), so a chart
 * of many lanes scrolled sideways still says when each row happened. Like the lane header it is
 * only on screen; the chart keeps its own times for the SVG export.
 */
export const FlowTimeColumn = memo(function FlowTimeColumn({
  layout,
  startT,
}: {
  layout: FlowLayout;
  startT: number;
}) {
  const w = FLOW_GEOMETRY.left;
  return (
    <div
      className="flow-time-column"
      style={{ width: w, height: layout.height, marginRight: -w }}
      data-testid="flow-time-column"
      aria-hidden="true"
    >
      <svg
        width={w}
        height={layout.height}
        viewBox={`0 0 ${w} ${layout.height}`}
        className="flow-chart"
      >
        {layout.items.map((item) => (
          <text
            key={`${item.seq}-${item.type}-${item.label}`}
            x={8}
            y={item.y + 4}
            className="flow-time"
          >
            {formatOffset(item.t - startT)}
          </text>
        ))}
      </svg>
    </div>
  );
});

function LaneTitle({ lane }: { lane: FlowLayout['lanes'][number] }) {
  return (
    <>
      <text x={lane.x} y={18} textAnchor="middle" className="flow-lane-label">
        {lane.label}
      </text>
      <text x={lane.x} y={32} textAnchor="middle" className="flow-lane-role">
        {ROLE_NAMES[lane.role]}
      </text>
    </>
  );
}

const ROLE_NAMES = {
  app: 'application server',
  service: 'push service',
  agent: 'user agent / gateway',
  device: 'device',
} as const;

function Arrow({ arrow: a }: { arrow: FlowArrow }) {
  const mid = (a.x1 + a.x2) / 2;
  return (
    <g data-testid="flow-arrow" data-label={a.label} data-message-id={a.messageId ?? undefined}>
      <title>{`${a.label}: ${a.detail}`}</title>
      {/* A wide transparent line makes the arrow easy to click. */}
      <line className="flow-hit" x1={a.x1} x2={a.x2} y1={a.y} y2={a.y} />
      <line
        className="flow-line"
        x1={a.x1}
        x2={a.x2}
        y1={a.y}
        y2={a.y}
        markerEnd="url(#flow-head)"
      />
      <text x={mid} y={a.y - 5} textAnchor="middle" className="flow-label">
        {a.label}
      </text>
    </g>
  );
}

function Mark({ mark: m }: { mark: FlowMark }) {
  return (
    <g data-testid="flow-mark" data-label={m.label} data-message-id={m.messageId ?? undefined}>
      <title>{`${m.label}: ${m.detail}`}</title>
      <rect className="flow-mark" x={m.x - 5} y={m.y - 5} width={10} height={10} rx={2} />
      <text x={m.x + 10} y={m.y + 4} className="flow-label">
        {m.label}
      </text>
    </g>
  );
}
