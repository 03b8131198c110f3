/**
 * The Electron shell's security decisions (src/main/electron/policy.ts), under node: the
 * dev-renderer origin compared exactly and ignored when packaged, the openExternal
 * allow-list, the app's arguments, and the renderer's CSP.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  devRendererUrl,
  isAllowedExternal,
  ownFrameCheck,
  parseAppArgs,
} from '../../../src/main/electron/policy';

const rendererFile = path.resolve('out/renderer/index.html');

describe('own frame', () => {
  it('compares the dev server origin exactly: a longer host or another port is not ours', () => {
    const isOwn = ownFrameCheck({ devUrl: 'http://localhost:5173/', rendererFile });
    expect(isOwn('http://localhost:5173/')).toBe(true);
    expect(isOwn('http://localhost:5173/src/main.tsx?x=1#y')).toBe(true);
    for (const url of [
      'http://localhost:5173.evil.com/',
      'http://localhost:51730/',
      'https://localhost:5173/',
      'http://localhost:5173@evil.com/',
      'http://127.0.0.1:5173/',
      'file:///etc/passwd',
      'not a url',
    ]) {
      expect(isOwn(url), url).toBe(false);
    }
  });

  it('ignores ELECTRON_RENDERER_URL in a packaged app, and anything but http(s)', () => {
    expect(devRendererUrl('http://localhost:5173', false)).toBe('http://localhost:5173/');
    expect(devRendererUrl('http://localhost:5173', true)).toBeNull();
    expect(devRendererUrl('file:///tmp/evil.html', false)).toBeNull();
    expect(devRendererUrl('::', false)).toBeNull();
    expect(devRendererUrl(undefined, false)).toBeNull();
  });

  it('without a dev server, only the built index.html is ours', () => {
    const isOwn = ownFrameCheck({ devUrl: null, rendererFile });
    const own = pathToFileURL(rendererFile).href;
    expect(isOwn(own)).toBe(true);
    expect(isOwn(`${own}?view=log#top`)).toBe(true);
    expect(isOwn(pathToFileURL(path.resolve('out/renderer/other.html')).href)).toBe(false);
    expect(isOwn('http://localhost:5173/')).toBe(false);
  });
});

describe('openExternal allow-list', () => {
  it('opens only https links to the specifications’ sites', () => {
    expect(isAllowedExternal('https://www.rfc-editor.org/rfc/rfc8030')).toBe(true);
    expect(isAllowedExternal('https://datatracker.ietf.org/doc/html/rfc8291')).toBe(true);
    for (const url of [
      'https://evil.example/',
      'http://www.rfc-editor.org/rfc/rfc8030',
      'https://www.rfc-editor.org.evil.example/',
      'https://user:pw@www.rfc-editor.org/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      '',
    ]) {
      expect(isAllowedExternal(url), url).toBe(false);
    }
  });
});

describe('app arguments', () => {
  it('reads a file and --workspace in both spellings', () => {
    expect(parseAppArgs(['.', 'a.yaml'])).toEqual({ file: 'a.yaml', workspace: null });
    expect(parseAppArgs(['--workspace', '/w', 'a.yaml'])).toEqual({
      file: 'a.yaml',
      workspace: '/w',
    });
    expect(parseAppArgs(['--workspace=/w'])).toEqual({ file: null, workspace: '/w' });
    expect(parseAppArgs(['--inspect', 'x.gz'])).toEqual({ file: 'x.gz', workspace: null });
  });
});

describe('renderer CSP', () => {
  it('connects only to its own origin, and allows no base, form target or plugin', () => {
    const html = readFileSync('src/renderer/index.html', 'utf8');
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    const directives = new Map(
      csp.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values.join(' ')] as const;
      }),
    );
    expect(directives.get('connect-src')).toBe("'self'");
    expect(directives.get('base-uri')).toBe("'none'");
    expect(directives.get('form-action')).toBe("'none'");
    expect(directives.get('object-src')).toBe("'none'");
    expect(csp).not.toMatch(/\bws:|\bwss:|\*/);
  });
});
