/**
 * The Links view: every link of the lab at the moment shown with its state, faults and
 * counters (from the model), and an editor for the faults of the selected links, locked while
 * the views show the past or a recording. The sandbox lab has no links; it says so.
 */
import './links.css';
import { useCallback, useMemo, useState } from 'react';
import { LINKS_LISTED_MAX, type LinksInfo, type WorkbenchMode } from '../../../../shared/workbench';
import { selectActions, selectCanChangeLab, selectRun, useLab } from '../../store';
import { emptyForm, formFromSpec, type FaultForm } from './fault-form';
import {
  groupByTemplate,
  pruneSelection,
  selectTemplate,
  toggleAll,
  toggleLink,
} from './link-selection';
import { LinkEditor } from './LinkEditor';
import { LinkTable } from './LinkTable';
import { useLinks } from './useLinks';

const NO_LINKS: Readonly<Record<WorkbenchMode, string>> = {
  sandbox:
    'The sandbox lab has no links: its user agent talks to the push service directly (start with `push-lab web --proxy LISTEN=UPSTREAM` to put a flaky link between any two real endpoints here). ',
  run: 'This lab has no links: its scenario declares none. ',
  replay: 'This recording has no links: its scenario declared none. ',
};

function NoLinks({ mode }: { mode: WorkbenchMode }) {
  const { showView } = useLab(selectActions);
  return (
    <p className="links-empty" data-testid="links-empty">
      {NO_LINKS[mode]}
      Run a scenario with links (commute, smoke, field-gateway…) from the{' '}
      <button type="button" className="link" onClick={() => showView('scenario')}>
        Scenario view
      </button>
      .
    </p>
  );
}

export function LinksView() {
  const run = useLab(selectRun);
  const { links, total, catalog, error } = useLinks();
  const canChange = useLab(selectCanChangeLab);
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [form, setForm] = useState<FaultForm | null>(null);
  const [changing, setChanging] = useState<string | null>(null);

  const info = useMemo<LinksInfo | null>(
    () => catalog && { links: [...links], ...catalog },
    [catalog, links],
  );
  const selected = useMemo(() => pruneSelection(picked, links), [picked, links]);
  const templates = useMemo(() => groupByTemplate(links), [links]);
  const firstType = catalog?.faultTypes[0];
  const currentForm = form ?? emptyForm(firstType?.type ?? '', firstType?.attributes);

  const onToggle = useCallback((id: string) => setPicked((s) => toggleLink(s, id)), []);
  const onSelectOnly = useCallback((id: string) => setPicked(new Set([id])), []);
  const onEditFault = useCallback(
    (linkId: string, name: string) => {
      const fault = links.find((l) => l.id === linkId)?.faults.find((f) => f.name === name);
      if (!fault) return;
      setPicked((s) => (s.has(linkId) ? s : new Set([linkId])));
      setForm(formFromSpec({ ...fault.spec, name: fault.name }));
      setChanging(name);
    },
    [links],
  );

  return (
    <main className="view-page links-view" data-testid="links-view">
      <section className="panel" aria-labelledby="links-title">
        <h2 id="links-title">
          Links <span className="count">{links.length}</span>
        </h2>
        {error ? (
          <p className="link-error" role="alert">
            Could not list the links: {error}
          </p>
        ) : null}
        {links.length === 0 ? (
          <NoLinks mode={run?.mode ?? 'sandbox'} />
        ) : (
          <>
            <div className="link-toolbar">
              <select
                data-testid="link-template"
                aria-label="Select every link of a template"
                value=""
                onChange={(e) => setPicked(selectTemplate(links, e.target.value))}
              >
                <option value="">Select a template…</option>
                {templates.map((t) => (
                  <option key={t.template} value={t.template}>
                    {t.template} ({t.linkIds.length})
                  </option>
                ))}
              </select>
              {total > LINKS_LISTED_MAX ? (
                <span className="muted">
                  Showing the first {LINKS_LISTED_MAX} of {total} links; selections reach only
                  these.
                </span>
              ) : null}
            </div>
            <LinkTable
              links={links}
              selected={selected}
              onToggle={onToggle}
              onToggleAll={() => setPicked((s) => toggleAll(links, s))}
              onSelectOnly={onSelectOnly}
              onEditFault={onEditFault}
            />
          </>
        )}
      </section>
      {info !== null && links.length > 0 ? (
        <LinkEditor
          info={info}
          selected={selected}
          form={currentForm}
          onFormChange={setForm}
          changing={changing}
          onChangingChange={setChanging}
          locked={!canChange}
        />
      ) : null}
    </main>
  );
}
