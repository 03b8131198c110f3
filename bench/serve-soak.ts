/**
 * Does `push-lab serve --h2c` survive heavy send load? Each round starts a fresh serve (one
 * address, its per-address limits lifted), soaks it (test/helpers/serve-soak.ts) and reports
 * whether it is still alive, how it ended if not (a native abort shows as SIGABRT and glibc's
 * malloc sentence on stderr), and whether everything accepted was delivered.
 *
 *   npx tsx bench/serve-soak.ts [--rounds 5] [--agents 200] [--senders 100] [--messages 20000]
 *     [--in-flight 8] [--reset 0.02] [--drop 0.002] [--stall-ms 0] [--drop-in-callback]
 */
import { parseArgs } from 'node:util';
import { soak, startLoadServe } from '../test/helpers/serve-soak';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    agents: { type: 'string', default: '200' },
    senders: { type: 'string', default: '100' },
    messages: { type: 'string', default: '20000' },
    'in-flight': { type: 'string', default: '8' },
    reset: { type: 'string', default: '0.02' },
    drop: { type: 'string', default: '0.002' },
    seed: { type: 'string', default: '1' },
    /**
     * Freeze serve (SIGSTOP) for this long every other such period: its socket buffers fill
     * meanwhile, so each read then carries many frames, as on a starved machine (the abort was
     * found at load average 18-28). 0 = never.
     */
    'stall-ms': { type: 'string', default: '0' },
    /** Drop connections inside node:http2's callbacks: aborts this client (SoakOptions). */
    'drop-in-callback': { type: 'boolean', default: false },
  },
});

async function round(seed: number): Promise<boolean> {
  const serve = await startLoadServe();
  const { child, url, exited } = serve;
  const started = Date.now();
  const stallMs = Number(values['stall-ms']);
  const stopStalls = stallMs > 0 ? serve.stallEvery(stallMs) : () => {};
  let ended: string | null = null;
  void exited.then((how) => (ended = how));
  const result = await soak({
    url,
    agents: Number(values.agents),
    senders: Number(values.senders),
    messages: Number(values.messages),
    inFlightPerSender: Number(values['in-flight']),
    resetChance: Number(values.reset),
    dropChance: Number(values.drop),
    dropInCallback: values['drop-in-callback'],
    bodyBytes: 200,
    seed,
    stepTimeoutMs: 10_000,
  }).catch((error: unknown) => ({ error: String(error) }));
  stopStalls();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const alive = ended === null;
  console.log(
    JSON.stringify({
      seed,
      alive,
      ended,
      seconds: (Date.now() - started) / 1000,
      ...result,
      ...(alive ? {} : { stderr: serve.stderr().slice(-400) }),
    }),
  );
  if (alive) child.kill('SIGKILL');
  await exited;
  return alive && !('error' in result) && result.lost.length === 0;
}

let failed = 0;
const rounds = Number(values.rounds);
for (let i = 0; i < rounds; i++) if (!(await round(Number(values.seed) + i))) failed += 1;
console.log(`${rounds - failed} of ${rounds} rounds: serve alive and nothing accepted lost`);
process.exitCode = failed > 0 ? 1 : 0;
