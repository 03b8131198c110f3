/**
 * Network presets (Chrome DevTools, Comcast) live as data in resources/network-presets.json;
 * this file validates them and turns a preset into fault specs: latency split half per
 * direction (so the added round trip equals the preset's), bandwidth per direction, loss by
 * the preset's Gilbert-Elliott parameters, and an outage for Offline.
 */
import { z } from 'zod';
import presetFile from '../../../../resources/network-presets.json' with { type: 'json' };
import { NET_ERROR_CODES, NetError } from './errors';
import { gilbertElliottLossRate } from './gilbert-elliott';
import { faultSpecSchema, type FaultSpec, type FaultSpecInput } from './spec';
import { describeIssues, preview, probability, problem, strict } from './validation';

const bytesPerSecond = z.number().positive().nullable();

const presetSchema = strict({
  /** Lowercase name used to ask for it, e.g. `slow-3g`. */
  name: z.string().regex(/^[a-z0-9-]+$/),
  label: z.string(),
  /** Where the numbers come from, with the numbers as the source writes them. */
  source: z.string(),
  /** Round-trip time the preset adds, in ms. */
  latencyMs: z.number().min(0),
  /** Per direction, bytes per second; null = no limit. */
  downBytesPerSecond: bytesPerSecond,
  upBytesPerSecond: bytesPerSecond,
  /** Long-run share of segments lost, per direction. */
  lossRate: probability(),
  /** The Gilbert-Elliott parameters that realise `lossRate`; null = no loss. */
  loss: strict({
    p: probability(),
    r: probability(),
    h: probability(),
    k: probability(),
  }).nullable(),
  /** The link is down. */
  offline: z.boolean(),
}).superRefine((preset, ctx) => {
  const rate = preset.loss === null ? 0 : gilbertElliottLossRate(preset.loss);
  if (Math.abs(rate - preset.lossRate) > 1e-9) {
    problem(
      ctx,
      ['loss'],
      preset.loss,
      'long-run loss differs from lossRate',
      `${preset.lossRate}`,
    );
  }
});

const fileSchema = strict({ $comment: z.string().optional(), presets: z.array(presetSchema) });

export type NetworkPreset = z.output<typeof presetSchema>;

let cache: readonly NetworkPreset[] | null = null;

/** Every preset, validated on first use. */
export function networkPresets(): readonly NetworkPreset[] {
  if (cache) return cache;
  const parsed = fileSchema.safeParse(presetFile);
  if (!parsed.success) {
    throw new NetError(
      NET_ERROR_CODES.BAD_PRESETS,
      describeIssues(parsed.error.issues, presetFile),
    );
  }
  cache = parsed.data.presets;
  return cache;
}

export function presetNames(): string[] {
  return networkPresets().map((p) => p.name);
}

/** The fault specs of a preset; names are `${namePrefix}${type}_${stream}`. */
export function presetFaults(name: string, options: { namePrefix?: string } = {}): FaultSpec[] {
  const preset = networkPresets().find((p) => p.name === name);
  if (!preset) {
    throw new NetError(
      NET_ERROR_CODES.UNKNOWN_PRESET,
      `preset: unknown (got ${preview(name)}, allowed ${presetNames().join(', ')})`,
    );
  }
  const prefix = options.namePrefix ?? '';
  const specs: FaultSpecInput[] = [];
  const add = (spec: FaultSpecInput): void => {
    specs.push({ ...spec, name: `${prefix}${spec.type}_${spec.stream}` });
  };
  if (preset.offline) add({ type: 'outage', stream: 'both', attributes: { mode: 'reset' } });
  if (preset.latencyMs > 0) {
    const half = preset.latencyMs / 2;
    add({ type: 'latency', stream: 'upstream', attributes: { latency: half } });
    add({ type: 'latency', stream: 'downstream', attributes: { latency: half } });
  }
  if (preset.upBytesPerSecond !== null) {
    add({
      type: 'bandwidth',
      stream: 'upstream',
      attributes: { rate: preset.upBytesPerSecond / 1000 },
    });
  }
  if (preset.downBytesPerSecond !== null) {
    const rate = preset.downBytesPerSecond / 1000;
    add({ type: 'bandwidth', stream: 'downstream', attributes: { rate } });
  }
  if (preset.loss !== null) add({ type: 'loss', stream: 'both', attributes: { ...preset.loss } });
  return specs.map((s) => faultSpecSchema.parse(s));
}
