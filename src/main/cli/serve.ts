/**
 * `push-lab serve`: the push service on its own, with built-in user agents holding
 * subscriptions an outside application server can send to.
 */
import type { Profile } from '../../shared/events';
import { Lab } from '../engine/lab';
import { loadOrCreateIdentity } from '../engine/push/tls';
import { CliError, listenError } from './options';
import { untilSignal } from './signals';

export interface ServeOptions {
  host: string;
  port: number;
  h2c: boolean;
  profile: Profile;
  maxTtl?: number;
  subscriptions: number;
  json: boolean;
  data: string;
}

export async function runServe(options: ServeOptions): Promise<void> {
  if (options.profile !== 'rfc8030') {
    throw new CliError(`--profile ${options.profile}: not available yet; allowed rfc8030`, 2);
  }
  const identity = options.h2c ? null : await loadOrCreateIdentity(options.data);
  const lab = new Lab({
    host: options.host,
    port: options.port,
    profile: options.profile,
    tls: identity ? { key: identity.key, cert: identity.cert } : null,
    limits: options.maxTtl ? { ttlSecondsMax: options.maxTtl } : {},
    userAgentCount: 0,
  });
  try {
    await lab.start();
  } catch (error) {
    await lab.stop().catch(() => {});
    throw listenError(error, options.host, options.port);
  }
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  if (options.json) {
    out(
      JSON.stringify({
        type: 'listening',
        url: lab.service.url,
        subscribe: lab.service.subscribeUrl,
        profile: lab.service.profileName,
        tls: identity !== null,
        ...(identity ? { ca: identity.certPath } : {}),
      }),
    );
  } else {
    out(lab.service.url);
    process.stderr.write(
      `push-lab: ${lab.service.profileName} push service at ${lab.service.url}, subscribe at ${lab.service.subscribeUrl}` +
        (identity ? ` (TLS; CA certificate ${identity.certPath})` : ' (h2c)') +
        '\n',
    );
  }
  const unsubscribe = lab.onEvent((event) => {
    if (options.json) out(JSON.stringify({ type: 'event', ...event }));
  });
  await untilSignal();
  unsubscribe();
  await lab.stop();
}
