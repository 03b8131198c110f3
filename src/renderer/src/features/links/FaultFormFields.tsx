/** The fields of the add/change fault form: type, name, stream, toxicity, attributes, schedule. */
import { useId } from 'react';
import type { LinksInfo } from '../../../../shared/workbench';
import {
  attributeHint,
  STREAMS,
  withSpareRow,
  withType,
  type AttributeRow,
  type FaultFieldProblems,
  type FaultForm,
} from './fault-form';

interface Props {
  form: FaultForm;
  faultTypes: LinksInfo['faultTypes'];
  /** The type and name cannot change while changing a fault. */
  changing: boolean;
  /** Each field's problem as typed (said under it), plus the field the lab's refusal named. */
  problems: FaultFieldProblems;
  onChange(form: FaultForm): void;
}

/** A field's problem, under it; announced as it appears. */
function FieldProblem({ text, field }: { text: string | undefined; field: string }) {
  if (text === undefined) return null;
  return (
    <span
      className="fault-field-error"
      role="alert"
      data-testid="fault-field-error"
      data-field={field}
    >
      {text}
    </span>
  );
}

export function FaultFormFields({ form, faultTypes, changing, problems, onChange }: Props) {
  const listId = useId();
  const attributesOf = (type: string) => faultTypes.find((t) => t.type === type)?.attributes ?? [];
  const attributes = attributesOf(form.type);
  const set = (patch: Partial<FaultForm>) => onChange({ ...form, ...patch });
  const invalid = (field: string) => problems[field] !== undefined || undefined;
  const setRow = (i: number, patch: Partial<AttributeRow>) =>
    set({ rows: withSpareRow(form.rows.map((r, j) => (j === i ? { ...r, ...patch } : r))) });

  return (
    <div className="fault-fields">
      <div className="fault-line">
        <label>
          Type
          <select
            data-testid="fault-type"
            value={form.type}
            disabled={changing}
            aria-invalid={invalid('type')}
            onChange={(e) => onChange(withType(form, e.target.value, attributesOf(e.target.value)))}
          >
            {form.type === '' ? <option value="">choose a type</option> : null}
            {faultTypes.map((t) => (
              <option key={t.type} value={t.type}>
                {t.type}
              </option>
            ))}
          </select>
          <FieldProblem text={problems.type} field="type" />
        </label>
        <label>
          Name
          <input
            data-testid="fault-name"
            value={form.name}
            placeholder="type_stream"
            disabled={changing}
            aria-invalid={invalid('name')}
            onChange={(e) => set({ name: e.target.value })}
          />
          <FieldProblem text={problems.name} field="name" />
        </label>
        <label>
          Stream
          <select
            data-testid="fault-stream"
            value={form.stream}
            onChange={(e) => set({ stream: e.target.value as FaultForm['stream'] })}
          >
            <option value="">type's default</option>
            {STREAMS.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Toxicity
          <input
            data-testid="fault-toxicity"
            className="fault-short"
            value={form.toxicity}
            placeholder="1"
            inputMode="decimal"
            aria-invalid={invalid('toxicity')}
            onChange={(e) => set({ toxicity: e.target.value })}
          />
          <FieldProblem text={problems.toxicity} field="toxicity" />
        </label>
      </div>
      <div className="fault-line">
        <span className="fault-label">Attributes</span>
        <label className="fault-inline">
          <input
            type="checkbox"
            data-testid="fault-attributes-json"
            checked={form.attributesMode === 'json'}
            onChange={(e) => set({ attributesMode: e.target.checked ? 'json' : 'fields' })}
          />
          as JSON
        </label>
      </div>
      {form.attributesMode === 'json' ? (
        <>
          <textarea
            data-testid="fault-json"
            className="fault-json"
            rows={2}
            value={form.json}
            placeholder='{"latency": 300, "jitter": 50}'
            aria-invalid={invalid('attributes')}
            onChange={(e) => set({ json: e.target.value })}
          />
          <FieldProblem text={problems.attributes} field="attributes" />
        </>
      ) : (
        <div className="fault-rows">
          <datalist id={listId}>
            {attributes.map((a) => (
              <option key={a.name} value={a.name}>
                {attributeHint(attributes, a.name).placeholder}
              </option>
            ))}
          </datalist>
          {attributes
            .filter((a) => a.values !== undefined)
            .map((a) => (
              <datalist key={a.name} id={`${listId}-${a.name}`}>
                {a.values?.map((v) => (
                  <option key={v} value={v} />
                ))}
              </datalist>
            ))}
          {form.rows.map((row, i) => {
            const hint = attributeHint(attributes, row.name);
            return (
              <div key={i} className="fault-line">
                <input
                  data-testid="fault-attr-name"
                  aria-label={`Attribute ${i + 1} name`}
                  list={listId}
                  value={row.name}
                  placeholder="name"
                  aria-invalid={invalid(`attributes[${i + 1}]`)}
                  onChange={(e) => setRow(i, { name: e.target.value })}
                />
                <input
                  data-testid="fault-attr-value"
                  className="fault-value"
                  aria-label={`Attribute ${i + 1} value`}
                  value={row.value}
                  list={hint.values.length > 0 ? `${listId}-${row.name.trim()}` : undefined}
                  placeholder={hint.placeholder}
                  title={hint.title}
                  aria-invalid={invalid(`attributes.${row.name.trim()}`)}
                  onChange={(e) => setRow(i, { value: e.target.value })}
                />
                <FieldProblem
                  text={
                    problems[`attributes.${row.name.trim()}`] ?? problems[`attributes[${i + 1}]`]
                  }
                  field={`attributes.${row.name.trim()}`}
                />
              </div>
            );
          })}
        </div>
      )}
      <label className="fault-schedule">
        Schedule (JSON; empty: always on)
        <input
          data-testid="fault-schedule"
          value={form.schedule}
          placeholder='{"kind": "timeline", "windows": [{"fromMs": 0, "toMs": 10000}]}'
          aria-invalid={invalid('schedule')}
          onChange={(e) => set({ schedule: e.target.value })}
        />
        <FieldProblem text={problems.schedule} field="schedule" />
      </label>
    </div>
  );
}
