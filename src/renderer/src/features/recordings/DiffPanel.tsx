/** Diff two recordings by path: where they first diverge and which figures differ. */
import { useState } from 'react';
import { useRecordings } from './recordings-store';
import { DiffResultView } from './DiffResultView';
import type { RecordingActions } from './useRecordingActions';

export function DiffPanel({ actions }: { actions: RecordingActions }) {
  const diff = useRecordings((s) => s.diff);
  const busy = useRecordings((s) => s.busy !== null);
  const [a, setA] = useState(diff?.a ?? '');
  const [b, setB] = useState(diff?.b ?? '');
  return (
    <section className="panel" aria-labelledby="recordings-diff-title">
      <h2 id="recordings-diff-title">Diff two recordings</h2>
      <form
        className="recordings-form"
        onSubmit={(e) => {
          e.preventDefault();
          void actions.diff(a, b);
        }}
      >
        <input
          type="text"
          className="recordings-path"
          placeholder="A: failure.plb"
          aria-label="Recording A"
          data-testid="diff-a"
          value={a}
          onChange={(e) => setA(e.target.value)}
        />
        <input
          type="text"
          className="recordings-path"
          placeholder="B: again.plb"
          aria-label="Recording B"
          data-testid="diff-b"
          value={b}
          onChange={(e) => setB(e.target.value)}
        />
        <button type="submit" className="tool-button" data-testid="diff-run" disabled={busy}>
          Diff
        </button>
      </form>
      {diff !== null && <DiffResultView diff={diff} />}
    </section>
  );
}
