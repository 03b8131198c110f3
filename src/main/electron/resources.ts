/**
 * Where the files the main process reads at run time are. Unpackaged they are the repo's
 * resources/ (beside out/); packaged, electron-builder copies them out of the asar archive
 * (electron-builder.yml `extraResources`) into the app's resources folder,
 * `process.resourcesPath`. The JSON data (network presets, radio models) is bundled into
 * out/main by import and needs neither.
 */
import path from 'node:path';

/** The example scenarios' folder. `here` is the folder of out/main/index.js. */
export function examplesDir(options: {
  isPackaged: boolean;
  resourcesPath: string;
  here: string;
}): string {
  return options.isPackaged
    ? path.join(options.resourcesPath, 'scenarios')
    : path.join(options.here, '../../resources/scenarios');
}
