export const root: string;
export const cliPath: string;
export function buildOrExit(): void;
export function runForwarding(command: string, args: string[]): void;
