/** Where scenarios come from: the bundled examples (one click loads one) and recent files. */
import { selectActions, useFeatureStore, useLab } from '../../store';
import { openExample, openPath, refreshLists } from './scenario-commands';
import { scenarioFeature, useScenario } from './scenario-store';

export function ScenarioOpen() {
  const scenarioStore = useFeatureStore(scenarioFeature);
  const { call } = useLab(selectActions);
  const examples = useScenario((s) => s.examples);
  const recent = useScenario((s) => s.recent);
  const listsError = useScenario((s) => s.listsError);
  return (
    <aside className="scenario-open" aria-label="Open a scenario">
      <h3>Examples</h3>
      {examples === null ? (
        <p className="muted">{listsError === null ? 'Loading…' : 'Not available.'}</p>
      ) : (
        <ul>
          {examples.map((example) => (
            <li key={example.id}>
              <button
                type="button"
                className="scenario-pick"
                data-testid={`scenario-example-${example.id}`}
                title={example.description}
                onClick={() => openExample(scenarioStore, example)}
              >
                <strong>{example.title}</strong>
                <span className="muted">{example.id}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <h3>Recent</h3>
      {recent === null || recent.length === 0 ? (
        <p className="muted">{recent === null ? '—' : 'No files yet.'}</p>
      ) : (
        <ul>
          {recent.map((path) => (
            <li key={path}>
              <button
                type="button"
                className="scenario-pick"
                data-testid="scenario-recent"
                title={path}
                onClick={() => void openPath(call, scenarioStore, path)}
              >
                {baseName(path)}
              </button>
            </li>
          ))}
        </ul>
      )}
      {listsError !== null && (
        <p className="scenario-notice-error" role="alert">
          {listsError}{' '}
          <button type="button" onClick={() => void refreshLists(call, scenarioStore)}>
            Retry
          </button>
        </p>
      )}
    </aside>
  );
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}
