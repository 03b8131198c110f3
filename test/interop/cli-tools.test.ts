/**
 * `push-lab serve` against real outside HTTP/2 clients: curl (h2c prior knowledge) and
 * nghttp (which shows PUSH_PROMISE frames).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTool, startCli, tool, type Running } from '../helpers/cli';

const haveCurl = hasTool('curl');
const haveNghttp = hasTool('nghttp');

describe('push-lab serve with curl and nghttp', () => {
  let serve: Running;
  let base = '';

  beforeAll(async () => {
    serve = startCli(['serve', '--h2c', '--port', '0', '--subscriptions', '0']);
    base = (await serve.waitFor(/^http:\/\//)).trim();
  }, 30_000);
  afterAll(async () => {
    await serve?.stop();
  });

  function curl(args: string[]) {
    return tool('curl', ['-s', '-i', '--http2-prior-knowledge', ...args]);
  }
  function header(raw: string, name: string): string {
    const m = new RegExp(`^${name}: (.*)$`, 'im').exec(raw);
    return m ? m[1]!.trim() : '';
  }

  it.skipIf(!haveCurl)('curl subscribes, pushes, and gets the documented 400/404/413', () => {
    const sub = curl(['-X', 'POST', `${base}/subscribe`]);
    expect(sub.stdout).toMatch(/^HTTP\/2 201/);
    const push = /<([^>]+)>; rel="urn:ietf:params:push"/.exec(header(sub.stdout, 'link'))![1]!;
    expect(
      curl(['-X', 'POST', '-H', 'TTL: 30', '--data-binary', 'hi', base + push]).stdout,
    ).toMatch(/^HTTP\/2 201/);
    const noTtl = curl(['-X', 'POST', '--data-binary', 'hi', base + push]);
    expect(noTtl.stdout).toMatch(/^HTTP\/2 400/);
    expect(noTtl.stdout).toMatch(/TTL header: missing/);
    expect(
      curl(['-X', 'POST', '-H', 'TTL: 30', '--data-binary', 'hi', `${base}/push/unknown`]).stdout,
    ).toMatch(/^HTTP\/2 404/);
    const big = curl([
      '-X',
      'POST',
      '-H',
      'TTL: 30',
      '--data-binary',
      'x'.repeat(5000),
      base + push,
    ]);
    expect(big.stdout).toMatch(/^HTTP\/2 413/);
  });

  it.skipIf(!haveCurl || !haveNghttp)(
    'nghttp receives the stored message as a PUSH_PROMISE',
    () => {
      const sub = curl(['-X', 'POST', `${base}/subscribe`]);
      const location = header(sub.stdout, 'location');
      const push = /<([^>]+)>; rel="urn:ietf:params:push"/.exec(header(sub.stdout, 'link'))![1]!;
      const sent = curl(['-X', 'POST', '-H', 'TTL: 60', '--data-binary', 'to-nghttp', base + push]);
      const messagePath = new URL(header(sent.stdout, 'location')).pathname;
      const got = tool('nghttp', ['-v', '-H', 'prefer: wait=0', location]);
      expect(got.stdout).toMatch(/recv PUSH_PROMISE frame/);
      expect(got.stdout).toContain(`:path: ${messagePath}`);
    },
  );
});
