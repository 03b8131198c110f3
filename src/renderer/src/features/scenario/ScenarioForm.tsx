/**
 * The common settings as a form over the YAML: each edit changes that one value in the text
 * (comments and layout stay), and each field shows the check's problems about it.
 */
import { useDeferredValue, useId, useMemo, useState } from 'react';
import type { ScenarioProblem } from '../../../../shared/workbench';
import { problemsForField, problemText } from './problems';
import { readForm, toYamlValue, type FormField } from './scenario-form';
import { scenarioFeature, useScenario } from './scenario-store';
import { setYamlValue } from './yaml-edit';
import { useFeatureStore } from '../../store';

export function ScenarioForm({ problems }: { problems: readonly ScenarioProblem[] }) {
  const scenarioStore = useFeatureStore(scenarioFeature);
  // Typing in the YAML stays quick on long files: the form follows when React has time.
  const text = useDeferredValue(useScenario((s) => s.text));
  const form = useMemo(() => readForm(text), [text]);
  const [editError, setEditError] = useState<string | null>(null);

  const commit = (field: FormField, raw: string) => {
    const { text: current, setText } = scenarioStore.getState();
    const edited = setYamlValue(current, field.path, toYamlValue(field.kind, raw));
    if (edited.ok) {
      setEditError(null);
      setText(edited.text);
    } else {
      setEditError(`${field.key}: ${edited.message}`);
    }
  };

  if (!form.ok) {
    return (
      <div className="scenario-form" data-testid="scenario-form">
        <p className="muted" data-testid="scenario-form-off">
          {form.message} Fix it in the text to use the form.
        </p>
      </div>
    );
  }
  return (
    <form
      className="scenario-form"
      data-testid="scenario-form"
      aria-label="Scenario settings"
      onSubmit={(e) => e.preventDefault()}
    >
      {form.groups.map((group) => (
        <fieldset key={group.title}>
          <legend>{group.title}</legend>
          {group.fields.map((field) => (
            <FieldRow
              key={field.key}
              field={field}
              problems={problemsForField(problems, field.key)}
              onCommit={(raw) => commit(field, raw)}
            />
          ))}
        </fieldset>
      ))}
      {editError !== null && (
        <p className="field-error" role="alert">
          {editError}
        </p>
      )}
    </form>
  );
}

function FieldRow({
  field,
  problems,
  onCommit,
}: {
  field: FormField;
  problems: readonly ScenarioProblem[];
  onCommit: (raw: string) => void;
}) {
  const id = useId();
  // While focused the input shows what was typed ("1." stays "1." though the YAML says 1).
  const [draft, setDraft] = useState<string | null>(null);
  const common = {
    id,
    'data-testid': `scenario-field-${field.key}`,
    'aria-invalid': problems.length > 0,
  };
  return (
    <div className="scenario-field">
      <label htmlFor={id}>{field.label}</label>
      {field.kind === 'choice' ? (
        <select {...common} value={field.value} onChange={(e) => onCommit(e.target.value)}>
          {field.value === '' && <option value="">{field.placeholder} (default)</option>}
          {!field.options.includes(field.value) && field.value !== '' && (
            <option value={field.value}>{field.value}</option>
          )}
          {field.options.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      ) : (
        <input
          {...common}
          type="text"
          inputMode={field.kind === 'integer' || field.kind === 'number' ? 'decimal' : undefined}
          placeholder={field.placeholder}
          value={draft ?? field.value}
          onFocus={() => setDraft(field.value)}
          onBlur={() => setDraft(null)}
          onChange={(e) => {
            setDraft(e.target.value);
            onCommit(e.target.value);
          }}
        />
      )}
      {problems.map((problem, i) => (
        <p
          key={i}
          className="field-error"
          data-testid="scenario-field-error"
          data-path={problem.path}
        >
          {problemText(problem)}
        </p>
      ))}
    </div>
  );
}
