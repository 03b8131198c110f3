/**
 * The sandbox: a live lab driven by hand (one push service, a user agent, the Send form), on
 * its own clock, with no seed and nothing to rerun. Its Lab records into the show's recorder.
 * Its links are the proxies `push-lab web --proxy` runs, when there are any.
 */
import path from 'node:path';
import type { Result } from '../../../../shared/result';
import type { UserAgent } from '../../agents/user-agent';
import { Lab, type LabOptions } from '../../lab';
import type { Link } from '../../net/link';
import type { ProxySet } from '../../net/proxy-set';
import type { PushService } from '../../push/service';
import { StoreError } from '../../push/store/store';
import type { TraceMeta } from '../../trace/format';
import { Recorder } from '../../trace/recorder';
import { VERSION } from '../../version';
import type { Holder } from '../inspect';
import { showProxyLinks } from '../proxy-links';
import { Show, type LabCommand, type ShowStatus, type Stage } from './show';

/** The sandbox push service's durable store, under the data directory. */
export const SANDBOX_STORE_DIR = 'store';

export class SandboxShow extends Show {
  protected readonly described = 'sandbox lab, which runs in real time';
  private stopped: Promise<void> | null = null;
  /** Stops showing the proxies' links (they keep running: the workbench's caller owns them). */
  private readonly hideProxies: (() => void) | null;

  private constructor(
    epoch: number,
    recorder: Recorder,
    readonly lab: Lab,
    private readonly proxies: ProxySet | null,
  ) {
    super(epoch, recorder);
    this.hideProxies = proxies ? showProxyLinks(proxies, lab.clock, lab.bus) : null;
  }

  /**
   * Starts the sandbox lab. Its push service keeps its state in `<data dir>/store`
   * (push/store/), so its subscriptions and messages survive a restart of the app. A store
   * held by another Push Lab process (a second window on the same data directory) leaves
   * this sandbox in memory rather than failing it. `proxies` (`push-lab web --proxy`) are
   * shown as the sandbox's links.
   */
  static async start(
    epoch: number,
    stage: Stage,
    options: LabOptions,
    dataDir: string,
    proxies: ProxySet | null = null,
  ): Promise<SandboxShow> {
    // The sandbox has no seed: it is driven by hand, on its own clock, and cannot be rerun.
    const meta: TraceMeta = {
      scenario: null,
      seed: null,
      clockMode: options.clock?.kind ?? 'real',
      pushLabVersion: VERSION,
    };
    const attempt = async (lab: LabOptions): Promise<SandboxShow> => {
      // Each lab tried is recorded from scratch: a fallback lab's seqs start again at 1.
      const recorder = new Recorder({ meta, timeline: stage.timeline });
      const made = new Lab({ ...lab, recorder, listener: (event) => stage.relay(epoch, event) });
      try {
        await made.start();
      } catch (error) {
        await made.stop().catch(() => {});
        throw error;
      }
      return new SandboxShow(epoch, recorder, made, proxies);
    };
    const durable = (options.profile ?? 'rfc8030') === 'rfc8030';
    if (!durable) return attempt(options);
    try {
      return await attempt({ ...options, store: path.join(dataDir, SANDBOX_STORE_DIR) });
    } catch (error) {
      if (!(error instanceof StoreError) || error.code !== 'ERR_STORE_LOCKED') throw error;
      return attempt(options);
    }
  }

  protected ownStatus(): ShowStatus {
    return {
      mode: 'sandbox',
      name: null,
      state: 'running',
      speed: 1,
      durationMs: null,
      controllable: false,
      path: null,
      canSave: this.timeline.count > 0,
      canRerun: false,
    };
  }

  report(format: 'html' | 'json'): string {
    return this.lab.reportText(format, 'Push Lab — sandbox');
  }

  override get sandboxLab(): Lab {
    return this.lab;
  }

  override services(): PushService[] {
    return [this.lab.service];
  }

  override holders(): Holder[] {
    return userAgentHolders(this.lab.userAgents);
  }

  override links(): Link[] {
    return this.proxies?.links() ?? [];
  }

  override labCommand(command: LabCommand): Promise<Result<unknown>> {
    return this.lab.execute(command);
  }

  /** One process at a time holds the store: the next sandbox can take it only once this one lets go. */
  override releaseStore(): Promise<void> {
    return this.dispose();
  }

  dispose(): Promise<void> {
    this.hideProxies?.();
    return (this.stopped ??= this.lab.stop());
  }
}

/** The subscriptions user agents hold, with the agent. */
export function userAgentHolders(agents: readonly UserAgent[]): Holder[] {
  return agents.flatMap((a) =>
    a.subscriptions.map((subscription) => ({ agentId: a.id, subscription })),
  );
}
