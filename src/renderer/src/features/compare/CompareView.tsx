/**
 * The Compare view: one scenario run once per protocol profile, the figures side by side in
 * one table (best of each row marked, exportable as CSV) and one chart over lab time.
 */
import './compare.css';
import { CompareChart } from './CompareChart';
import { CompareForm } from './CompareForm';
import { useCompare } from './compare-store';
import { CompareTable } from './CompareTable';

export function CompareView() {
  const result = useCompare((s) => s.result);
  const running = useCompare((s) => s.running);
  return (
    <main className="view-page compare-view" data-testid="compare-view">
      <CompareForm />
      {result ? (
        <div className={running ? 'compare-output compare-stale' : 'compare-output'}>
          <CompareTable result={result} />
          <CompareChart result={result} />
        </div>
      ) : (
        <p className="muted compare-empty">
          No comparison yet: choose a scenario and profiles, then Run comparison.
        </p>
      )}
    </main>
  );
}
