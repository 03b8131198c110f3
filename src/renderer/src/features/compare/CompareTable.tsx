/** The comparison as one table: a row per figure, a column per profile, the best marked. */
import { useMemo } from 'react';
import type { CompareResult } from '../../../../shared/workbench';
import { formatDuration } from '../../../../shared/format';
import { downloadText, exportFilename } from '../exports/download';
import { PROFILE_COLORS } from './compare-chart';
import { compareCsv, compareFigures, formatFigure, profilesOf } from './compare-table';

export function CompareTable({ result }: { result: CompareResult }) {
  const figures = useMemo(() => compareFigures(result), [result]);
  const profiles = profilesOf(result);
  return (
    <section className="panel compare-result" aria-labelledby="compare-table-title">
      <h2 id="compare-table-title">
        {result.scenario}{' '}
        <span className="count">
          seed {String(result.seed)} · {formatDuration(result.durationMs)} of lab time
        </span>
        <button
          type="button"
          className="compare-csv"
          data-testid="compare-csv"
          onClick={() =>
            downloadText(exportFilename('compare', 'csv'), compareCsv(result), 'text/csv')
          }
        >
          Export CSV
        </button>
      </h2>
      <table className="table compare-table" data-testid="compare-table">
        <thead>
          <tr>
            <th scope="col">Figure</th>
            {profiles.map((p) => (
              <th key={p} scope="col" className="num" data-testid={`compare-col-${p}`}>
                <span
                  className="compare-swatch"
                  style={{ background: `var(${PROFILE_COLORS[p]})` }}
                  aria-hidden="true"
                />
                {p}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {figures.map((f) => (
            <tr key={f.id} data-figure={f.id}>
              <th scope="row">
                {f.label}
                {f.better ? (
                  <span className="muted compare-better">
                    {f.better === 'higher' ? ' ↑ better' : ' ↓ better'}
                  </span>
                ) : null}
              </th>
              {f.values.map((v, i) => (
                <td
                  key={profiles[i]}
                  className={f.best[i] ? 'num compare-best' : 'num'}
                  data-profile={profiles[i]}
                  data-best={f.best[i] || undefined}
                  title={f.best[i] ? 'best of the row' : undefined}
                >
                  {formatFigure(v, f.unit)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
