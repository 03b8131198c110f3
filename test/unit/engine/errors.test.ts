import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClientProfileError } from '../../../src/main/engine/push/profiles/client-common';
import { AgentError, TimeoutError } from '../../../src/main/engine/agents/h2';
import { CryptoError } from '../../../src/main/engine/crypto/errors';
import { EnergyError } from '../../../src/main/engine/energy/errors';
import { describeError, LabError } from '../../../src/main/engine/errors';
import { FileError, FileExistsError } from '../../../src/main/engine/fs/atomic-write';
import { checkRegularFile } from '../../../src/main/engine/fs/bounded-read';
import { FileAccessError } from '../../../src/main/engine/fs/confined';
import { NetError } from '../../../src/main/engine/net/errors';
import { StoreError } from '../../../src/main/engine/push/store/store';
import { TraceError } from '../../../src/main/engine/trace/format';
import { UploadError } from '../../../src/main/engine/workbench/uploads';

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

describe('LabError', () => {
  it('is the only class under src/main/engine that extends Error directly', async () => {
    const direct: string[] = [];
    for (const file of await sourceFiles(path.resolve('src/main/engine'))) {
      const text = await readFile(file, 'utf8');
      for (const match of text.matchAll(/class (\w+) extends Error\b/g)) {
        direct.push(`${path.relative('src/main/engine', file)}: ${match[1]}`);
      }
    }
    expect(direct).toEqual(['errors.ts: LabError']);
  });

  it('every error class carries its stable code and keeps its message', () => {
    const cases: [Error, string, string][] = [
      [new TraceError('ERR_TRACE_NEWER', 'newer'), 'ERR_TRACE_NEWER', 'TraceError'],
      [new UploadError('too big'), 'ERR_UPLOAD', 'UploadError'],
      [new NetError('ERR_NET_BAD_FAULT', ['a: bad', 'b: bad']), 'ERR_NET_BAD_FAULT', 'NetError'],
      [new EnergyError('ERR_ENERGY_LIMIT', 'too many'), 'ERR_ENERGY_LIMIT', 'EnergyError'],
      [new ClientProfileError('cannot'), 'ERR_CLIENT_PROFILE', 'ClientProfileError'],
      [new TimeoutError('slow'), 'ERR_AGENT_TIMEOUT', 'TimeoutError'],
      [new AgentError('ERR_AGENT_NOT_CONNECTED', 'ua1'), 'ERR_AGENT_NOT_CONNECTED', 'AgentError'],
      [new CryptoError('ERR_ECE_BAD_TAG', 'tag'), 'ERR_ECE_BAD_TAG', 'CryptoError'],
      [new FileAccessError('outside'), 'ERR_PATH_REFUSED', 'FileAccessError'],
      [new FileExistsError('exists'), 'ERR_EXISTS', 'FileExistsError'],
      [new FileError('ERR_FILE_IO', 'io'), 'ERR_FILE_IO', 'FileError'],
      [new StoreError('locked', 'ERR_STORE_LOCKED'), 'ERR_STORE_LOCKED', 'StoreError'],
    ];
    for (const [error, code, name] of cases) {
      expect(error).toBeInstanceOf(LabError);
      expect(describeError(error).code).toBe(code);
      expect(error.name).toBe(name);
    }
    expect(cases[2]![0].message).toBe('a: bad; b: bad');
    expect(describeError(cases[1]![0])).toEqual({ code: 'ERR_UPLOAD', message: 'too big' });
  });

  it('turns anything else into ERR_INTERNAL with its message', () => {
    expect(describeError(new TypeError('x is undefined'))).toEqual({
      code: 'ERR_INTERNAL',
      message: 'x is undefined',
    });
    expect(describeError('a string')).toEqual({ code: 'ERR_INTERNAL', message: 'a string' });
    // A node error's own code is not a lab code: it is not passed off as one.
    expect(describeError(Object.assign(new Error('nope'), { code: 'ENOENT' })).code).toBe(
      'ERR_INTERNAL',
    );
  });

  it('a file the engine cannot read says so with a code, not as a bare Error', async () => {
    await expect(checkRegularFile(path.resolve('src'), 10, 'recording')).rejects.toMatchObject({
      code: 'ERR_FILE_NOT_REGULAR',
    });
    await expect(
      checkRegularFile(path.resolve('package.json'), 10, 'recording'),
    ).rejects.toMatchObject({ code: 'ERR_FILE_TOO_LARGE' });
    await expect(
      checkRegularFile(path.resolve('no-such-file.json'), 10, 'recording'),
    ).rejects.toMatchObject({ code: 'ERR_FILE_IO', message: /ENOENT/ });
  });
});
