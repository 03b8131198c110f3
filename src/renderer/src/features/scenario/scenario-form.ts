/**
 * The form's view of scenario text: the common settings (name, seed, duration, clock, each
 * service's profile, the size of each user-agent and gateway group) read from the YAML, and
 * what an input's text becomes in the YAML. Pure.
 */
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { PROFILES } from '../../../../shared/events';
import { readScalar, syntaxError, type YamlPath, type YamlScalar } from './yaml-edit';

/** How a field's text turns into a YAML value (see toYamlValue). */
export type FieldKind = 'text' | 'seed' | 'duration' | 'integer' | 'number' | 'choice';

export interface FormField {
  /** The dotted path, as scenario problems name it ('userAgents.0.count'). */
  key: string;
  path: YamlPath;
  label: string;
  kind: FieldKind;
  /** As the YAML has it ('' when absent). */
  value: string;
  /** Shown when empty: the default, or an example. */
  placeholder: string;
  /** The allowed values of a 'choice'. */
  options: readonly string[];
}

export interface FormGroup {
  title: string;
  fields: FormField[];
}

export type ScenarioForm = { ok: true; groups: FormGroup[] } | { ok: false; message: string };

export const CLOCK_MODES: readonly string[] = ['virtual', 'scaled', 'real'];

export function readForm(text: string): ScenarioForm {
  const doc = parseDocument(text);
  const broken = syntaxError(doc);
  if (broken !== null) return { ok: false, message: `The YAML has an error at ${broken}.` };
  if (doc.contents !== null && !isMap(doc.contents)) {
    return { ok: false, message: 'The scenario must be a map of fields (name:, seed:, …).' };
  }
  const field = (
    path: YamlPath,
    label: string,
    kind: FieldKind,
    placeholder: string,
    options: readonly string[] = [],
  ): FormField => ({
    key: path.join('.'),
    path,
    label,
    kind,
    value: readScalar(doc, path),
    placeholder,
    options,
  });
  const groups: FormGroup[] = [
    {
      title: 'Scenario',
      fields: [
        field(['name'], 'Name', 'text', 'required'),
        field(['seed'], 'Seed', 'seed', '1'),
        field(['duration'], 'Duration', 'duration', 'e.g. 30m, 2h, 90s'),
      ],
    },
    {
      title: 'Clock',
      fields: [
        field(['clock', 'mode'], 'Mode', 'choice', 'virtual', CLOCK_MODES),
        field(['clock', 'speed'], 'Speed (scaled: 1–1000×)', 'number', '1'),
      ],
    },
  ];
  const services = items(doc, 'services').map((id, i) =>
    field(['services', i, 'profile'], `${id} profile`, 'choice', 'rfc8030', PROFILES),
  );
  if (services.length > 0) groups.push({ title: 'Services', fields: services });
  const agents = items(doc, 'userAgents').map((id, i) =>
    field(['userAgents', i, 'count'], `${id} count`, 'integer', '1'),
  );
  if (agents.length > 0) groups.push({ title: 'User agents', fields: agents });
  const gateways = items(doc, 'gateways').flatMap((id, i) => [
    field(['gateways', i, 'count'], `${id} count`, 'integer', '1'),
    field(['gateways', i, 'devices', 'count'], `${id} devices each`, 'integer', 'required'),
  ]);
  if (gateways.length > 0) groups.push({ title: 'Gateways', fields: gateways });
  return { ok: true, groups };
}

/** The ids of a list's items (`list[i]` for an item without one). */
function items(doc: Document, list: string): string[] {
  const seq: unknown = doc.get(list, true);
  if (!isSeq(seq)) return [];
  return seq.items.map((_, i) => readScalar(doc, [list, i, 'id']) || `${list}[${i}]`);
}

const NUMBER = /^-?\d+(\.\d+)?$/;
const INTEGER = /^-?\d+$/;
const SECONDS = /^\d+(\.\d+)?$/;

/**
 * What an input's text becomes in the YAML. Numbers that look like numbers become numbers;
 * anything else stays text, so the scenario check names the field and the value it got.
 */
export function toYamlValue(kind: FieldKind, raw: string): YamlScalar {
  const text = raw.trim();
  switch (kind) {
    case 'integer':
    case 'number':
      return NUMBER.test(text) ? Number(text) : raw;
    case 'seed':
      return INTEGER.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : raw;
    case 'duration':
      return SECONDS.test(text) ? Number(text) : raw;
    case 'text':
    case 'choice':
      return raw;
  }
}
