/** The check's answer under the editor: problems with their line:column (click to go there), or the summary. */
import type { ScenarioProblem } from '../../../../shared/workbench';
import { problemPlace, problemText } from './problems';
import { useScenario } from './scenario-store';
import { describeSummary } from './summary';

export function ScenarioProblems({
  problems,
  onPick,
}: {
  problems: readonly ScenarioProblem[];
  onPick: (line: number, column: number) => void;
}) {
  const check = useScenario((s) => s.check);
  const checkError = useScenario((s) => s.checkError);
  const checking = useScenario((s) => s.text !== s.checkedText);
  return (
    <div className="scenario-check" data-testid="scenario-check" data-checking={checking}>
      {checkError !== null && (
        <p className="scenario-check-error" role="alert" data-testid="scenario-check-error">
          {checkError}
        </p>
      )}
      {check?.ok === true && (
        <p className="scenario-valid" data-testid="scenario-valid">
          ✓{' '}
          {check.summary === null
            ? 'Valid'
            : `${check.summary.name}: ${describeSummary(check.summary)}`}
        </p>
      )}
      {problems.length > 0 && (
        <ol className="scenario-problems" data-testid="scenario-problems">
          {problems.map((problem, i) => (
            <li key={i}>
              <button
                type="button"
                className="scenario-problem"
                data-testid="scenario-problem"
                disabled={problem.line === null}
                onClick={() => problem.line !== null && onPick(problem.line, problem.column ?? 1)}
              >
                <span className="problem-place">{problemPlace(problem) || '—'}</span>
                <span>{problemText(problem)}</span>
              </button>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
