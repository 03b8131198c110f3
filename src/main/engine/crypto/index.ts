// The crypto layer's public surface; callers outside crypto/ import from here only.
export * from './aesgcm';
export * from './base64url';
export * from './ece';
export * from './errors';
export * from './vapid';
export * from './webpush';
