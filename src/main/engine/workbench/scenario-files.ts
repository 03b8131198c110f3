/**
 * Scenario files for the UI: the bundled examples, recently used files, reading, atomic
 * saving, and validation that places each problem on a line of the text (so the editor can
 * show it where the user is looking).
 */
import { mkdir, readdir } from 'node:fs/promises';
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
import { readBoundedFile } from '../fs/bounded-read';
import { writeFileAtomic } from '../fs/atomic-write';
import { SCENARIO_TEXT_BYTES_MAX, validateScenario } from '../scenario/load';
import type { Scenario } from '../scenario/schema';
import { yamlMessage } from '../../../shared/yaml-message';

/** Largest scenario file read, bytes: the loader's bound, one number for every way in. */
export const SCENARIO_BYTES_MAX = SCENARIO_TEXT_BYTES_MAX;

export async function listExamples(dir: string): Promise<ScenarioExample[]> {
  const names = (await readdir(dir)).filter((n) => /\.(ya?ml|json)$/.test(n)).sort();
  const examples: ScenarioExample[] = [];
  for (const name of names) {
    const text = await readScenarioFile(path.join(dir, name));
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

/**
 * Reads a scenario file: a regular file of at most SCENARIO_BYTES_MAX bytes (stat first, a
 * bounded read after); a sentence naming the file and the reason when it cannot.
 */
export async function readScenarioFile(file: string): Promise<string> {
  return (await readBoundedFile(file, SCENARIO_BYTES_MAX, 'scenario')).toString('utf8');
}

/** Bytes of the recent list (RECENT_FILES_MAX names; anything longer is damaged). */
const RECENT_LIST_BYTES_MAX = 64 * 1024;

/**
 * The recently used scenario files, newest first, kept in `<dataDir>/recent.json`: names in
 * the workspace or handles, never arbitrary paths. Updates run one after another, so
 * concurrent adds lose nothing.
 */
export class RecentFiles {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    /** Which entries to keep listing (e.g. handles of this process only). */
    private readonly keep: (name: string) => boolean = () => true,
  ) {}

  async list(): Promise<string[]> {
    return (await this.read()).filter(this.keep);
  }

  add(name: string): Promise<void> {
    const next = this.queue.then(async () => {
      const list = [name, ...(await this.read()).filter((p) => p !== name)];
      await mkdir(path.dirname(this.file), { recursive: true });
      await writeFileAtomic(this.file, JSON.stringify(list.slice(0, RECENT_FILES_MAX)), {
        mode: 0o600,
      });
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async read(): Promise<string[]> {
    try {
      const text = await readBoundedFile(this.file, RECENT_LIST_BYTES_MAX, 'recent list');
      const parsed: unknown = JSON.parse(text.toString('utf8'));
      return Array.isArray(parsed)
        ? parsed.filter((p): p is string => typeof p === 'string').slice(0, RECENT_FILES_MAX)
        : [];
    } catch {
      // Missing or damaged: start a new list.
      return [];
    }
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
          message: yamlMessage(e.message),
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
