/**
 * Changes the faults of the selected links: quick cut and restore, a preset, clear all, and
 * the form that adds a fault or changes or removes one. Each field's problem is said under
 * it as it is typed, and the form cannot be sent while there is one; a refusal by the lab
 * appears at the form's foot until the form changes, and the form keeps what was typed.
 */
import { useState, type FormEvent } from 'react';
import type { LinksInfo } from '../../../../shared/workbench';
import { selectActions, useLab } from '../../store';
import { buildFaultSpec, emptyForm, faultFieldProblems, type FaultForm } from './fault-form';
import { CUT_FAULT, CUT_FAULT_NAME, planEdit, type FaultEdit } from './fault-plan';
import { FaultFormFields } from './FaultFormFields';
import { runCalls } from './run-calls';

interface Props {
  info: LinksInfo;
  selected: ReadonlySet<string>;
  form: FaultForm;
  onFormChange(form: FaultForm): void;
  /** The name of the fault being changed, or null when the form adds one. */
  changing: string | null;
  onChangingChange(name: string | null): void;
  /** The views show the past or a recording: nothing may change (the banner says why). */
  locked: boolean;
}

interface Problem {
  field: string | null;
  message: string;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export function LinkEditor({
  info,
  selected,
  form,
  onFormChange,
  changing,
  onChangingChange,
  locked,
}: Props) {
  const { call } = useLab(selectActions);
  const [preset, setPreset] = useState(info.presets[0]?.name ?? '');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const count = info.links.filter((l) => selected.has(l.id)).length;
  const types = info.faultTypes.map((t) => t.type);
  const chosenPreset = info.presets.find((p) => p.name === preset) ?? info.presets[0];
  const fieldProblems = faultFieldProblems(
    changing === null ? form : { ...form, name: changing },
    info.faultTypes,
  );
  const invalid = Object.keys(fieldProblems).length > 0;
  // A refusal is about the form as it was sent: it goes once the form changes.
  const changeForm = (next: FaultForm) => {
    setProblem(null);
    onFormChange(next);
  };
  const blankForm = () =>
    emptyForm(form.type, info.faultTypes.find((t) => t.type === form.type)?.attributes);

  /** Sends `edit` for the selection; true when every link took it. */
  const apply = async (label: string, edit: FaultEdit, nothing: string): Promise<boolean> => {
    const calls = planEdit(info.links, selected, edit);
    setProblem(null);
    if (calls.length === 0) {
      setNotice(`${label}: nothing to change — ${nothing}.`);
      return true;
    }
    setBusy(true);
    setNotice(null);
    const outcome = await runCalls(call, calls);
    setBusy(false);
    if (!outcome.ok) {
      setProblem({ field: null, message: `${label} refused: ${outcome.message}` });
      return false;
    }
    setNotice(`${label}: ${plural(outcome.changed, 'link')} changed.`);
    return true;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const built = buildFaultSpec(changing === null ? form : { ...form, name: changing }, types);
    if (!built.ok) {
      setNotice(null);
      setProblem({ field: built.field, message: built.message });
      return;
    }
    if (changing === null) {
      await apply('Add fault', { kind: 'add', fault: built.spec }, 'no link selected');
    } else {
      await apply(
        `Change fault "${changing}"`,
        { kind: 'change', name: changing, fault: built.spec },
        `no selected link has a fault named "${changing}"`,
      );
    }
  };

  const remove = async (name: string) => {
    const done = await apply(
      `Remove fault "${name}"`,
      { kind: 'remove', name },
      `no selected link has a fault named "${name}"`,
    );
    if (done) {
      onChangingChange(null);
      changeForm(blankForm());
    }
  };

  const idle = busy || count === 0;
  return (
    <fieldset
      className="panel link-editor"
      aria-labelledby="link-editor-title"
      disabled={locked}
      data-testid="link-editor"
      data-locked={locked}
    >
      <h2 id="link-editor-title">
        Faults of the selection <span className="count">{plural(count, 'link')} selected</span>
      </h2>
      {count === 0 ? (
        <p className="muted">
          Select links to change their faults: click a row, tick several, or pick a template.
        </p>
      ) : null}
      {locked ? (
        <p className="muted" data-testid="link-editor-locked">
          Showing another moment than now: faults change only in the live lab.
        </p>
      ) : null}
      <div className="link-actions">
        <button
          type="button"
          className="link-button link-button-bad"
          data-testid="link-cut"
          disabled={idle}
          title="Add an outage (mode reset) named cut: connections reset, new ones refused"
          onClick={() =>
            void apply(
              'Cut',
              { kind: 'upsert', fault: CUT_FAULT },
              'the selected links are cut already',
            )
          }
        >
          Cut (outage)
        </button>
        <button
          type="button"
          className="link-button"
          data-testid="link-restore"
          disabled={idle}
          title="Remove the cut outage (other faults stay)"
          onClick={() =>
            void apply(
              'Restore',
              { kind: 'remove', name: CUT_FAULT_NAME },
              'no selected link is cut',
            )
          }
        >
          Restore
        </button>
        <span className="link-actions-gap" />
        <select
          data-testid="link-preset"
          aria-label="Network preset"
          value={chosenPreset?.name ?? ''}
          title={chosenPreset?.description}
          onChange={(e) => setPreset(e.target.value)}
        >
          {info.presets.map((p) => (
            <option key={p.name} value={p.name} title={p.description}>
              {p.name}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="link-button"
          data-testid="link-apply"
          disabled={idle || !chosenPreset}
          title="Replace the selected links' faults with the preset's"
          onClick={() =>
            chosenPreset &&
            void apply(
              `Preset ${chosenPreset.name}`,
              { kind: 'set', faults: chosenPreset.faults },
              'no link selected',
            )
          }
        >
          Apply preset
        </button>
        <button
          type="button"
          className="link-button"
          data-testid="link-clear"
          disabled={idle}
          onClick={() =>
            void apply('Clear all faults', { kind: 'set', faults: [] }, 'no link selected')
          }
        >
          Clear all faults
        </button>
      </div>
      <form className="link-form" onSubmit={(e) => void submit(e)}>
        <h3>{changing === null ? 'Add a fault' : `Change fault "${changing}"`}</h3>
        <FaultFormFields
          form={form}
          faultTypes={info.faultTypes}
          changing={changing !== null}
          problems={
            problem?.field != null && fieldProblems[problem.field] === undefined
              ? { ...fieldProblems, [problem.field]: problem.message }
              : fieldProblems
          }
          onChange={changeForm}
        />
        <div className="link-actions">
          <button
            type="submit"
            className="link-button link-button-primary"
            data-testid="link-fault-save"
            disabled={idle || invalid}
            title={invalid ? 'Correct the fields marked above first' : undefined}
          >
            {changing === null ? 'Add fault' : 'Save change'}
          </button>
          {changing !== null ? (
            <>
              <button
                type="button"
                className="link-button link-button-bad"
                data-testid="link-fault-remove"
                disabled={idle}
                onClick={() => void remove(changing)}
              >
                Remove fault
              </button>
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  onChangingChange(null);
                  changeForm(blankForm());
                }}
              >
                New fault instead
              </button>
            </>
          ) : null}
          {busy ? <span className="muted">Applying…</span> : null}
        </div>
        {problem !== null && problem.field === null ? (
          <p className="link-error" role="alert" data-testid="link-error">
            {problem.message}
          </p>
        ) : null}
        {notice ? (
          <p className="link-notice" aria-live="polite" data-testid="link-notice">
            {notice}
          </p>
        ) : null}
      </form>
    </fieldset>
  );
}
