/**
 * A file given on the command line (`npm start -- FILE`, `push-lab web FILE`): a scenario
 * (.yaml, .yml, .json) starts running, anything else opens as a recording.
 */
import { readScenarioFile } from './scenario-files';
import type { Workbench } from './workbench';

/** Opens `file` in the workbench; returns a sentence when it cannot, else null. */
export async function openFromCommandLine(
  workbench: Workbench,
  file: string,
): Promise<string | null> {
  if (/\.(ya?ml|json)$/i.test(file)) {
    let text: string;
    try {
      text = await readScenarioFile(file);
    } catch (error) {
      return (error as Error).message;
    }
    const result = await workbench.execute({ type: 'run.start', text, path: file });
    return result.ok ? null : result.error.message;
  }
  const result = await workbench.execute({ type: 'bundle.open', path: file });
  return result.ok ? null : result.error.message;
}
