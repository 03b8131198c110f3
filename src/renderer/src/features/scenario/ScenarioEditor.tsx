/**
 * The scenario's YAML in a plain textarea with a line-number gutter (problem lines marked),
 * and `moveCaret` to take the user to a line and column.
 */
import { memo, useRef, type RefObject } from 'react';
import { offsetAt } from './problems';
import { scenarioFeature, useScenario } from './scenario-store';
import { useFeatureStore } from '../../store';

export function ScenarioEditor({
  textareaRef,
  badLines,
}: {
  textareaRef: RefObject<HTMLTextAreaElement | null>;
  badLines: ReadonlySet<number>;
}) {
  const scenarioStore = useFeatureStore(scenarioFeature);
  const text = useScenario((s) => s.text);
  const gutterRef = useRef<HTMLDivElement>(null);
  const lines = lineCount(text);
  return (
    <div className="scenario-editor">
      <div className="scenario-gutter" ref={gutterRef} aria-hidden="true">
        <LineNumbers lines={lines} badLines={badLines} />
      </div>
      <textarea
        ref={textareaRef}
        className="scenario-text"
        data-testid="scenario-text"
        aria-label="Scenario YAML"
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        wrap="off"
        placeholder="Open an example, a recent file or a path — or write a scenario here."
        value={text}
        onChange={(e) => scenarioStore.getState().setText(e.target.value)}
        onScroll={(e) => {
          if (gutterRef.current) gutterRef.current.scrollTop = e.currentTarget.scrollTop;
        }}
      />
    </div>
  );
}

/** Re-rendered only when the number of lines or the problem lines change, not per keystroke. */
const LineNumbers = memo(function LineNumbers({
  lines,
  badLines,
}: {
  lines: number;
  badLines: ReadonlySet<number>;
}) {
  return Array.from({ length: lines }, (_, i) => (
    <span key={i} className={badLines.has(i + 1) ? 'gutter-bad' : undefined}>
      {i + 1}
    </span>
  ));
});

function lineCount(text: string): number {
  let count = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/** Puts the caret at 1-based `line`/`column` and scrolls that line into view. */
export function moveCaret(textarea: HTMLTextAreaElement | null, line: number, column = 1): void {
  if (textarea === null) return;
  const offset = offsetAt(textarea.value, line, column);
  const lineHeight = Number.parseFloat(getComputedStyle(textarea).lineHeight) || 18;
  textarea.focus({ preventScroll: true });
  textarea.setSelectionRange(offset, offset);
  textarea.scrollTop = Math.max(0, (line - 1) * lineHeight - textarea.clientHeight / 3);
}
