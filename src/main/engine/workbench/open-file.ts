/**
 * A file given on the command line (`npm start -- FILE`, `push-lab web FILE`) or opened
 * from the desktop (a double-click): a scenario (shared/file-kinds.ts) starts running,
 * anything else opens as a recording. The user named it, so it may lie outside the
 * workspace: the workbench holds it behind a handle, and the UI (which lists it among the
 * recent files) only ever sees the handle.
 */
import { isScenarioFile } from '../../../shared/file-kinds';
import type { Workbench } from './workbench';

/** Opens `file` in the workbench; returns a sentence when it cannot, else null. */
export async function openFromCommandLine(
  workbench: Workbench,
  file: string,
): Promise<string | null> {
  const handle = workbench.registerFile(file);
  if (isScenarioFile(file)) {
    const read = await workbench.execute({ type: 'scenario.read', path: handle });
    if (!read.ok) return read.error.message.replaceAll(handle, file);
    const { text } = read.value as { text: string };
    const result = await workbench.execute({ type: 'run.start', text, path: handle });
    return result.ok ? null : result.error.message;
  }
  const result = await workbench.execute({ type: 'bundle.open', path: handle });
  return result.ok ? null : result.error.message.replaceAll(handle, file);
}
