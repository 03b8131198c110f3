/**
 * The push service's TLS identity: a self-signed certificate for localhost, 127.0.0.1 and
 * ::1, created on first run and kept in the data directory so clients can pin its CA.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generate } from 'selfsigned';

export interface TlsIdentity {
  key: string;
  cert: string;
  /** Where the certificate is stored (give it to clients as their CA). */
  certPath: string;
}

export async function loadOrCreateIdentity(dataDir: string): Promise<TlsIdentity> {
  const keyPath = path.join(dataDir, 'tls-key.pem');
  const certPath = path.join(dataDir, 'tls-cert.pem');
  try {
    const [key, cert] = await Promise.all([readFile(keyPath, 'utf8'), readFile(certPath, 'utf8')]);
    return { key, cert, certPath };
  } catch {
    // Not there yet (or unreadable): make a new one below.
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const pems = await generate([{ name: 'commonName', value: 'Push Lab local push service' }], {
    keyType: 'ec',
    curve: 'P-256',
    days: 825,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  } as Parameters<typeof generate>[1]);
  await writeAtomically(keyPath, pems.private, 0o600);
  await writeAtomically(certPath, pems.cert, 0o644);
  return { key: pems.private, cert: pems.cert, certPath };
}

/** Write to a temporary file, then rename: a reader never sees half a file. */
async function writeAtomically(file: string, content: string, mode: number): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, content, { mode });
  await rename(temporary, file);
}
