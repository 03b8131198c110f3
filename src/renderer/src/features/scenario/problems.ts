/**
 * Scenario problems for people: where each one is in the text (the engine's line and column,
 * or the place of the field it names), which form field it belongs to, and how it reads.
 * Pure.
 */
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import type { ScenarioProblem } from '../../../../shared/workbench';

/** A problem with a line and column whenever the text has a place for it. */
export function placeProblems(
  text: string,
  problems: readonly ScenarioProblem[],
): ScenarioProblem[] {
  if (problems.every((p) => p.line !== null || p.path === null)) return [...problems];
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  return problems.map((problem) => {
    if (problem.line !== null || problem.path === null) return problem;
    const offset = offsetOfPath(doc.contents, problem.path.split('.'));
    if (offset === null) return problem;
    const { line, col } = lineCounter.linePos(offset);
    return { ...problem, line, column: col };
  });
}

/** Where the deepest existing node on `path` starts (the field, or the map that lacks it). */
function offsetOfPath(root: unknown, path: readonly string[]): number | null {
  let node = root;
  let offset: number | null = rangeStart(root);
  for (const key of path) {
    let next: unknown;
    if (isMap(node)) next = node.get(key, true);
    else if (isSeq(node) && /^\d+$/.test(key)) next = node.items[Number(key)];
    if (next === undefined || next === null) break;
    node = next;
    offset = rangeStart(next) ?? offset;
  }
  return offset;
}

function rangeStart(node: unknown): number | null {
  const range = (node as { range?: [number, number, number] | null } | null)?.range;
  return range ? range[0] : null;
}

/** The problems that belong to the field `key`: about it, or about something inside it. */
export function problemsForField(
  problems: readonly ScenarioProblem[],
  key: string,
): ScenarioProblem[] {
  return problems.filter((p) => p.path === key || p.path?.startsWith(`${key}.`) === true);
}

/** `path: message`, naming the field (unless the message already starts with it). */
export function problemText(problem: ScenarioProblem): string {
  const { path, message } = problem;
  if (path === null || path === '' || message.startsWith(`${path}:`)) return message;
  return `${path}: ${message}`;
}

/** `line:column`, `line`, or '' when the problem has no place. */
export function problemPlace(problem: ScenarioProblem): string {
  if (problem.line === null) return '';
  return problem.column === null ? String(problem.line) : `${problem.line}:${problem.column}`;
}

/** The lines that have a problem (for the editor's gutter). */
export function problemLines(problems: readonly ScenarioProblem[]): Set<number> {
  return new Set(problems.flatMap((p) => (p.line === null ? [] : [p.line])));
}

/** The offset of 1-based `line`/`column` in `text`, clamped to the text and to that line. */
export function offsetAt(text: string, line: number, column = 1): number {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', start);
    if (next === -1) return text.length;
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  const lineEnd = end === -1 ? text.length : end;
  return Math.min(start + Math.max(0, column - 1), lineEnd);
}
