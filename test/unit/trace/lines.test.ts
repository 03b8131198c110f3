/**
 * LineBatches (trace/lines.ts), the reader's line splitter: lines across pieces, CRLF, a
 * character split between pieces, a last line without its newline; and a reader's batches
 * give the records and lines that records() gives one by one.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineBatches } from '../../../src/main/engine/trace/lines';
import { TraceReader } from '../../../src/main/engine/trace/reader';

async function allLines(pieces: (string | Buffer)[]): Promise<string[][]> {
  const batches = new LineBatches(Readable.from(pieces));
  const out: string[][] = [];
  for (let batch = await batches.next(); batch !== null; batch = await batches.next()) {
    expect(batch.length).toBeGreaterThan(0);
    out.push(batch);
  }
  return out;
}

describe('LineBatches', () => {
  it('gives each piece’s whole lines, joining a line split between pieces', async () => {
    expect(await allLines(['a\nb', 'c\nd\n', 'e'])).toEqual([['a'], ['bc', 'd'], ['e']]);
    expect(await allLines(['no newline at all'])).toEqual([['no newline at all']]);
    expect(await allLines([])).toEqual([]);
    expect(await allLines(['\n', '\n'])).toEqual([[''], ['']]);
  });

  it('reads CRLF lines as LF ones', async () => {
    expect(await allLines(['x\r\ny\r', '\nz\r\n'])).toEqual([['x'], ['y', 'z']]);
  });

  it('decodes a multi-byte character split between two pieces', async () => {
    const bytes = Buffer.from('café ☎\nnext\n');
    const at = bytes.indexOf(Buffer.from('☎')) + 1;
    expect(await allLines([bytes.subarray(0, at), bytes.subarray(at)])).toEqual([
      ['café ☎', 'next'],
    ]);
  });

  it('rejects with the stream’s error', async () => {
    const input = new Readable({ read() {} });
    const batches = new LineBatches(input);
    input.push('a\n');
    expect(await batches.next()).toEqual(['a']);
    input.destroy(new Error('disk gone'));
    await expect(batches.next()).rejects.toThrow('disk gone');
  });
});

describe('TraceReader.batches', () => {
  const header =
    '{"type":"push-lab-trace","version":1,"scenario":null,"seed":1,"clockMode":"virtual","pushLabVersion":"t"}';
  const lines = [
    header,
    '{"kind":"service.started","serviceId":"ps1","url":"https://x","profile":"rfc8030","seq":1,"t":0}',
    '',
    'not json',
    '{"type":"gap","fromSeq":2,"toSeq":3,"droppedCount":2,"fromT":0,"toT":5}',
    '{"kind":"service.stopped","serviceId":"ps1","seq":4,"t":5}',
  ];
  const text = lines.join('\n') + '\n';
  // Pieces that split lines anywhere.
  const pieces = (size: number): string[] =>
    Array.from({ length: Math.ceil(text.length / size) }, (_, i) =>
      text.slice(i * size, (i + 1) * size),
    );

  it('gives the records and lines records() gives, and the same warnings', async () => {
    const one = await TraceReader.fromStream(Readable.from(pieces(7)));
    const expected: { record: unknown; line: string }[] = [];
    for await (const record of one.records()) expected.push({ record, line: one.line });
    for (const size of [1, 13, 64, text.length]) {
      const reader = await TraceReader.fromStream(Readable.from(pieces(size)));
      const got: { record: unknown; line: string }[] = [];
      for await (const { records, lines: texts } of reader.batches())
        records.forEach((record, i) => got.push({ record, line: texts[i]! }));
      expect(got).toEqual(expected);
      expect(reader.warnings).toEqual(one.warnings);
      expect(reader.completeness()).toEqual(one.completeness());
    }
    expect(expected.map((e) => e.line)).toEqual([lines[1], lines[4], lines[5]]);
    expect(one.warnings).toHaveLength(1);
    expect(one.warnings[0]!.message).toMatch(/^line 4 is damaged \(.+\); skipped$/);
  });
});
