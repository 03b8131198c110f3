/** What to compare: the scenario (an example or pasted text), the profiles, seed and duration. */
import { useEffect } from 'react';
import { PROFILES } from '../../../../shared/events';
import { selectActions, useLab } from '../../store';
import { PASTED, PROFILES_MAX, toggleProfile } from './compare-form';
import { profileLine, share, whereLine } from './compare-progress';
import { useCompare } from './compare-store';
import { useElapsed } from './useElapsed';

export function CompareForm() {
  const { call } = useLab(selectActions);
  const form = useCompare((s) => s.form);
  const examples = useCompare((s) => s.examples);
  const examplesError = useCompare((s) => s.examplesError);
  const running = useCompare((s) => s.running);
  const problem = useCompare((s) => s.problem);
  const setForm = useCompare((s) => s.setForm);
  const loadExamples = useCompare((s) => s.loadExamples);
  const run = useCompare((s) => s.run);
  const cancel = useCompare((s) => s.cancel);
  const cancelling = useCompare((s) => s.cancelling);
  const progress = useCompare((s) => s.progress);
  const elapsed = useElapsed(running);

  useEffect(() => void loadExamples(call), [loadExamples, call]);

  const example = examples?.find((e) => e.id === form.source);
  const invalid = (field: string) => problem?.field === field || undefined;

  return (
    <form
      className="panel compare-form"
      aria-labelledby="compare-form-title"
      onSubmit={(e) => {
        e.preventDefault();
        void run(call);
      }}
    >
      <h2 id="compare-form-title">Compare profiles</h2>
      <p className="muted">
        Runs the scenario once per profile on the virtual clock, with the same seed, and sets the
        figures side by side.
      </p>
      <div className="compare-line">
        <label>
          Scenario
          <select
            data-testid="compare-scenario"
            value={form.source}
            aria-invalid={invalid('scenario')}
            onChange={(e) => setForm({ source: e.target.value })}
          >
            {(examples ?? []).map((e) => (
              <option key={e.id} value={e.id}>
                {e.id} — {e.title}
              </option>
            ))}
            <option value={PASTED}>Paste scenario text…</option>
          </select>
        </label>
        <fieldset className="compare-profiles" aria-invalid={invalid('profiles')}>
          <legend>Profiles (1 to {PROFILES_MAX})</legend>
          {PROFILES.map((p) => (
            <label key={p}>
              <input
                type="checkbox"
                data-testid={`compare-profile-${p}`}
                checked={form.profiles.includes(p)}
                onChange={() => setForm({ profiles: toggleProfile(form.profiles, p) })}
              />
              {p}
            </label>
          ))}
        </fieldset>
        <label>
          Seed
          <input
            data-testid="compare-seed"
            className="compare-short"
            value={form.seed}
            placeholder="scenario's"
            aria-invalid={invalid('seed')}
            onChange={(e) => setForm({ seed: e.target.value })}
          />
        </label>
        <label>
          Duration
          <input
            data-testid="compare-duration"
            className="compare-short"
            value={form.duration}
            placeholder="e.g. 2m"
            aria-invalid={invalid('duration')}
            onChange={(e) => setForm({ duration: e.target.value })}
          />
        </label>
      </div>
      {examples === null && !examplesError ? <p className="muted">Loading examples…</p> : null}
      {examplesError ? (
        <p className="compare-error">
          Could not list the examples ({examplesError}); paste scenario text instead.
        </p>
      ) : null}
      {example ? <p className="muted compare-description">{example.description}</p> : null}
      {form.source === PASTED ? (
        <textarea
          data-testid="compare-text"
          className="compare-text"
          rows={10}
          value={form.pasted}
          placeholder="Scenario YAML or JSON (see docs/scenarios.md)"
          aria-invalid={invalid('scenario')}
          onChange={(e) => setForm({ pasted: e.target.value })}
        />
      ) : null}
      <div className="compare-actions">
        <button
          type="submit"
          className="compare-button"
          data-testid="compare-run"
          disabled={running}
        >
          Run comparison
        </button>
        {running ? (
          <>
            <button
              type="button"
              className="compare-cancel"
              data-testid="compare-cancel"
              disabled={cancelling}
              onClick={() => void cancel(call)}
            >
              {cancelling ? 'Cancelling…' : 'Cancel'}
            </button>
            <span className="compare-progress" role="status" data-testid="compare-progress">
              <span className="compare-spinner" aria-hidden="true" />
              Running the comparison{progress ? ` ${whereLine(progress)}` : ''}… {elapsed} s
            </span>
          </>
        ) : null}
      </div>
      {running && progress ? (
        <ul className="compare-profile-progress" data-testid="compare-profile-progress">
          {progress.profiles.map((p) => (
            <li key={p.profile} data-testid={`compare-profile-progress-${p.profile}`}>
              <progress max={1} value={share(p)} aria-label={`${p.profile} progress`} />
              {profileLine(p)}
            </li>
          ))}
        </ul>
      ) : null}
      {problem ? (
        <p className="compare-error" role="alert" data-testid="compare-error">
          {problem.message}
        </p>
      ) : null}
    </form>
  );
}
