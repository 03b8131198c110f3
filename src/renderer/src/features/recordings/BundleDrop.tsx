/**
 * Drop a recording anywhere on the window to open it: an overlay says so while a file is
 * dragged over, and the Recordings view shows the outcome.
 */
import { useEffect, useRef, useState } from 'react';
import { selectActions, useFeatureStore, useLab } from '../../store';
import { recordingsFeature } from './recordings-store';
import { useRecordingActions } from './useRecordingActions';

const carriesFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;

export function BundleDrop() {
  const { openFile } = useRecordingActions();
  const { showView } = useLab(selectActions);
  const recordingsStore = useFeatureStore(recordingsFeature);
  const [over, setOver] = useState(false);
  // The listeners stay put; they call the latest actions.
  const openRef = useRef(openFile);
  useEffect(() => {
    openRef.current = openFile;
  });

  useEffect(() => {
    // dragenter/dragleave fire for every child crossed: count them.
    let depth = 0;
    const onEnter = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      depth += 1;
      setOver(true);
    };
    const onLeave = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const onOver = (e: DragEvent) => {
      if (carriesFiles(e)) e.preventDefault();
    };
    const onDrop = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setOver(false);
      showView('recordings');
      const files = [...(e.dataTransfer?.files ?? [])];
      const [file] = files;
      if (file === undefined || files.length > 1) {
        recordingsStore.setState({
          busy: null,
          notice: null,
          error: `Drop one recording at a time (${files.length} files were dropped).`,
        });
        return;
      }
      void openRef.current(file);
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('dragover', onOver);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('drop', onDrop);
    };
  }, [showView, recordingsStore]);

  return over ? (
    <div className="bundle-drop" data-testid="bundle-drop" aria-hidden="true">
      Drop the recording to open it
    </div>
  ) : null;
}
