/**
 * The file names Push Lab opens, by kind. The installers associate the two extensions of
 * its own with the app (electron-builder.yml `fileAssociations`; the packaging test keeps
 * them in step), so a double-click opens a recording or starts a scenario. Scenarios also
 * open as plain .yaml/.yml/.json, but the app never claims those for every file.
 */
/** A recording bundle under a name of its own (the same gzip JSONL as `*.jsonl.gz`). */
export const RECORDING_EXTENSION = 'pushlab';
/** A scenario (YAML) under a name of its own. */
export const SCENARIO_EXTENSION = 'pushlab-scenario';

/** Whether `file` names a scenario (it runs); anything else opens as a recording. */
export function isScenarioFile(file: string): boolean {
  return /\.(ya?ml|json|pushlab-scenario)$/i.test(file);
}
