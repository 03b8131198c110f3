/**
 * The add/change fault form of the Links view: what the user typed, the problem with each
 * field in plain words as it is typed (`faultFieldProblems`: the bounds are the engine's own,
 * each fault type's attribute table and shared/fault-bounds.ts), and the fault spec it makes.
 * What involves several fields at once (a schedule's windows) is still the engine's to name.
 * Pure.
 */
import {
  FAULT_NAME_CHARS_MAX,
  FAULT_NAME_PATTERN,
  FAULT_TOXICITY_MAX,
  FAULT_TOXICITY_MIN,
} from '../../../../shared/fault-bounds';
import { formatCount } from '../../../../shared/format';
import {
  attributeSummary,
  type FaultAttribute,
  type FaultTypeView,
} from '../../../../shared/workbench';
import type { FaultSpecValue } from './fault-plan';

export const STREAMS = ['upstream', 'downstream', 'both'] as const;
export type StreamChoice = '' | (typeof STREAMS)[number];

export interface AttributeRow {
  name: string;
  value: string;
}

export interface FaultForm {
  type: string;
  /** Empty: the engine names it `${type}_${stream}`. */
  name: string;
  /** Empty: the type's default stream. */
  stream: StreamChoice;
  /** Empty: 1 (every connection). */
  toxicity: string;
  /** Attributes as name/value rows, or as one JSON object. */
  attributesMode: 'fields' | 'json';
  rows: AttributeRow[];
  json: string;
  /** A schedule as JSON; empty: always on. */
  schedule: string;
}

/** A problem with what was typed: `message` names the field, the value and what is allowed. */
export interface FormProblem {
  ok: false;
  field: string;
  message: string;
}

export type FormResult = { ok: true; spec: FaultSpecValue } | FormProblem;

const SPARE_ROW: AttributeRow = { name: '', value: '' };

/** A blank form for `type`, with a row for each of its attributes. */
export function emptyForm(type: string, attributes: readonly FaultAttribute[] = []): FaultForm {
  return {
    type,
    name: '',
    stream: '',
    toxicity: '',
    attributesMode: 'fields',
    rows: attributeRows(attributes),
    json: '',
    schedule: '',
  };
}

/** A row per attribute, values empty (left empty, the engine fills in the default), and a spare row. */
export function attributeRows(attributes: readonly FaultAttribute[]): AttributeRow[] {
  return [...attributes.map((a) => ({ name: a.name, value: '' })), SPARE_ROW];
}

/**
 * The form with another type: its attribute rows follow the new type unless values were
 * typed into them (those are kept, for the engine to accept or name).
 */
export function withType(
  form: FaultForm,
  type: string,
  attributes: readonly FaultAttribute[],
): FaultForm {
  const typed = form.rows.some((r) => r.value.trim() !== '');
  return { ...form, type, rows: typed ? form.rows : attributeRows(attributes) };
}

/**
 * What the form says about an attribute row: its unit, range and default as the placeholder
 * (`ms, 0 to 3600000, default 0`), with its description as the tooltip, and the values an
 * enum allows; a name the type does not have gets a plain 'value'.
 */
export function attributeHint(
  attributes: readonly FaultAttribute[],
  name: string,
): { placeholder: string; title: string; values: readonly string[] } {
  const a = attributes.find((x) => x.name === name.trim());
  if (!a) return { placeholder: 'value', title: 'value', values: [] };
  const placeholder = attributeSummary(a);
  return { placeholder, title: `${a.description} (${placeholder})`, values: a.values ?? [] };
}

/** Rows always end with an empty one, so there is somewhere to type the next attribute. */
export function withSpareRow(rows: AttributeRow[]): AttributeRow[] {
  const last = rows[rows.length - 1];
  return last && last.name === '' && last.value === '' ? rows : [...rows, SPARE_ROW];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is string | number | boolean =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** The form filled with a fault's spec (to change it). */
export function formFromSpec(spec: FaultSpecValue): FaultForm {
  const attributes = isObject(spec.attributes) ? spec.attributes : {};
  const entries = Object.entries(attributes);
  const flat = entries.every(([, v]) => isScalar(v));
  const schedule = isObject(spec.schedule) ? spec.schedule : null;
  const stream = STREAMS.find((s) => s === spec.stream) ?? '';
  return {
    type: typeof spec.type === 'string' ? spec.type : '',
    name: typeof spec.name === 'string' ? spec.name : '',
    stream,
    toxicity: typeof spec.toxicity === 'number' ? String(spec.toxicity) : '',
    attributesMode: flat ? 'fields' : 'json',
    rows: flat
      ? [...entries.map(([name, v]) => ({ name, value: String(v) })), SPARE_ROW]
      : [SPARE_ROW],
    json: entries.length > 0 ? JSON.stringify(attributes) : '',
    schedule: schedule === null || schedule.kind === 'always' ? '' : JSON.stringify(schedule),
  };
}

/** A typed attribute value: a number when it reads as one, true/false, else the text. */
export function parseAttributeValue(text: string): number | boolean | string {
  const t = text.trim();
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  return t;
}

const quote = (text: string): string =>
  JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);

const fail = (field: string, what: string, got: string, allowed: string): FormProblem => ({
  ok: false,
  field,
  message: `${field}: ${what} (got ${got}, allowed ${allowed})`,
});

type Parsed<T> = { ok: true; value: T } | FormProblem;

function parseObject(field: string, text: string, example: string): Parsed<FaultSpecValue> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail(field, 'not valid JSON', quote(text), `a JSON object such as ${example}`);
  }
  if (!isObject(value)) {
    return fail(field, 'not a JSON object', quote(text), `a JSON object such as ${example}`);
  }
  return { ok: true, value };
}

function attributesOf(form: FaultForm): Parsed<FaultSpecValue> {
  if (form.attributesMode === 'json') {
    if (form.json.trim() === '') return { ok: true, value: {} };
    return parseObject('attributes', form.json, '{"latency": 300}');
  }
  const attributes: FaultSpecValue = {};
  for (const [i, row] of form.rows.entries()) {
    const name = row.name.trim();
    // A row without a value leaves the attribute to its default.
    if (row.value.trim() === '') continue;
    if (name === '') {
      return fail(`attributes[${i + 1}]`, 'no name', '""', 'an attribute name such as latency');
    }
    if (name in attributes) {
      return fail(`attributes.${name}`, 'given twice', quote(row.value), 'each attribute once');
    }
    attributes[name] = parseAttributeValue(row.value);
  }
  return { ok: true, value: attributes };
}

/** The fault spec the form describes, or the first problem, naming its field. */
export function buildFaultSpec(form: FaultForm, types: readonly string[]): FormResult {
  if (!types.includes(form.type)) {
    return fail('type', 'not a fault type', quote(form.type), types.join(', '));
  }
  const spec: FaultSpecValue = { type: form.type };
  const name = form.name.trim();
  if (name !== '') spec.name = name;
  if (form.stream !== '') spec.stream = form.stream;
  const toxicity = form.toxicity.trim();
  if (toxicity !== '') {
    const value = Number(toxicity);
    if (!Number.isFinite(value)) {
      return fail('toxicity', 'not a number', quote(toxicity), 'a number from 0 to 1');
    }
    spec.toxicity = value;
  }
  const attributes = attributesOf(form);
  if (!attributes.ok) return attributes;
  spec.attributes = attributes.value;
  if (form.schedule.trim() !== '') {
    const schedule = parseObject(
      'schedule',
      form.schedule,
      '{"kind": "markov", "onMeanMs": 5000, "offMeanMs": 60000}',
    );
    if (!schedule.ok) return schedule;
    spec.schedule = schedule.value;
  }
  return { ok: true, spec };
}

/** What is wrong with each field, by the field's key (`name`, `toxicity`, `attributes.latency`, …). */
export type FaultFieldProblems = Record<string, string>;

const plainNumber = (n: number): string => formatCount(n, Number.isInteger(n) ? 0 : 3);

/** `from 0 to 3,600,000 ms`, `above 0 and at most 1`: an attribute's range in words. */
function rangeWords(a: FaultAttribute): string {
  const unit = a.unit === null ? '' : ` ${a.unit}`;
  const whole = a.type === 'integer' ? 'a whole number ' : '';
  if (a.min !== undefined && a.max !== undefined) {
    return a.minExclusive
      ? `${whole}above ${plainNumber(a.min)} and at most ${plainNumber(a.max)}${unit}`
      : `${whole}from ${plainNumber(a.min)} to ${plainNumber(a.max)}${unit}`;
  }
  if (a.min !== undefined)
    return `${whole}${a.minExclusive ? 'above' : 'at least'} ${plainNumber(a.min)}${unit}`;
  if (a.max !== undefined) return `${whole}at most ${plainNumber(a.max)}${unit}`;
  return `${whole || 'a number'}${unit}`.trim();
}

/** The problem with one attribute's value, or null when the engine would take it. */
export function attributeProblem(a: FaultAttribute, value: unknown): string | null {
  const shown = typeof value === 'string' ? `"${value.slice(0, 20)}"` : String(value);
  if (a.type === 'enum') {
    const values = a.values ?? [];
    return typeof value === 'string' && values.includes(value)
      ? null
      : `${a.name} is one of ${values.join(', ')}, not ${shown}`;
  }
  const n = typeof value === 'number' ? value : Number.NaN;
  const fits =
    Number.isFinite(n) &&
    (a.type !== 'integer' || Number.isInteger(n)) &&
    (a.min === undefined || (a.minExclusive ? n > a.min : n >= a.min)) &&
    (a.max === undefined || n <= a.max);
  return fits ? null : `${a.name} is ${rangeWords(a)}, not ${shown}`;
}

/**
 * Each field's problem, in plain words with what is allowed, for the form as typed: the
 * name, the toxicity, and each attribute (by row, or each key of the JSON), against
 * `types`' attribute tables. Empty when the engine would take every field.
 */
export function faultFieldProblems(
  form: FaultForm,
  types: readonly FaultTypeView[],
): FaultFieldProblems {
  const problems: FaultFieldProblems = {};
  const type = types.find((t) => t.type === form.type);
  if (type === undefined) {
    problems.type = `choose a fault type: ${types.map((t) => t.type).join(', ')}`;
    return problems;
  }
  const name = form.name.trim();
  if (name !== '' && !FAULT_NAME_PATTERN.test(name)) {
    problems.name = `a name is 1 to ${FAULT_NAME_CHARS_MAX} letters, digits, _ . or - (this one has ${name.length} character${name.length === 1 ? '' : 's'}${/[^A-Za-z0-9_.-]/.test(name) ? ', some not allowed' : ''})`;
  }
  const toxicity = form.toxicity.trim();
  if (toxicity !== '') {
    const value = Number(toxicity);
    if (!Number.isFinite(value) || value < FAULT_TOXICITY_MIN || value > FAULT_TOXICITY_MAX) {
      problems.toxicity = `toxicity is the share of connections it applies to, from ${FAULT_TOXICITY_MIN} to ${FAULT_TOXICITY_MAX}, not ${toxicity.slice(0, 20)}`;
    }
  }
  const known = (key: string) => type.attributes.find((a) => a.name === key);
  const check = (field: string, key: string, value: unknown) => {
    const a = known(key);
    if (a === undefined) {
      problems[field] =
        `${type.type} has no attribute ${key.slice(0, 40)}; it has ${type.attributes.map((x) => x.name).join(', ') || 'none'}`;
      return;
    }
    const problem = attributeProblem(a, value);
    if (problem !== null) problems[field] = problem;
  };
  const attributes = attributesOf(form);
  if (!attributes.ok) {
    problems[attributes.field] = attributes.message;
  } else if (form.attributesMode === 'json') {
    for (const [key, value] of Object.entries(attributes.value)) {
      if (problems.attributes === undefined) check('attributes', key, value);
    }
  } else {
    for (const [key, value] of Object.entries(attributes.value))
      check(`attributes.${key}`, key, value);
  }
  if (attributes.ok) {
    // An attribute without a default must be given.
    for (const a of type.attributes) {
      const field = form.attributesMode === 'json' ? 'attributes' : `attributes.${a.name}`;
      if (a.default !== undefined || a.defaultFrom !== undefined || a.name in attributes.value)
        continue;
      problems[field] ??= `${a.name} is required: ${rangeWords(a)}`;
    }
  }
  if (form.schedule.trim() !== '') {
    const schedule = parseObject(
      'schedule',
      form.schedule,
      '{"kind": "markov", "onMeanMs": 5000, "offMeanMs": 60000}',
    );
    if (!schedule.ok) problems.schedule = schedule.message;
  }
  return problems;
}
