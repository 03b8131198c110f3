/**
 * A stream's text in lines, a batch at a time: every line the stream's next piece ends
 * (node:readline hands them over one per promise, which cost ~6 % of opening a 1M-event
 * recording: its regex, its queue and a microtask turn a line; issue 13). A line ends at
 * "\n"; a "\r" before it is dropped, so CRLF files read as LF ones. The last line may end
 * without one. Multi-byte characters split between pieces decode whole (StringDecoder).
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export class LineBatches {
  private readonly pieces: AsyncIterator<Buffer | string>;
  private readonly decoder = new StringDecoder('utf8');
  /** The text after the last line end seen, not yet a whole line. */
  private partial = '';
  private ended = false;

  constructor(input: Readable) {
    this.pieces = (input as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  }

  /** The next lines (never an empty batch), or null once the stream has ended. Rejects with the stream's error. */
  async next(): Promise<string[] | null> {
    while (!this.ended) {
      const piece = await this.pieces.next();
      if (piece.done === true) {
        this.ended = true;
        const rest = this.partial + this.decoder.end();
        this.partial = '';
        return rest === '' ? null : [trimCr(rest)];
      }
      const text =
        this.partial +
        (typeof piece.value === 'string' ? piece.value : this.decoder.write(piece.value));
      const lines = text.split('\n');
      this.partial = lines.pop()!;
      if (lines.length === 0) continue;
      for (let i = 0; i < lines.length; i++) lines[i] = trimCr(lines[i]!);
      return lines;
    }
    return null;
  }
}

function trimCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
