/**
 * Lines for a stream, written together at most every `delayMs`: `serve --json` prints several
 * lines for every message (its events and the message), and a write each cost more than
 * decrypting it (a system call, and a wake-up of whoever reads the pipe; ~20 % of serve's busy
 * time in bench:serve's profile). Once per event-loop turn was not enough: with decryption on
 * workers the loop turns often, with a few lines each. Held lines are bounded: past `bytesMax`
 * they are written at once, so a burst never grows the buffer; `flush` writes what is held (on
 * stop). 10 ms is far below what a person or a test waiting for a line notices.
 */
export const LINE_WRITER_BYTES_MAX = 64 * 1024;
export const LINE_WRITER_DELAY_MS = 10;

export interface LineWriter {
  /** Holds one line (a newline is added) for the next write. */
  line(text: string): void;
  /** Writes every held line now. */
  flush(): void;
}

export function lineWriter(
  write: (chunk: string) => unknown,
  bytesMax = LINE_WRITER_BYTES_MAX,
  delayMs = LINE_WRITER_DELAY_MS,
): LineWriter {
  let held: string[] = [];
  let heldChars = 0;
  let scheduled: NodeJS.Timeout | null = null;
  const flush = (): void => {
    if (scheduled) clearTimeout(scheduled);
    scheduled = null;
    if (held.length === 0) return;
    const chunk = held.join('');
    held = [];
    heldChars = 0;
    write(chunk);
  };
  return {
    line(text) {
      held.push(`${text}\n`);
      // Characters, not bytes: at most 3 bytes each in UTF-8, and a bound need not be exact.
      heldChars += text.length + 1;
      if (heldChars >= bytesMax) flush();
      else scheduled ??= setTimeout(flush, delayMs);
    },
    flush,
  };
}
