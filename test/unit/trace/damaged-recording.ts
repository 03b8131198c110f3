/** A recording made worse on purpose, for the seek tests: what a cut or edited file looks like. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * Writes a plain copy of the gzipped trace `file` into `dir` with seqs 2,000–2,099 and 5,000
 * missing, one line damaged and a seq repeated (line 1 is the header); returns its path.
 */
export async function writeDamagedRecording(file: string, dir: string): Promise<string> {
  const lines = gunzipSync(await readFile(file))
    .toString()
    .split('\n');
  const damaged = [
    ...lines.slice(0, 2000),
    ...lines.slice(2100, 5000),
    '{"seq": 5001, "kind": broken',
    lines[4000]!,
    ...lines.slice(5001, 9000),
  ];
  const broken = path.join(dir, 'broken.jsonl');
  await writeFile(broken, damaged.join('\n'));
  return broken;
}
