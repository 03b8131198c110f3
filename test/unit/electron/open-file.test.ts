import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FileOpenQueue,
  OPEN_QUEUE_COUNT_MAX,
  fileFromArgv,
} from '../../../src/main/electron/open-file';
import { examplesDir } from '../../../src/main/electron/resources';
import {
  isScenarioFile,
  RECORDING_EXTENSION,
  SCENARIO_EXTENSION,
} from '../../../src/shared/file-kinds';

describe('the file a launch names', () => {
  it('reads a packaged app after the executable, an unpackaged one after the app path', () => {
    expect(fileFromArgv(['/opt/Push Lab/push-lab', '/home/a/run.pushlab'], true, '/x')).toBe(
      '/home/a/run.pushlab',
    );
    expect(fileFromArgv(['electron', '.', 'run.pushlab'], false, '/home/a')).toBe(
      path.resolve('/home/a', 'run.pushlab'),
    );
    // A second launch's argv carries Chromium switches; a bare launch names no file.
    expect(
      fileFromArgv(
        ['push-lab', '--allow-file-access-from-files', 'b.pushlab-scenario'],
        true,
        '/w',
      ),
    ).toBe(path.resolve('/w', 'b.pushlab-scenario'));
    expect(fileFromArgv(['push-lab'], true, '/w')).toBeNull();
    expect(fileFromArgv(['push-lab', '--workspace', '/ws'], true, '/w')).toBeNull();
  });

  it('runs scenarios (own extension, YAML, JSON) and opens anything else as a recording', () => {
    for (const f of [`a.${SCENARIO_EXTENSION}`, 'a.yaml', 'a.YML', 'a.json'])
      expect(isScenarioFile(f), f).toBe(true);
    for (const f of [`a.${RECORDING_EXTENSION}`, 'a.jsonl.gz', 'a.jsonl', 'pushlab-scenario'])
      expect(isScenarioFile(f), f).toBe(false);
  });

  it('finds the example scenarios beside the app unpackaged, in resources/ packaged', () => {
    const here = '/repo/out/main';
    expect(examplesDir({ isPackaged: false, resourcesPath: '/r', here })).toBe(
      path.join('/repo/resources/scenarios'),
    );
    expect(examplesDir({ isPackaged: true, resourcesPath: '/opt/app/resources', here })).toBe(
      path.join('/opt/app/resources', 'scenarios'),
    );
  });
});

describe('the open queue', () => {
  it('holds files asked for before start, then opens each once, in order, one at a time', async () => {
    const problems: string[] = [];
    const queue = new FileOpenQueue((p) => problems.push(p));
    queue.add('/a');
    queue.add('/b');
    const opened: string[] = [];
    let running = 0;
    let overlap = false;
    await queue.start(async (file) => {
      running++;
      overlap ||= running > 1;
      await new Promise((resolve) => setImmediate(resolve));
      opened.push(file);
      running--;
      return file === '/b' ? '/b is not a Push Lab recording.' : null;
    });
    queue.add('/c');
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(opened).toEqual(['/a', '/b', '/c']);
    expect(overlap).toBe(false);
    expect(problems).toEqual(['/b is not a Push Lab recording.']);
  });

  it('reports a failed open as a sentence and goes on', async () => {
    const problems: string[] = [];
    const queue = new FileOpenQueue((p) => problems.push(p));
    queue.add('/x');
    queue.add('/y');
    const opened: string[] = [];
    await queue.start(async (file) => {
      if (file === '/x') throw new Error('EACCES');
      opened.push(file);
      return null;
    });
    expect(opened).toEqual(['/y']);
    expect(problems).toEqual(['/x could not be opened: EACCES']);
  });

  it('refuses files past its bound with a clear sentence, not a crash', () => {
    const problems: string[] = [];
    const queue = new FileOpenQueue((p) => problems.push(p));
    for (let i = 0; i <= OPEN_QUEUE_COUNT_MAX; i++) queue.add(`/f${i}`);
    expect(problems).toEqual([
      `/f${OPEN_QUEUE_COUNT_MAX} was not opened: ${OPEN_QUEUE_COUNT_MAX} files are already waiting to open.`,
    ]);
  });
});
