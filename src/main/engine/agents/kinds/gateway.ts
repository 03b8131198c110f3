/**
 * Agent kind `gateways`: field gateways, each an RFC 8030 user agent upstream (its own link
 * instance) holding one subscription per embedded device behind a constrained local link;
 * the devices wake in turns, spread evenly over one period, and may meter a radio.
 */
import { z } from 'zod';
import { durationMs } from '../../scenario/duration';
import { id, radioTechnology, share } from '../../scenario/fields';
import { DEFAULT_BUFFER_COUNT_MAX, Gateway, type DeviceSpec } from '../gateway';
import { DEFAULT_BEHAVIOUR } from '../user-agent';
import { defineKind, memberIds, type Member, type WorldContext } from './kind';

/** Gateways in one group. */
export const GATEWAYS_PER_GROUP_MAX = 10_000;
/** Devices behind one gateway. */
export const DEVICES_PER_GATEWAY_MAX = 10_000;
/** Messages a gateway may be told to hold per device. */
export const DEVICE_BUFFER_COUNT_MAX = 100_000;
/** Outage windows of one local link. */
export const LOCAL_OUTAGES_MAX = 1000;
/** Groups in a scenario's `gateways` section. */
const GROUPS_MAX = 100;

/** A group's defaults, in the scenario's units (durations in ms). */
export const GATEWAY_DEFAULTS = {
  count: 1,
  ackMode: 'end-to-end',
  devices: {
    awake: 2000,
    localLink: { latency: 50, loss: 0, outages: [] },
    bufferMax: DEFAULT_BUFFER_COUNT_MAX,
  },
} as const;
const d = GATEWAY_DEFAULTS;

const localLink = z
  .object({
    latency: durationMs.default(d.devices.localLink.latency),
    loss: share.default(d.devices.localLink.loss),
    outages: z
      .array(z.object({ from: durationMs, to: durationMs }).strict())
      .max(LOCAL_OUTAGES_MAX)
      .default([]),
  })
  .strict();

const entry = z
  .object({
    id,
    count: z.number().int().min(1).max(GATEWAYS_PER_GROUP_MAX).default(d.count),
    service: id,
    link: id.optional(),
    ackMode: z.enum(['on-receipt', 'end-to-end']).default(d.ackMode),
    keepalive: durationMs.optional(),
    devices: z
      .object({
        count: z.number().int().min(1).max(DEVICES_PER_GATEWAY_MAX),
        wakeEvery: durationMs,
        awake: durationMs.default(d.devices.awake),
        radio: radioTechnology.optional(),
        localLink: localLink.prefault({}),
        bufferMax: z
          .number()
          .int()
          .min(1)
          .max(DEVICE_BUFFER_COUNT_MAX)
          .default(d.devices.bufferMax),
      })
      .strict(),
  })
  .strict();

export type GatewayGroup = z.output<typeof entry>;

function devicesOf(group: GatewayGroup, gatewayId: string, world: WorldContext): DeviceSpec[] {
  const d = group.devices;
  return Array.from({ length: d.count }, (_, j) => {
    const id = `${gatewayId}.d${j + 1}`;
    return {
      id,
      wakeEveryMs: d.wakeEvery,
      awakeMs: d.awake,
      // Spread the fleet's wakes evenly over one period, deterministically.
      firstWakeMs: Math.floor((d.wakeEvery * j) / d.count),
      localLink: {
        latencyMs: d.localLink.latency,
        lossProbability: d.localLink.loss,
        outages: d.localLink.outages.map((o) => ({ fromMs: o.from, toMs: o.to })),
      },
      ...(d.radio ? { radio: world.radio(id, `device:${d.radio}`, d.radio)! } : {}),
    };
  });
}

function member(group: GatewayGroup, gatewayId: string, world: WorldContext): Member<Gateway> {
  const service = world.service(group.service);
  const gateway = new Gateway(
    {
      ua: {
        agentId: gatewayId,
        serviceUrl: service.url,
        serviceId: service.id,
        subscribePath: new URL(service.subscribeUrl).pathname,
        profile: service.profileName,
        createConnection: () => world.connection(group.link, gatewayId, service, null),
        identify: (path) => service.identify(path),
        identifySubscription: (url) => service.identifySubscription(url),
        identifyLatest: (url, body) => service.identifyLatest(url, body),
        ...(service.witness ? { witness: service.witness } : {}),
        behaviour: group.keepalive
          ? {
              keepalive: {
                intervalMs: group.keepalive,
                timeoutMs: DEFAULT_BEHAVIOUR.keepalive.timeoutMs,
              },
            }
          : {},
      },
      ackMode: group.ackMode,
      devices: devicesOf(group, gatewayId, world),
      bufferCountMax: group.devices.bufferMax,
    },
    world.clock,
    world.bus,
    world.rng.fork(`gateway:${gatewayId}`),
  );
  return {
    agent: gateway,
    subscriptions: () => gateway.ua.subscriptions,
    started: gateway.start(),
    stop: () => gateway.stop(),
  };
}

export const gatewayKind = defineKind({
  section: 'gateways',
  noun: 'gateway',
  roles: ['gateway', 'device'],
  entry,
  groupsMax: GROUPS_MAX,
  defaults: GATEWAY_DEFAULTS,
  sample: { id: 'gw', service: 'ps1', devices: { count: 2, wakeEvery: '5m' } },
  targetable: true,
  references: (group) => [
    { path: ['service'], value: group.service, to: 'service' },
    { path: ['link'], value: group.link, to: 'link' },
  ],
  *members(group, world) {
    for (const gatewayId of memberIds(group)) yield member(group, gatewayId, world);
  },
});
