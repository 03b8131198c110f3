/**
 * One diff's answer: identical or not, warnings, the figures that differ side by side, and
 * the first divergence (both events field by field, differing fields marked) with a way to
 * see it in the Flows view.
 */
import type { DiffResult } from '../../../../shared/workbench';
import { formatCount, formatLabOffset } from '../../../../shared/format';
import { diffStartT, fieldRows, parseFigure } from './diff-view';
import { useShowInFlows } from './useShowInFlows';

const fileName = (path: string) => path.split(/[\\/]/).pop() ?? path;

export function DiffResultView({ diff }: { diff: DiffResult }) {
  const showInFlows = useShowInFlows();
  const d = diff.divergence;
  const warnings = diff.sameScenario
    ? diff.warnings
    : [
        'A and B were recorded from different scenarios, so they are bound to differ.',
        ...diff.warnings,
      ];
  return (
    <div className="diff-result" data-testid="diff-result" data-diverged={d !== null}>
      <p className={d === null ? 'diff-same' : 'diff-diverged'} data-testid="diff-summary">
        {d === null
          ? `Identical, event for event (${formatCount(diff.eventsA)} events).`
          : `They diverge at event ${formatCount(d.index + 1)} (lab time ${formatLabOffset(d.t)}): A has ${formatCount(diff.eventsA)} events, B ${formatCount(diff.eventsB)}.`}
      </p>
      {warnings.map((w, i) => (
        <p key={i} className="recordings-warning" data-testid="diff-warning">
          ⚠ {w}
        </p>
      ))}
      {diff.figures.length > 0 ? (
        <table className="table diff-table" data-testid="diff-figures">
          <caption>Figures that differ</caption>
          <thead>
            <tr>
              <th>figure</th>
              <th title={diff.a}>A · {fileName(diff.a)}</th>
              <th title={diff.b}>B · {fileName(diff.b)}</th>
            </tr>
          </thead>
          <tbody>
            {diff.figures.map(parseFigure).map((row) => (
              <tr key={row.figure}>
                <td>
                  <code>{row.figure}</code>
                </td>
                <td className="num">{row.a}</td>
                <td className="num">{row.b}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">Every figure of the two reports is the same.</p>
      )}
      {d !== null && (
        <>
          <table className="table diff-table diff-events" data-testid="diff-divergence">
            <caption>
              First divergence: event index {d.index}, {d.fields.length} field
              {d.fields.length === 1 ? '' : 's'} differ
            </caption>
            <thead>
              <tr>
                <th>field</th>
                <th>A</th>
                <th>B</th>
              </tr>
            </thead>
            <tbody>
              {fieldRows(d.a, d.b, d.fields, diffStartT(diff)).map((row) => (
                <tr
                  key={row.key}
                  className={row.differs ? 'diff-differs' : undefined}
                  data-differs={row.differs}
                >
                  <td>
                    <code>{row.key}</code>
                  </td>
                  <td>
                    <pre>{row.a ?? (d.a === null ? '(A has ended)' : '—')}</pre>
                  </td>
                  <td>
                    <pre>{row.b ?? (d.b === null ? '(B has ended)' : '—')}</pre>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <button
            type="button"
            className="tool-button"
            data-testid="diff-show-in-flows"
            onClick={() => void showInFlows(diff)}
          >
            Show in flows
          </button>
        </>
      )}
    </div>
  );
}
