import { createContext } from 'react';
import { EMPTY_LIVE, type LiveState } from './live';

export interface LiveDecorations {
  live: LiveState;
  /** Agents a message travelled to or from in the last second. */
  traffic: ReadonlySet<string>;
}

/** Live decorations for the node components (so the node array itself stays stable). */
export const LiveContext = createContext<LiveDecorations>({ live: EMPTY_LIVE, traffic: new Set() });
