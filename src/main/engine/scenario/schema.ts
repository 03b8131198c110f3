/**
 * The scenario file: push services, links, agents and their counts, traffic, duration, seed
 * and clock. Validated with zod before anything starts; every problem is reported as
 * `path.to.field: what is wrong (got X, allowed Y)`. docs/scenarios.md documents each field.
 */
import { z } from 'zod';
import { SEED_NUMBER_MAX } from '../../../shared/commands';
import { PROFILES, type Profile } from '../../../shared/events';
import { PROFILE_REGISTRY } from '../push/profiles/registry';
import { QUIRK_NAMES } from '../push/quirks';
import type { AnyAgentKind, Reference } from '../agents/kinds/kind';
import { AGENT_KINDS, AGENT_SECTIONS, type AgentKinds } from '../agents/kinds/registry';
import { parseFaultSpec } from '../net/spec';
import { presetNames } from '../net/presets';
import { durationMs } from './duration';
import {
  externalServiceFields,
  externalServiceRules,
  virtualClockRefused,
} from './external-schema';
import { id } from './fields';

/** A fault as the net room validates it (checked with its own schema, problems prefixed). */
const fault = z.unknown().superRefine((value, ctx) => {
  const parsed = parseFaultSpec(value);
  if (!parsed.ok)
    for (const problem of parsed.problems) ctx.addIssue({ code: 'custom', message: problem });
});

const service = z
  .object({
    id,
    profile: z.enum(PROFILES as [string, ...string[]]).default('rfc8030'),
    limits: z
      .object({
        ttlSecondsMax: z
          .number()
          .int()
          .min(1)
          .max(2 ** 31)
          .optional(),
        queueCountMax: z.number().int().min(1).max(1_000_000).optional(),
        subscriptionCountMax: z.number().int().min(1).max(10_000_000).optional(),
        sendsPerSecondPerSubscription: z.number().min(0).optional(),
        sendsPerSecondPerSender: z.number().min(0).optional(),
      })
      .strict()
      .default({}),
    /** A provider quirk overlay over rfc8030 (push/quirks/, docs/profiles.md "Provider quirks"). */
    quirks: z.enum(QUIRK_NAMES, { error: () => `allowed ${QUIRK_NAMES.join(', ')}` }).optional(),
    ...externalServiceFields,
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.quirks !== undefined && !PROFILE_REGISTRY[spec.profile as Profile].quirks)
      ctx.addIssue({
        code: 'custom',
        path: ['quirks'],
        message: `with profile "${spec.profile}"; allowed only with profile ${PROFILES.filter((p) => PROFILE_REGISTRY[p].quirks).join(', ')}`,
      });
  })
  .superRefine(externalServiceRules);

const link = z
  .object({
    id,
    /** A preset from resources/network-presets.json (its faults come first). */
    preset: z
      .string()
      .refine((name) => presetNames().includes(name), {
        error: () => `unknown preset; allowed ${presetNames().join(', ')}`,
      })
      .optional(),
    faults: z.array(fault).max(64).default([]),
  })
  .strict();

/** Each agent kind's section: a bounded list of its entries, empty when left out. */
type AgentSectionsShape = {
  [K in AgentKinds[number] as K['section']]: z.ZodDefault<z.ZodArray<K['entry']>>;
};

const agentSections = Object.fromEntries(
  AGENT_KINDS.map((kind: AnyAgentKind) => [
    kind.section,
    z.array(kind.entry).max(kind.groupsMax).default([]),
  ]),
) as AgentSectionsShape;

const sections = z.object({
  name: z.string().min(1).max(200),
  description: z.string().max(5000).optional(),
  seed: z
    .union([z.number().int().min(0).max(SEED_NUMBER_MAX), z.string().max(200)], {
      error: `not a seed; allowed a whole number from 0 to 2^32-1 (${SEED_NUMBER_MAX}), or text of up to 200 characters`,
    })
    .default(1),
  duration: durationMs,
  clock: z
    .object({
      mode: z.enum(['virtual', 'scaled', 'real']).default('virtual'),
      speed: z.number().min(1).max(1000).default(1),
    })
    .strict()
    .prefault({}),
  services: z.array(service).min(1).max(8),
  links: z.array(link).max(100).default([]),
  ...agentSections,
});

/** Every top-level key a scenario may have, in order; the agent kinds' sections among them. */
export const SCENARIO_SECTIONS: readonly string[] = Object.keys(sections.shape);
const KNOWN_SECTIONS = new Set(SCENARIO_SECTIONS);
const OTHER_SECTIONS = [...KNOWN_SECTIONS].filter(
  (key) => !(AGENT_SECTIONS as readonly string[]).includes(key),
);

/**
 * A key that is neither a section nor an agent kind: most likely an agent kind the lab does
 * not have (or misspelt), so the answer lists the kinds. Checked even when other fields are
 * wrong, so one pass reports it with them.
 */
function unknownSections(input: unknown, ctx: z.RefinementCtx): void {
  // Not an object at all: the object schema already says so.
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return;
  for (const key of Object.keys(input)) {
    if (KNOWN_SECTIONS.has(key)) continue;
    ctx.addIssue({
      code: 'custom',
      path: [key],
      message: `unknown agent kind "${key}"; allowed ${AGENT_SECTIONS.join(', ')} (other sections: ${OTHER_SECTIONS.join(', ')}) (got "${key}")`,
    });
  }
}

export const scenarioSchema = sections
  .catchall(z.unknown())
  .superRefine(unknownSections, { when: () => true })
  .superRefine(virtualClockRefused)
  .superRefine((s, ctx) => {
    const known: Record<Reference['to'], Set<string>> = {
      service: new Set(s.services.map((x) => x.id)),
      link: new Set(s.links.map((x) => x.id)),
      group: new Set(
        AGENT_KINDS.filter((k) => k.targetable).flatMap((k) =>
          entriesOf(s, k).map((x) => (x as { id: string }).id),
        ),
      ),
    };
    const targetNouns = AGENT_KINDS.filter((k) => k.targetable).map((k) => k.noun);
    const what: Record<Reference['to'], string> = {
      service: 'service',
      link: 'link',
      group: `${targetNouns.join(' or ')} group`,
    };
    const unique = (kind: string, ids: string[]): void => {
      const seen = new Set<string>();
      ids.forEach((value, i) => {
        if (seen.has(value))
          ctx.addIssue({
            code: 'custom',
            path: [kind, i, 'id'],
            message: `duplicate id "${value}"`,
          });
        seen.add(value);
      });
    };
    unique(
      'services',
      s.services.map((x) => x.id),
    );
    unique(
      'links',
      s.links.map((x) => x.id),
    );
    for (const kind of AGENT_KINDS as readonly AnyAgentKind[]) {
      entriesOf(s, kind).forEach((entry, i) => {
        for (const { path, value, to } of kind.references(entry)) {
          if (value === undefined || known[to].has(value)) continue;
          const allowed = [...known[to]].join(', ') || '(none defined)';
          ctx.addIssue({
            code: 'custom',
            path: [kind.section, i, ...path],
            message: `no ${what[to]} "${value}"; allowed ${allowed} (got "${value}")`,
          });
        }
      });
    }
    // A kind that sends (its entries plan traffic) needs groups of a kind that receives.
    const receivers = known.group.size;
    for (const kind of AGENT_KINDS as readonly AnyAgentKind[]) {
      if (!kind.plan || receivers > 0 || entriesOf(s, kind).length === 0) continue;
      ctx.addIssue({
        code: 'custom',
        path: [kind.section],
        message: `${kind.noun}s need ${targetNouns.map((n) => `${n}s`).join(' or ')} to send to`,
      });
    }
  });

/** A scenario's entries of one agent kind. */
export function entriesOf(scenario: Scenario, kind: AnyAgentKind): readonly unknown[] {
  return (scenario as unknown as Record<string, readonly unknown[]>)[kind.section] ?? [];
}

export type Scenario = z.output<typeof sections>;
export type ScenarioInput = z.input<typeof sections>;
