/**
 * The engine touches only files the user chose: every attack on the file commands of issue
 * 10 (an arbitrary path, `..`, a symlink out, /dev/zero, a FIFO, a directory, a huge file),
 * the atomic writes (mode kept, symlink followed), the serialised recent list, and bundle
 * uploads streamed to disk and deleted whenever they do not finish.
 */
import { execFileSync } from 'node:child_process';
import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/main/engine/clock/virtual';
import { readBoundedFile } from '../../../src/main/engine/fs/bounded-read';
import { FileAccess } from '../../../src/main/engine/fs/confined';
import { openFromCommandLine } from '../../../src/main/engine/workbench/open-file';
import { RecentFiles, SCENARIO_BYTES_MAX } from '../../../src/main/engine/workbench/scenario-files';
import { Workbench } from '../../../src/main/engine/workbench/workbench';
import { HostSession } from '../../../src/main/hosts/session';
import { parseCommand, type Command } from '../../../src/shared/commands';
import type { Result } from '../../../src/shared/result';
import {
  BUNDLE_BYTES_MAX,
  RECENT_FILES_MAX,
  UPLOAD_BYTES_MAX,
  UPLOAD_CHUNK_BYTES_MAX,
  UPLOAD_IDLE_MS,
  type RunStatus,
} from '../../../src/shared/workbench';
import { eventually } from '../../helpers/poll';

const examplesDir = path.resolve('resources/scenarios');
const smokeText = () => readFile(path.join(examplesDir, 'smoke.yaml'), 'utf8');

let dir: string;
/** Outside every folder the engine may use. */
let outside: string;
let workspace: string;
let recordings: string;
let bench: Workbench;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'push-lab-confined-'));
  outside = path.join(dir, 'outside');
  await mkdir(outside);
  workspace = path.join(dir, 'data', 'scenarios');
  recordings = path.join(dir, 'data', 'recordings');
  bench = new Workbench({ dataDir: path.join(dir, 'data'), examplesDir });
  await bench.start();
});

afterEach(async () => {
  await bench.stop();
  await rm(dir, { recursive: true, force: true });
});

async function call(input: Record<string, unknown>, session?: object): Promise<Result<unknown>> {
  const parsed = parseCommand(input);
  if (!parsed.ok) return parsed;
  return bench.execute(parsed.value as Command, session);
}

async function refused(input: Record<string, unknown>, session?: object): Promise<string> {
  const result = await call(input, session);
  if (result.ok) throw new Error(`${String(input['type'])} was not refused`);
  return result.error.message;
}

async function value<T>(input: Record<string, unknown>, session?: object): Promise<T> {
  const result = await call(input, session);
  if (!result.ok) throw new Error(`${String(input['type'])}: ${result.error.message}`);
  return result.value as T;
}

describe('paths outside the folders are refused with a sentence naming them', () => {
  it('refuses absolute paths, `..` escapes and symlinks that lead out, for reading and writing', async () => {
    const secret = path.join(outside, 'secret.yaml');
    await writeFile(secret, 'name: secret\n');
    await symlink(secret, path.join(workspace, 'escape.yaml'));
    await symlink(outside, path.join(workspace, 'out-dir'));
    for (const ref of [
      '/etc/passwd',
      '../../etc/passwd',
      '../../../../../../../../etc/passwd',
      secret,
      'escape.yaml',
      'out-dir/secret.yaml',
      path.join(workspace, '..', '..', 'outside', 'secret.yaml'),
    ]) {
      const message = await refused({ type: 'scenario.read', path: ref });
      expect(message).toContain(JSON.stringify(ref));
      expect(message).toContain(`the workspace ${workspace}`);
      expect(message).toContain(`the recordings folder ${recordings}`);
      expect(message).not.toContain('name: secret');
    }
    const shell = path.join(outside, 'evil.sh');
    for (const ref of [shell, '../../outside/evil.sh', 'escape.yaml', 'out-dir/evil.sh']) {
      expect(await refused({ type: 'scenario.save', path: ref, text: '#!/bin/sh\n' })).toMatch(
        /is outside the folders Push Lab may write/,
      );
    }
    await symlink(path.join(outside, 'evil.gz'), path.join(recordings, 'escape.gz'));
    for (const ref of [path.join(outside, 'evil.gz'), '../../outside/evil.gz', 'escape.gz']) {
      expect(await refused({ type: 'bundle.save', path: ref })).toMatch(
        /is outside the folders Push Lab may write/,
      );
    }
    expect(await readdir(outside)).toEqual(['secret.yaml']);
    expect(await readFile(secret, 'utf8')).toBe('name: secret\n');
    // Recordings and diffs are confined the same way; a run's path label too.
    expect(await refused({ type: 'bundle.open', path: '/etc/passwd' })).toMatch(/outside/);
    expect(await refused({ type: 'bundle.diff', a: '/etc/passwd', b: '/etc/hosts' })).toMatch(
      /outside/,
    );
    expect(
      await refused({ type: 'run.start', text: await smokeText(), path: '/etc/passwd' }),
    ).toMatch(/outside/);
    expect(await value<string[]>({ type: 'scenario.recent' })).toEqual([]);
  });

  it('reads the examples but never writes them', async () => {
    const example = path.join(examplesDir, 'smoke.yaml');
    const read = await value<{ text: string }>({ type: 'scenario.read', path: example });
    expect(read.text).toBe(await smokeText());
    expect(await refused({ type: 'scenario.save', path: example, text: 'x' })).toMatch(
      /outside the folders Push Lab may write/,
    );
  });

  it('accepts a file the user chose, held behind a handle; unknown handles are refused', async () => {
    const chosen = path.join(outside, 'chosen.yaml');
    await writeFile(chosen, await smokeText());
    const handle = bench.registerFile(chosen);
    expect(handle).toMatch(/^@[A-Za-z0-9_-]{22}\/chosen\.yaml$/);
    const read = await value<{ path: string; text: string }>({
      type: 'scenario.read',
      path: handle,
    });
    expect(read).toEqual({ path: handle, text: await smokeText() });
    await value({ type: 'scenario.save', path: handle, text: 'name: changed\n' });
    expect(await readFile(chosen, 'utf8')).toBe('name: changed\n');
    // The recent list holds the handle, not the path.
    expect(await value<string[]>({ type: 'scenario.recent' })).toEqual([handle]);
    const forged = `@${'A'.repeat(22)}/chosen.yaml`;
    expect(await refused({ type: 'scenario.read', path: forged })).toMatch(
      /not a file this session was given/,
    );
    // A handle names a file for this process only: a new one does not list it.
    const again = new Workbench({ dataDir: path.join(dir, 'data'), examplesDir });
    await again.start();
    try {
      expect(await again.execute({ type: 'scenario.recent' })).toEqual({ ok: true, value: [] });
    } finally {
      await again.stop();
    }
  });

  it('opens a file named on the command line through a handle, and the UI never sees its path', async () => {
    const chosen = path.join(outside, 'cli.yaml');
    await writeFile(chosen, await smokeText());
    expect(await openFromCommandLine(bench, chosen)).toBeNull();
    const status = bench.status();
    expect(status.mode).toBe('run');
    expect(status.path).toMatch(/^@[A-Za-z0-9_-]{22}\/cli\.yaml$/);
    expect(JSON.stringify(await value({ type: 'scenario.recent' }))).not.toContain(outside);
  });
});

describe('reads: stat first, regular files only, bounded', () => {
  it('refuses /dev/zero without reading it', async () => {
    const before = process.memoryUsage().rss;
    await expect(readBoundedFile('/dev/zero', SCENARIO_BYTES_MAX, 'scenario')).rejects.toThrow(
      '/dev/zero: is a device; a scenario must be a regular file',
    );
    // Named on the command line: refused the same way, with the name the user gave.
    expect(await openFromCommandLine(bench, '/dev/zero')).toMatch(/\/dev\/zero: is a device/);
    const handle = bench.registerFile('/dev/zero');
    expect(await refused({ type: 'scenario.read', path: handle })).toMatch(/is a device/);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses a FIFO at once (no hang), and a directory', async () => {
    const fifo = path.join(workspace, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    expect(await refused({ type: 'scenario.read', path: 'pipe.yaml' })).toBe(
      `${fifo}: is a FIFO (named pipe); a scenario must be a regular file`,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    await mkdir(path.join(workspace, 'folder.yaml'));
    expect(await refused({ type: 'scenario.read', path: 'folder.yaml' })).toMatch(
      /folder\.yaml: is a directory; a scenario must be a regular file/,
    );
    await mkdir(path.join(recordings, 'dir.gz'));
    expect(await refused({ type: 'bundle.open', path: 'dir.gz' })).toMatch(/is a directory/);
  }, 10_000);

  it('refuses a scenario over SCENARIO_BYTES_MAX and a recording over BUNDLE_BYTES_MAX by their size', async () => {
    await writeFile(path.join(workspace, 'big.yaml'), 'x'.repeat(SCENARIO_BYTES_MAX + 1));
    expect(await refused({ type: 'scenario.read', path: 'big.yaml' })).toMatch(
      new RegExp(
        `big\\.yaml: ${SCENARIO_BYTES_MAX + 1} bytes; a scenario may have at most ${SCENARIO_BYTES_MAX}`,
      ),
    );
    // Sparse: a huge file that costs no disk.
    const huge = path.join(recordings, 'huge.jsonl.gz');
    await writeFile(huge, '');
    await truncate(huge, BUNDLE_BYTES_MAX + 1);
    expect(await refused({ type: 'bundle.open', path: 'huge.jsonl.gz' })).toMatch(
      `a recording may have at most ${BUNDLE_BYTES_MAX}`,
    );
  });
});

describe('writes: atomic, mode kept, symlinks followed', () => {
  it('keeps a 0600 scenario 0600 and writes through a symlink to its target', async () => {
    const file = path.join(workspace, 'private.yaml');
    await writeFile(file, 'old', { mode: 0o600 });
    await value({ type: 'scenario.save', path: 'private.yaml', text: 'name: new\n' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toBe('name: new\n');

    await mkdir(path.join(workspace, 'real'));
    const target = path.join(workspace, 'real', 'target.yaml');
    await writeFile(target, 'old');
    await symlink('real/target.yaml', path.join(workspace, 'link.yaml'));
    const saved = await value<{ path: string }>({
      type: 'scenario.save',
      path: 'link.yaml',
      text: 'name: via link\n',
    });
    expect(saved.path).toBe(path.join('real', 'target.yaml'));
    expect((await lstat(path.join(workspace, 'link.yaml'))).isSymbolicLink()).toBe(true);
    expect(await readlink(path.join(workspace, 'link.yaml'))).toBe('real/target.yaml');
    expect(await readFile(target, 'utf8')).toBe('name: via link\n');
    // No temporary file left behind.
    expect((await readdir(workspace)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('bundle.save replaces the target atomically, keeping its mode (no copy onto it)', async () => {
    await value({ type: 'run.start', text: await smokeText(), speed: 0 });
    await eventually('the run to finish', () => bench.status().state === 'finished', {
      timeoutMs: 15_000,
      intervalMs: 50,
    });
    expect(bench.status().state).toBe('finished');
    const target = path.join(recordings, 'kept.jsonl.gz');
    await writeFile(target, 'old', { mode: 0o600 });
    const saved = await value<{ path: string; bytes: number }>({
      type: 'bundle.save',
      path: 'kept.jsonl.gz',
    });
    expect(saved.path).toBe('kept.jsonl.gz');
    expect((await stat(target)).mode & 0o777).toBe(0o600);
    expect((await stat(target)).size).toBe(saved.bytes);
    const opened = await value<RunStatus>({ type: 'bundle.open', path: 'kept.jsonl.gz' });
    expect(opened.path).toBe('kept.jsonl.gz');
    expect((await readdir(recordings)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  }, 20_000);

  it('serialises recent-list updates: 20 concurrent adds lose nothing', async () => {
    const recent = new RecentFiles(path.join(dir, 'recent.json'));
    const names = Array.from({ length: 20 }, (_, i) => `s${i}.yaml`);
    await Promise.all(names.map((n) => recent.add(n)));
    expect(await recent.list()).toEqual(names.slice(-RECENT_FILES_MAX).reverse());
    const few = new RecentFiles(path.join(dir, 'few.json'));
    await Promise.all(names.slice(0, RECENT_FILES_MAX).map((n) => few.add(n)));
    expect((await few.list()).sort()).toEqual(names.slice(0, RECENT_FILES_MAX).sort());
  });
});

describe('uploads stream to disk, bounded, and never outlive a failure', () => {
  const session = {};
  const uploadsOnDisk = async () => (await readdir(recordings)).filter((n) => n.includes('upload'));

  async function upload(bytes: Buffer, chunk = UPLOAD_CHUNK_BYTES_MAX): Promise<Result<unknown>> {
    const { uploadId } = await value<{ uploadId: string }>(
      { type: 'bundle.upload.begin', name: 'up.jsonl.gz', bytes: bytes.length },
      session,
    );
    for (let start = 0; start < bytes.length; start += chunk) {
      const data = bytes.subarray(start, start + chunk).toString('base64');
      const sent = await call({ type: 'bundle.upload.chunk', uploadId, data }, session);
      if (!sent.ok) return sent;
    }
    return call({ type: 'bundle.upload.end', uploadId }, session);
  }

  it('opens a recording uploaded in chunks', async () => {
    await value({ type: 'run.start', text: await smokeText(), speed: 0 });
    await eventually('the run to finish', () => bench.status().state === 'finished', {
      timeoutMs: 15_000,
      intervalMs: 50,
    });
    await value({ type: 'bundle.save', path: 'source.jsonl.gz' });
    const bytes = await readFile(path.join(recordings, 'source.jsonl.gz'));
    const opened = await upload(bytes, 999);
    expect(opened).toMatchObject({ ok: true, value: { mode: 'replay', name: 'up.jsonl.gz' } });
  }, 20_000);

  it('refuses chunks and uploads over their bounds, and deletes what was written', async () => {
    // The contract refuses an oversized chunk or upload before the engine sees it.
    expect(
      parseCommand({
        type: 'bundle.upload.chunk',
        uploadId: 'A'.repeat(22),
        data: 'A'.repeat(((UPLOAD_CHUNK_BYTES_MAX + 3) / 3) * 4),
      }).ok,
    ).toBe(false);
    expect(
      await refused({ type: 'bundle.upload.begin', name: 'x.gz', bytes: UPLOAD_BYTES_MAX + 1 }),
    ).toMatch(/bytes/);
    // More bytes than announced: cancelled and deleted.
    const { uploadId } = await value<{ uploadId: string }>(
      { type: 'bundle.upload.begin', name: 'x.gz', bytes: 4 },
      session,
    );
    expect(await uploadsOnDisk()).toHaveLength(1);
    expect(
      await refused({ type: 'bundle.upload.chunk', uploadId, data: 'AAAAAAAA' }, session),
    ).toMatch(/more than the 4 bytes announced/);
    expect(await uploadsOnDisk()).toEqual([]);
    // Not a recording: refused at the end, and not kept.
    expect(await upload(Buffer.from('hello, not a bundle'))).toMatchObject({ ok: false });
    expect(await uploadsOnDisk()).toEqual([]);
  });

  it('one upload at a time per session, and a total across sessions', async () => {
    const a = {};
    await value({ type: 'bundle.upload.begin', name: 'a.gz', bytes: UPLOAD_BYTES_MAX }, a);
    expect(await refused({ type: 'bundle.upload.begin', name: 'b.gz', bytes: 10 }, a)).toMatch(
      /a\.gz is still uploading; one upload at a time/,
    );
    await value({ type: 'bundle.upload.begin', name: 'c.gz', bytes: UPLOAD_BYTES_MAX }, {});
    expect(await refused({ type: 'bundle.upload.begin', name: 'd.gz', bytes: 1 }, {})).toMatch(
      /would exceed the \d+ bytes all uploads in progress may hold/,
    );
  });

  it("is deleted when aborted, when its session closes; another session's id is unknown", async () => {
    const first = await value<{ uploadId: string }>(
      { type: 'bundle.upload.begin', name: 'a.gz', bytes: 10 },
      session,
    );
    expect(
      await refused(
        { type: 'bundle.upload.chunk', uploadId: first.uploadId, data: 'AAAA' },
        { other: true },
      ),
    ).toMatch(/no upload .* in progress/);
    await value({ type: 'bundle.upload.chunk', uploadId: first.uploadId, data: 'AAAA' }, session);
    expect(await value({ type: 'bundle.upload.abort', uploadId: first.uploadId }, session)).toEqual(
      { aborted: true },
    );
    expect(await uploadsOnDisk()).toEqual([]);

    await value({ type: 'bundle.upload.begin', name: 'b.gz', bytes: 10 }, session);
    expect(await uploadsOnDisk()).toHaveLength(1);
    await bench.sessionClosed(session);
    expect(await uploadsOnDisk()).toEqual([]);
  });

  it('is deleted when the client that sent it disconnects (its host session closes)', async () => {
    const client = new HostSession(bench, () => undefined);
    const begun = await client.command({ type: 'bundle.upload.begin', name: 'a.gz', bytes: 8 });
    expect(begun.ok).toBe(true);
    expect(await uploadsOnDisk()).toHaveLength(1);
    client.close();
    await eventually(
      'uploadsOnDisk to be empty',
      async () => (await uploadsOnDisk()).length === 0,
      { timeoutMs: 5_000, intervalMs: 10 },
    );
    expect(await uploadsOnDisk()).toEqual([]);
  });

  it('is deleted when no chunk came for UPLOAD_IDLE_MS', async () => {
    const wall = new VirtualClock();
    const quiet = new Workbench({ dataDir: path.join(dir, 'quiet'), examplesDir, wall });
    await quiet.start();
    try {
      const begun = await quiet.execute(
        { type: 'bundle.upload.begin', name: 'c.gz', bytes: 10 },
        session,
      );
      const { uploadId } = (begun as { value: { uploadId: string } }).value;
      const quietRecordings = path.join(dir, 'quiet', 'recordings');
      const onDisk = async () =>
        (await readdir(quietRecordings)).filter((n) => n.includes('upload'));
      expect(await onDisk()).toHaveLength(1);
      wall.advance(UPLOAD_IDLE_MS + 1);
      await eventually('onDisk to be empty', async () => (await onDisk()).length === 0, {
        timeoutMs: 5_000,
        intervalMs: 10,
      });
      expect(await onDisk()).toEqual([]);
      const ended = await quiet.execute({ type: 'bundle.upload.end', uploadId }, session);
      expect(!ended.ok && ended.error.message).toMatch(/idle more than 60 s/);
    } finally {
      await quiet.stop();
    }
  });
});

describe('FileAccess', () => {
  it('gives each chosen file a fresh 128-bit handle', () => {
    const access = new FileAccess({ workspace, recordings, examples: examplesDir });
    const a = access.register('/x/y.yaml');
    const b = access.register('/x/y.yaml');
    expect(a).not.toBe(b);
    expect(Buffer.from(a.slice(1, 23), 'base64url')).toHaveLength(16);
  });
});
