import { describe, expect, it } from 'vitest';
import { lineWriter } from '../../../src/main/cli/line-writer';

describe('lineWriter (serve --json: one write per 10 ms at most)', () => {
  it('writes the lines held within its delay together, in order', async () => {
    const writes: string[] = [];
    const lines = lineWriter((chunk) => writes.push(chunk), 1000, 5);
    lines.line('a');
    lines.line('b');
    await new Promise((resolve) => setImmediate(resolve));
    lines.line('c'); // a later turn, within the delay
    expect(writes).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(writes).toEqual(['a\nb\nc\n']);
    lines.line('d');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(writes).toEqual(['a\nb\nc\n', 'd\n']);
  });

  it('writes at once when the held lines reach the bound, so a burst never grows the buffer', () => {
    const writes: string[] = [];
    const lines = lineWriter((chunk) => writes.push(chunk), 10);
    lines.line('1234'); // 5 held
    expect(writes).toEqual([]);
    lines.line('5678'); // 10 held: the bound
    expect(writes).toEqual(['1234\n5678\n']);
    lines.line('9');
    expect(writes).toHaveLength(1);
  });

  it('flush writes what is held now and leaves nothing for the scheduled turn', async () => {
    const writes: string[] = [];
    const lines = lineWriter((chunk) => writes.push(chunk));
    lines.flush(); // nothing held: no empty write
    lines.line('last');
    lines.flush();
    expect(writes).toEqual(['last\n']);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(writes).toEqual(['last\n']);
  });
});
