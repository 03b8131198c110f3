/** Server-rendered run bar and scenario view: the test ids, states and enabled controls the e2e spec relies on. */
import { createElement, type ComponentType } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { RunControls } from '../../../src/renderer/src/features/run/RunControls';
import { ScenarioView } from '../../../src/renderer/src/features/scenario/ScenarioView';
import { scenarioFeature } from '../../../src/renderer/src/features/scenario/scenario-store';
import { createLabStore, LabProvider, type LabStore } from '../../../src/renderer/src/store';
import type { RunStatus } from '../../../src/shared/workbench';
import { fakeFrames, idleClient } from './fixtures';

function render(
  component: ComponentType,
  run: RunStatus | null,
  prepare: (store: LabStore) => void = () => {},
): string {
  const client = idleClient();
  const store = createLabStore(client, { schedule: fakeFrames().schedule });
  // A run status comes over an open connection (without one the bar says "unknown").
  store.setState({ run, status: 'open' });
  store.getInitialState = store.getState;
  prepare(store);
  return renderToStaticMarkup(
    createElement(LabProvider, { store, children: createElement(component) }),
  );
}

const paused: RunStatus = {
  mode: 'run',
  epoch: 2,
  name: 'Smoke',
  scenario: 'Smoke',
  state: 'paused',
  seed: 7,
  clockMode: 'virtual',
  speed: 0,
  elapsedMs: 1000,
  durationMs: 120_000,
  events: 1234,
  controllable: true,
  path: '/tmp/smoke.yaml',
  canSave: true,
  canRerun: true,
  warning: 'opened up to event 1234',
  error: null,
};

/** The attributes of the element with `testid` (its opening tag). */
function tag(html: string, testid: string): string {
  const match = new RegExp(`<[^>]*data-testid="${testid}"[^>]*>`).exec(html);
  if (!match) throw new Error(`no element with data-testid="${testid}"`);
  return match[0];
}

describe('RunControls', () => {
  it('shows a paused run with resume and step enabled, pause disabled, speed max', () => {
    const html = render(RunControls, paused);
    expect(tag(html, 'run-state')).toContain('data-state="paused"');
    expect(tag(html, 'run-resume')).not.toContain('disabled');
    expect(tag(html, 'run-step')).not.toContain('disabled');
    expect(tag(html, 'run-pause')).toContain('disabled');
    expect(html).toContain('<option value="0" selected="">max</option>');
    expect(html).toMatch(/data-testid="run-seed">7</);
    expect(html).toContain('1,234 events');
    expect(html).toContain('00:02:00.000');
    expect(html).toMatch(/data-testid="run-warning">opened up to event 1234</);
  });

  it('renders before the host has said anything, with every control off', () => {
    const html = render(RunControls, null);
    expect(tag(html, 'run-state')).toContain('data-state="none"');
    for (const id of ['run-pause', 'run-resume', 'run-step', 'run-stop', 'run-speed']) {
      expect(tag(html, id)).toContain('disabled');
    }
  });

  it('shows why a run failed', () => {
    const html = render(RunControls, { ...paused, state: 'failed', error: 'services: required' });
    expect(html).toMatch(/data-testid="run-error">services: required</);
  });
});

describe('ScenarioView', () => {
  it('shows the text, the form fields and the problems under their field', () => {
    const html = render(ScenarioView, null, (lab) => {
      const scenario = lab.feature(scenarioFeature);
      scenario.setState({
        text: 'name: Smoke\nuserAgents:\n  - id: phone\n    count: -1\n',
        savedText: 'name: Smoke\n',
        origin: 'example: smoke',
        checkedText: 'name: Smoke\nuserAgents:\n  - id: phone\n    count: -1\n',
        check: {
          ok: false,
          summary: null,
          problems: [
            { path: 'userAgents.0.count', line: 4, column: 12, message: 'too small (got -1)' },
          ],
        },
      });
      // Server rendering reads a store's initial state; make it the current one.
      scenario.getInitialState = scenario.getState;
    });
    expect(tag(html, 'scenario-field-name')).toContain('value="Smoke"');
    expect(tag(html, 'scenario-field-userAgents.0.count')).toContain('aria-invalid="true"');
    expect(html).toContain('userAgents.0.count: too small (got -1)');
    expect(html).toContain('>4:12<');
    expect(html).toContain('data-testid="scenario-dirty"');
    expect(html).toContain('example: smoke');
  });
});
