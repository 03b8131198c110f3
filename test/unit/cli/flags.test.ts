import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli';
import { LIMIT_FLAGS } from '../../../src/main/cli/serve';

const servers: net.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

describe('push-lab flags: one clear line and a non-zero exit', () => {
  it('refuses an invalid port, naming the flag, the value and the range', () => {
    const run = runCli(['serve', '--port', '99999']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--port.*99999.*0 \(any free port\) to 65535/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses an unknown flag', () => {
    const run = runCli(['web', '--colour', 'red']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown option '--colour'/);
  });

  it('refuses a malformed web --proxy, naming the value and the form allowed', () => {
    const shape = runCli(['web', '--proxy', 'no-arrow-here']);
    expect(shape.code).toBe(2);
    expect(shape.stderr).toBe(
      'push-lab: --proxy: got "no-arrow-here", allowed [NAME@]LISTEN=UPSTREAM (e.g. 127.0.0.1:8443=push.example.com:443)\n',
    );
    const port = runCli(['web', '--proxy', 'a@127.0.0.1:0=example.test:0']);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(
      /--proxy a@127\.0\.0\.1:0=example\.test:0: UPSTREAM: got "example\.test:0", allowed host:port with a port from 1 to 65535/,
    );
  });

  it('refuses an unknown profile with the allowed list', () => {
    const run = runCli(['serve', '--profile', 'spdy']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/rfc8030, draft-thomson, draft-damaggio/);
  });

  it('refuses a durable store with a profile whose registry entry is not durable', () => {
    const run = runCli([
      'serve',
      '--profile',
      'draft-thomson',
      '--store',
      'state',
      '--subscriptions',
      '0',
      '--h2c',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      'push-lab: --store state: a durable store works with --profile rfc8030 only (got draft-thomson)',
    );
  });

  it('refuses a --store URL it cannot use (exit 2), and a Redis that does not answer (exit 1)', async () => {
    const bad = runCli(['serve', '--store', 'redis://127.0.0.1:6379/99', '--h2c']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'push-lab: --store redis://127.0.0.1:6379/99: database "99" is not a number 0–15; allowed a directory or redis://HOST:PORT[/DB][?changes-kept=N] (DB 0–15, N ≥ 1)\n',
    );
    expect(runCli(['serve', '--store', 'https://example.test/x']).stderr).toMatch(
      /^push-lab: --store https:\/\/example\.test\/x: https:\/\/ is not a store; allowed a directory or redis:/,
    );
    // A port nothing listens on: refused at start with one sentence naming the URL.
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const down = runCli(['serve', '--store', `redis://127.0.0.1:${port}`, '--h2c', '--port', '0']);
    expect(down.code).toBe(1);
    expect(down.stderr).toBe(
      `push-lab: store redis://127.0.0.1:${port}: cannot connect to Redis (ECONNREFUSED)\n`,
    );
  });

  it('refuses --instance without a Redis store, or with a name ids cannot start with', () => {
    const dir = runCli(['serve', '--store', 'state', '--instance', 'a', '--h2c']);
    expect(dir.code).toBe(2);
    expect(dir.stderr).toBe(
      'push-lab: --instance a: several instances share a Redis store; allowed only with --store redis://HOST:PORT[/DB]\n',
    );
    const name = runCli(['serve', '--store', 'redis://127.0.0.1:1', '--instance', 'a.b']);
    expect(name.code).toBe(2);
    expect(name.stderr).toBe(
      'push-lab: --instance: got "a.b"; allowed 1 to 32 letters, digits, - or _\n',
    );
  });

  it('says which port is in use instead of crashing', async () => {
    const blocker = net.createServer();
    servers.push(blocker);
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    const run = runCli(['serve', '--h2c', '--port', String(port)]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      `push-lab: port ${port} on 127.0.0.1 is already in use; choose another with --port PORT, or --port 0 for any free port`,
    );
  });
});

describe("serve's limit flags", () => {
  it('are each named as the option they fill (commander camel-cases the flag), so none is dropped', () => {
    for (const [option, { flag }] of Object.entries(LIMIT_FLAGS)) {
      const camel = flag
        .replace(/^--/, '')
        .replace(/ <.*>$/, '')
        .replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
      expect(camel).toBe(option);
    }
  });
});
