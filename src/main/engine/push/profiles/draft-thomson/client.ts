/**
 * draft-thomson's client side (early 2015): register once, subscribe through the
 * registration, monitor the registration with one GET, PUT to send, no acknowledgement.
 * The draft has no TTL, urgency, topic, receipt or VAPID: a send carries only the body
 * (encrypted as in RFC 8291, `Content-Encoding: aes128gcm`, as the Push API later did); the
 * directives are dropped without error, because the profile cannot express them.
 */
import { REL_PUSH } from '../../http';
import {
  type ClientProfile,
  ClientProfileError,
  linkOf,
  locationOf,
  pathOf,
  rawDecode,
  refused,
} from '../client-common';
import { REL_REG, REL_SUB } from './server';

export const draftThomsonClient: ClientProfile = {
  name: 'draft-thomson',
  register(ctx) {
    return {
      // §A1: POST to the push service's URL; no body is defined.
      request: { method: 'POST', path: ctx.subscribePath, headers: {} },
      read(answer) {
        const url = locationOf(answer.headers, ctx.serviceUrl);
        const subscribeUrl = linkOf(answer.headers, REL_SUB, ctx.serviceUrl);
        if (answer.status !== 201 || !url || !subscribeUrl) {
          throw refused('register', answer, `201 with a Location and Link rel="${REL_SUB}"`);
        }
        return { url: linkOf(answer.headers, REL_REG, ctx.serviceUrl) ?? url, subscribeUrl };
      },
    };
  },
  subscribe(ctx) {
    const registration = ctx.registration;
    if (!registration) {
      throw new ClientProfileError(
        'subscribe: draft-thomson subscribes through a registration; register first',
      );
    }
    return {
      // §A2: POST to the registration's subscribe resource.
      request: { method: 'POST', path: pathOf(registration.subscribeUrl), headers: {} },
      read(answer) {
        const location = locationOf(answer.headers, ctx.serviceUrl);
        if (answer.status !== 201 || !location) {
          throw refused('subscribe', answer, '201 with a Location');
        }
        // One URI for both sides: the UA monitors through its registration, the AS PUTs here.
        const pushUrl = linkOf(answer.headers, REL_PUSH, ctx.serviceUrl) ?? location;
        return { url: location, pushUrl, setUrl: null, registrationUrl: registration.url };
      },
    };
  },
  monitorTargets(state) {
    // §A4: one GET on the registration aggregates every subscription made through it.
    const targets = new Set<string>();
    for (const s of state.subscriptions) targets.add(s.registrationUrl ?? s.url);
    return [...targets];
  },
  monitorHeaders: () => ({}),
  urgencyFilter: false,
  identifyPush(requestHeaders, _responseHeaders, ua) {
    // §A4: the promised :path is the subscription URI; it names no message.
    const promisedPath = String(requestHeaders[':path'] ?? '');
    const subscription = ua.subscriptions.find((s) => pathOf(s.url) === promisedPath) ?? null;
    return { promisedPath, messagePath: null, subscription };
  },
  acks: false,
  decode: rawDecode,
  vapid: false,
  buildSend(m) {
    // §A3: PUT the body; TTL, urgency, topic and receipts are not expressible and dropped.
    return {
      method: 'PUT',
      // The query is part of a real endpoint's capability (WNS's `?token=`); ours have none.
      path: m.url.pathname + m.url.search,
      headers: { ...m.contentHeaders, ...m.extraHeaders },
      body: m.body,
    };
  },
  readSendAnswer: (status) => ({ accepted: status === 200, messagePath: null, receiptUrl: null }),
  receipts: 'none',
};
