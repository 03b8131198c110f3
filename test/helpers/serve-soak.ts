/**
 * A bounded soak of a running push service over plain node:http2 clients: agents that
 * subscribe, hold their monitoring GET, POST to themselves and to each other as fast as
 * their windows allow, acknowledge every push, and now and then reset a send mid-body or
 * drop their whole connection (and come back to monitor the same subscription). Counted in
 * messages, never in seconds. It answers what was accepted (201) and what was delivered:
 * nothing accepted may be lost (bench/serve-soak.ts runs it in rounds against fresh serves).
 */
import http2, {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type IncomingHttpHeaders,
} from 'node:http2';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Rng } from '../../src/main/engine/rng/rng';
import { binPath, repoRoot } from './cli';

export interface SoakOptions {
  /** Base URL of the service, e.g. `http://127.0.0.1:43117` (h2c). */
  url: string;
  /** Connections, each with one subscription and its monitoring GET. */
  agents: number;
  /** Of them, how many send (to themselves half the time, to another agent otherwise). */
  senders: number;
  /** Sends in all; the soak is over when each was answered or failed. */
  messages: number;
  /** Sends one sender has in flight at once. */
  inFlightPerSender: number;
  /** Chance that a send is reset by the client right after its body is written. */
  resetChance: number;
  /** Chance, per send, that the sender drops its whole connection and reconnects. */
  dropChance: number;
  /**
   * Drop a connection right where the send's answer is read (inside node:http2's callbacks)
   * instead of a turn later: that corrupts the soak's own heap under Node 20 (a native abort
   * of this client process, not of the service); kept to reproduce it.
   */
  dropInCallback?: boolean;
  /** Body bytes of each send. */
  bodyBytes: number;
  seed: number;
  /** Longest wait for any one step (connect, answer, the last deliveries) before giving up. */
  stepTimeoutMs: number;
  /** Called with each counter now and then (a CLI prints progress). */
  onProgress?: (result: SoakResult) => void;
}

export interface SoakResult {
  sent: number;
  /** 201s: the messages the service promised to deliver. */
  accepted: number;
  /** Distinct accepted messages pushed to their subscription's monitor. */
  delivered: number;
  /** Accepted and never pushed (up to 20 named); must be empty. */
  lost: string[];
  /** Answers other than 201 by status, and sends that failed without an answer. */
  refused: Record<string, number>;
  resets: number;
  drops: number;
}

const REL_PUSH = 'urn:ietf:params:push';

function deadline<T>(promise: Promise<T>, what: string, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

interface Agent {
  index: number;
  session: ClientHttp2Session;
  /** While the agent reconnects after dropping its connection. */
  back: Promise<void> | null;
  subPath: string;
  pushPath: string;
}

/** The token at the end of a message path or URL (`/m/<token>`). */
const tokenOf = (pathOrUrl: string): string => pathOrUrl.slice(pathOrUrl.lastIndexOf('/') + 1);

export async function soak(options: SoakOptions): Promise<SoakResult> {
  // The engine's seeded generator: the soak's choices repeat for a seed.
  const rng = new Rng(options.seed);
  const random = (): number => rng.next();
  const result: SoakResult = {
    sent: 0,
    accepted: 0,
    delivered: 0,
    lost: [],
    refused: {},
    resets: 0,
    drops: 0,
  };
  const accepted = new Set<string>();
  const delivered = new Set<string>();
  const sessions = new Set<ClientHttp2Session>();
  let lastChange = Date.now();
  const count = (what: string): void => {
    result.refused[what] = (result.refused[what] ?? 0) + 1;
  };

  const connect = (): Promise<ClientHttp2Session> =>
    deadline(
      new Promise<ClientHttp2Session>((resolve, reject) => {
        // The window Push Lab's user agents open (agents/user-agent.ts): pushes flow unthrottled.
        const session = http2.connect(options.url, {
          settings: { enablePush: true, initialWindowSize: 1 << 20 },
        });
        sessions.add(session);
        session.on('close', () => sessions.delete(session));
        session.once('error', reject);
        session.once('connect', () => {
          session.off('error', reject);
          session.on('error', () => {});
          resolve(session);
        });
      }),
      `connect ${options.url}`,
      options.stepTimeoutMs,
    );

  const request = (
    session: ClientHttp2Session,
    headers: http2.OutgoingHttpHeaders,
    body?: Buffer,
  ): { stream: ClientHttp2Stream; answer: Promise<IncomingHttpHeaders> } => {
    const stream = session.request(headers, { endStream: body === undefined });
    const answer = deadline(
      new Promise<IncomingHttpHeaders>((resolve, reject) => {
        let response: IncomingHttpHeaders | null = null;
        stream.on('response', (h) => (response = h));
        stream.on('end', () => (response ? resolve(response) : reject(new Error('no answer'))));
        stream.on('close', () => (response ? resolve(response) : reject(new Error('reset'))));
        stream.on('error', reject);
        stream.resume();
      }),
      `${String(headers[':method'])} ${String(headers[':path'])}`,
      options.stepTimeoutMs,
    );
    if (body !== undefined) stream.end(body);
    return { stream, answer };
  };

  /** Pushes on a session: each pushed message is read whole, recorded, acknowledged. */
  const takePushes = (session: ClientHttp2Session): void => {
    session.on('stream', (pushed: ClientHttp2Stream, requestHeaders: IncomingHttpHeaders) => {
      const path = String(requestHeaders[':path'] ?? '');
      pushed.on('error', () => {});
      pushed.resume();
      pushed.on('end', () => {
        const token = tokenOf(path);
        if (!delivered.has(token)) {
          delivered.add(token);
          lastChange = Date.now();
        }
        if (session.closed || session.destroyed) return;
        const ack = request(session, { ':method': 'DELETE', ':path': path });
        ack.answer.catch(() => {});
      });
    });
  };

  /** Monitors the agent's subscription on its current connection (the GET stays open). */
  const monitor = (agent: Agent): void => {
    takePushes(agent.session);
    const held = request(agent.session, { ':method': 'GET', ':path': agent.subPath });
    // It ends only with its connection; the per-step deadline does not apply to it.
    held.answer.catch(() => {});
  };

  const agents: Agent[] = [];
  for (let index = 0; index < options.agents; index++) {
    const session = await connect();
    const reply = await request(session, { ':method': 'POST', ':path': '/subscribe' }).answer;
    const links = [reply['link'] ?? ''].flat().join(', ');
    const pushPath = new RegExp(`<([^>]+)>;\\s*rel="${REL_PUSH}"`).exec(links)?.[1];
    const location = reply['location'];
    if (Number(reply[':status']) !== 201 || !pushPath || typeof location !== 'string')
      throw new Error(`subscribe: got ${String(reply[':status'])}, link ${links}`);
    const agent = { index, session, back: null, subPath: new URL(location).pathname, pushPath };
    agents.push(agent);
    monitor(agent);
  }

  const body = Buffer.alloc(options.bodyBytes, 0x61);
  const drop = (agent: Agent): void => {
    result.drops += 1;
    // Drops take turns: a graceful close (GOAWAY, then the socket after 200 ms, as Push Lab's
    // agents close: agents/h2.ts closeSession), a destroy, a destroy with an error code.
    const session = agent.session;
    const turn = result.drops % 3;
    if (turn === 0) {
      session.close();
      setTimeout(() => session.destroy(), 200).unref();
    } else if (turn === 1) session.destroy();
    else session.destroy(undefined, http2.constants.NGHTTP2_INTERNAL_ERROR);
    agent.back = connect().then(
      (session) => {
        agent.session = session;
        agent.back = null;
        monitor(agent);
      },
      (error: unknown) => {
        throw new Error(`reconnect: ${String(error)}`);
      },
    );
  };

  const sendOne = async (sender: Agent): Promise<void> => {
    while (sender.back) await sender.back;
    const target = random() < 0.5 ? sender : agents[Math.floor(random() * agents.length)]!;
    const reset = random() < options.resetChance;
    const dropAfter = random() < options.dropChance;
    result.sent += 1;
    const sending = request(
      sender.session,
      { ':method': 'POST', ':path': target.pushPath, ttl: '600', urgency: 'high' },
      body,
    );
    if (reset) {
      result.resets += 1;
      sending.stream.close(http2.constants.NGHTTP2_CANCEL);
    }
    // Out of node:http2's callbacks (this may run inside one, as an answer's continuation):
    // a session destroyed there corrupted this very process's heap (see dropInCallback).
    if (dropAfter && !sender.back) {
      if (options.dropInCallback) drop(sender);
      else setImmediate(() => !sender.back && drop(sender));
    }
    try {
      const answer = await sending.answer;
      const status = Number(answer[':status']);
      const location = answer['location'];
      if (status === 201 && typeof location === 'string') {
        accepted.add(tokenOf(location));
        result.accepted += 1;
        lastChange = Date.now();
      } else count(String(status));
    } catch {
      count('no answer');
    }
  };

  let next = 0;
  const sender = async (agent: Agent): Promise<void> => {
    while (next < options.messages) {
      next += 1;
      await sendOne(agent);
      if (result.sent % 500 === 0) options.onProgress?.(result);
    }
  };
  const senders = agents.slice(0, Math.min(options.senders, agents.length));
  await Promise.all(
    senders.flatMap((agent) =>
      Array.from({ length: options.inFlightPerSender }, () => sender(agent)),
    ),
  );

  // The last deliveries: wait while they still arrive, give up after a step without any.
  const undelivered = (): string[] => [...accepted].filter((t) => !delivered.has(t));
  while (undelivered().length > 0 && Date.now() - lastChange < options.stepTimeoutMs)
    await new Promise((resolve) => setTimeout(resolve, 50));
  result.delivered = [...accepted].filter((t) => delivered.has(t)).length;
  result.lost = undelivered().slice(0, 20);
  for (const session of sessions) session.destroy();
  return result;
}

/** A `push-lab serve --h2c` child for load: its URL, its stderr's tail, how it ended. */
export interface LoadServe {
  child: ChildProcess;
  url: string;
  /** The last 2,000 characters serve wrote to stderr (a native abort says why there). */
  stderr(): string;
  /** How it ended: its signal, or `code N`. */
  exited: Promise<string>;
  /** Freezes it (SIGSTOP) every other `ms`, so each of its reads carries many frames; returns the stop. */
  stallEvery(ms: number): () => void;
}

/**
 * Starts serve on h2c, port 0, with the per-address bounds lifted (one address holds every
 * client of a soak), and waits for its URL; rejects if it ends first or does not listen in
 * `timeoutMs`.
 */
export async function startLoadServe(timeoutMs = 20_000): Promise<LoadServe> {
  const child = spawn(
    process.execPath,
    [
      binPath,
      'serve',
      '--h2c',
      '--port',
      '0',
      '--connections-per-address',
      '0',
      '--subscribe-rate',
      '0',
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + String(d)).slice(-2000)));
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not listen in ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(line)) return;
      clearTimeout(timer);
      resolve(line);
    });
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`serve ended (${how}) before listening: ${stderr}`));
    });
  });
  const stallEvery = (ms: number): (() => void) => {
    let frozen = false;
    const timer = setInterval(() => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      frozen = !frozen;
      child.kill(frozen ? 'SIGSTOP' : 'SIGCONT');
    }, ms);
    return () => {
      clearInterval(timer);
      if (frozen && child.exitCode === null && child.signalCode === null) child.kill('SIGCONT');
    };
  };
  return { child, url, stderr: () => stderr, exited, stallEvery };
}
