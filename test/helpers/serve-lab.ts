/** A ServeLab as `push-lab serve --h2c` on a free loopback port makes it, less what a test changes. */
import type { ServeLabOptions } from '../../src/main/engine/serve/serve-lab';

export function serveLabOptions(patch: Partial<ServeLabOptions> = {}): ServeLabOptions {
  return {
    host: '127.0.0.1',
    port: 0,
    profile: 'rfc8030',
    tls: null,
    limits: {},
    subscriptions: 1,
    power: { battery: 1, charging: true, wifi: true },
    ...patch,
  };
}
