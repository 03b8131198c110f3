// `npm run tour`: build the UI, walk the tour (test/e2e/tour.spec.ts) in every display
// configuration, and copy the README's screenshots to docs/screenshots/ (PUBLISHED there).
// Extra arguments go to Playwright (e.g. `npm run tour -- --grep 1280x800`).
import path from 'node:path';
import { buildOrExit, root, runForwarding } from './launch.mjs';

buildOrExit();
process.env['PUSH_LAB_TOUR_PUBLISH'] = '1';
runForwarding(path.join(root, 'node_modules', '.bin', 'playwright'), [
  'test',
  'test/e2e/tour.spec.ts',
  ...process.argv.slice(2),
]);
