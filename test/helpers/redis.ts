/**
 * A real redis-server for a test: Debian's binary (.ci/run installs it), on a free port, in
 * a temporary directory, every write fsynced to its append-only file before Redis answers
 * (so "durable" means on Redis's disk). Stopped (or killed) and removed by the test.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const REDIS_SERVER = process.env['REDIS_SERVER'] ?? 'redis-server';
/** Why a Redis test is skipped, or null when redis-server is here. */
export const noRedisReason: string | null =
  spawnSync(REDIS_SERVER, ['--version']).status === 0
    ? null
    : `${REDIS_SERVER} is not installed (apt-get install redis-server; .ci/run does)`;

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const START_ATTEMPTS_MAX = 3;

export interface RedisServer {
  port: number;
  url: string;
  dir: string;
  child: ChildProcess;
  /** Runs one redis-cli-like command through a short connection (ioredis), returns its reply. */
  command(...args: (string | number)[]): Promise<unknown>;
  /** kill -9: the connection drops at once, what was written is in its append-only file. */
  kill(): Promise<void>;
  /** SIGTERM, wait for the exit, remove the directory. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function launch(dir: string, port: number): Promise<ChildProcess | null> {
  const child = spawn(
    REDIS_SERVER,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--dir',
      dir,
      '--daemonize',
      'no',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
    child.stdout!.on('data', (chunk) => {
      output += String(chunk);
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  if (ready) {
    child.stdout!.resume();
    child.stderr!.resume();
    return child;
  }
  child.kill('SIGKILL');
  await exited(child);
  return null;
}

/** Starts redis-server on a free port (another process may take the port first: retried). */
export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'push-lab-redis-'));
  let child: ChildProcess | null = null;
  let port = 0;
  for (let attempt = 0; attempt < START_ATTEMPTS_MAX && !child; attempt++) {
    port = await freePort();
    child = await launch(dir, port);
  }
  if (!child) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${REDIS_SERVER} did not start in ${START_ATTEMPTS_MAX} attempts`);
  }
  const running = child;
  const url = `redis://127.0.0.1:${port}`;
  return {
    port,
    url,
    dir,
    child: running,
    async command(...args) {
      const { Redis } = await import('ioredis');
      const redis = new Redis({ host: '127.0.0.1', port, retryStrategy: () => null });
      try {
        return await redis.call(String(args[0]), ...args.slice(1));
      } finally {
        redis.disconnect();
      }
    },
    async kill() {
      running.kill('SIGKILL');
      await exited(running);
    },
    async stop() {
      if (running.exitCode === null && running.signalCode === null) {
        running.kill('SIGTERM');
        const timer = setTimeout(() => running.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited(running);
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
