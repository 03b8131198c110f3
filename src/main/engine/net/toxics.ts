/**
 * Toxiproxy toxics ⇄ our fault specs, pure. Our spec already follows Toxiproxy's shape (`type`,
 * `name`, `stream`, `toxicity`, `attributes`) and its seven stages use Toxiproxy's attribute
 * names and units, so the mapping is mostly the identity; what differs is said here once:
 *
 * - `stream` is `upstream` or `downstream` (any case), default `downstream` for every type, as
 *   Toxiproxy has it (our own specs default per type and also allow `both`).
 * - An attribute left out of a Toxiproxy toxic is Go's zero value there. We fill in 0 where our
 *   stage accepts 0; where it does not (bandwidth's `rate`, slicer's `average_size`: a zero
 *   there makes Toxiproxy pass bytes unpaced or misbehave) the toxic is refused, naming it.
 * - Our extra stages (loss, outage, idle_timeout) are extra toxic types with our own
 *   attributes and defaults; a type no stage models (Toxiproxy's `noop`) is refused.
 * - Unknown fields are refused rather than ignored, so a typo is an answer, not a no-op.
 *
 * Answers carry Toxiproxy's status codes and error texts (api.go's ApiError), with the detail
 * after a colon as Toxiproxy's joinError does.
 */
import { STAGES, STAGE_DEFINITIONS } from './registry';
import { parseFaultSpec, type FaultSpec, type ParseResult } from './spec';
import type { FaultInfo } from './types';
import { preview } from './validation';

/** Toxiproxy's own toxic types (toxics/*.go); the rest of STAGES are our extras. */
export const TOXIPROXY_TYPES = [
  'latency',
  'bandwidth',
  'slow_close',
  'timeout',
  'reset_peer',
  'slicer',
  'limit_data',
  'noop',
] as const;

/** A toxic as Toxiproxy's API shows it. */
export interface Toxic {
  name: string;
  type: string;
  /** `both` only for a fault given on the command line or by a preset; the API makes none. */
  stream: string;
  toxicity: number;
  attributes: Record<string, unknown>;
}

/** An answer in Toxiproxy's error shape: `{ error, status }`. */
export interface ToxiproxyError {
  error: string;
  status: number;
}

export type ToxicResult<T> = { ok: true; value: T } | { ok: false; problem: ToxiproxyError };

/** api.go's error texts, the part clients match on. */
export const TOXIPROXY_ERRORS = {
  badBody: { error: 'bad request body', status: 400 },
  missingField: { error: 'missing required field', status: 400 },
  proxyNotFound: { error: 'proxy not found', status: 404 },
  proxyExists: { error: 'proxy already exists', status: 409 },
  invalidStream: { error: 'stream was invalid, can be either upstream or downstream', status: 400 },
  invalidType: { error: 'invalid toxic type', status: 400 },
  toxicExists: { error: 'toxic already exists', status: 409 },
  toxicNotFound: { error: 'toxic not found', status: 404 },
} as const satisfies Record<string, ToxiproxyError>;

/** `base` with a detail after a colon, as Toxiproxy's joinError writes it. */
export function toxiproxyError(base: ToxiproxyError, detail?: string): ToxiproxyError {
  return { error: detail ? `${base.error}: ${detail}` : base.error, status: base.status };
}

const TOXIC_FIELDS = ['name', 'type', 'stream', 'toxicity', 'attributes'] as const;

/** Every toxic type this proxy takes: the stages, in the registry's order. */
export function toxicTypes(): string[] {
  return STAGE_DEFINITIONS.map((d) => d.type);
}

/** Our stages Toxiproxy does not have. */
export function extraToxicTypes(): string[] {
  return toxicTypes().filter((t) => !(TOXIPROXY_TYPES as readonly string[]).includes(t));
}

/** A toxic POSTed to /proxies/{name}/toxics, as a fault spec for our link. */
export function toxicToSpec(body: unknown): ToxicResult<FaultSpec> {
  if (!isRecord(body)) return badBody(`expected a JSON object (got ${preview(body)})`);
  const unknown = Object.keys(body).filter((k) => !(TOXIC_FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    return badBody(`unknown field ${unknown[0]} (allowed ${TOXIC_FIELDS.join(', ')})`);
  }
  const { type } = body;
  if (typeof type !== 'string' || !STAGES.has(type)) {
    return fail(
      TOXIPROXY_ERRORS.invalidType,
      `${preview(type)} (allowed ${toxicTypes().join(', ')})`,
    );
  }
  const stream = parseStream(body['stream'] ?? 'downstream');
  if (stream === null)
    return fail(TOXIPROXY_ERRORS.invalidStream, `got ${preview(body['stream'])}`);
  const attributes = body['attributes'] ?? {};
  if (!isRecord(attributes)) {
    return badBody(`attributes: expected a JSON object (got ${preview(attributes)})`);
  }
  const spec = {
    type,
    stream,
    name: body['name'] === '' || body['name'] === undefined ? `${type}_${stream}` : body['name'],
    toxicity: body['toxicity'] ?? 1,
    attributes: { ...zeroValues(type), ...attributes },
  };
  const parsed = parseFaultSpec(spec);
  return parsed.ok ? parsed : badBody(parsed.problems.join('; '));
}

/**
 * A toxic update (POST/PATCH /proxies/{p}/toxics/{t}) as a change for `Link.updateFault`:
 * attributes merge over the current ones and `toxicity` keeps its value when left out, as in
 * Toxiproxy. Name, type and stream cannot change there; a body that tries says so.
 */
export function toxicUpdate(
  body: unknown,
  current: FaultInfo,
): ToxicResult<Record<string, unknown>> {
  if (!isRecord(body)) return badBody(`expected a JSON object (got ${preview(body)})`);
  const now = specToToxic(current.spec);
  for (const key of Object.keys(body)) {
    if (!(TOXIC_FIELDS as readonly string[]).includes(key)) {
      return badBody(`unknown field ${key} (allowed attributes, toxicity)`);
    }
    if (key === 'name' || key === 'type' || key === 'stream') {
      const same =
        key === 'stream' ? parseStream(body[key]) === now.stream : body[key] === now[key];
      if (!same) {
        return badBody(
          `${key} cannot change (got ${preview(body[key])}, is ${preview(now[key])}); delete the toxic and add it again`,
        );
      }
    }
  }
  const change: Record<string, unknown> = {};
  if (body['attributes'] !== undefined) {
    if (!isRecord(body['attributes'])) {
      return badBody(`attributes: expected a JSON object (got ${preview(body['attributes'])})`);
    }
    change['attributes'] = body['attributes'];
  }
  if (body['toxicity'] !== undefined) change['toxicity'] = body['toxicity'];
  return { ok: true, value: change };
}

/** A fault as Toxiproxy's API shows a toxic. */
export function specToToxic(spec: FaultSpec): Toxic {
  return {
    name: spec.name,
    type: spec.type,
    stream: spec.stream,
    toxicity: spec.toxicity,
    attributes: { ...(spec.attributes as Record<string, unknown>) },
  };
}

/**
 * The short form of a fault on the command line: `TYPE[:key=value,…]`, where `stream`, `name`
 * and `toxicity` are the fault's own fields and every other key an attribute; a value that
 * reads as a number is one. `{…}` is a whole fault spec in JSON (with a schedule, say).
 */
export function faultFromText(text: string): ParseResult<FaultSpec> {
  if (text.trimStart().startsWith('{')) {
    let input: unknown;
    try {
      input = JSON.parse(text);
    } catch (error) {
      return { ok: false, problems: [`not valid JSON (${(error as Error).message})`] };
    }
    return parseFaultSpec(input);
  }
  const colon = text.indexOf(':');
  const spec: Record<string, unknown> = { type: colon < 0 ? text : text.slice(0, colon) };
  const attributes: Record<string, unknown> = {};
  const pairs = colon < 0 || colon === text.length - 1 ? [] : text.slice(colon + 1).split(',');
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) {
      return {
        ok: false,
        problems: [`${preview(pair)} is not key=value (allowed TYPE:key=value,key=value)`],
      };
    }
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    const value = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
    if (key === 'stream' || key === 'name' || key === 'toxicity') spec[key] = value;
    else attributes[key] = value;
  }
  spec['attributes'] = attributes;
  return parseFaultSpec(spec);
}

function parseStream(value: unknown): 'upstream' | 'downstream' | null {
  if (typeof value !== 'string') return null;
  const lower = value.toLowerCase();
  return lower === 'upstream' || lower === 'downstream' ? lower : null;
}

/** Go's zero value for the attributes of a Toxiproxy type that our stage accepts as 0. */
function zeroValues(type: string): Record<string, number> {
  if (!(TOXIPROXY_TYPES as readonly string[]).includes(type)) return {};
  const zeros: Record<string, number> = {};
  for (const a of STAGES.get(type)?.attributes ?? []) {
    const takesZero = a.min === 0 && !a.minExclusive && a.type !== 'enum';
    if (a.default === undefined && a.defaultFrom === undefined && takesZero) zeros[a.name] = 0;
  }
  return zeros;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A 400 `bad request body: …` answer. */
export function badBody<T>(detail: string): ToxicResult<T> {
  return fail(TOXIPROXY_ERRORS.badBody, detail);
}

/** An answer `base` with `detail`. */
export function fail<T>(base: ToxiproxyError, detail: string): ToxicResult<T> {
  return { ok: false, problem: toxiproxyError(base, detail) };
}
