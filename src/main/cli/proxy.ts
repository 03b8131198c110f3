/**
 * `push-lab proxy`: a flaky link between any two real endpoints. A TCP proxy whose bytes go
 * through a Push Lab link (the same fault stages scenarios use) on the real clock, its faults
 * changed live through a Toxiproxy-compatible HTTP API (`--api`). Prints one line per proxy,
 * connection and fault change; stops cleanly on SIGINT/SIGTERM.
 */
import { randomInt } from 'node:crypto';
import { RealClock } from '../engine/clock/real';
import { Rng } from '../engine/rng/rng';
import { NetError } from '../engine/net/errors';
import { presetFaults } from '../engine/net/presets';
import { PROXIES_MAX, ProxySet, parseAddress, type ProxyEvent } from '../engine/net/proxy-set';
import { parseFaultSpecs, FAULTS_MAX, type FaultSpec } from '../engine/net/spec';
import { faultFromText } from '../engine/net/toxics';
import { startToxiproxyApi, type ToxiproxyApi } from '../hosts/toxiproxy-api';
import { CliError, listenError, parseSeed } from './options';
import { untilSignal } from './signals';
import { formatBytes } from '../../shared/format';

export interface ProxyOptions {
  listen?: string;
  upstream?: string;
  name: string;
  preset?: string;
  fault: string[];
  api?: string;
  seed?: string;
  json: boolean;
}

/** `--fault` may be given once per fault a link holds. */
export const FAULT_FLAGS_MAX = FAULTS_MAX;

/** commander's collector for a repeated `--fault`. */
export function collectFault(value: string, previous: string[]): string[] {
  if (previous.length >= FAULT_FLAGS_MAX) {
    throw new CliError(
      `--fault: more than ${FAULT_FLAGS_MAX}; allowed at most ${FAULT_FLAGS_MAX}`,
      2,
    );
  }
  return [...previous, value];
}

export async function runProxy(options: ProxyOptions): Promise<void> {
  const initial = initialProxy(options);
  const api = options.api === undefined ? null : apiAddress(options.api, '--api');
  if (!initial && !api) {
    throw new CliError('give --upstream HOST:PORT (a proxy to start), --api HOST:PORT, or both', 2);
  }
  const running = await startProxies({
    proxies: initial ? [initial] : [],
    api,
    seed: options.seed,
    print: printer(options.json),
  });
  await untilSignal();
  await running.close();
}

export interface ProxiesRunning {
  readonly set: ProxySet;
  /** Stops the API, then every proxy, and prints "stopped". */
  close(): Promise<void>;
}

export interface InitialProxy {
  body: { name: string; listen: string; upstream: string };
  faults: FaultSpec[];
}

/**
 * Starts a ProxySet on the real clock with `proxies` made and, if asked, Toxiproxy's API over
 * it; prints every proxy event. What `push-lab proxy` runs, and `push-lab web --proxy` hands
 * to its workbench. Fails (with the set closed) on the first proxy that cannot start.
 */
export async function startProxies(options: {
  proxies: readonly InitialProxy[];
  api: { host: string; port: number } | null;
  seed: string | undefined;
  print: (line: Line) => void;
}): Promise<ProxiesRunning> {
  const { api, print } = options;
  const seed = options.seed === undefined ? randomInt(2 ** 32) : parseSeed(options.seed);
  const proxies = new ProxySet(new RealClock(), new Rng(seed), (event) => print(event));
  print({ kind: 'seed', seed });

  let server: ToxiproxyApi | null = null;
  try {
    for (const initial of options.proxies) {
      const made = await proxies.create(initial.body, initial.faults);
      if (!made.ok) {
        const exit = made.problem.status === 409 && made.problem.error.startsWith('cannot') ? 1 : 2;
        const which = options.proxies.length > 1 ? `proxy ${initial.body.name}` : 'proxy';
        throw new CliError(`${which}: ${made.problem.error}`, exit);
      }
    }
    if (api) {
      try {
        server = await startToxiproxyApi(proxies, api);
      } catch (error) {
        throw listenError(error, api.host, api.port, '--api');
      }
      print({ kind: 'api', url: server.url });
    }
  } catch (error) {
    await proxies.close();
    throw error;
  }
  return {
    set: proxies,
    close: async () => {
      await server?.close();
      await proxies.close();
      print({ kind: 'stopped' });
    },
  };
}

/** A `--proxy [NAME@]LISTEN=UPSTREAM` of `push-lab web` (the name defaults to proxy1, proxy2, …). */
export function parseProxyFlag(value: string, index: number): InitialProxy {
  const match = /^(?:([^@=]*)@)?([^=]*)=([^=]+)$/.exec(value);
  if (!match) {
    throw new CliError(
      `--proxy: got "${value.slice(0, 80)}", allowed [NAME@]LISTEN=UPSTREAM (e.g. 127.0.0.1:8443=push.example.com:443)`,
      2,
    );
  }
  const [, name = `proxy${index + 1}`, listen = '', upstream = ''] = match;
  address(listen, `--proxy ${value}: LISTEN`, 0);
  address(upstream, `--proxy ${value}: UPSTREAM`, 1);
  return { body: { name, listen, upstream }, faults: [] };
}

/** commander's collector for a repeated `--proxy` (at most PROXIES_MAX). */
export function collectProxy(value: string, previous: InitialProxy[]): InitialProxy[] {
  if (previous.length >= PROXIES_MAX) {
    throw new CliError(`--proxy: more than ${PROXIES_MAX}; allowed at most ${PROXIES_MAX}`, 2);
  }
  return [...previous, parseProxyFlag(value, previous.length)];
}

/** `--api`/`--proxy-api`: where Toxiproxy's API listens. */
export function apiAddress(value: string, flag: string): { host: string; port: number } {
  return address(value, flag, 0);
}

/** The proxy the flags describe, its faults validated (preset first, then each --fault). */
function initialProxy(options: ProxyOptions): InitialProxy | null {
  if (options.upstream === undefined) {
    const stray =
      options.listen !== undefined
        ? '--listen'
        : options.preset
          ? '--preset'
          : options.fault.length > 0
            ? '--fault'
            : null;
    if (stray)
      throw new CliError(`${stray} needs --upstream HOST:PORT (where the proxy forwards to)`, 2);
    return null;
  }
  address(options.upstream, '--upstream', 1);
  address(options.listen ?? '127.0.0.1:0', '--listen', 0);
  const inputs: unknown[] = [];
  if (options.preset !== undefined) {
    try {
      inputs.push(...presetFaults(options.preset));
    } catch (error) {
      if (error instanceof NetError) throw new CliError(`--preset: ${error.message}`, 2);
      throw error;
    }
  }
  for (const text of options.fault) {
    const parsed = faultFromText(text);
    if (!parsed.ok) throw new CliError(`--fault ${text}: ${parsed.problems.join('; ')}`, 2);
    inputs.push(parsed.value);
  }
  const faults = parseFaultSpecs(inputs);
  if (!faults.ok) throw new CliError(`--preset/--fault: ${faults.problems.join('; ')}`, 2);
  return {
    body: {
      name: options.name,
      listen: options.listen ?? '127.0.0.1:0',
      upstream: options.upstream,
    },
    faults: faults.value,
  };
}

function address(value: string, flag: string, portMin: number) {
  const parsed = parseAddress(value, flag, portMin);
  if (!parsed.ok) throw new CliError(parsed.problem.error.replace(/^bad request body: /, ''), 2);
  return parsed.value;
}

export type Line =
  | ProxyEvent
  | { kind: 'seed'; seed: number | string }
  | { kind: 'api'; url: string }
  | { kind: 'stopped' };

export function printer(json: boolean): (line: Line) => void {
  return (line) => {
    process.stdout.write(`${json ? JSON.stringify(flatten(line)) : describe(line)}\n`);
  };
}

/** One flat JSON object per line: what happened, to which proxy, and its details. */
function flatten(line: Line): Record<string, unknown> {
  switch (line.kind) {
    case 'connection':
      return { event: `connection.${line.event.kind}`, proxy: line.proxy, ...omitKind(line.event) };
    case 'fault':
      return {
        event: `toxic.${line.event.change}`,
        proxy: line.proxy,
        toxic: line.event.fault.spec,
        active: line.event.fault.active,
      };
    case 'state':
      return {
        event: 'link.state',
        proxy: line.proxy,
        state: line.event.state,
        previous: line.event.previous,
      };
    case 'proxy':
      return { event: `proxy.${line.change}`, ...line.proxy };
    default:
      return { event: line.kind, ...omitKind(line) };
  }
}

function describe(line: Line): string {
  switch (line.kind) {
    case 'seed':
      return `seed ${line.seed} (give --seed ${line.seed} for the same fault decisions)`;
    case 'api':
      return `api ${line.url} (Toxiproxy-compatible)`;
    case 'stopped':
      return 'stopped';
    case 'proxy': {
      const { name, listen, upstream, enabled, toxics } = line.proxy;
      const state = enabled ? 'enabled' : 'disabled';
      const faults = toxics.length > 0 ? `; toxics ${toxics.map((t) => t.name).join(', ')}` : '';
      const open = isLoopback(listen) ? '' : ' — reachable from other machines';
      return `proxy ${name} ${line.change}: ${listen} → ${upstream} (${state}${faults})${open}`;
    }
    case 'state':
      return `proxy ${line.proxy} link ${line.event.state} (was ${line.event.previous})`;
    case 'fault': {
      const { spec, active } = line.event.fault;
      const on = active ? '' : ' (off now)';
      return `proxy ${line.proxy} toxic ${line.event.change}: ${spec.name} ${spec.type} ${spec.stream} toxicity ${spec.toxicity} ${JSON.stringify(spec.attributes)}${on}`;
    }
    case 'connection': {
      const e = line.event;
      if (e.kind === 'refused') return `proxy ${line.proxy} connection refused (${e.reason})`;
      if (e.kind === 'opened') return `proxy ${line.proxy} connection ${e.connectionId} opened`;
      if (e.kind === 'backpressure') {
        return `proxy ${line.proxy} connection ${e.connectionId} back-pressure ${e.direction} (${formatBytes(e.heldBytes)} held)`;
      }
      return `proxy ${line.proxy} connection ${e.connectionId} ${e.kind} (${e.reason})`;
    }
  }
}

/** Loopback names and addresses: a proxy elsewhere is said to be reachable from outside. */
function isLoopback(hostPort: string): boolean {
  return /^(127\.|\[::1\]:|localhost:)/.test(hostPort);
}

function omitKind<T extends { kind: string }>(value: T): Omit<T, 'kind'> {
  const { kind: _kind, ...rest } = value;
  return rest;
}
