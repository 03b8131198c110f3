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
 * The narrowest way around it from here: skip that one close(). The session stays open; the
 * requests the client sent are answered as usual; the client, which said it is done, ends the
 * connection once its streams are over (a peer that never does is closed by the idle limit).
 * Pushes stop at once all the same: `peerWentAway` tells the monitors, as `closed` did.
 */
import http2, { type Http2Session } from 'node:http2';

const wentAway = new WeakSet<Http2Session>();

/** Keeps `session` open when its peer sends GOAWAY(NO_ERROR); see the module comment. */
export function keepOpenOnPeerGoaway(session: Http2Session): void {
  session.on('goaway', onGoaway);
}

/** True once the peer sent a graceful GOAWAY: no new pushes on this session. */
export function peerWentAway(session: Http2Session): boolean {
  return wentAway.has(session);
}

// 'goaway' is emitted just before node's own `session.close()` call (onGoawayData): an own
// `close` that removes itself takes that one call; every later close() is node's again.
function onGoaway(this: Http2Session, code: number): void {
  if (code !== http2.constants.NGHTTP2_NO_ERROR) return; // node destroys: nothing re-enters
  wentAway.add(this);
  (this as { close: Http2Session['close'] }).close = skipOnce;
}

function skipOnce(this: Http2Session): void {
  delete (this as Partial<Pick<Http2Session, 'close'>>).close;
}
