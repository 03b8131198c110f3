/**
 * Files the desktop asks the app to open: the command line at launch, a second launch's
 * command line (Windows and Linux start a new process on a double-click; it hands its argv to
 * the running app and quits), and macOS's `open-file` event (which can fire before the app is
 * ready). All of them go through one queue into the one open path
 * (engine/workbench/open-file.ts), so paths stay in the main process: the page only sees the
 * show that opened. Plain functions and a class, no Electron import, so they are tested under
 * node.
 */
import path from 'node:path';
import { parseAppArgs } from './policy';

/** Files waiting to open at most (a flood of double-clicks is not a crash: the rest are refused). */
export const OPEN_QUEUE_COUNT_MAX = 16;

/**
 * The file a command line names, absolute (resolved against `cwd`, the launching shell's
 * folder), or null. `argv` is the whole process.argv: a packaged app's arguments start after
 * the executable, an unpackaged one's after `electron` and the app path.
 */
export function fileFromArgv(
  argv: readonly string[],
  isPackaged: boolean,
  cwd: string,
): string | null {
  const { file } = parseAppArgs(argv.slice(isPackaged ? 1 : 2));
  return file === null ? null : path.resolve(cwd, file);
}

/**
 * Opens files one at a time, in the order asked. Files asked for before `start` wait (macOS
 * sends `open-file` before `ready`); a problem opening one is reported as its sentence.
 */
export class FileOpenQueue {
  private readonly pending: string[] = [];
  private open: ((file: string) => Promise<string | null>) | null = null;
  private draining = false;

  constructor(private readonly report: (problem: string) => void) {}

  /** Asks for `file` to open (now, or once started). */
  add(file: string): void {
    if (this.pending.length >= OPEN_QUEUE_COUNT_MAX) {
      this.report(
        `${file} was not opened: ${OPEN_QUEUE_COUNT_MAX} files are already waiting to open.`,
      );
      return;
    }
    this.pending.push(file);
    void this.drain();
  }

  /** The app is ready: opens what waited, then each file as it comes. */
  start(open: (file: string) => Promise<string | null>): Promise<void> {
    this.open = open;
    return this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining || this.open === null) return;
    this.draining = true;
    try {
      for (let file = this.pending.shift(); file !== undefined; file = this.pending.shift()) {
        try {
          const problem = await this.open(file);
          if (problem) this.report(problem);
        } catch (error) {
          this.report(`${file} could not be opened: ${(error as Error).message}`);
        }
      }
    } finally {
      this.draining = false;
    }
  }
}
