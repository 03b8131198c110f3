/** Starts `push-lab` as a real child process and reads what it prints. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const binPath = path.join(repoRoot, 'bin', 'push-lab.mjs');

export interface Running {
  child: ChildProcess;
  lines: string[];
  stderr: () => string;
  /** Waits for a stdout line matching `re`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<number | null>;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(process.execPath, [binPath, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let err = '';
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const w of [...waiters]) {
      if (w.re.test(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.stderr!.on('data', (d) => (err += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    stderr: () => err,
    waitFor(re, timeoutMs = 20_000) {
      const found = lines.find((l) => re.test(l));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no line matching ${re} in time; stderr: ${err}`)),
          timeoutMs,
        );
        waiters.push({
          re,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
        void exited.then((code) => reject(new Error(`push-lab exited with ${code}: ${err}`)));
      });
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Runs `push-lab` to completion. */
export function runCli(args: string[], timeoutMs = 30_000) {
  const run = spawnSync(process.execPath, [binPath, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

export function tool(name: string, args: string[], timeoutMs = 15_000) {
  const run = spawnSync(name, args, { encoding: 'utf8', timeout: timeoutMs });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}
