/**
 * Radio power models as data: resources/radio-models.json, validated here. One model per
 * technology (LTE, 3G, WiFi); every field carries its unit in its name. The default file holds
 * AT&T ARO's default parameters (see its `source`); a scenario may bring its own file.
 */
import { z } from 'zod';
import { describeIssues } from '../../../shared/commands';
import defaultFile from '../../../../resources/radio-models.json' with { type: 'json' };
import { ENERGY_ERROR_CODES, EnergyError } from './errors';

const seconds = z.number().nonnegative();
const positiveSeconds = z.number().positive();
const watts = z.number().nonnegative();
const milliwattsPerMbps = z.number().nonnegative();

/** LTE RRC: idle with paging, promotion, continuous reception, short DRX, long DRX (the tail). */
const lteSchema = z
  .strictObject({
    technology: z.literal('lte'),
    label: z.string(),
    source: z.string(),
    /** RRC_IDLE → RRC_CONNECTED promotion: its duration and average power. */
    promotionSeconds: seconds,
    promotionWatts: watts,
    /** Continuous reception lasts this long after the last byte (the DRX inactivity timer). */
    inactivityTimerSeconds: seconds,
    /** Continuous-reception power with no data: P = β + α_up·Mbps_up + α_down·Mbps_down. */
    betaWatts: watts,
    alphaUpMilliwattsPerMbps: milliwattsPerMbps,
    alphaDownMilliwattsPerMbps: milliwattsPerMbps,
    shortDrxSeconds: seconds,
    shortDrxCycleSeconds: positiveSeconds,
    /** Long DRX: the tail before the radio drops back to idle. */
    longDrxSeconds: seconds,
    longDrxCycleSeconds: positiveSeconds,
    /** One DRX on-duration per cycle, used only when wake-ups are modelled (off by default). */
    drxWakeupSeconds: seconds,
    drxWakeupWatts: watts,
    /** Average (base) power in short and long DRX. */
    tailWatts: watts,
    /** Idle power between paging occasions (ARO: 0; the phone's own base power is not the radio's). */
    idleWatts: watts,
    idlePagingSeconds: seconds,
    idlePagingWatts: watts,
    idlePagingPeriodSeconds: positiveSeconds,
  })
  .refine((m) => m.idlePagingSeconds <= m.idlePagingPeriodSeconds, {
    message: 'must not exceed idlePagingPeriodSeconds',
    path: ['idlePagingSeconds'],
  })
  .refine((m) => m.drxWakeupSeconds <= Math.min(m.shortDrxCycleSeconds, m.longDrxCycleSeconds), {
    message: 'must not exceed shortDrxCycleSeconds or longDrxCycleSeconds',
    path: ['drxWakeupSeconds'],
  });

/** UMTS RRC: IDLE, promotion (IDLE→DCH or FACH→DCH), DCH, FACH. */
const umtsSchema = z
  .strictObject({
    technology: z.literal('3g'),
    label: z.string(),
    source: z.string(),
    /** IDLE → DCH promotion: the average delay used by the model, its range, and its power. */
    promotionSeconds: seconds,
    promotionSecondsMin: seconds,
    promotionSecondsMax: seconds,
    promotionWatts: watts,
    dchWatts: watts,
    /** DCH lasts this long after the last byte, then FACH. */
    dchToFachSeconds: seconds,
    fachWatts: watts,
    /** FACH lasts this long, then IDLE. */
    fachToIdleSeconds: seconds,
    /** Traffic in FACH promotes back to DCH: its duration and power. */
    fachToDchPromotionSeconds: seconds,
    fachToDchPromotionWatts: watts,
    idleWatts: watts,
  })
  .refine(
    (m) =>
      m.promotionSecondsMin <= m.promotionSeconds && m.promotionSeconds <= m.promotionSecondsMax,
    {
      message: 'must lie within promotionSecondsMin..promotionSecondsMax',
      path: ['promotionSeconds'],
    },
  );

/** WiFi: idle, active, tail (ARO draws the tail at the active power). */
const wifiSchema = z.strictObject({
  technology: z.literal('wifi'),
  label: z.string(),
  source: z.string(),
  activeWatts: watts,
  tailSeconds: seconds,
  tailWatts: watts,
  idleWatts: watts,
});

const radioModelSchema = z.discriminatedUnion('technology', [lteSchema, umtsSchema, wifiSchema]);

const radioModelFileSchema = z.strictObject({
  $comment: z.string().optional(),
  source: z.strictObject({
    tool: z.string(),
    repository: z.string(),
    files: z.array(z.string()),
    paper: z.string(),
  }),
  models: z.record(z.string().min(1), radioModelSchema),
});

export type LteModel = z.infer<typeof lteSchema>;
export type UmtsModel = z.infer<typeof umtsSchema>;
export type WifiModel = z.infer<typeof wifiSchema>;
/** One technology's parameters, as in resources/radio-models.json. */
export type RadioModel = z.infer<typeof radioModelSchema>;
export type Technology = RadioModel['technology'];
/** A whole radio-models file: where the numbers come from, and the models by name. */
export type RadioModelFile = z.infer<typeof radioModelFileSchema>;

/** Validates a radio-models file; throws EnergyError BAD_MODEL naming each bad field. */
export function parseRadioModels(input: unknown): RadioModelFile {
  const parsed = radioModelFileSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new EnergyError(
    ENERGY_ERROR_CODES.BAD_MODEL,
    `radio models: ${describeIssues(parsed.error.issues, input)}`,
  );
}

/** Validates one model object (e.g. a scenario's override); throws like parseRadioModels. */
export function parseRadioModel(input: unknown): RadioModel {
  const parsed = radioModelSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new EnergyError(
    ENERGY_ERROR_CODES.BAD_MODEL,
    `radio model: ${describeIssues(parsed.error.issues, input)}`,
  );
}

/** resources/radio-models.json, validated once at load time. */
export const DEFAULT_RADIO_MODELS: RadioModelFile = parseRadioModels(defaultFile);

/** A model by name from a file (the default file unless given); throws BAD_MODEL if absent. */
export function radioModel(name: string, file: RadioModelFile = DEFAULT_RADIO_MODELS): RadioModel {
  const model = file.models[name];
  if (!model) {
    const known = Object.keys(file.models).join(', ');
    throw new EnergyError(
      ENERGY_ERROR_CODES.BAD_MODEL,
      `radio model: no model named ${JSON.stringify(name)}; known: ${known}`,
    );
  }
  return model;
}
