/**
 * The Electron shell's security decisions, as plain functions (no Electron import) so they
 * are tested under node: which frame is our own renderer, which links may open in the
 * system browser, and what the command line asks for.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The dev server's URL (electron-vite sets ELECTRON_RENDERER_URL), or null. A packaged app
 * always loads its own files: the variable could otherwise point it at any server.
 */
export function devRendererUrl(env: string | undefined, isPackaged: boolean): string | null {
  if (isPackaged || !env) return null;
  try {
    const url = new URL(env);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * Whether `url` is our own renderer: exactly the dev server's origin, or exactly the built
 * index.html (query and fragment aside). A prefix test would let
 * `http://localhost:5173.evil.com` pass for `http://localhost:5173`.
 */
export function ownFrameCheck(options: {
  devUrl: string | null;
  rendererFile: string;
}): (url: string) => boolean {
  const { devUrl, rendererFile } = options;
  return (url) => {
    try {
      const parsed = new URL(url);
      if (devUrl !== null) return parsed.origin === new URL(devUrl).origin;
      if (parsed.protocol !== 'file:') return false;
      parsed.search = '';
      parsed.hash = '';
      return path.resolve(fileURLToPath(parsed)) === path.resolve(rendererFile);
    } catch {
      return false;
    }
  };
}

/**
 * Sites a link in the app may open in the system browser: the specifications Push Lab
 * implements. Anything else is refused (a page could otherwise open any URL).
 */
export const EXTERNAL_ORIGINS: readonly string[] = [
  'https://www.rfc-editor.org',
  'https://datatracker.ietf.org',
  'https://www.w3.org',
];

export function isAllowedExternal(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (
      parsed.protocol === 'https:' &&
      parsed.username === '' &&
      parsed.password === '' &&
      EXTERNAL_ORIGINS.includes(parsed.origin)
    );
  } catch {
    return false;
  }
}

export interface AppArgs {
  /** A scenario or recording to open (`npm start -- FILE`). */
  file: string | null;
  /** `--workspace DIR` (or `--workspace=DIR`): the folder scenarios live in. */
  workspace: string | null;
}

/** The app's own arguments (after Electron's and the app path). */
export function parseAppArgs(args: readonly string[]): AppArgs {
  let file: string | null = null;
  let workspace: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--workspace') {
      workspace = args[i + 1] ?? null;
      i++;
    } else if (arg.startsWith('--workspace=')) {
      workspace = arg.slice('--workspace='.length) || null;
    } else if (!arg.startsWith('-') && arg !== '.' && file === null) {
      file = arg;
    }
  }
  return { file, workspace };
}
