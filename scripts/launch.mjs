// Shared by `npm start` and `npm run web`: build the app, then run a child that gets our
// signals and whose exit code becomes ours.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const cliPath = path.join(root, 'bin', 'push-lab.mjs');

export function buildOrExit() {
  const build = spawnSync(path.join(root, 'node_modules', '.bin', 'electron-vite'), ['build'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (build.status !== 0) {
    process.stderr.write('push-lab: the build failed (see above); nothing was started.\n');
    process.exit(1);
  }
}

export function runForwarding(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}
