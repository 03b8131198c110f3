/**
 * `push-lab`: the headless entry points. `serve` runs the push service alone for testing an
 * application server; `web` runs the whole lab with the UI in a browser; `send` is one
 * application server's send, to any push service.
 */
import { Command, CommanderError, Option } from 'commander';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { FileAccessError } from '../engine/fs/confined';
import { Workbench } from '../engine/workbench/workbench';
import { openFromCommandLine } from '../engine/workbench/open-file';
import { VERSION } from '../engine/version';
import { WebHost } from '../hosts/ws-host';
import { untilSignal } from './signals';
import {
  CliError,
  listenError,
  parseCount,
  parsePort,
  parseProfile,
  parseSeconds,
  parseShare,
  parseSpeed,
  parseUrgencyFlag,
} from './options';
import { LIMIT_FLAGS, parseControlAddress, parseQuirks, QUIRKS_HELP, runServe } from './serve';
import { runRun, type RunCliOptions } from './run';
import { parseJobs, parseSeeds, runBatch, type BatchCliOptions } from './batch';
import {
  apiAddress,
  collectFault,
  collectProxy,
  printer,
  runProxy,
  startProxies,
  type InitialProxy,
  type ProxyOptions,
} from './proxy';
import { runDiff, runReplay, runRerun } from './replay';
import * as sendCli from './send';
import { runArtillery } from './artillery';
import { DECRYPT_WORKERS_MAX, decryptWorkersFor } from '../engine/parallel/decrypt-pool';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEFAULT_WEB_PORT = 7171;

function program(): Command {
  const cli = new Command('push-lab')
    .description('A lab for Web Push over HTTP/2')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });

  const serve = cli
    .command('serve')
    .description('run a local RFC 8030 push service for testing your own application server')
    .addOption(new Option('--host <host>', 'interface to listen on').default('127.0.0.1'))
    .addOption(
      new Option('--port <port>', 'port (0 = any free port)').default(8443).argParser(parsePort),
    )
    .option('--h2c', 'serve cleartext HTTP/2 instead of TLS', false)
    .addOption(
      new Option('--profile <name>', 'protocol profile').default('rfc8030').argParser(parseProfile),
    )
    .addOption(new Option('--max-ttl <seconds>', 'longest TTL kept').argParser(parseSeconds))
    .addOption(
      new Option('--subscriptions <n>', 'subscriptions held by built-in user agents')
        .default(1)
        .argParser(parseCount(1000)),
    )
    .addOption(
      new Option(
        '--rate-subscription <n>',
        'messages a second one subscription accepts (429 beyond)',
      ).argParser(parseCount(1_000_000)),
    )
    .addOption(
      new Option(
        '--rate-sender <n>',
        'messages a second one sender may send (429 beyond)',
      ).argParser(parseCount(1_000_000)),
    );
  for (const { flag, help, max } of Object.values(LIMIT_FLAGS))
    serve.addOption(new Option(flag, help).argParser(parseCount(max)));
  serve
    .option('--json', 'print one JSON object per line', false)
    .addOption(
      new Option('--data <dir>', 'data directory (TLS certificate)').default(defaultDataDir()),
    )
    .addOption(
      new Option(
        '--battery <level>',
        "built-in user agents' battery charge, 0 to 1 (below 0.15 on battery they want only high urgency)",
      )
        .default(1)
        .argParser(parseShare),
    )
    .option(
      '--no-charging',
      'built-in user agents run on battery (then they want normal urgency and above, RFC 8030 §5.3)',
    )
    .option(
      '--no-wifi',
      'built-in user agents are off Wi-Fi (with --no-charging: normal and above)',
    )
    .addOption(
      new Option(
        '--urgency-min <level>',
        'the lowest urgency the built-in user agents want, whatever their power state (very-low, low, normal, high)',
      ).argParser(parseUrgencyFlag),
    )
    .option(
      '--vapid-key <key>',
      "restrict the built-in subscriptions to this application server key (base64url, your server's VAPID public key)",
    )
    .option(
      '--store <dir|redis://host:port[/db]>',
      'keep subscriptions and accepted messages across restarts, in this directory or in Redis (default: memory only)',
    )
    .option(
      '--instance <name>',
      'this serve among several on one --store redis://…: its ids start with the name; a user agent may monitor on one and be sent to on another',
    )
    .addOption(new Option('--quirks <provider>', QUIRKS_HELP).argParser(parseQuirks))
    .addOption(
      new Option(
        '--decrypt-workers <n>',
        `worker threads that decrypt what the built-in user agents receive (default 0: on the event loop; this machine has ${decryptWorkersFor()} to spare, at most ${DECRYPT_WORKERS_MAX})`,
      )
        .default(0)
        .argParser(parseCount(DECRYPT_WORKERS_MAX)),
    )
    .addOption(
      new Option(
        '--control <host:port>',
        'also serve the control API for test suites on this loopback address (e.g. 127.0.0.1:0)',
      ).argParser(parseControlAddress),
    )
    .action(async (options) => runServe(options));

  cli
    .command('send')
    .description(
      'encrypt, sign and send one message to a PushSubscription (any push service) and print the exchange; exit 0 accepted, 1 refused, 2 bad input',
    )
    .argument('[subscription]', "the browser's PushSubscription JSON file ({endpoint, keys})")
    .option('--text <text>', 'the message text (UTF-8)')
    .option('--file <file>', 'the message from a file (bytes as they are)')
    .addOption(
      new Option('--ttl <seconds>', 'TTL, seconds the service keeps it')
        .default(sendCli.TTL_SECONDS_DEFAULT)
        .argParser(parseCount(sendCli.TTL_SECONDS_MAX)),
    )
    .addOption(
      new Option('--urgency <level>', 'very-low, low, normal or high').argParser(parseUrgencyFlag),
    )
    .addOption(
      new Option('--topic <topic>', 'replace an undelivered message of this topic').argParser(
        sendCli.parseTopicFlag,
      ),
    )
    .option('--receipt', 'ask for a delivery receipt and wait for it (HTTP/2)', false)
    .addOption(
      new Option('--wait <seconds>', 'how long to wait for the receipt')
        .default(sendCli.RECEIPT_WAIT_SECONDS_DEFAULT)
        .argParser(sendCli.parseWait),
    )
    .option(
      '--vapid-key <file>',
      'sign with this VAPID private key (PEM, JWK, web-push JSON, base64url)',
    )
    .addOption(
      new Option('--vapid-subject <uri>', "the token's sub claim (mailto: or https:)").argParser(
        sendCli.parseSubject,
      ),
    )
    .option(
      '--gen-vapid-key <file>',
      'write a new VAPID key pair to this file and print its public key',
    )
    .addOption(
      new Option('--encoding <coding>', 'aes128gcm (RFC 8291) or aesgcm (legacy draft)')
        .default('aes128gcm')
        .argParser(sendCli.parseEncoding),
    )
    .addOption(
      new Option('--profile <name>', "the push service's protocol")
        .default('rfc8030')
        .argParser(parseProfile),
    )
    .option('--ca <file>', "trust this CA certificate (PEM) for the service's TLS")
    .option('--insecure', "do not check the service's TLS certificate", false)
    .option('--http1', 'send over HTTP/1.1 instead of HTTP/2', false)
    .option('--json', 'print the exchange as one JSON object', false)
    .action(async (file: string | undefined, options: sendCli.SendCliOptions) => {
      exitCode = await sendCli.runSend(file, options);
    });

  cli
    .command('run')
    .description(
      'run a scenario headless: trace, report, invariant check; exit 0 = all hold, 1 = violations, 2 = bad scenario. Several files, or --seeds, run at once in worker threads',
    )
    .argument('<files...>', 'scenario file(s) (YAML or JSON)')
    .option('--seed <seed>', 'override the scenario seed')
    .addOption(
      new Option(
        '--seeds <list>',
        'sweep: a full run per seed (1..100, 1,5,9), each in a worker thread; one line per seed, then the seeds that fail',
      ).argParser(parseSeeds),
    )
    .addOption(
      new Option(
        '--jobs <n>',
        'worker threads for --seeds or several files (default: one per core; at most the cores)',
      ).argParser(parseJobs),
    )
    .addOption(
      new Option('--speed <x>', 'clock speed for real-time scenarios (1 to 1000)').argParser(
        parseSpeed,
      ),
    )
    .option('--duration <d>', 'override the duration (seconds, or e.g. 10m)')
    .option('--out <file>', 'write the trace (one event per line) to this file')
    .option('--bundle <file>', 'write a run bundle (compressed trace with the scenario, for rerun)')
    .option('--report <file>', 'write the report (.json or .html)')
    .option('--json', 'print the result as one JSON object', false)
    .option('--no-progress', 'no progress line on the terminal')
    .action(async (files: string[], options: BatchCliOptions) => {
      exitCode =
        files.length > 1 || options.seeds !== undefined
          ? await runBatch(files, options)
          : await runRun(files[0]!, options);
    });

  cli
    .command('artillery')
    .description(
      'write a scenario as an Artillery script for artillery-engine-push-lab (stdout); what it cannot say goes to stderr; exit 2 on bad input',
    )
    .argument('<file>', 'scenario file (YAML or JSON)')
    .option('--target <url>', "the push service's URL (default: the scenario service's url)")
    .action(async (file: string, options: { target?: string }) => {
      exitCode = await runArtillery(file, options);
    });

  cli
    .command('replay')
    .description(
      'check a recorded run (trace or bundle): the verdict and a summary; exit codes as run',
    )
    .argument('<file>', 'trace (.jsonl) or run bundle')
    .option('--json', 'print the result as one JSON object', false)
    .action(async (file: string, options: { json: boolean }) => {
      exitCode = await runReplay(file, options);
    });

  cli
    .command('rerun')
    .description("run a bundle's scenario again with its seed (and write a new bundle)")
    .argument('<file>', 'run bundle')
    .option('--out <file>', 'write the trace to this file')
    .option('--bundle <file>', 'write the new run bundle')
    .option('--report <file>', 'write the report (.json or .html)')
    .option('--json', 'print the result as one JSON object', false)
    .option('--no-progress', 'no progress line on the terminal')
    .action(async (file: string, options: RunCliOptions) => {
      exitCode = await runRerun(file, options);
    });

  cli
    .command('diff')
    .description(
      'the first divergence between two recordings and how their figures differ; exit 0 if identical',
    )
    .argument('<a>', 'trace or bundle')
    .argument('<b>', 'trace or bundle')
    .action(async (a: string, b: string) => {
      exitCode = await runDiff(a, b);
    });

  cli
    .command('proxy')
    .description(
      'a TCP proxy through a Push Lab link between any two real endpoints; faults change live from a Toxiproxy-compatible API',
    )
    .option('--listen <host:port>', 'where the proxy listens (default 127.0.0.1:0, any free port)')
    .option('--upstream <host:port>', 'where it forwards each connection')
    .option('--name <name>', "the proxy's name in the API and in lines printed", 'push-lab')
    .option('--preset <name>', 'start with a network preset (slow-3g, offline, …)')
    .option(
      '--fault <spec>',
      'start with a fault: TYPE:key=value,… (e.g. latency:latency=200,jitter=50) or a JSON fault spec; repeatable',
      collectFault,
      [],
    )
    .option('--api <host:port>', 'serve the Toxiproxy-compatible API here (e.g. 127.0.0.1:8474)')
    .option('--seed <seed>', 'seed of the fault decisions (jitter, loss, toxicity)')
    .option('--json', 'print one JSON object per line', false)
    .action(async (options: ProxyOptions) => runProxy(options));

  cli
    .command('web')
    .description('run the lab and serve its UI to a browser')
    .argument('[file]', 'a scenario to run (.yaml, .yml, .json) or a recording to open')
    .addOption(new Option('--host <host>', 'interface to listen on').default('127.0.0.1'))
    .addOption(
      new Option('--port <port>', 'UI port (0 = any free port)')
        .default(DEFAULT_WEB_PORT)
        .argParser(parsePort),
    )
    .addOption(
      new Option('--push-port <port>', 'push service port (0 = any free port)')
        .default(0)
        .argParser(parsePort),
    )
    .addOption(
      new Option('--data <dir>', 'where recent files and recordings are kept').default(
        defaultDataDir(),
      ),
    )
    .addOption(
      new Option(
        '--workspace <dir>',
        'the folder scenarios are opened from and saved to (default: <data>/scenarios)',
      ),
    )
    .option(
      '--proxy <[name@]listen=upstream>',
      'a TCP proxy whose faults change from the Links view (e.g. 127.0.0.1:8443=push.example.com:443); repeatable',
      collectProxy,
      [],
    )
    .option('--proxy-api <host:port>', "serve the proxies' Toxiproxy-compatible API here")
    .option('--proxy-seed <seed>', "seed of the proxies' fault decisions")
    .action(async (file: string | undefined, options: WebOptions) => runWeb(file, options));

  return cli;
}

function defaultDataDir(): string {
  return path.join(process.env['HOME'] ?? process.cwd(), '.push-lab');
}

interface WebOptions {
  host: string;
  port: number;
  pushPort: number;
  data: string;
  workspace?: string;
  proxy: InitialProxy[];
  proxyApi?: string;
  proxySeed?: string;
}

async function runWeb(file: string | undefined, options: WebOptions): Promise<void> {
  const staticDir = path.join(repoRoot, 'out', 'renderer');
  if (!existsSync(path.join(staticDir, 'index.html'))) {
    throw new CliError(
      `the UI is not built (no ${staticDir}/index.html); run "npm run build" first`,
    );
  }
  const proxyApi =
    options.proxyApi === undefined ? null : apiAddress(options.proxyApi, '--proxy-api');
  const proxies =
    options.proxy.length > 0 || proxyApi
      ? await startProxies({
          proxies: options.proxy,
          api: proxyApi,
          seed: options.proxySeed,
          print: printer(false),
        })
      : null;
  const workbench = new Workbench({
    dataDir: options.data,
    ...(options.workspace ? { workspaceDir: path.resolve(options.workspace) } : {}),
    examplesDir: path.join(repoRoot, 'resources', 'scenarios'),
    sandbox: { port: options.pushPort },
    ...(proxies ? { proxies: proxies.set } : {}),
  });
  const stopAll = async (): Promise<void> => {
    await workbench.stop().catch(() => {});
    await proxies?.close();
  };
  try {
    await workbench.start();
  } catch (error) {
    await stopAll();
    if (error instanceof FileAccessError) throw new CliError(error.message);
    throw listenError(error, '127.0.0.1', options.pushPort, '--push-port');
  }
  const host = new WebHost(workbench, { staticDir, host: options.host, port: options.port });
  try {
    await host.start();
  } catch (error) {
    await stopAll();
    throw listenError(error, options.host, options.port);
  }
  const pushUrl = workbench.sandbox?.service.url;
  if (file) {
    const problem = await openFromCommandLine(workbench, file);
    if (problem) process.stderr.write(`push-lab: ${problem}\n`);
  }
  process.stdout.write(`Push Lab is running at ${host.url}\n`);
  const exposure = host.exposureWarning();
  if (exposure) process.stderr.write(`push-lab: warning: ${exposure}\n`);
  if (pushUrl) process.stdout.write(`push service: ${pushUrl}\n`);
  await untilSignal();
  await host.stop();
  await stopAll();
}

/** Set by commands that end with a verdict rather than by running until a signal. */
let exitCode = 0;

/** Output to a closed pipe (`push-lab replay … | head`) ends the output, not the program. */
function quietOnClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') === 0) stream.on('error', () => {});
  }
}

export async function main(argv: string[]): Promise<number> {
  quietOnClosedOutput();
  try {
    exitCode = 0;
    await program().parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its one line (or the help/version text).
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof CliError) {
      process.stderr.write(`push-lab: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(
      `push-lab: unexpected failure: ${(error as Error).message ?? String(error)}\n`,
    );
    return 1;
  }
}
