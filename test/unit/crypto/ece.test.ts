import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { loadVectors } from '../../helpers/vectors';
import { describe, expect, it } from 'vitest';
import {
  b64uDecode,
  b64uEncode,
  CryptoError,
  decrypt,
  deriveContentKeys,
  ECE_CEK_INFO_TEXT,
  ECE_NONCE_INFO_TEXT,
  encodeHeader,
  encrypt,
  hkdfExpandBlock,
  hkdfExtract,
  padRecords,
  parseHeader,
  recordNonce,
} from '../../../src/main/engine/crypto';

interface Rfc8188Example {
  name: string;
  plaintext_utf8: string;
  ikm: string;
  record_size: number;
  keyid_utf8: string;
  body: string;
  body_length_octets: number;
  intermediate?: {
    salt: string;
    prk: string;
    cek: string;
    nonce: string;
    unencrypted_data: string;
  };
  derived_not_in_rfc?: {
    salt: string;
    prk: string;
    cek: string;
    nonce_base: string;
    record_0_padded_plaintext_hex: string;
    record_1_padded_plaintext_hex: string;
  };
}

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof CryptoError) return error.code;
    throw error;
  }
  return 'no error';
}

/** Seals hand-made record plaintexts, so tests can build bodies encrypt() would refuse to make. */
function sealRecords(ikm: Uint8Array, rs: number, records: Buffer[]): Buffer {
  const salt = Buffer.alloc(16, 7);
  const { cek, nonce } = deriveContentKeys(ikm, salt);
  const parts = [encodeHeader(salt, rs, Buffer.alloc(0))];
  records.forEach((record, seq) => {
    const cipher = createCipheriv('aes-128-gcm', cek, recordNonce(nonce, seq));
    parts.push(cipher.update(record), cipher.final(), cipher.getAuthTag());
  });
  return Buffer.concat(parts);
}

const { examples } = loadVectors('rfc8188.json') as { examples: Rfc8188Example[] };
const single = examples.find((e) => e.name === 'section_3_1_single_record');
const multi = examples.find((e) => e.name === 'section_3_2_multiple_records');
if (!single?.intermediate || !multi?.derived_not_in_rfc)
  throw new Error('rfc8188.json lacks the §3.1/§3.2 examples');
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const utf8 = (text: string) => Buffer.from(text, 'utf8');
const IKM = Buffer.alloc(16, 0x42);

describe('RFC 8188 §3.1 single record vector', () => {
  const v = single.intermediate!;
  const body = b64uDecode(single.body);

  it('parses the header: salt, rs 4096, empty keyid', () => {
    const header = parseHeader(body);
    expect(b64uEncode(header.salt)).toBe(v.salt);
    expect(header.rs).toBe(single.record_size);
    expect(header.keyid.length).toBe(0);
    expect(header.headerOctets).toBe(21);
  });

  it('derives PRK, CEK and NONCE', () => {
    const ikm = b64uDecode(single.ikm);
    const salt = b64uDecode(v.salt);
    expect(b64uEncode(hkdfExtract(salt, ikm))).toBe(v.prk);
    const { cek, nonce } = deriveContentKeys(ikm, salt);
    expect(b64uEncode(cek)).toBe(v.cek);
    expect(b64uEncode(nonce)).toBe(v.nonce);
  });

  it('pads the plaintext to the unencrypted data', () => {
    const records = padRecords(utf8(single.plaintext_utf8), single.record_size);
    expect(records.map((r) => b64uEncode(r))).toEqual([v.unencrypted_data]);
  });

  it('encrypts to the body byte for byte (53 octets, not the RFC header 54)', () => {
    const out = encrypt(utf8(single.plaintext_utf8), {
      ikm: b64uDecode(single.ikm),
      salt: b64uDecode(v.salt),
      rs: single.record_size,
      keyid: utf8(single.keyid_utf8),
    });
    expect(b64uEncode(out)).toBe(single.body);
    expect(out.length).toBe(single.body_length_octets);
  });

  it('decrypts the body', () => {
    expect(decrypt(body, { ikm: b64uDecode(single.ikm) }).toString('utf8')).toBe(
      single.plaintext_utf8,
    );
  });

  it('uses the RFC info strings', () => {
    expect(Buffer.from(ECE_CEK_INFO_TEXT, 'latin1')).toEqual(utf8('Content-Encoding: aes128gcm\0'));
    expect(Buffer.from(ECE_NONCE_INFO_TEXT, 'latin1')).toEqual(utf8('Content-Encoding: nonce\0'));
  });
});

describe('RFC 8188 §3.2 two-record vector', () => {
  const d = multi.derived_not_in_rfc!;
  const body = b64uDecode(multi.body);
  const ikm = b64uDecode(multi.ikm);

  it('parses the header: rs 25, keyid "a1"', () => {
    const header = parseHeader(body);
    expect(b64uEncode(header.salt)).toBe(d.salt);
    expect(header.rs).toBe(25);
    expect(header.keyid.toString('utf8')).toBe(multi.keyid_utf8);
  });

  it('derives PRK, CEK and nonce base; record 1 nonce is base XOR 1', () => {
    const salt = b64uDecode(d.salt);
    expect(b64uEncode(hkdfExtract(salt, ikm))).toBe(d.prk);
    const { cek, nonce } = deriveContentKeys(ikm, salt);
    expect(b64uEncode(cek)).toBe(d.cek);
    expect(b64uEncode(nonce)).toBe(d.nonce_base);
    const expected = Buffer.from(nonce);
    expected[11] = (expected[11] ?? 0) ^ 1;
    expect(recordNonce(nonce, 1)).toEqual(expected);
    expect(recordNonce(nonce, 0)).toEqual(nonce);
  });

  it('splits into the two padded records (padding 1 goes in record 0)', () => {
    const records = padRecords(utf8(multi.plaintext_utf8), multi.record_size, 1);
    expect(records.map(hex)).toEqual([
      d.record_0_padded_plaintext_hex,
      d.record_1_padded_plaintext_hex,
    ]);
  });

  it('encrypts to the body byte for byte (73 octets)', () => {
    const out = encrypt(utf8(multi.plaintext_utf8), {
      ikm,
      salt: b64uDecode(d.salt),
      rs: multi.record_size,
      keyid: utf8(multi.keyid_utf8),
      padding: 1,
    });
    expect(b64uEncode(out)).toBe(multi.body);
    expect(out.length).toBe(multi.body_length_octets);
  });

  it('decrypts through a keyid lookup', () => {
    const plaintext = decrypt(body, {
      keyLookup: (keyid) => (keyid.toString('utf8') === multi.keyid_utf8 ? ikm : undefined),
    });
    expect(plaintext.toString('utf8')).toBe(multi.plaintext_utf8);
  });

  it('reports a body truncated at a record boundary', () => {
    expect(codeOf(() => decrypt(body.subarray(0, body.length - 25), { ikm }))).toBe(
      'ERR_ECE_TRUNCATED',
    );
  });
});

describe('aes128gcm round trips', () => {
  const salt = Buffer.alloc(16, 1);
  const cases = [
    { plaintextOctets: 0, rs: 18, padding: 0 },
    { plaintextOctets: 0, rs: 18, padding: 5 },
    { plaintextOctets: 1, rs: 18, padding: 0 },
    { plaintextOctets: 100, rs: 18, padding: 3 },
    { plaintextOctets: 100, rs: 33, padding: 40 },
    { plaintextOctets: 16, rs: 33, padding: 0 }, // data fills the last record exactly
    { plaintextOctets: 5000, rs: 4096, padding: 0 },
    { plaintextOctets: 5000, rs: 4096, padding: 4000 },
  ];
  for (const { plaintextOctets, rs, padding } of cases) {
    it(`${plaintextOctets} octets, rs ${rs}, padding ${padding}`, () => {
      const plaintext = Buffer.from(
        Array.from({ length: plaintextOctets }, (_, i) => (i * 7 + 1) % 256),
      );
      const body = encrypt(plaintext, { ikm: IKM, salt, rs, keyid: utf8('k'), padding });
      const records = padRecords(plaintext, rs, padding);
      const recordOctets = records.reduce((sum, r) => sum + r.length + 16, 0);
      expect(body.length).toBe(22 + recordOctets);
      expect(records.slice(0, -1).every((r) => r.length + 16 === rs)).toBe(true);
      expect(decrypt(body, { ikm: IKM })).toEqual(plaintext);
    });
  }
});

describe('aes128gcm rejects bad input with typed errors', () => {
  const salt = Buffer.alloc(16, 1);
  const body = encrypt(utf8('hello, records'), { ikm: IKM, salt, rs: 20, keyid: Buffer.alloc(0) });

  it('rs below 18 when encrypting and in a received header', () => {
    expect(
      codeOf(() => encrypt(utf8('x'), { ikm: IKM, salt, rs: 17, keyid: Buffer.alloc(0) })),
    ).toBe('ERR_ECE_RS_TOO_SMALL');
    const tampered = Buffer.from(body);
    tampered.writeUInt32BE(17, 16);
    expect(codeOf(() => decrypt(tampered, { ikm: IKM }))).toBe('ERR_ECE_RS_TOO_SMALL');
  });

  it('bad encrypt parameters', () => {
    const base = { ikm: IKM, salt, rs: 4096, keyid: Buffer.alloc(0) };
    expect(codeOf(() => encrypt(utf8('x'), { ...base, salt: Buffer.alloc(15) }))).toBe(
      'ERR_ECE_BAD_PARAMS',
    );
    expect(codeOf(() => encrypt(utf8('x'), { ...base, keyid: Buffer.alloc(256) }))).toBe(
      'ERR_ECE_BAD_PARAMS',
    );
    expect(codeOf(() => encrypt(utf8('x'), { ...base, padding: -1 }))).toBe('ERR_ECE_BAD_PARAMS');
    expect(codeOf(() => encrypt(utf8('x'), { ...base, rs: 2 ** 32 }))).toBe('ERR_ECE_BAD_PARAMS');
  });

  it('truncation: short header, keyid cut, no records, stub record, lost final record', () => {
    expect(codeOf(() => decrypt(body.subarray(0, 20), { ikm: IKM }))).toBe('ERR_ECE_TRUNCATED');
    const withKeyid = encrypt(utf8('x'), { ikm: IKM, salt, rs: 4096, keyid: utf8('key-1') });
    expect(codeOf(() => decrypt(withKeyid.subarray(0, 24), { ikm: IKM }))).toBe(
      'ERR_ECE_TRUNCATED',
    );
    expect(codeOf(() => decrypt(body.subarray(0, 21), { ikm: IKM }))).toBe('ERR_ECE_TRUNCATED');
    expect(codeOf(() => decrypt(body.subarray(0, body.length - 4), { ikm: IKM }))).toBe(
      'ERR_ECE_TRUNCATED',
    );
    const fullRecords = Math.floor((body.length - 21) / 20); // 14 octets → 4 full records + 1 short
    expect(fullRecords).toBe(4);
    expect(codeOf(() => decrypt(body.subarray(0, 21 + 20 * fullRecords), { ikm: IKM }))).toBe(
      'ERR_ECE_TRUNCATED',
    );
  });

  it('bad tag: flipped ciphertext bit, flipped tag bit, wrong key', () => {
    for (const index of [21, body.length - 1]) {
      const tampered = Buffer.from(body);
      tampered[index] = (tampered[index] ?? 0) ^ 0x01;
      expect(codeOf(() => decrypt(tampered, { ikm: IKM }))).toBe('ERR_ECE_BAD_TAG');
    }
    expect(codeOf(() => decrypt(body, { ikm: Buffer.alloc(16) }))).toBe('ERR_ECE_BAD_TAG');
  });

  it('bad delimiter: none, unknown value, 0x02 before the end, garbage after padding', () => {
    const one = (...bytes: number[]) => sealRecords(IKM, 4096, [Buffer.from(bytes)]);
    expect(codeOf(() => decrypt(one(0x61, 0, 0), { ikm: IKM }))).toBe('ERR_ECE_BAD_DELIMITER'); // 0x61 read as delimiter
    expect(codeOf(() => decrypt(one(0x61, 0x01, 0), { ikm: IKM }))).toBe('ERR_ECE_TRUNCATED'); // "more follows", none does
    expect(codeOf(() => decrypt(one(0, 0, 0), { ikm: IKM }))).toBe('ERR_ECE_BAD_DELIMITER');
    expect(codeOf(() => decrypt(one(0x61, 0x03), { ikm: IKM }))).toBe('ERR_ECE_BAD_DELIMITER');
    expect(codeOf(() => decrypt(one(0x61, 0x02, 0, 0x05), { ikm: IKM }))).toBe(
      'ERR_ECE_BAD_DELIMITER',
    );
    const early = sealRecords(IKM, 20, [
      Buffer.from([0x61, 0x62, 0x63, 0x02]),
      Buffer.from([0x64, 0x02]),
    ]);
    expect(codeOf(() => decrypt(early, { ikm: IKM }))).toBe('ERR_ECE_BAD_DELIMITER');
  });

  it('a hand-sealed body with correct delimiters decrypts (the helper is sound)', () => {
    const ok = sealRecords(IKM, 20, [
      Buffer.from([0x61, 0x62, 0x63, 0x01]),
      Buffer.from([0x64, 0x02, 0, 0]),
    ]);
    expect(decrypt(ok, { ikm: IKM }).toString()).toBe('abcd');
  });

  it('no key for the keyid', () => {
    expect(codeOf(() => decrypt(body, { keyLookup: () => undefined }))).toBe('ERR_ECE_NO_KEY');
  });
});

describe('base64url', () => {
  it('round-trips and rejects non-canonical text', () => {
    expect(b64uEncode(Buffer.from([0xfb, 0xff]))).toBe('-_8');
    expect(b64uDecode('-_8')).toEqual(Buffer.from([0xfb, 0xff]));
    for (const bad of ['-_8=', '+/8', 'a b', 'A', '-_9', 'ab!c']) {
      expect(
        codeOf(() => b64uDecode(bad)),
        bad,
      ).toBe('ERR_B64U_INVALID');
    }
  });
});

describe('hkdfExpandBlock', () => {
  it("gives node's hkdfSync output for every length up to 32 octets, and refuses more", () => {
    const ikm = randomBytes(32);
    const salt = randomBytes(16);
    const info = Buffer.from(ECE_CEK_INFO_TEXT, 'latin1');
    const prk = hkdfExtract(salt, ikm);
    for (let length = 1; length <= 32; length++) {
      expect(hkdfExpandBlock(prk, info, length)).toEqual(
        Buffer.from(hkdfSync('sha256', ikm, salt, info, length)),
      );
    }
    expect(() => hkdfExpandBlock(prk, info, 33)).toThrow(RangeError);
  });
});
