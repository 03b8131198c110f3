/**
 * `push-lab proxy`'s links in the sandbox lab: a ProxySet handed to the workbench (`push-lab
 * web --proxy`) shows each proxy as a link of the sandbox, so its faults change from the
 * Links view on the same Link objects its Toxiproxy API changes, and every change — by the
 * view, the API or a fault's own schedule — is an event of the lab (the model's links table,
 * the timeline, the recording), sampled counters included.
 */
import { agentOfLink } from '../../../shared/model-agents';
import type { Clock } from '../clock/clock';
import { FactSampler, SAMPLE_INTERVAL_MIN_MS } from '../energy/sampler';
import type { Link } from '../net/link';
import { proxyLinkId, type ProxyEvent, type ProxySet } from '../net/proxy-set';
import type { EventBus } from '../trace/bus';
import { linkChangedEvent, linkFaultsEvent } from '../trace/link-events';

/**
 * Tells `bus` every proxy's link as it is now, then each change; samples their counters on
 * `clock`. The returned function stops both (the proxies keep running).
 */
export function showProxyLinks(proxies: ProxySet, clock: Clock, bus: EventBus): () => void {
  const faults = (link: Link): void => {
    bus.emit(linkFaultsEvent(link, agentOfLink(link.id)));
  };
  for (const link of proxies.links()) faults(link);

  const unwatch = proxies.watch((event: ProxyEvent) => {
    switch (event.kind) {
      case 'proxy': {
        if (event.change === 'deleted') {
          // The link is gone: it stays in the lab's story as down, with no faults.
          const linkId = proxyLinkId(event.proxy.name);
          const agentId = agentOfLink(linkId);
          bus.emit({ kind: 'link.faults', linkId, agentId, state: 'down', faults: [] });
          return;
        }
        const link = proxies.linkOf(event.proxy.name);
        if (link) faults(link);
        return;
      }
      case 'fault': {
        const link = proxies.linkOf(event.proxy);
        if (link) faults(link);
        return;
      }
      case 'state': {
        const link = proxies.linkOf(event.proxy);
        if (link) bus.emit(linkChangedEvent(link, event.event.state));
        return;
      }
      case 'connection':
        if (event.event.kind === 'reset') {
          const linkId = event.event.linkId;
          bus.emit({ kind: 'link.reset', linkId, reason: event.event.reason });
        }
        return;
    }
  });
  const sampler = new FactSampler({
    clock,
    bus,
    links: () => proxies.links(),
    intervalMs: SAMPLE_INTERVAL_MIN_MS,
  });
  sampler.start();
  return () => {
    unwatch();
    sampler.stop();
  };
}
