#!/usr/bin/env node
// `npm run web`: build the UI, then run the lab in browser mode (`push-lab web`).
import { buildOrExit, cliPath, runForwarding } from './launch.mjs';

buildOrExit();
runForwarding(process.execPath, [cliPath, 'web', ...process.argv.slice(2)]);
