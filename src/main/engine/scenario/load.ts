/**
 * Reads a scenario (YAML or JSON) and validates it. Problems come back as a list of
 * `path.to.field: what is wrong (got X)`, never as an exception.
 *
 * YAML is hostile input (a scenario may come from anyone): before anything is built the
 * text is bounded in size, in nesting depth (yaml's composer and toJS recurse, and its CST
 * parser holds one stack entry per level) and in alias expansion (an alias bomb), and the
 * validated scenario in total size and estimated memory (totals.ts).
 */
import path from 'node:path';
import { readBoundedFile } from '../fs/bounded-read';
import { CST, Lexer, isScalar, parseDocument, type Document } from 'yaml';
import { issueLines } from '../../../shared/commands';
import { AGENT_SECTIONS } from '../agents/kinds/registry';
import { resolveCaFiles } from './external-schema';
import { scenarioSchema, type Scenario } from './schema';
import { totalsProblems } from './totals';
import { yamlMessage } from '../../../shared/yaml-message';

/** `input` is the scenario as written (before defaults and unit conversion): what a bundle stores. */
export type LoadResult =
  { ok: true; scenario: Scenario; input: unknown } | { ok: false; problems: string[] };

/**
 * Longest scenario text, bytes. yaml's document model takes about 120 bytes of memory per
 * byte of flow-heavy text (measured: 4.8 MiB of script sends → 570 MB RSS), so this keeps a
 * parse near 120 MB; it is the UI's bound too (scenario-files.ts, commands.ts), and room for
 * a script of ~25,000 sends.
 */
export const SCENARIO_TEXT_BYTES_MAX = 1_000_000;
/** Deepest nesting of collections (a scenario needs about 7 levels). */
export const SCENARIO_NESTING_DEPTH_MAX = 64;
/** yaml's `maxAliasCount`: alias expansions allowed when converting (its default, made explicit). */
export const SCENARIO_ALIAS_COUNT_MAX = 100;

/** Parses scenario text (YAML is a superset of JSON, so both work). */
export function parseScenario(text: string, source = 'scenario'): LoadResult {
  const bytes = Buffer.byteLength(text);
  if (bytes > SCENARIO_TEXT_BYTES_MAX) {
    return { ok: false, problems: [tooLarge(source, bytes)] };
  }
  const depth = nestingBeyond(text, SCENARIO_NESTING_DEPTH_MAX);
  if (depth !== null) {
    return {
      ok: false,
      problems: [
        `${source}:${depth.line}: nested more than ${SCENARIO_NESTING_DEPTH_MAX} levels deep; a scenario needs fewer than 10`,
      ],
    };
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const at = e.linePos?.[0];
        return `${source}${at ? `:${at.line}:${at.col}` : ''}: ${yamlMessage(e.message)}`;
      }),
    };
  }
  let input: unknown;
  try {
    input = doc.toJS({ maxAliasCount: SCENARIO_ALIAS_COUNT_MAX });
  } catch (error) {
    const problem =
      error instanceof ReferenceError && /alias/i.test(error.message)
        ? `its aliases expand past yaml's bound of ${SCENARIO_ALIAS_COUNT_MAX} alias uses (an alias bomb?); write the values out instead`
        : `cannot be read (${(error as Error).message})`;
    return { ok: false, problems: [`${source}: ${problem}`] };
  }
  const result = validateScenario(input);
  return result.ok
    ? result
    : { ok: false, problems: result.problems.map((p) => asWritten(p, doc)) };
}

export function validateScenario(input: unknown): LoadResult {
  const parsed = scenarioSchema.safeParse(input);
  if (parsed.success) {
    const totals = totalsProblems(parsed.data);
    return totals.length === 0
      ? { ok: true, scenario: parsed.data, input }
      : { ok: false, problems: totals };
  }
  const problems = issueLines(parsed.error.issues, input);
  // Cross-references are checked only once the shapes are right; check them anyway so one
  // pass lists every problem.
  for (const line of referenceProblems(input)) if (!problems.includes(line)) problems.push(line);
  return { ok: false, problems };
}

export async function loadScenario(file: string): Promise<LoadResult> {
  let text: string;
  try {
    // stat first and a bounded read: /dev/zero or a fifo would be read forever, a huge file in full.
    text = (await readBoundedFile(file, SCENARIO_TEXT_BYTES_MAX, 'scenario')).toString('utf8');
  } catch (error) {
    return { ok: false, problems: [(error as Error).message] };
  }
  const parsed = parseScenario(text, file);
  if (!parsed.ok) return parsed;
  const resolved = await resolveCaFiles(parsed.scenario, path.dirname(path.resolve(file)));
  return resolved.ok ? { ...parsed, scenario: resolved.scenario } : resolved;
}

function tooLarge(source: string, bytes: number): string {
  return `${source}: ${bytes} bytes; a scenario may have at most ${SCENARIO_TEXT_BYTES_MAX} bytes`;
}

/**
 * The 1-based line where `text` nests deeper than `max` collections, or null. Read from
 * yaml's lexer, which streams flat tokens in constant memory: the depth is the flow
 * brackets open plus the block levels, each block level the column of a node that starts a
 * line or follows a `-`/`?` indicator (a sibling at the same column is the same level). It
 * may count a level or two more than the composer would, never fewer; the bound leaves
 * room for that. Written here because yaml's own parser (CST or composer) only reports
 * depth after it has built every level — 4 MiB of "[" exhausts a 96 MB heap.
 */
function nestingBeyond(text: string, max: number): { line: number } | null {
  const control = new Set(['\u0002', '\u0018', '\u001f']);
  const block: number[] = [];
  let flow = 0;
  let offset = 0;
  let lineStart = 0;
  let line = 1;
  let startsNode = true;
  let scalarNext = false;
  const node = (column: number): void => {
    while (block.length > 0 && block[block.length - 1]! > column) block.pop();
    if (block.length === 0 || block[block.length - 1]! < column) block.push(column);
  };
  for (const token of new Lexer().lex(text)) {
    if (control.has(token)) {
      scalarNext = token === '\u001f';
      continue;
    }
    const type = scalarNext ? 'scalar' : CST.tokenType(token);
    scalarNext = false;
    const column = offset - lineStart;
    switch (type) {
      case 'doc-start':
      case 'doc-end':
        block.length = 0;
        break;
      case 'flow-map-start':
      case 'flow-seq-start':
        if (flow === 0 && startsNode) node(column);
        startsNode = false;
        flow += 1;
        break;
      case 'flow-map-end':
      case 'flow-seq-end':
        flow = Math.max(0, flow - 1);
        break;
      case 'seq-item-ind':
      case 'explicit-key-ind':
        if (flow === 0) node(column);
        startsNode = true;
        break;
      case 'newline':
        startsNode = true;
        break;
      case 'scalar':
      case 'anchor':
      case 'tag':
      case 'alias':
        if (flow === 0 && startsNode) node(column);
        startsNode = false;
        break;
      default:
        break;
    }
    if (block.length + flow > max) return { line };
    offset += token.length;
    const newline = token.lastIndexOf('\n');
    if (newline >= 0) {
      lineStart = offset - token.length + newline + 1;
      for (let i = token.indexOf('\n'); i >= 0; i = token.indexOf('\n', i + 1)) line += 1;
    }
  }
  return null;
}

/**
 * A number YAML read as ±Infinity or NaN (e.g. `1e400`) is `null` in JSON, so a problem
 * line would say "(got null)": put back the number as the file wrote it.
 */
function asWritten(problem: string, doc: Document): string {
  const match = /^([^:\s]+): .*\(got null\)$/.exec(problem);
  if (!match) return problem;
  const path = match[1]!.split('.').map((key) => (/^\d+$/.test(key) ? Number(key) : key));
  const node = doc.getIn(path, true);
  if (!isScalar(node) || typeof node.value !== 'number' || Number.isFinite(node.value))
    return problem;
  return `${problem.slice(0, -'(got null)'.length)}(got ${node.source ?? String(node.value)})`;
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
  for (const section of AGENT_SECTIONS) {
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
