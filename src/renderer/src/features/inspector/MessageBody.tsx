/**
 * The inspector's body section: what the push service received (its headers and the body in
 * hex: RFC 8291 ciphertext, or draft-damaggio's JSON envelope around it) and the plaintext,
 * read by the engine as the holder's user agent reads it (the profile's decoding, then its
 * keys). Asked for once per message; a recording or a forgotten message says why there is
 * no body.
 */
import { Fragment, useEffect, useState } from 'react';
import type { MessageDetail } from '../../../../shared/workbench';
import { formatBytes } from '../../../../shared/format';
import { selectActions, useLab } from '../../store';
import { HexDump } from './HexDump';
import { ttlText } from './story';

type Loaded = { detail: MessageDetail } | { problem: string } | null;

export function MessageBody({ messageId }: { messageId: string }) {
  const { call } = useLab(selectActions);
  const [loaded, setLoaded] = useState<Loaded>(null);
  useEffect(() => {
    let alive = true;
    setLoaded(null);
    void call({ type: 'message', messageId }).then((result) => {
      if (!alive) return;
      setLoaded(result.ok ? { detail: result.value } : { problem: result.error.message });
    });
    return () => {
      alive = false;
    };
  }, [call, messageId]);

  if (loaded === null) return <p className="muted inspector-note">Fetching the body…</p>;
  if ('problem' in loaded) {
    return (
      <p className="muted inspector-note" data-testid="inspector-body-missing">
        Body not available: {loaded.problem}.
      </p>
    );
  }
  const d = loaded.detail;
  return (
    <section className="inspector-body" data-testid="inspector-body" data-decryption={d.decryption}>
      <h3>As received</h3>
      <dl className="inspector-summary inspector-facts">
        <dt>TTL asked</dt>
        <dd>{ttlText(d.ttlRequestedSeconds)}</dd>
        {Object.entries(d.contentHeaders).map(([name, value]) => (
          <Fragment key={name}>
            <dt>{name}</dt>
            <dd>
              <code title={value}>{value}</code>
            </dd>
          </Fragment>
        ))}
        <dt>Body</dt>
        <dd>{formatBytes(d.bytes)}</dd>
      </dl>
      <HexDump hex={d.bodyHex} />
      <h3>Decrypted{d.holderId ? ` with ${d.holderId}'s keys` : ''}</h3>
      {d.plaintext !== null ? (
        <pre className="inspector-plaintext" data-testid="inspector-plaintext">
          {d.plaintext}
        </pre>
      ) : (
        <p className="muted">
          {d.decryption === 'failed' ? 'Decryption failed' : 'Not decrypted'}
          {d.note ? `: ${d.note}` : ''}.
        </p>
      )}
    </section>
  );
}
