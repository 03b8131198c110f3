/**
 * The push service's TLS identity: a self-signed leaf certificate for localhost, 127.0.0.1
 * and ::1, created on first run and kept in the data directory so clients can pin it.
 *
 * A leaf, not a CA (basicConstraints cA:false, no keyCertSign): a client told to trust it
 * trusts this one server identity and cannot be made to trust certificates signed with its
 * key. A CA certificate left by an older version is replaced on start.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { generate } from 'selfsigned';
import { writeFileAtomic } from '../fs/atomic-write';

export interface TlsIdentity {
  key: string;
  cert: string;
  /** Where the certificate is stored (give it to clients to pin). */
  certPath: string;
}

/** Mode of the private key file: the owner only. */
export const TLS_KEY_FILE_MODE = 0o600;
/** Days the certificate is valid (825: the most Apple platforms accept for a leaf). */
const CERT_DAYS = 825;

export async function loadOrCreateIdentity(dataDir: string): Promise<TlsIdentity> {
  const keyPath = path.join(dataDir, 'tls-key.pem');
  const certPath = path.join(dataDir, 'tls-cert.pem');
  const existing = await readExisting(keyPath, certPath);
  if (existing) {
    // An older version may have left the key readable by others.
    await chmod(keyPath, TLS_KEY_FILE_MODE);
    return existing;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const pems = await generateIdentity();
  await writeFileAtomic(keyPath, pems.key, { mode: TLS_KEY_FILE_MODE, keepMode: false });
  await writeFileAtomic(certPath, pems.cert, { mode: 0o644 });
  return { ...pems, certPath };
}

/**
 * A new identity held in memory only (`startPushService`): a test suite's service lives as
 * long as the suite, and its client is handed the certificate directly.
 */
export async function generateIdentity(): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: 'commonName', value: 'Push Lab local push service' }], {
    keyType: 'ec',
    curve: 'P-256',
    days: CERT_DAYS,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
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
  return { key: pems.private, cert: pems.cert };
}

/** The stored identity if it is a usable leaf; null to make a new one. */
async function readExisting(keyPath: string, certPath: string): Promise<TlsIdentity | null> {
  let key: string;
  let cert: string;
  try {
    [key, cert] = await Promise.all([readFile(keyPath, 'utf8'), readFile(certPath, 'utf8')]);
  } catch {
    // Not there yet (or unreadable): make a new one.
    return null;
  }
  try {
    const x509 = new X509Certificate(cert);
    if (x509.ca || !x509.checkPrivateKey(createPrivateKey(key))) return null;
  } catch {
    // Damaged: make a new one.
    return null;
  }
  return { key, cert, certPath };
}
