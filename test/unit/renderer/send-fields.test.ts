/**
 * The Send form's field problems: the `send` command's own bounds, said in plain words at the
 * field, and nothing for a value the command takes.
 */
import { describe, expect, it } from 'vitest';
import { commandSchema } from '../../../src/shared/commands';
import { sendFieldProblems } from '../../../src/renderer/src/features/send/send-fields';

const fine = { ttl: '60', topic: '', text: 'hello' };

describe('sendFieldProblems', () => {
  it('says nothing of values the send command takes', () => {
    for (const fields of [
      fine,
      { ...fine, ttl: '0' },
      { ...fine, ttl: String(2 ** 31) },
      { ...fine, topic: 'news_1-a' },
      { ...fine, text: 'x'.repeat(3993) },
    ]) {
      expect(sendFieldProblems(fields)).toEqual({});
      const command = {
        type: 'send',
        subscriptionId: 's1',
        ttlSeconds: Number(fields.ttl),
        text: fields.text,
        ...(fields.topic === '' ? {} : { topic: fields.topic }),
      };
      expect(commandSchema.safeParse(command).success).toBe(true);
    }
  });

  it('names each field the command would refuse, in plain words', () => {
    expect(sendFieldProblems({ ...fine, ttl: '99999999999' })).toEqual({
      ttl: 'TTL is a whole number of seconds from 0 to 2,147,483,648 (about 68 years), not 99999999999',
    });
    expect(sendFieldProblems({ ...fine, ttl: '' }).ttl).toBe(
      'TTL is a whole number of seconds from 0 to 2,147,483,648 (about 68 years)',
    );
    expect(sendFieldProblems({ ...fine, ttl: '1.5' }).ttl).toMatch(/, not 1\.5$/);
    expect(sendFieldProblems({ ...fine, ttl: '-1' }).ttl).toMatch(/, not -1$/);
    expect(sendFieldProblems({ ...fine, topic: 'a'.repeat(33) })).toEqual({
      topic: 'a topic is 1 to 32 letters, digits, - or _ (this one has 33 characters)',
    });
    expect(sendFieldProblems({ ...fine, topic: 'héllo' }).topic).toBe(
      'a topic is 1 to 32 letters, digits, - or _ (this one has 5 characters, some not allowed)',
    );
    expect(sendFieldProblems({ ...fine, text: 'x'.repeat(3994) })).toEqual({
      text: 'at most 3,993 characters fit one encrypted message (this is 3,994)',
    });
    // Each refused value is refused by the command too: the form says what the engine would.
    const command = { type: 'send', subscriptionId: 's1', ttlSeconds: 99999999999 };
    expect(commandSchema.safeParse(command).success).toBe(false);
  });
});
