/** Command validation cases that belong to no one workbench test. */
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/shared/commands';

describe('compare', () => {
  it('refuses a profile named twice, naming the field and the list received', () => {
    const parsed = parseCommand({
      type: 'compare',
      text: 'name: x',
      profiles: ['rfc8030', 'rfc8030'],
    });
    expect(parsed).toMatchObject({
      ok: false,
      error: {
        message: 'profiles: each profile at most once (got ["rfc8030","rfc8030"])',
      },
    });
    expect(
      parseCommand({ type: 'compare', text: 'name: x', profiles: ['rfc8030', 'draft-thomson'] }).ok,
    ).toBe(true);
  });
});
