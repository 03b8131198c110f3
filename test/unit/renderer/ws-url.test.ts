import { describe, expect, it } from 'vitest';
import { defaultWsUrl } from '../../../src/renderer/src/bridge/ws-client';

describe('defaultWsUrl', () => {
  it('passes the page’s token on to the WebSocket (for browsers with cookies off)', () => {
    const token = 'ylwYiI1_x2X12L9d-abcdefghijklmnopqrstuvwxyz';
    expect(
      defaultWsUrl({ protocol: 'http:', host: '127.0.0.1:7171', search: `?token=${token}` }),
    ).toBe(`ws://127.0.0.1:7171/ws?token=${token}`);
  });

  it('asks for /ws alone when the page has no token (the cookie carries it)', () => {
    expect(defaultWsUrl({ protocol: 'http:', host: 'localhost:7171', search: '' })).toBe(
      'ws://localhost:7171/ws',
    );
    expect(defaultWsUrl({ protocol: 'https:', host: 'lab.example', search: '?x=1' })).toBe(
      'wss://lab.example/ws',
    );
  });

  it('encodes a token that is not base64url rather than breaking the URL', () => {
    expect(defaultWsUrl({ protocol: 'http:', host: 'h:1', search: '?token=a%26b%3Dc' })).toBe(
      'ws://h:1/ws?token=a%26b%3Dc',
    );
  });
});
