/**
 * CLI failures keep the one-line promise: every output path is checked before a run starts,
 * hostile YAML (alias bomb, deep nesting) and out-of-range numbers get one sentence with exit
 * 2, an absurd fleet is refused before it is built, and a port in use is a sentence, not an
 * unhandled 'error' event. Each of these failed before: `--out /missing/…` exited 0,
 * `--bundle /missing/…` died with "Unhandled 'error' event", the alias bomb and the nesting
 * ended in "unexpected failure" / "Maximum call stack size exceeded", 1e400 was "(got null)".
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebHost } from '../../../src/main/hosts/ws-host';
import { listenError } from '../../../src/main/cli/options';
import { binPath, repoRoot, runCli } from '../../helpers/cli';

const dir = mkdtempSync(path.join(tmpdir(), 'push-lab-failures-'));
afterAll(() => {
  chmodSync(path.join(dir, 'locked'), 0o755);
  rmSync(dir, { recursive: true, force: true });
});

const smoke = path.join(repoRoot, 'resources/scenarios/smoke.yaml');

/** One line on stderr, no stack trace. */
function oneLine(stderr: string): string {
  expect(stderr).not.toMatch(/\n\s+at |Unhandled|unexpected failure|Maximum call stack/);
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('output paths are checked before a run starts', () => {
  mkdirSync(path.join(dir, 'locked'));
  chmodSync(path.join(dir, 'locked'), 0o555);
  const cases: [string[], string][] = [
    [
      ['--out', '/missing/x.jsonl'],
      'push-lab: --out: /missing/x.jsonl: its directory /missing does not exist',
    ],
    [
      ['--bundle', '/missing/x.plb'],
      'push-lab: --bundle: /missing/x.plb: its directory /missing does not exist',
    ],
    [['--report', dir], `push-lab: --report: ${dir}: is a directory; give a file path`],
    [
      ['--out', smoke],
      `push-lab: --out: ${smoke}: is also the input file; give each output its own path`,
    ],
    [
      ['--out', path.join(dir, 'a'), '--bundle', path.join(dir, 'a')],
      `push-lab: --bundle: ${path.join(dir, 'a')}: is also the --out file; give each output its own path`,
    ],
    [
      ['--report', path.join(smoke, 'r.json')],
      `push-lab: --report: ${path.join(smoke, 'r.json')}: ${smoke} is not a directory`,
    ],
  ];
  // root may write anywhere: the permission case only means something for other users.
  if (process.getuid?.() !== 0) {
    cases.push([
      ['--out', path.join(dir, 'locked', 'x.jsonl')],
      `push-lab: --out: ${path.join(dir, 'locked', 'x.jsonl')}: its directory ${path.join(dir, 'locked')} is not writable`,
    ]);
  }
  for (const [flags, line] of cases) {
    it(`run ${flags.join(' ')} → exit 2, one line`, () => {
      const run = runCli(['run', smoke, ...flags]);
      expect(run.code).toBe(2);
      expect(oneLine(run.stderr)).toBe(line);
      expect(run.stdout).toBe('');
    });
  }
});

describe('hostile scenarios and numbers get one sentence and exit 2', () => {
  const refuse = (text: string, name: string): string => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    const run = runCli(['run', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toMatch(/\n\s+at |unexpected failure|Maximum call stack/);
    const [first, ...problems] = run.stderr.trimEnd().split('\n');
    expect(first).toBe(`push-lab: ${file} is not a valid scenario:`);
    expect(problems).toHaveLength(1);
    return problems[0]!.trim();
  };

  it('an alias bomb', () => {
    const bomb = [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'name: bomb',
    ].join('\n');
    expect(refuse(bomb, 'bomb.yaml')).toMatch(/: its aliases expand past .* \(an alias bomb\?\)/);
  });

  it('10,000 levels of nesting, flow and block', () => {
    const flow = `name: deep\nduration: 1\nservices: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`;
    expect(refuse(flow, 'deep-flow.yaml')).toMatch(
      /deep-flow\.yaml:3: nested more than 64 levels deep/,
    );
    const block = `name: deep\nduration: 1\nservices:\n${'- '.repeat(10_000)}x\n`;
    expect(refuse(block, 'deep-block.yaml')).toMatch(
      /deep-block\.yaml:4: nested more than 64 levels deep/,
    );
  });

  it('seed: 1e400 in the file names the field and the value as written', () => {
    expect(
      refuse('name: s\nduration: 10s\nseed: 1e400\nservices: [{ id: ps }]\n', 'seed.yaml'),
    ).toBe(
      'seed: not a seed; allowed a whole number from 0 to 2^32-1 (4294967295), or text of up to 200 characters (got 1e400)',
    );
  });

  it('--seed 1e400 on the command line', () => {
    const run = runCli(['run', smoke, '--seed', '1e400']);
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toBe(
      'push-lab: --seed: 1e400 is not a finite integer; allowed 0 … 2^32-1 (4294967295)',
    );
    const big = runCli(['run', smoke, '--seed', '4294967296']);
    expect(big.code).toBe(2);
    expect(oneLine(big.stderr)).toMatch(
      /^push-lab: --seed: 4294967296 is out of range; allowed 0 … 2\^32-1/,
    );
  });

  it('an absurd fleet under a 96 MB heap: exit 2 with the totals, quickly, nothing built', () => {
    const groups = Array.from(
      { length: 100 },
      (_, i) => `  - { id: g${i}, count: 100000, service: ps, subscriptions: 100 }`,
    );
    const file = path.join(dir, 'absurd.yaml');
    writeFileSync(
      file,
      `name: absurd\nduration: 1h\nservices: [{ id: ps }]\nuserAgents:\n${groups.join('\n')}\n`,
    );
    const started = performance.now();
    const run = spawnSync(process.execPath, ['--max-old-space-size=96', binPath, 'run', file], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(2);
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(run.stderr).toContain(
      'userAgents: 10,000,000 agents (user agents and gateways) in total; allowed at most 20,000',
    );
    expect(run.stderr).not.toMatch(/heap out of memory|\n\s+at /);
    // Under every count bound but over the memory budget: the example flash crowd (5,000
    // user agents) needs ~550 MB, and half a 96 MB heap is far less.
    const crowd = spawnSync(
      process.execPath,
      [
        '--max-old-space-size=96',
        binPath,
        'run',
        path.join(repoRoot, 'resources/scenarios/flash-crowd.yaml'),
      ],
      { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 },
    );
    expect(crowd.status).toBe(2);
    expect(crowd.stderr).toMatch(
      /^ {2}scenario: needs about [\d,]+ MiB \(5,\d{3} agents, .*\); allowed at most \d+ MiB, half of this process's heap limit/m,
    );
  }, 60_000);
});

describe('a port in use is a sentence', () => {
  it("WebHost.start rejects with EADDRINUSE (no unhandled 'error' event) and listenError says so", async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown): void => {
      uncaught.push(error);
    };
    process.on('uncaughtException', onUncaught);
    try {
      const lab = {
        execute: async () => ({ ok: true }),
        snapshot: () => null,
        onEvent: () => () => {},
      };
      const host = new WebHost(lab as never, { staticDir: dir, host: '127.0.0.1', port });
      const error = await host.start().then(
        () => null,
        (e: unknown) => e,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((error as NodeJS.ErrnoException | null)?.code).toBe('EADDRINUSE');
      expect(uncaught).toEqual([]);
      expect(listenError(error, '127.0.0.1', port).message).toBe(
        `port ${port} on 127.0.0.1 is already in use; choose another with --port PORT, or --port 0 for any free port`,
      );
    } finally {
      process.off('uncaughtException', onUncaught);
      await new Promise((resolve) => busy.close(resolve));
    }
  });
});

describe('a static file that fails while read is a broken response, not a crash', () => {
  it('WebHost serves /proc/self/mem (stat says a file, reading it gives EIO) and keeps serving', async () => {
    const root = path.join(dir, 'static');
    mkdirSync(root);
    symlinkSync('/proc/self/mem', path.join(root, 'mem'));
    writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown): void => {
      uncaught.push(error);
    };
    process.on('uncaughtException', onUncaught);
    const lab = {
      execute: async () => ({ ok: true }),
      snapshot: () => null,
      onEvent: () => () => {},
    };
    const host = new WebHost(lab as never, { staticDir: root, host: '127.0.0.1', port: 0 });
    const url = await host.start();
    try {
      const mem = new URL(url); // keeps the access token in its query
      mem.pathname = '/mem';
      const broken = await fetch(mem).then(
        (r) =>
          r.arrayBuffer().then(
            () => 'read',
            () => 'broken',
          ),
        () => 'broken',
      );
      expect(broken).toBe('broken');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(uncaught).toEqual([]);
      const page = await fetch(url);
      expect(page.status).toBe(200);
    } finally {
      process.off('uncaughtException', onUncaught);
      await host.stop();
    }
  });
});
