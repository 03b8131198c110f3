/**
 * A scenario's external push service (`url` on a service entry): a service the lab does not
 * run, reached over real TCP through each agent's own link (`Link.connectTcp`), with TLS end
 * to end for https (the service's host as the server name, the scenario's CA or, with
 * `insecure`, no verification). Its message story comes from the agents' evidence through
 * its Witness; `service.started` says it is external, so readers know the events were
 * observed from outside.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { Profile } from '../../../shared/events';
import type { ServiceEndpoint } from '../agents/kinds/kind';
import { readBoundedFile } from '../fs/bounded-read';
import type { Link } from '../net/link';
import { PROFILE_REGISTRY } from '../push/profiles/registry';
import type { EventBus } from '../trace/bus';
import { CA_FILE_BYTES_MAX } from './external-schema';
import { Witness } from './witness';

export const EXTERNAL_ERROR_CODES = {
  /** A scenario with an external service was asked to run on the virtual clock. */
  VIRTUAL_CLOCK: 'ERR_SCENARIO_EXTERNAL_VIRTUAL',
} as const;

export interface ExternalServiceSpec {
  id: string;
  /** http(s)://host:port/ — a path other than `/` is where user agents subscribe. */
  url: string;
  profile: Profile;
  /** Absolute path of a PEM CA file (scenario/load.ts resolved it). */
  ca?: string | undefined;
  insecure?: true | undefined;
}

export class ExternalService implements ServiceEndpoint {
  readonly witness: Witness;
  private readonly target: URL;
  private ca: string | null = null;

  constructor(
    private readonly spec: ExternalServiceSpec,
    private readonly bus: EventBus,
  ) {
    this.target = new URL(spec.url);
    this.witness = new Witness(spec.id, (event) => bus.emit(event));
  }

  get id(): string {
    return this.spec.id;
  }

  get profileName(): Profile {
    return this.spec.profile;
  }

  /** The origin the agents' clients address (the connection itself goes through their link). */
  get url(): string {
    return this.target.origin;
  }

  get subscribeUrl(): string {
    const path =
      this.target.pathname === '/'
        ? PROFILE_REGISTRY[this.spec.profile].subscribePath
        : this.target.pathname;
    return this.target.origin + path;
  }

  /** Whether certificates go unverified (the run says so). */
  get insecure(): boolean {
    return this.spec.insecure === true;
  }

  identify(messagePath: string): { messageId: string; subscriptionId: string } | null {
    return this.witness.identify(messagePath);
  }

  /** The witness names subscriptions as user agents make them (`AgentWitness.subscribed`). */
  identifySubscription(): null {
    return null;
  }

  /** The witness names pushes by their payload (`AgentWitness.pushed`). */
  identifyLatest(): null {
    return null;
  }

  async start(): Promise<void> {
    if (this.spec.ca !== undefined)
      this.ca = (await readBoundedFile(this.spec.ca, CA_FILE_BYTES_MAX, 'CA file')).toString(
        'utf8',
      );
    this.bus.emit({
      kind: 'service.started',
      serviceId: this.spec.id,
      url: this.spec.url,
      profile: this.spec.profile,
      external: true,
    });
  }

  stop(): Promise<void> {
    this.bus.emit({ kind: 'service.stopped', serviceId: this.spec.id });
    return Promise.resolve();
  }

  /** A byte stream to the service through `link`: TCP, wrapped in TLS for https. */
  connect(link: Link): Duplex {
    const host = this.target.hostname.replace(/^\[(.*)\]$/, '$1');
    const https = this.target.protocol === 'https:';
    const port = Number(this.target.port) || (https ? 443 : 80);
    const socket = link.connectTcp({ host, port });
    if (!https) return socket;
    return tls.connect({
      socket,
      host,
      // RFC 6066 forbids an IP address as the server name; the certificate is still checked against it.
      ...(net.isIP(host) ? {} : { servername: host }),
      ...(this.ca !== null ? { ca: this.ca } : {}),
      rejectUnauthorized: !this.insecure,
      ALPNProtocols: ['h2'],
    });
  }
}
