import { createContext } from 'react';

/**
 * Agents a message travelled to or from in the last second, for the node components (so the
 * node array itself stays stable while traffic animates).
 */
export const TrafficContext = createContext<ReadonlySet<string>>(new Set());
