/**
 * The Scenario view: open a scenario (examples, recent files, a path), edit it with a form
 * and as YAML kept in step, see it checked as you type, save it and run it.
 */
import { useEffect, useMemo, useRef } from 'react';
import { selectActions, useFeatureStore, useLab } from '../../store';
import { ScenarioEditor, moveCaret } from './ScenarioEditor';
import { ScenarioForm } from './ScenarioForm';
import { ScenarioOpen } from './ScenarioOpen';
import { ScenarioProblems } from './ScenarioProblems';
import { ScenarioToolbar } from './ScenarioToolbar';
import { placeProblems, problemLines } from './problems';
import { refreshLists, validateText } from './scenario-commands';
import { scenarioFeature, useScenario } from './scenario-store';
import './scenario.css';

/** Quiet time after the last keystroke before the text is checked. */
export const VALIDATE_DELAY_MS = 250;

export function ScenarioView() {
  const scenarioStore = useFeatureStore(scenarioFeature);
  const { call } = useLab(selectActions);
  const text = useScenario((s) => s.text);
  const checkedText = useScenario((s) => s.checkedText);
  const check = useScenario((s) => s.check);
  const editorRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    void refreshLists(call, scenarioStore);
  }, [call, scenarioStore]);

  useEffect(() => {
    if (text === checkedText) return;
    const timer = setTimeout(() => void validateText(call, scenarioStore, text), VALIDATE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [call, scenarioStore, text, checkedText]);

  const problems = useMemo(
    () =>
      check === null || checkedText === null ? [] : placeProblems(checkedText, check.problems),
    [check, checkedText],
  );
  const badLines = useMemo(() => problemLines(problems), [problems]);

  return (
    <section className="view-page scenario-view" data-testid="view-scenario">
      <ScenarioOpen />
      <div className="scenario-main">
        <ScenarioToolbar />
        <div className="scenario-panes">
          <ScenarioForm problems={problems} />
          <div className="scenario-text-pane">
            <ScenarioEditor textareaRef={editorRef} badLines={badLines} />
            <ScenarioProblems
              problems={problems}
              onPick={(line, column) => moveCaret(editorRef.current, line, column)}
            />
          </div>
        </div>
      </div>
    </section>
  );
}
