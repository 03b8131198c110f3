/**
 * Running h2load (nghttp2-client) from a benchmark: one load of `requests` POSTs with a body
 * file and headers, parsed into its rate and status counts. bench:push and bench:serve load
 * their servers through it.
 */
import { spawn } from 'node:child_process';

/** How h2load loads: clients (connections) and concurrent streams each; one thread always. */
export interface H2loadShape {
  clients: number;
  streams: number;
}

export interface H2loadResult {
  reqPerSec: number;
  finished: string;
  succeeded: number;
  total: number;
  status2xx: number;
  other: string;
}

export function withTimeout<T>(promise: Promise<T>, what: string, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** One h2load run (one thread, so the server under load keeps the other core). */
export function runH2load(
  url: string,
  requests: number,
  dataFile: string,
  headers: string[],
  shape: H2loadShape,
): Promise<H2loadResult> {
  const args = [
    '-n',
    String(requests),
    '-c',
    String(shape.clients),
    '-m',
    String(shape.streams),
    '-t',
    '1',
    '-d',
    dataFile,
    ...headers.flatMap((h) => ['-H', h]),
    url,
  ];
  return withTimeout(
    new Promise<H2loadResult>((resolve, reject) => {
      const child = spawn('h2load', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (d) => (text += String(d)));
      child.stderr.on('data', (d) => (text += String(d)));
      child.on('error', reject);
      child.on('exit', () => {
        const finished = /finished in ([\d.]+m?s), ([\d.]+) req\/s[^\n]*/.exec(text);
        const req = /requests: (\d+) total, \d+ started, \d+ done, (\d+) succeeded/.exec(text);
        const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(text);
        if (!finished || !req || !codes) {
          reject(new Error(`h2load ${args.join(' ')}: unexpected output:\n${text}`));
          return;
        }
        resolve({
          reqPerSec: Number(finished[2]),
          finished: finished[0],
          total: Number(req[1]),
          succeeded: Number(req[2]),
          status2xx: Number(codes[1]),
          other: `${codes[2]} 3xx, ${codes[3]} 4xx, ${codes[4]} 5xx`,
        });
      });
    }),
    'h2load',
    300_000,
  );
}
