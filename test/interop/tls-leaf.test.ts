/**
 * The push service's TLS identity is a leaf, not a CA: a client that pins it trusts one
 * server and cannot be handed certificates signed with its key. Its key is the owner's only,
 * and a CA certificate left by an older version is replaced on start.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateIdentity, TLS_KEY_FILE_MODE } from '../../src/main/engine/push/tls';

let dir: string;
beforeEach(async () => (dir = await mkdtemp(path.join(tmpdir(), 'push-lab-tls-'))));
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('TLS identity', () => {
  it('is a leaf for localhost, 127.0.0.1 and ::1, serverAuth only, key file 0600', async () => {
    const identity = await loadOrCreateIdentity(dir);
    const cert = new X509Certificate(identity.cert);
    expect(cert.ca).toBe(false);
    expect(cert.subjectAltName).toBe(
      'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    // Server authentication is all it is for.
    const text = cert.toLegacyObject() as unknown as { ext_key_usage?: string[] };
    expect(text.ext_key_usage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect((await stat(path.join(dir, 'tls-key.pem'))).mode & 0o777).toBe(TLS_KEY_FILE_MODE);
    // Kept across starts.
    expect((await loadOrCreateIdentity(dir)).cert).toBe(identity.cert);
  });

  it('replaces a CA certificate left by an older version, and narrows a readable key to 0600', async () => {
    const old = await generate([{ name: 'commonName', value: 'old' }], {
      keyType: 'ec',
      curve: 'P-256',
      days: 30,
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      ],
    } as Parameters<typeof generate>[1]);
    expect(new X509Certificate(old.cert).ca).toBe(true);
    await writeFile(path.join(dir, 'tls-key.pem'), old.private, { mode: 0o644 });
    await writeFile(path.join(dir, 'tls-cert.pem'), old.cert, { mode: 0o644 });
    const identity = await loadOrCreateIdentity(dir);
    expect(identity.cert).not.toBe(old.cert);
    expect(new X509Certificate(await readFile(identity.certPath, 'utf8')).ca).toBe(false);
    expect((await stat(path.join(dir, 'tls-key.pem'))).mode & 0o777).toBe(TLS_KEY_FILE_MODE);
  });
});
