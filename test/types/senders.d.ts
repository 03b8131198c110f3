/**
 * Types for the sender libraries the interop tests drive that ship none: only the calls the
 * tests make, as each library's source defines them.
 */
declare module 'http_ece' {
  import type { ECDH } from 'node:crypto';
  interface EceParams {
    version?: 'aes128gcm' | 'aesgcm';
    /** The receiver's public key (p256dh), base64url or bytes. */
    dh?: string | Buffer;
    privateKey?: ECDH;
    authSecret?: string | Buffer;
    salt?: string | Buffer;
    rs?: number;
    /** Octets of padding. */
    pad?: number;
  }
  const ece: {
    encrypt(buffer: Buffer, params: EceParams): Buffer;
    decrypt(buffer: Buffer, params: EceParams): Buffer;
  };
  export = ece;
}

declare module 'web-push-encryption' {
  interface Subscription {
    endpoint: string;
    keys: { p256dh: string; auth: string };
  }
  const webPushEncryption: {
    encrypt(
      message: string | Buffer,
      subscription: Subscription,
      paddingLength?: number,
    ): { ciphertext: Buffer; salt: Buffer; serverPublicKey: Buffer };
    /** HTTP/1.1 through the `request` library, with `TTL: 0` and no VAPID. */
    sendWebPush(
      message: string,
      subscription: Subscription,
      paddingLength?: number,
    ): Promise<{ statusCode: number; statusMessage: string; body: string }>;
  };
  export = webPushEncryption;
}

declare module 'webpush-webcrypto' {
  import type { webcrypto } from 'node:crypto';
  export function setWebCrypto(crypto: webcrypto.Crypto): void;
  export class ApplicationServerKeys {
    static fromJSON(keys: {
      publicKey: string;
      privateKey: string;
    }): Promise<ApplicationServerKeys>;
    static generate(): Promise<ApplicationServerKeys>;
    toJSON(): Promise<{ publicKey: string; privateKey: string }>;
  }
  export function generatePushHTTPRequest(options: {
    applicationServerKeys: ApplicationServerKeys;
    payload: string | Uint8Array;
    target: { endpoint: string; keys: { p256dh: string; auth: string } };
    adminContact: string;
    ttl: number;
    topic?: string;
    urgency?: 'very-low' | 'low' | 'normal' | 'high';
  }): Promise<{ headers: Record<string, string>; body: ArrayBuffer; endpoint: string }>;
}
