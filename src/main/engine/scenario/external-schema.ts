/**
 * The scenario fields of an external push service — `url`, `ca`, `insecure` on a service
 * entry — and the rules between them: a service the lab does not run keeps its own limits,
 * and does not follow a virtual clock. Kept apart from schema.ts so the service entry there
 * only gains one spread and one refinement.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { FileError } from '../fs/atomic-write';
import { checkRegularFile } from '../fs/bounded-read';

/** Longest `url` and `ca` of an external service, characters. */
export const EXTERNAL_URL_CHARS_MAX = 2048;
export const CA_PATH_CHARS_MAX = 1024;

const url = z
  .string()
  .max(EXTERNAL_URL_CHARS_MAX)
  .superRefine((value, ctx) => {
    const problem = urlProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `${problem} (got "${value}")` });
  });

/**
 * A CA file named relative to the scenario's folder and staying inside it (scenario/load.ts
 * resolves it and checks it is a regular file there).
 */
const ca = z
  .string()
  .min(1)
  .max(CA_PATH_CHARS_MAX)
  .superRefine((value, ctx) => {
    const problem = caPathProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `${problem} (got "${value}")` });
  });

export const externalServiceFields = {
  /** The external push service's origin (http: or https:), reached over real TCP. */
  url: url.optional(),
  /** PEM file of the CA that signed an https service's certificate. */
  ca: ca.optional(),
  /** Skip certificate verification (the run prints a warning). */
  insecure: z.literal(true).optional(),
};

interface ServiceShape {
  url?: string | undefined;
  ca?: string | undefined;
  insecure?: true | undefined;
  quirks?: string | undefined;
  limits: Record<string, unknown>;
}

/** Cross-field rules of one service entry. */
export function externalServiceRules(service: ServiceShape, ctx: z.RefinementCtx): void {
  if (service.url === undefined) {
    for (const field of ['ca', 'insecure'] as const)
      if (service[field] !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `only for an external service (one with a url); got ${field} without url`,
        });
    return;
  }
  if (service.quirks !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['quirks'],
      message: `quirks model a provider in the lab's own service; an external service behaves as it does (got quirks ${service.quirks} with url)`,
    });
  if (Object.keys(service.limits).length > 0)
    ctx.addIssue({
      code: 'custom',
      path: ['limits'],
      message: `an external service's limits are its own; remove limits or url (got limits ${JSON.stringify(service.limits)})`,
    });
  const https = service.url.startsWith('https:');
  if (!https && (service.ca !== undefined || service.insecure))
    ctx.addIssue({
      code: 'custom',
      path: [service.ca !== undefined ? 'ca' : 'insecure'],
      message: `only for an https url (got ${service.url})`,
    });
  if (service.ca !== undefined && service.insecure)
    ctx.addIssue({
      code: 'custom',
      path: ['insecure'],
      message: 'either ca (verify with this CA) or insecure (do not verify), not both',
    });
}

/** The index of the scenario's first external service (one with a `url`), or -1. */
export function externalServiceIndex(scenario: {
  services: readonly { url?: string | undefined }[];
}): number {
  return scenario.services.findIndex((service) => service.url !== undefined);
}

/** A run on the virtual clock cannot include a service that lives in real time. */
export function virtualClockRefused(
  scenario: { clock: { mode: string }; services: readonly { id: string; url?: string }[] },
  ctx: z.RefinementCtx,
): void {
  if (scenario.clock.mode !== 'virtual') return;
  scenario.services.forEach((service, i) => {
    if (service.url === undefined) return;
    ctx.addIssue({
      code: 'custom',
      path: ['services', i, 'url'],
      message: `an external service needs clock mode real or scaled: a real service does not follow a virtual clock (got clock mode virtual)`,
    });
  });
}

/** What is wrong with an external service's url, or null. */
export function urlProblem(value: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return 'not a URL; allowed http://host:port/ or https://host:port/';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return `scheme ${parsed.protocol} not allowed; allowed http: or https:`;
  if (parsed.username || parsed.password) return 'credentials in a url are not allowed';
  if (parsed.search || parsed.hash) return 'a query or fragment is not allowed';
  return null;
}

/** What is wrong with a CA path as written, or null. */
export function caPathProblem(value: string): string | null {
  if (value.includes('\0')) return 'a path may not contain NUL';
  if (path.isAbsolute(value) || path.win32.isAbsolute(value))
    return "an absolute path is not allowed; name the file relative to the scenario's folder";
  if (value.split(/[\\/]/).includes('..'))
    return "'..' is not allowed; the file must be in the scenario's folder or below it";
  return null;
}

/** Largest CA file read, bytes (a bundle of a few hundred certificates). */
export const CA_FILE_BYTES_MAX = 1024 * 1024;

/**
 * Each external service's `ca` resolved against the scenario's folder (symbolic links
 * followed) and checked to stay inside it and to be a regular file of at most
 * CA_FILE_BYTES_MAX: the scenario then names an absolute path. Problems name the field.
 */
export async function resolveCaFiles<S extends { services: { ca?: string | undefined }[] }>(
  scenario: S,
  folder: string,
): Promise<{ ok: true; scenario: S } | { ok: false; problems: string[] }> {
  const problems: string[] = [];
  const services = await Promise.all(
    scenario.services.map(async (service, i) => {
      if (service.ca === undefined) return service;
      const field = `services.${i}.ca`;
      try {
        const root = await realpath(folder);
        const file = await realpath(path.resolve(folder, service.ca));
        if (!file.startsWith(root + path.sep))
          throw new Error(`${file} is outside the scenario's folder ${root} (through a link?)`);
        await checkRegularFile(file, CA_FILE_BYTES_MAX, 'CA file');
        return { ...service, ca: file };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const why =
          error instanceof FileError || !code
            ? (error as Error).message
            : `cannot read it (${code})`;
        problems.push(`${field}: ${why} (got "${service.ca}")`);
        return service;
      }
    }),
  );
  return problems.length > 0
    ? { ok: false, problems }
    : { ok: true, scenario: { ...scenario, services } };
}
