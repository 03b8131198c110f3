/**
 * Flag parsing helpers: a bad flag value ends the program with one line that names the flag,
 * the value and what is allowed (exit code 2), never a stack trace.
 */
import { InvalidArgumentError } from 'commander';
import { PROFILES, type Profile } from '../../shared/events';

export function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new InvalidArgumentError(`got "${value}"; allowed 0 (any free port) to 65535`);
  }
  return Number(value);
}

export function parseProfile(value: string): Profile {
  if (!(PROFILES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`got "${value}"; allowed ${PROFILES.join(', ')}`);
  }
  return value as Profile;
}

export function parseCount(max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) > max) {
      throw new InvalidArgumentError(`got "${value}"; allowed a whole number from 0 to ${max}`);
    }
    return Number(value);
  };
}

export function parseSpeed(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n < 1 || n > 1000) {
    throw new InvalidArgumentError(`got "${value}"; allowed a number from 1 to 1000`);
  }
  return n;
}

export function parseSeconds(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 2 ** 31) {
    throw new InvalidArgumentError(`got "${value}"; allowed whole seconds from 1 to 2147483648`);
  }
  return Number(value);
}

/** A user-facing failure: printed as one line, exit code `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Turns a listen error into a sentence a person can act on. */
export function listenError(error: unknown, host: string, port: number, flag = '--port'): CliError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new CliError(
      `port ${port} on ${host} is already in use; choose another with ${flag} PORT, or ${flag} 0 for any free port`,
    );
  }
  if (code === 'EACCES') {
    return new CliError(
      `not allowed to listen on ${host}:${port}; choose a port above 1023 with ${flag}`,
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new CliError(
      `cannot listen on host "${host}": no such local address; try --host 127.0.0.1`,
    );
  }
  return new CliError(`cannot listen on ${host}:${port}: ${(error as Error).message}`);
}
