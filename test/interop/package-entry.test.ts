/**
 * The package's entry outside vitest: a plain `node` ESM program imports `push-lab` by its
 * name (package.json `exports` → lib/index.mjs → tsx), as a mocha or node:test suite would,
 * starts a service, receives a message, and exits on its own once it closes the service.
 */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli';

const program = `
import http2 from 'node:http2';
import { startPushService } from 'push-lab';
const push = await startPushService({ tls: false });
const [sub] = push.subscriptions;
const session = http2.connect(push.url);
const stream = session.request({ ':method': 'POST', ':path': new URL(sub.endpoint).pathname, ttl: '30' });
stream.end('from plain node');
const status = await new Promise((resolve) => stream.on('response', (h) => resolve(h[':status'])));
stream.resume();
session.close();
const message = await push.nextMessage({ timeoutMs: 5000 });
await push.close();
console.log(JSON.stringify({ status, plaintext: message.plaintext }));
`;

it('imports push-lab by name from plain node, delivers, and lets the process exit after close()', () => {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', program], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual({ status: 201, plaintext: 'from plain node' });
}, 40_000);
