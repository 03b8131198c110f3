/**
 * "Show in flows" for a diff: travels the open recording to the divergent event, selects
 * its message and shows the Flows view. When neither side of the diff is open, recording A
 * is opened first and the travel waits for it to arrive.
 */
import { useEffect, useState } from 'react';
import type { DiffResult } from '../../../../shared/workbench';
import { selectActions, selectEpoch, selectRun, useFeatureStore, useLab } from '../../store';
import { divergenceTarget, openSide, type DivergenceTarget } from './diff-view';
import { recordingsFeature } from './recordings-store';

export function useShowInFlows(): (diff: DiffResult) => Promise<void> {
  const { call, travelTo, selectMessage, showView } = useLab(selectActions);
  const run = useLab(selectRun);
  const recordingsStore = useFeatureStore(recordingsFeature);
  const epoch = useLab(selectEpoch);
  // A travel waiting for the lab of `epoch` (recording A, being opened) to be shown.
  const [pending, setPending] = useState<{ epoch: number; target: DivergenceTarget } | null>(null);

  useEffect(() => {
    if (pending === null || pending.epoch !== epoch) return;
    setPending(null);
    void travelTo(pending.target.seq);
    if (pending.target.messageId !== null) selectMessage(pending.target.messageId);
    showView('flows');
  }, [pending, epoch, travelTo, selectMessage, showView]);

  return async (diff) => {
    const side = openSide(diff, run);
    const target = divergenceTarget(diff, side ?? 'a');
    if (target === null) return;
    if (side !== null) {
      setPending({ epoch: epoch ?? 0, target });
      return;
    }
    recordingsStore.setState({ busy: `Opening ${diff.a}…`, error: null, notice: null });
    const opened = await call({ type: 'bundle.open', path: diff.a });
    recordingsStore.setState({ busy: null, error: opened.ok ? null : opened.error.message });
    if (opened.ok) setPending({ epoch: opened.value.epoch, target });
  };
}
