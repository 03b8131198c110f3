import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileExistsError, writeFileAtomic } from '../../../src/main/engine/fs/atomic-write';
import { checkScenarioText, RecentFiles } from '../../../src/main/engine/workbench/scenario-files';

let dir: string;
beforeEach(async () => (dir = await mkdtemp(path.join(tmpdir(), 'push-lab-files-'))));
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('scenario files', () => {
  it('saves atomically, keeps a file when asked not to overwrite, and leaves no temporary file', async () => {
    const file = path.join(dir, 's.yaml');
    await writeFile(file, 'old');
    await expect(writeFileAtomic(file, 'new', { overwrite: false })).rejects.toBeInstanceOf(
      FileExistsError,
    );
    expect(await readFile(file, 'utf8')).toBe('old');
    expect(await writeFileAtomic(file, 'new')).toBe(file);
    expect(await readFile(file, 'utf8')).toBe('new');
    await expect(writeFileAtomic(path.join(dir, 'no', 'such', 'dir.yaml'), 'x')).rejects.toThrow(
      /cannot write it \(ENOENT\)/,
    );
    expect(await readdir(dir)).toEqual(['s.yaml']);
  });

  it('remembers recent files, newest first, without repeats, and survives a damaged list', async () => {
    const recent = new RecentFiles(path.join(dir, 'recent.json'));
    await recent.add(path.join(dir, 'a.yaml'));
    await recent.add(path.join(dir, 'b.yaml'));
    await recent.add(path.join(dir, 'a.yaml'));
    expect(await recent.list()).toEqual([path.join(dir, 'a.yaml'), path.join(dir, 'b.yaml')]);
    await writeFile(path.join(dir, 'recent.json'), '{not json');
    expect(await recent.list()).toEqual([]);
  });

  it('places a YAML syntax error on its line', () => {
    const check = checkScenarioText('name: x\nservices: [\n');
    expect(check.ok).toBe(false);
    expect(check.problems[0]).toMatchObject({ path: null });
    expect(check.problems[0]!.line).toBeGreaterThanOrEqual(2);
  });
});
