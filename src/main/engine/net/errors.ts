/**
 * Stable error codes for the net module. Callers branch on `code`; `problems` lists every
 * problem found as `path.to.field: what is wrong (got X, allowed Y)`.
 */
import { LabError } from '../errors';

export const NET_ERROR_CODES = {
  /** A fault spec (or a change to one) is invalid; the link kept its previous faults. */
  BAD_FAULT: 'ERR_NET_BAD_FAULT',
  /** No fault of that name on this link. */
  UNKNOWN_FAULT: 'ERR_NET_UNKNOWN_FAULT',
  /** No link of that id in what is shown. */
  UNKNOWN_LINK: 'ERR_NET_UNKNOWN_LINK',
  /** No network preset of that name. */
  UNKNOWN_PRESET: 'ERR_NET_UNKNOWN_PRESET',
  /** resources/network-presets.json does not match its schema. */
  BAD_PRESETS: 'ERR_NET_BAD_PRESETS',
  /** Link options out of range. */
  BAD_OPTIONS: 'ERR_NET_BAD_OPTIONS',
  /** The link has been closed. */
  LINK_CLOSED: 'ERR_NET_LINK_CLOSED',
} as const;

export type NetErrorCode = (typeof NET_ERROR_CODES)[keyof typeof NET_ERROR_CODES];

/** The one error type thrown by src/main/engine/net. */
export class NetError extends LabError {
  override readonly name = 'NetError';
  declare readonly code: NetErrorCode;
  readonly problems: readonly string[];

  constructor(code: NetErrorCode, problems: string | readonly string[]) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(code, list.join('; '));
    this.problems = list;
  }
}
