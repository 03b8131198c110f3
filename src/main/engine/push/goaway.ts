/**
 * A client's graceful GOAWAY, taken without node:http2 closing the server's session from
 * inside its receive callback — the cause of `serve`'s native aborts under load.
 *
 * On a GOAWAY with NO_ERROR, node (20.x, lib/internal/http2/core.js `onGoawayData`) calls
 * `session.close()` at once, while nghttp2 is still parsing the read that carried it. close()
 * marks the session closed and queues the server's own GOAWAY (its last stream id the last
 * stream processed so far). A request's HEADERS later in the same read then reach
 * `onSessionHeaders`, which refuses the new stream because the session is closed:
 * `rstStream(REFUSED_STREAM)`. For any code but CANCEL node sends the reset at once
 * (`Http2Stream::SubmitRstStream` → `SendPendingData`), re-entering `nghttp2_session_mem_send`
 * from inside `nghttp2_session_mem_recv`: the reset goes out (the queued GOAWAY with it),
 * nghttp2 closes and frees the refused stream, and the outer parse, still on that stream's
 * HEADERS, goes on with the freed memory. glibc notices later (`corrupted size vs.
 * prev_size`, often in the free after `Http2Stream::Destroy`); valgrind shows the read after
 * free (bench/results-parts/h2abort2.md). A client sends GOAWAY and then HEADERS it had
 * already queued when it closes with a request still unsent (a user agent stopping while its
 * last acknowledgement is on its way: nghttp2 sends GOAWAY ahead of new streams); through a
 * Link the two arrive in one read. The re-entry is the one nodejs/node#65093 fixes (undici
 * skips its churn test until a release has it); Node 20.20.2 has it.
 *
 * The narrowest way around it from here: take that one close() out of the parse. It runs a
 * turn later (setImmediate: a real loop turn), once the read that carried the GOAWAY has been
 * parsed whole, so the requests behind the GOAWAY are answered as usual and the session then
 * closes as node meant it to. Pushes stop at the GOAWAY all the same: `peerWentAway` tells
 * the monitors, as `closed` did. What is left: a request in a *later* read that lands before
 * serve's GOAWAY is written (the turn after) is still refused inside the parse; a client's
 * HEADERS queued behind its GOAWAY leave in the same write, so that needs a Link that splits
 * them across reads.
 */
import http2, { type Http2Session } from 'node:http2';

const wentAway = new WeakSet<Http2Session>();

/** Closes `session` a turn after its peer's GOAWAY(NO_ERROR), not inside the parse; see above. */
export function closeAfterPeerGoaway(session: Http2Session): void {
  // 'goaway' is emitted just before node's own `session.close()` call (onGoawayData): an own
  // `close` that removes itself takes that one call and makes it node's again, a turn later.
  const closeNextTurn = (): void => {
    delete (session as Partial<Pick<Http2Session, 'close'>>).close;
    // A real event-loop turn, not lab time: a virtual clock may stand still while the peer
    // waits for this close (driver.ts yields the same way).
    // eslint-disable-next-line no-restricted-globals -- yielding to I/O, not timing anything
    setImmediate(() => session.close());
  };
  session.on('goaway', (code: number) => {
    if (code !== http2.constants.NGHTTP2_NO_ERROR) return; // node destroys: nothing re-enters
    wentAway.add(session);
    (session as { close: Http2Session['close'] }).close = closeNextTurn;
  });
}

/** True once the peer sent a graceful GOAWAY: no new pushes on this session. */
export function peerWentAway(session: Http2Session): boolean {
  return wentAway.has(session);
}
