/**
 * RFC 8030's client side: subscribe (joining the agent's set), monitor the subscription or
 * its set with an urgency filter, acknowledge, send with TTL, urgency, topic, receipts and
 * RFC 8292 VAPID.
 */
import { REL_PUSH, REL_RECEIPT, REL_SET } from '../../http';
import {
  type ClientProfile,
  linkOf,
  locationOf,
  pathOf,
  rawDecode,
  refused,
} from '../client-common';

export const rfc8030Client: ClientProfile = {
  name: 'rfc8030',
  register: () => null,
  subscribe(ctx) {
    const headers: Record<string, string> = {};
    if (ctx.setUrl) headers['link'] = `<${pathOf(ctx.setUrl)}>; rel="${REL_SET}"`;
    // RFC 8292 §4: the key travels as a webpush-options body.
    const restrict = ctx.vapidKey ? Buffer.from(JSON.stringify({ vapid: ctx.vapidKey })) : null;
    if (restrict) headers['content-type'] = 'application/webpush-options+json';
    return {
      request: {
        method: 'POST',
        path: ctx.subscribePath,
        headers,
        ...(restrict ? { body: restrict } : {}),
      },
      read(answer) {
        const location = answer.headers['location'];
        const pushUrl = linkOf(answer.headers, REL_PUSH, ctx.serviceUrl);
        if (answer.status !== 201 || typeof location !== 'string' || !pushUrl) {
          throw refused('subscribe', answer, '');
        }
        return {
          url: new URL(location, ctx.serviceUrl).toString(),
          pushUrl,
          setUrl: linkOf(answer.headers, REL_SET, ctx.serviceUrl),
          registrationUrl: null,
        };
      },
    };
  },
  monitorTargets(state) {
    const set = state.subscriptions.find((s) => s.setUrl)?.setUrl;
    if (state.monitorSet && set) return [set];
    return state.subscriptions.map((s) => s.url);
  },
  monitorHeaders: (urgency): Record<string, string> => (urgency !== 'very-low' ? { urgency } : {}),
  urgencyFilter: true,
  identifyPush(requestHeaders, responseHeaders, ua) {
    const promisedPath = String(requestHeaders[':path'] ?? '');
    const pushUrl = linkOf(responseHeaders, REL_PUSH, ua.serviceUrl);
    // Without a push Link (or for an unknown one) the agent's first subscription takes it.
    const subscription =
      ua.subscriptions.find((s) => s.pushUrl === pushUrl) ?? ua.subscriptions[0] ?? null;
    return { promisedPath, messagePath: promisedPath, subscription };
  },
  acks: true,
  decode: rawDecode,
  vapid: true,
  buildSend(m) {
    const headers: Record<string, string> = {
      ttl: String(m.ttlSeconds),
      ...m.contentHeaders,
      ...m.authorization,
      ...m.extraHeaders,
    };
    if (m.urgency) headers['urgency'] = m.urgency;
    if (m.topic) headers['topic'] = m.topic;
    if (m.receipt) {
      headers['prefer'] = 'respond-async';
      if (m.receiptUrl) headers['link'] = `<${pathOf(m.receiptUrl)}>; rel="${REL_RECEIPT}"`;
    }
    // The query is part of a real endpoint's capability (WNS's `?token=`); ours have none.
    return { method: 'POST', path: m.url.pathname + m.url.search, headers, body: m.body };
  },
  readSendAnswer(status, headers, base) {
    const location = locationOf(headers, base);
    return {
      accepted: status === 201 || status === 202,
      messagePath: location ? pathOf(location) : null,
      // §5.1: a 202 answers `Prefer: respond-async`, with the receipt subscription's Link.
      receiptUrl: status === 202 ? linkOf(headers, REL_RECEIPT, base) : null,
    };
  },
  receipts: 'receipt-subscription',
};
