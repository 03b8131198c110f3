#!/usr/bin/env node
// `npm start`: build, then open the Electron app; where no Electron binary can be had,
// say so in one sentence and serve the same UI in browser mode instead.
import { findElectronBinary } from './electron-binary.mjs';
import { buildOrExit, cliPath, root, runForwarding } from './launch.mjs';

buildOrExit();
const args = process.argv.slice(2);
const electron = findElectronBinary();
if (electron) {
  runForwarding(electron, [root, ...args]);
} else {
  process.stdout.write(
    'No Electron binary is installed here (its download is not reachable), so Push Lab opens in browser mode instead.\n',
  );
  runForwarding(process.execPath, [cliPath, 'web', ...args]);
}
