/**
 * The files the engine may touch, and nothing else. Scenarios live in a workspace folder,
 * recordings in the data directory's recordings folder, and the bundled examples may be
 * read. A file the user chose outside them — named on the command line, or picked in an
 * Electron dialog — is held here behind an opaque handle (`@<128 random bits>/<name>`): the
 * UI refers to it by handle, so no path a client sends is ever trusted as such.
 *
 * Paths are resolved with realpath before the check: `..` and symlinks that lead out of the
 * folders are refused like any other outside path.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { BoundedMap } from '../bounded-map';
import { errorCode, FileError, followLinks } from './atomic-write';
import { LabError } from '../errors';

/** Files the user chose that one process remembers (oldest forgotten first). */
export const FILE_HANDLES_MAX = 1_000;
/** Random bits in a handle: a capability, not a counter. */
const HANDLE_BYTES = 16;

/** A scenario resolves a bare name in the workspace, a recording in the recordings folder. */
export type FileKind = 'scenario' | 'recording';

export interface FileFolders {
  /** Scenarios: read and written. */
  workspace: string;
  /** Recordings: read and written. */
  recordings: string;
  /** The bundled examples: read only. */
  examples: string;
}

/** A path refused because it is outside the folders (or an unknown handle). */
export class FileAccessError extends LabError {
  override readonly name = 'FileAccessError';
  declare readonly code: 'ERR_PATH_REFUSED';

  constructor(message: string, options?: ErrorOptions) {
    super('ERR_PATH_REFUSED', message, options);
  }
}

const HANDLE = /^@([A-Za-z0-9_-]{22})\//;

export class FileAccess {
  private readonly handles = new BoundedMap<string, string>(FILE_HANDLES_MAX);

  constructor(readonly folders: FileFolders) {}

  /** Creates the workspace and recordings folders. */
  async prepare(): Promise<void> {
    for (const [what, dir] of [
      ['workspace', this.folders.workspace],
      ['recordings folder', this.folders.recordings],
    ] as const) {
      try {
        await mkdir(dir, { recursive: true });
      } catch (error) {
        throw new FileAccessError(`cannot create the ${what} ${dir} (${errorCode(error)})`, {
          cause: error,
        });
      }
    }
  }

  /** Holds a file the user chose (command line, native dialog); returns its handle. */
  register(file: string): string {
    const absolute = path.resolve(file);
    const handle = `@${randomBytes(HANDLE_BYTES).toString('base64url')}/${path.basename(absolute)}`;
    this.handles.set(handle, absolute);
    return handle;
  }

  isHandle(ref: string): boolean {
    return HANDLE.test(ref);
  }

  /** Whether `ref` is a handle this process still holds. */
  knows(ref: string): boolean {
    return this.handles.get(ref) !== undefined;
  }

  /**
   * The real path `ref` names, if the engine may read (or write) it: a handle, a name
   * relative to the kind's folder, or an absolute path inside one of the folders. For a
   * write the file may not exist yet; an existing symlink is followed to its target.
   */
  async resolve(ref: string, kind: FileKind, access: 'read' | 'write'): Promise<string> {
    if (ref.includes('\0')) throw this.refusal(ref, access);
    if (ref.startsWith('@')) {
      const held = this.handles.get(ref);
      if (held === undefined) {
        throw new FileAccessError(
          `${ref}: not a file this session was given (handles last while Push Lab runs); open the file again`,
        );
      }
      return held;
    }
    const home = kind === 'scenario' ? this.folders.workspace : this.folders.recordings;
    const candidate = path.resolve(home, ref);
    const roots = await this.roots(access);
    let real: string;
    try {
      real = access === 'read' ? await realpath(candidate) : await followLinks(candidate);
    } catch (error) {
      // Say "outside" before saying "missing": no probing for files elsewhere.
      if (!roots.some((root) => inside(candidate, root))) throw this.refusal(ref, access);
      throw new FileError('ERR_FILE_IO', `${ref}: cannot ${access} it (${errorCode(error)})`, {
        cause: error,
      });
    }
    if (!roots.some((root) => inside(real, root))) throw this.refusal(ref, access);
    return real;
  }

  /** What the UI should call a resolved file: its handle, or its name in the kind's folder. */
  async nameFor(ref: string, real: string, kind: FileKind): Promise<string> {
    if (ref.startsWith('@')) return ref;
    const home = await realOrSelf(
      kind === 'scenario' ? this.folders.workspace : this.folders.recordings,
    );
    return inside(real, home) ? path.relative(home, real) : real;
  }

  private async roots(access: 'read' | 'write'): Promise<string[]> {
    const { workspace, recordings, examples } = this.folders;
    const dirs = access === 'read' ? [workspace, recordings, examples] : [workspace, recordings];
    return Promise.all(dirs.map(realOrSelf));
  }

  private refusal(ref: string, access: 'read' | 'write'): FileAccessError {
    const { workspace, recordings, examples } = this.folders;
    return new FileAccessError(
      `${JSON.stringify(ref)} is outside the folders Push Lab may ${access === 'read' ? 'read' : 'write'}: ` +
        `the workspace ${workspace}, the recordings folder ${recordings}` +
        (access === 'read' ? ` and the examples ${examples}` : '') +
        ' (a file named on the command line or chosen in a dialog is allowed too)',
    );
  }
}

function inside(file: string, root: string): boolean {
  const relative = path.relative(root, file);
  return (
    relative !== '' &&
    relative !== '..' &&
    !relative.startsWith(`..${path.sep}`) &&
    !path.isAbsolute(relative)
  );
}

async function realOrSelf(dir: string): Promise<string> {
  try {
    return await realpath(dir);
  } catch {
    return path.resolve(dir);
  }
}
