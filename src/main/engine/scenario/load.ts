/**
 * Reads a scenario (YAML or JSON) and validates it. Problems come back as a list of
 * `path.to.field: what is wrong (got X)`, never as an exception.
 */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { issueLines } from '../../../shared/commands';
import { scenarioSchema, type Scenario } from './schema';

/** `input` is the scenario as written (before defaults and unit conversion): what a bundle stores. */
export type LoadResult =
  { ok: true; scenario: Scenario; input: unknown } | { ok: false; problems: string[] };

/** Parses scenario text (YAML is a superset of JSON, so both work). */
export function parseScenario(text: string, source = 'scenario'): LoadResult {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const at = e.linePos?.[0];
        return `${source}${at ? `:${at.line}:${at.col}` : ''}: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
      }),
    };
  }
  return validateScenario(doc.toJS());
}

export function validateScenario(input: unknown): LoadResult {
  const parsed = scenarioSchema.safeParse(input);
  if (parsed.success) return { ok: true, scenario: parsed.data, input };
  const problems = issueLines(parsed.error.issues, input);
  // Cross-references are checked only once the shapes are right; check them anyway so one
  // pass lists every problem.
  for (const line of referenceProblems(input)) if (!problems.includes(line)) problems.push(line);
  return { ok: false, problems };
}

export async function loadScenario(file: string): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      problems: [`${file}: cannot read it (${code ?? (error as Error).message})`],
    };
  }
  return parseScenario(text, file);
}

/** References between sections (services, links, groups), read loosely from raw input. */
function referenceProblems(input: unknown): string[] {
  if (input === null || typeof input !== 'object') return [];
  const root = input as Record<string, unknown>;
  const ids = (key: string): Set<string> =>
    new Set(
      (Array.isArray(root[key]) ? (root[key] as unknown[]) : [])
        .map((x) => (x && typeof x === 'object' ? (x as Record<string, unknown>)['id'] : undefined))
        .filter((x): x is string => typeof x === 'string'),
    );
  const known: Record<string, Set<string>> = { service: ids('services'), link: ids('links') };
  const problems: string[] = [];
  for (const section of ['userAgents', 'gateways', 'appServers']) {
    const list = root[section];
    if (!Array.isArray(list)) continue;
    list.forEach((entry: unknown, i) => {
      if (!entry || typeof entry !== 'object') return;
      for (const field of ['service', 'link'] as const) {
        const value = (entry as Record<string, unknown>)[field];
        if (typeof value === 'string' && !known[field]!.has(value)) {
          const allowed = [...known[field]!].join(', ') || '(none defined)';
          problems.push(
            `${section}.${i}.${field}: no ${field} "${value}"; allowed ${allowed} (got "${value}")`,
          );
        }
      }
    });
  }
  return problems;
}
