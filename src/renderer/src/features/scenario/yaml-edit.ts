/**
 * Changes one value in YAML text the way a person would: only the characters of that value
 * change (or one `key: value` is added to the map that lacks it), so comments, quoting, folded
 * text and flow style everywhere else stay as they were. The `yaml` package's document model
 * finds the nodes and their source ranges. Pure.
 */
import {
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  stringify,
  type Document,
  type YAMLMap,
} from 'yaml';
import { yamlMessage } from '../../../../shared/yaml-message';

export type YamlPath = readonly (string | number)[];
export type YamlScalar = string | number | boolean;
export type EditResult = { ok: true; text: string } | { ok: false; message: string };

/** A node as the `yaml` package gives it: `range` is [start, value end, node end]. */
interface Ranged {
  range?: [number, number, number] | null;
}

/** Sets the value at `path` (creating missing maps on the way); the rest of the text is kept. */
export function setYamlValue(text: string, path: YamlPath, value: YamlScalar): EditResult {
  if (path.length === 0) return { ok: false, message: 'no field given to set' };
  const doc = parseDocument(text);
  const broken = syntaxError(doc);
  if (broken !== null) return { ok: false, message: `fix the YAML first (${broken})` };
  if (doc.contents === null) return { ok: true, text: appendPair(text, path, value) };
  if (!isMap(doc.contents)) {
    return { ok: false, message: 'the scenario must be a map of fields (name:, seed:, …)' };
  }
  let node: unknown = doc.contents;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    const where = path.slice(0, i).join('.') || 'the scenario';
    if (isMap(node)) {
      if (typeof key === 'number') return { ok: false, message: `${where} is a map, not a list` };
      const next: unknown = node.get(key, true);
      if (next === undefined) return insertPair(text, node, key, nest(path.slice(i + 1), value));
      node = next;
    } else if (isSeq(node)) {
      const item: unknown = typeof key === 'number' ? node.items[key] : undefined;
      if (item === undefined) return { ok: false, message: `${where} has no item ${String(key)}` };
      node = item;
    } else {
      // A plain value where a map should be: it becomes the map.
      return replaceNode(text, node as Ranged, nest(path.slice(i), value));
    }
  }
  return replaceNode(text, node as Ranged, value);
}

/**
 * The first syntax error as `line L, column C: message`, or null. yaml ends its message's first
 * line with the same place (`… at line L, column C:`), so that is cut: said once, in front.
 */
export function syntaxError(doc: Document): string | null {
  const error = doc.errors[0];
  if (error === undefined) return null;
  const where = error.linePos?.[0];
  const message = yamlMessage(error.message);
  return where ? `line ${where.line}, column ${where.col}: ${message}` : message;
}

/** `value` under the keys of `rest` ({a: {b: value}} for ['a', 'b']). */
function nest(rest: YamlPath, value: YamlScalar): unknown {
  return rest.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}

/** One line of YAML for a value: flow style for maps, quoted when a plain scalar would mislead. */
export function renderValue(value: unknown): string {
  const text = stringify(value, { collectionStyle: 'flow', lineWidth: 0 }).trimEnd();
  return text.includes('\n') ? JSON.stringify(value) : text;
}

function replaceNode(text: string, node: Ranged, value: unknown): EditResult {
  const range = node.range;
  if (!range) return { ok: false, message: 'the value has no place in the text to edit' };
  const [start, end] = range;
  const old = text.slice(start, end);
  let replacement = renderValue(value);
  // `key:` with nothing after it: keep a space after the colon.
  if (start === end && /[:-]$/.test(text.slice(0, start))) replacement = ` ${replacement}`;
  // A block value ends with its line break; the one-line replacement keeps it.
  if (old.endsWith('\n')) replacement += '\n';
  return { ok: true, text: text.slice(0, start) + replacement + text.slice(end) };
}

function insertPair(text: string, map: YAMLMap, key: string, value: unknown): EditResult {
  const range = (map as Ranged).range;
  if (!range) return { ok: false, message: `cannot place ${key} in the text` };
  const [start, end] = range;
  const pair = `${renderValue(key)}: ${renderValue(value)}`;
  if (map.flow) {
    // `{ a: 1 }` → `{ a: 1, key: value }`; `{}` → `{ key: value }`.
    const body = text.slice(start, end - 1);
    const head = body.trimEnd();
    const gap = body.slice(head.length);
    const joined =
      map.items.length === 0
        ? `{ ${pair} }`
        : `${head}${head.endsWith(',') ? ' ' : ', '}${pair}${gap}}`;
    return { ok: true, text: text.slice(0, start) + joined + text.slice(end) };
  }
  const firstKey = map.items[0]?.key as Ranged | undefined;
  const keyStart = firstKey?.range?.[0] ?? start;
  const indent = ' '.repeat(keyStart - (text.lastIndexOf('\n', keyStart - 1) + 1));
  const line = text[end - 1] === '\n' ? `${indent}${pair}\n` : `\n${indent}${pair}`;
  return { ok: true, text: text.slice(0, end) + line + text.slice(end) };
}

function appendPair(text: string, path: YamlPath, value: YamlScalar): string {
  const [key, ...rest] = path;
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  return `${text}${separator}${renderValue(key)}: ${renderValue(nest(rest, value))}\n`;
}

/** The scalar at `path` as the text shows it ('' when absent or not a plain value). */
export function readScalar(doc: Document, path: YamlPath): string {
  const node: unknown = doc.getIn(path, true);
  if (!isScalar(node) || node.value === null || node.value === undefined) return '';
  const v = node.value;
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}
