/**
 * What the agents tell about a push service they reach but the lab does not run (a
 * scenario's external service): each fact is the agents' own evidence — a send and its
 * answer, a server push, an acknowledgement answered, a receipt. The scenario's witness
 * (scenario/witness.ts) turns these into the `message.*` events the lab's own service would
 * emit. An in-process service needs none: the agents then get no witness and behave exactly
 * as before.
 */
import type { Urgency } from '../../../shared/events';

/** An application server's send, as it leaves (before any answer). */
export interface WitnessedSend {
  senderId: string;
  /** Lab id of the target subscription, when known. */
  subscriptionId: string | null;
  pushUrl: string;
  /** The (encrypted) body sent: its digest names the message wherever a path does not. */
  body: Uint8Array;
  ttlSeconds: number;
  urgency: Urgency;
  topic: string | null;
  receipt: boolean;
}

/** What came back for one send. */
export interface WitnessedAnswer {
  status: number;
  /** Did the profile read it as accepted (RFC 8030: 201)? */
  accepted: boolean;
  /** The message's path (Location), when the profile names one. */
  messagePath: string | null;
  /** The TTL the service says it kept (the answer's `TTL` header), when it says. */
  ttlKeptSeconds: number | null;
}

/** A message a user agent received as a server push. */
export interface WitnessedPush {
  agentId: string;
  /** The push resource of the agent's subscription it arrived on. */
  pushUrl: string;
  /** The promised message path, when the profile names one. */
  messagePath: string | null;
  /** The payload as sent (after the profile's unwrapping, before decryption). */
  payload: Uint8Array;
  /** The lowest urgency the agent's monitor asked for. */
  urgencyMin: Urgency;
  /** Does the profile acknowledge? Without acks the push is the delivery. */
  acks: boolean;
}

export interface AgentWitness {
  /** A user agent made a subscription; returns its lab id. */
  subscribed(agentId: string, pushUrl: string): string;
  /** A send leaves; returns the handle `answered` takes. */
  sending(send: WitnessedSend): string;
  /** The answer to a send; returns the message's lab id when it was accepted. */
  answered(handle: string, answer: WitnessedAnswer): string | null;
  /** A server push arrived; returns what it names (null: nothing the lab sent). */
  pushed(push: WitnessedPush): { messageId: string; subscriptionId: string } | null;
  /** An acknowledgement (DELETE of the message path) was answered 204. */
  acked(messagePath: string): void;
  /** A receipt arrived, pushed on `messagePath`; returns the message's lab id. */
  receipt(messagePath: string, status: number): string | null;
}
