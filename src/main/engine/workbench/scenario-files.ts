/**
 * Scenario files for the UI: the bundled examples, recently used files, reading, atomic
 * saving, and validation that places each problem on a line of the text (so the editor can
 * show it where the user is looking).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { Profile } from '../../../shared/events';
import {
  RECENT_FILES_MAX,
  type ScenarioCheck,
  type ScenarioExample,
  type ScenarioProblem,
  type ScenarioSummary,
} from '../../../shared/workbench';
import { validateScenario } from '../scenario/load';
import type { Scenario } from '../scenario/schema';

/** Largest scenario file read (a scenario is a page of YAML; this is generous). */
export const SCENARIO_BYTES_MAX = 1_000_000;

export async function listExamples(dir: string): Promise<ScenarioExample[]> {
  const names = (await readdir(dir)).filter((n) => /\.(ya?ml|json)$/.test(n)).sort();
  const examples: ScenarioExample[] = [];
  for (const name of names) {
    const text = await readFile(path.join(dir, name), 'utf8');
    const check = checkScenarioText(text);
    const doc = parseDocument(text);
    const description = doc.get('description');
    examples.push({
      id: name.replace(/\.(ya?ml|json)$/, ''),
      title: check.summary?.name ?? name,
      description: typeof description === 'string' ? description.trim() : '',
      text,
    });
  }
  return examples;
}

/** Reads a scenario file; a sentence naming the file and the reason when it cannot. */
export async function readScenarioFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${file}: cannot read it (${errorCode(error)})`, { cause: error });
  }
  if (text.length > SCENARIO_BYTES_MAX) {
    throw new Error(
      `${file}: ${text.length} characters; a scenario may have at most ${SCENARIO_BYTES_MAX}`,
    );
  }
  return text;
}

/**
 * Writes `text` to `file` atomically: to a temporary file beside it, then renamed over it,
 * so a crash or a full disk never leaves a half-written scenario.
 */
export async function saveAtomically(
  file: string,
  text: string,
  options: { overwrite?: boolean } = {},
): Promise<number> {
  if (options.overwrite === false && (await exists(file))) {
    throw new FileExistsError(`${file}: exists already; save over it, or choose another name`);
  }
  const temporary = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    await writeFile(temporary, text, { flag: 'wx' });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw new Error(`${file}: cannot write it (${errorCode(error)})`, { cause: error });
  }
  return Buffer.byteLength(text);
}

/** The recently used scenario files, newest first, kept in `<dataDir>/recent.json`. */
export class RecentFiles {
  constructor(private readonly file: string) {}

  async list(): Promise<string[]> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.file, 'utf8'));
      return Array.isArray(parsed)
        ? parsed.filter((p): p is string => typeof p === 'string').slice(0, RECENT_FILES_MAX)
        : [];
    } catch {
      // Missing or damaged: start a new list.
      return [];
    }
  }

  async add(file: string): Promise<void> {
    const absolute = path.resolve(file);
    const list = [absolute, ...(await this.list()).filter((p) => p !== absolute)];
    await mkdir(path.dirname(this.file), { recursive: true });
    await saveAtomically(this.file, JSON.stringify(list.slice(0, RECENT_FILES_MAX)));
  }
}

/** Validates scenario text; each problem carries the line and column it is about. */
export function checkScenarioText(text: string): ScenarioCheck {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      summary: null,
      problems: doc.errors.map((e) => {
        const at = lines.linePos(e.pos[0]);
        return {
          path: null,
          line: at.line,
          column: at.col,
          message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
        };
      }),
    };
  }
  const loaded = validateScenario(doc.toJS());
  if (loaded.ok) return { ok: true, problems: [], summary: summarize(loaded.scenario) };
  return {
    ok: false,
    summary: null,
    problems: loaded.problems.map((line) => place(line, doc, lines)),
  };
}

export function summarize(s: Scenario): ScenarioSummary {
  return {
    name: s.name,
    seed: s.seed,
    durationMs: s.duration,
    clockMode: s.clock.mode,
    speed: s.clock.speed,
    services: s.services.map((x) => ({ id: x.id, profile: x.profile as Profile })),
    userAgents: s.userAgents.reduce((n, g) => n + g.count, 0),
    gateways: s.gateways.reduce((n, g) => n + g.count, 0),
    devices: s.gateways.reduce((n, g) => n + g.count * g.devices.count, 0),
    appServers: s.appServers.length,
  };
}

/** `path.to.field: message` → a problem placed on the node that path names. */
function place(line: string, doc: Document, lines: LineCounter): ScenarioProblem {
  const cut = line.indexOf(': ');
  const fieldPath = cut > 0 ? line.slice(0, cut) : null;
  const offset = fieldPath && fieldPath !== '(root)' ? offsetOf(doc, fieldPath.split('.')) : null;
  const at = offset === null ? null : lines.linePos(offset);
  return {
    path: fieldPath === '(root)' ? null : fieldPath,
    line: at?.line ?? null,
    column: at?.col ?? null,
    message: cut > 0 ? line.slice(cut + 2) : line,
  };
}

/** Where the deepest existing node along `segments` starts in the text. */
function offsetOf(doc: Document, segments: string[]): number | null {
  let node: unknown = doc.contents;
  let offset: number | null = rangeStart(node);
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
      if (!pair) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
      offset = rangeStart(node) ?? offset;
    } else if (isSeq(node)) {
      const item: unknown = node.items[Number(segment)];
      if (item === undefined) break;
      node = item;
      offset = rangeStart(node) ?? offset;
    } else break;
  }
  return offset;
}

function rangeStart(node: unknown): number | null {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? range[0] : null;
}

/** A save that would replace a file the caller asked to keep. */
export class FileExistsError extends Error {
  readonly code = 'ERR_EXISTS';
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}
