/** One cut of yaml's place suffix, shared by the loader, the workspace and the editor. */
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { yamlMessage } from '../../../src/shared/yaml-message';

describe('yamlMessage', () => {
  it("drops yaml's own place and excerpt, keeps what is wrong", () => {
    const doc = parseDocument('a: [1, 2\nb: 3\n', { prettyErrors: true });
    const raw = doc.errors[0]!.message;
    expect(raw).toMatch(/at line \d+, column \d+/);
    const message = yamlMessage(raw);
    expect(message).not.toMatch(/at line|\n/);
    expect(message.length).toBeGreaterThan(0);
    expect(raw.startsWith(message)).toBe(true);
  });

  it('leaves a message without a place as it is', () => {
    expect(yamlMessage('Map keys must be unique')).toBe('Map keys must be unique');
  });
});
