/**
 * What is wrong with the Send form's fields, in plain words, said at the field as it is typed:
 * the bounds are the `send` command's own (shared/send-bounds.ts), so the form never lets through
 * what the engine would refuse in schema words, and an answer never outlives the value it was
 * about. Pure.
 */
import {
  SEND_TEXT_CHARS_MAX,
  SEND_TOPIC_PATTERN,
  SEND_TTL_SECONDS_MAX,
} from '../../../../shared/send-bounds';

export interface SendFields {
  ttl: string;
  topic: string;
  text: string;
}

export type SendFieldProblems = Partial<Record<keyof SendFields, string>>;

const count = (n: number): string => n.toLocaleString('en-US');

export function sendFieldProblems(fields: SendFields): SendFieldProblems {
  const problems: SendFieldProblems = {};
  const ttl = fields.ttl.trim();
  const seconds = ttl === '' ? Number.NaN : Number(ttl);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > SEND_TTL_SECONDS_MAX) {
    problems.ttl = `TTL is a whole number of seconds from 0 to ${count(SEND_TTL_SECONDS_MAX)} (about 68 years)${ttl === '' ? '' : `, not ${ttl.slice(0, 20)}`}`;
  }
  const topic = fields.topic.trim();
  if (topic !== '' && !SEND_TOPIC_PATTERN.test(topic)) {
    problems.topic = `a topic is 1 to 32 letters, digits, - or _ (this one has ${topic.length} character${topic.length === 1 ? '' : 's'}${/[^A-Za-z0-9_-]/.test(topic) ? ', some not allowed' : ''})`;
  }
  if (fields.text.length > SEND_TEXT_CHARS_MAX) {
    problems.text = `at most ${count(SEND_TEXT_CHARS_MAX)} characters fit one encrypted message (this is ${count(fields.text.length)})`;
  }
  return problems;
}
