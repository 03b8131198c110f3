import { useEffect, useRef, useState } from 'react';
import { selectActions, useLab, useLabStore } from '../../store';
import { DEFAULT_SORT, sortRows, toRows } from '../subscriptions/table';
import { subscriptionsCsv } from './csv';
import { downloadText, exportFilename } from './download';
import { standaloneSvg } from './svg';
import { traceExport } from './trace';

/** A window event asking for an export (detail: 'trace' | 'report' | 'subscriptions'); the menu sends it. */
export const EXPORT_REQUEST = 'push-lab:export';

/** The selector the Flows view's chart carries (FlowChart.tsx). */
export const FLOW_CHART_SELECTOR = 'svg[data-export="flow-chart"]';

/** Download buttons: the recent events, the subscriptions table, the current flow chart. */
export function ExportToolbar() {
  const view = useLab((s) => s.view);
  // The events and the model are read when a button is pressed: subscribing to them would
  // render the toolbar on every frame a batch lands.
  const store = useLabStore();
  const { report } = useLab(selectActions);
  const [reportError, setReportError] = useState<string | null>(null);

  const exportReport = async () => {
    const result = await report('html');
    if (!result.ok) {
      setReportError(result.error.message);
      return;
    }
    setReportError(null);
    downloadText(exportFilename('report', 'html'), result.value.content, 'text/html;charset=utf-8');
  };

  const exportTrace = () => {
    downloadText(
      exportFilename('trace', 'jsonl'),
      traceExport(store.getState()),
      'application/x-ndjson',
    );
  };
  const exportSubscriptions = () => {
    const { model } = store.getState();
    const rows = sortRows(toRows(model.subscriptions, model.agents, model.services), DEFAULT_SORT);
    downloadText(
      exportFilename('subscriptions', 'csv'),
      subscriptionsCsv(rows, model.startT ?? 0),
      'text/csv;charset=utf-8',
    );
  };
  const exportFlow = () => {
    const svg = document.querySelector<SVGSVGElement>(FLOW_CHART_SELECTOR);
    if (!svg) return;
    const panel = svg.closest('.panel');
    const background = panel ? getComputedStyle(panel).backgroundColor : null;
    downloadText(exportFilename('flow', 'svg'), standaloneSvg(svg, background), 'image/svg+xml');
  };

  // The native menu's File → Export items (Electron) arrive as a window event.
  const handlers = {
    trace: exportTrace,
    report: () => void exportReport(),
    subscriptions: exportSubscriptions,
  };
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    const onRequest = (e: Event) => {
      const what = (e as CustomEvent<string>).detail;
      if (what === 'trace' || what === 'report' || what === 'subscriptions') latest.current[what]();
    };
    window.addEventListener(EXPORT_REQUEST, onRequest);
    return () => window.removeEventListener(EXPORT_REQUEST, onRequest);
  }, []);

  return (
    <div className="export-toolbar" role="group" aria-label="Export">
      <button
        type="button"
        className="tool-button"
        data-testid="export-trace"
        title="Download the recent events as a trace (JSON Lines)"
        onClick={exportTrace}
      >
        Trace (JSONL)
      </button>
      <button
        type="button"
        className="tool-button"
        data-testid="export-subscriptions"
        title="Download the subscriptions table as CSV"
        onClick={exportSubscriptions}
      >
        Subscriptions (CSV)
      </button>
      <button
        type="button"
        className="tool-button"
        data-testid="export-report"
        title="Download the engine's report of the lab so far (self-contained HTML)"
        onClick={() => void exportReport()}
      >
        Report (HTML)
      </button>
      {reportError && (
        <span className="export-error" role="alert">
          {reportError}
        </span>
      )}
      {view === 'flows' && (
        <button
          type="button"
          className="tool-button"
          data-testid="export-flow"
          title="Download the sequence chart shown as SVG"
          onClick={exportFlow}
        >
          Sequence chart (SVG)
        </button>
      )}
    </div>
  );
}
