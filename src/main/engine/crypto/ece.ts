import { Buffer } from 'node:buffer';
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { CryptoError } from './errors';

/**
 * RFC 8188 `aes128gcm` content coding.
 *
 *   +-----------+--------+-----------+---------------+-------------------------------------+
 *   | salt (16) | rs (4) | idlen (1) | keyid (idlen) | records: each rs octets, last <= rs |
 *   +-----------+--------+-----------+---------------+-------------------------------------+
 *   record = AES-128-GCM(data || delimiter || 0x00 * padding) || 16-octet tag
 *   delimiter = 0x01 on every record but the last, 0x02 on the last
 */

export const ECE_SALT_OCTETS = 16;
export const ECE_TAG_OCTETS = 16;
/** A record must hold at least the delimiter and the tag. */
export const ECE_RS_MIN = ECE_TAG_OCTETS + 2;
/** salt + rs + idlen; keyid follows. */
export const ECE_HEADER_FIXED_OCTETS = ECE_SALT_OCTETS + 4 + 1;
const KEYID_MAX_OCTETS = 255;
const RS_MAX = 0xffff_ffff;
/** HKDF info strings of RFC 8188 §2.2–2.3, each ending in one zero octet; strings stay immutable. */
export const ECE_CEK_INFO_TEXT = 'Content-Encoding: aes128gcm\0';
export const ECE_NONCE_INFO_TEXT = 'Content-Encoding: nonce\0';
const CEK_INFO = Buffer.from(ECE_CEK_INFO_TEXT, 'latin1');
const NONCE_INFO = Buffer.from(ECE_NONCE_INFO_TEXT, 'latin1');
const DELIMITER_MORE = 0x01;
const DELIMITER_LAST = 0x02;

export interface EceHeader {
  salt: Buffer;
  /** Record size in octets: the ciphertext length of every record but the last. */
  rs: number;
  keyid: Buffer;
  /** Octets the header occupies at the start of the body. */
  headerOctets: number;
}

export interface EceEncryptOptions {
  /** Input keying material; combined with the salt to derive the content key. */
  ikm: Uint8Array;
  /** 16 octets, unique per IKM (reusing one repeats the key and nonce). */
  salt: Uint8Array;
  /** Record size in octets, 18 … 2^32 − 1. */
  rs: number;
  /** Identifies the key to the receiver; 0 … 255 octets. */
  keyid: Uint8Array;
  /** Zero octets added in total across records to hide the length; default 0. */
  padding?: number;
}

export type EceKeyLookup = (keyid: Buffer) => Uint8Array | undefined;
export type EceDecryptOptions = { ikm: Uint8Array } | { keyLookup: EceKeyLookup };

/** HKDF-Extract (RFC 5869 §2.2): exposed so tests and traces can show each PRK. */
export function hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Buffer {
  return createHmac('sha256', salt).update(ikm).digest();
}

/** SHA-256's output length: HKDF-Expand needs one HMAC block for at most this many octets. */
const SHA256_OCTETS = 32;
const FIRST_BLOCK = Buffer.of(1);

/**
 * HKDF-Expand (RFC 5869 §2.3) for `length` ≤ 32 octets: T(1) = HMAC(PRK, info || 0x01), cut.
 * Every key RFC 8188 and RFC 8291 derive fits one block; two HMACs (with the extract) cost
 * about a third of node's hkdfSync, which builds key objects on every call.
 */
export function hkdfExpandBlock(prk: Uint8Array, info: Uint8Array, length: number): Buffer {
  if (length > SHA256_OCTETS) throw new RangeError(`HKDF output of ${length} octets: at most 32`);
  const block = createHmac('sha256', prk).update(info).update(FIRST_BLOCK).digest();
  return block.subarray(0, length);
}

/** CEK and nonce base for one (IKM, salt); RFC 8188 §2.2–2.3 (one extract serves both). */
export function deriveContentKeys(
  ikm: Uint8Array,
  salt: Uint8Array,
): { cek: Buffer; nonce: Buffer } {
  const prk = hkdfExtract(salt, ikm);
  return { cek: hkdfExpandBlock(prk, CEK_INFO, 16), nonce: hkdfExpandBlock(prk, NONCE_INFO, 12) };
}

/** Nonce for record `seq` = base XOR seq as a 96-bit big-endian integer. */
export function recordNonce(nonceBase: Uint8Array, seq: number): Buffer {
  const nonce = Buffer.from(nonceBase);
  // Byte-wise because JS bitwise operators stop at 32 bits; seq < 2^53 fits the low 7 octets.
  for (let i = nonce.length - 1, rest = seq; rest > 0; i--, rest = Math.floor(rest / 256)) {
    nonce[i] = (nonce[i] ?? 0) ^ (rest % 256);
  }
  return nonce;
}

export function encodeHeader(salt: Uint8Array, rs: number, keyid: Uint8Array): Buffer {
  if (salt.length !== ECE_SALT_OCTETS) badParams(`salt is ${salt.length} octets, expected 16`);
  if (keyid.length > KEYID_MAX_OCTETS) badParams(`keyid is ${keyid.length} octets, at most 255`);
  checkRs(rs);
  const header = Buffer.alloc(ECE_HEADER_FIXED_OCTETS + keyid.length);
  header.set(salt, 0);
  header.writeUInt32BE(rs, ECE_SALT_OCTETS);
  header.writeUInt8(keyid.length, ECE_SALT_OCTETS + 4);
  header.set(keyid, ECE_HEADER_FIXED_OCTETS);
  return header;
}

export function parseHeader(body: Uint8Array): EceHeader {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (bytes.length < ECE_HEADER_FIXED_OCTETS) {
    throw new CryptoError(
      'ERR_ECE_TRUNCATED',
      `body of ${bytes.length} octets is shorter than the 21-octet header`,
    );
  }
  const rs = bytes.readUInt32BE(ECE_SALT_OCTETS);
  const idlen = bytes.readUInt8(ECE_SALT_OCTETS + 4);
  const headerOctets = ECE_HEADER_FIXED_OCTETS + idlen;
  if (bytes.length < headerOctets) {
    throw new CryptoError(
      'ERR_ECE_TRUNCATED',
      `body of ${bytes.length} octets ends inside the ${idlen}-octet keyid`,
    );
  }
  checkRs(rs);
  return {
    salt: bytes.subarray(0, ECE_SALT_OCTETS),
    rs,
    keyid: bytes.subarray(ECE_HEADER_FIXED_OCTETS, headerOctets),
    headerOctets,
  };
}

/**
 * Splits plaintext into padded record plaintexts of at most rs − 16 octets. Padding is
 * placed greedily in the earliest records, which is the split RFC 8188 §3.2 shows.
 */
export function padRecords(plaintext: Uint8Array, rs: number, padding = 0): Buffer[] {
  checkRs(rs);
  if (!Number.isSafeInteger(padding) || padding < 0) {
    badParams(`padding ${padding} is not a non-negative integer`);
  }
  const roomOctets = rs - ECE_TAG_OCTETS - 1; // data + padding per record, after the delimiter
  const records: Buffer[] = [];
  let dataStart = 0;
  let padLeft = padding;
  for (;;) {
    const pad = Math.min(padLeft, roomOctets);
    const dataEnd = Math.min(plaintext.length, dataStart + roomOctets - pad);
    padLeft -= pad;
    const last = dataEnd === plaintext.length && padLeft === 0;
    const record = Buffer.alloc(dataEnd - dataStart + 1 + pad); // alloc zero-fills the padding
    record.set(plaintext.subarray(dataStart, dataEnd), 0);
    record[dataEnd - dataStart] = last ? DELIMITER_LAST : DELIMITER_MORE;
    records.push(record);
    if (last) return records;
    dataStart = dataEnd;
  }
}

export function encrypt(plaintext: Uint8Array, options: EceEncryptOptions): Buffer {
  const { ikm, salt, rs, keyid, padding = 0 } = options;
  const { cek, nonce } = deriveContentKeys(ikm, salt);
  const parts = [encodeHeader(salt, rs, keyid)];
  padRecords(plaintext, rs, padding).forEach((record, seq) => {
    const cipher = createCipheriv('aes-128-gcm', cek, recordNonce(nonce, seq));
    parts.push(cipher.update(record), cipher.final(), cipher.getAuthTag());
  });
  return Buffer.concat(parts);
}

export function decrypt(body: Uint8Array, options: EceDecryptOptions): Buffer {
  const header = parseHeader(body);
  const ikm = 'ikm' in options ? options.ikm : options.keyLookup(header.keyid);
  if (ikm === undefined) {
    throw new CryptoError(
      'ERR_ECE_NO_KEY',
      `no key for keyid ${header.keyid.toString('hex') || '(empty)'}`,
    );
  }
  const { cek, nonce } = deriveContentKeys(ikm, header.salt);
  const records = Buffer.from(body.buffer, body.byteOffset, body.byteLength).subarray(
    header.headerOctets,
  );
  if (records.length === 0) {
    throw new CryptoError('ERR_ECE_TRUNCATED', 'body has a header but no records');
  }
  const parts: Buffer[] = [];
  for (let start = 0, seq = 0; start < records.length; start += header.rs, seq++) {
    const last = start + header.rs >= records.length;
    const record = records.subarray(start, start + header.rs);
    parts.push(openRecord(record, cek, recordNonce(nonce, seq), last, seq));
  }
  return Buffer.concat(parts);
}

function openRecord(
  record: Buffer,
  cek: Buffer,
  nonce: Buffer,
  last: boolean,
  seq: number,
): Buffer {
  if (record.length < ECE_TAG_OCTETS + 1) {
    throw new CryptoError(
      'ERR_ECE_TRUNCATED',
      `record ${seq} has ${record.length} octets, too few for tag and delimiter`,
    );
  }
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - ECE_TAG_OCTETS));
  let padded: Buffer;
  try {
    padded = Buffer.concat([
      decipher.update(record.subarray(0, record.length - ECE_TAG_OCTETS)),
      decipher.final(),
    ]);
  } catch (cause) {
    throw new CryptoError('ERR_ECE_BAD_TAG', `record ${seq} failed authentication`, { cause });
  }
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  const delimiter = padded[end];
  if (last && delimiter === DELIMITER_MORE) {
    throw new CryptoError(
      'ERR_ECE_TRUNCATED',
      `final record ${seq} is marked 0x01: later records are missing`,
    );
  }
  if (delimiter !== (last ? DELIMITER_LAST : DELIMITER_MORE)) {
    const found = delimiter === undefined ? 'none' : `0x${delimiter.toString(16).padStart(2, '0')}`;
    throw new CryptoError(
      'ERR_ECE_BAD_DELIMITER',
      `record ${seq} delimiter is ${found}, expected 0x0${last ? 2 : 1}`,
    );
  }
  return padded.subarray(0, end);
}

function checkRs(rs: number): void {
  if (rs < ECE_RS_MIN) {
    throw new CryptoError(
      'ERR_ECE_RS_TOO_SMALL',
      `record size ${rs} is below 18 (delimiter + 16-octet tag)`,
    );
  }
  if (!Number.isInteger(rs) || rs > RS_MAX) {
    badParams(`record size ${rs} is not an integer up to 2^32 − 1`);
  }
}

function badParams(message: string): never {
  throw new CryptoError('ERR_ECE_BAD_PARAMS', message);
}
