/**
 * Flag parsing helpers: a bad flag value ends the program with one line that names the flag,
 * the value and what is allowed (exit code 2), never a stack trace.
 */
import { InvalidArgumentError } from 'commander';
import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { PROFILES, URGENCIES, type Profile, type Urgency } from '../../shared/events';
import { parseUrgency } from '../engine/push/http';
import { SEED_NUMBER_MAX } from '../../shared/commands';

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

/** A share from 0 to 1 (`--battery 0.15`). */
export function parseShare(value: string): number {
  const n = Number(value);
  if (!/^(0|1|0?\.\d+|1\.0+)$/.test(value) || n < 0 || n > 1) {
    throw new InvalidArgumentError(`got "${value}"; allowed a number from 0 to 1`);
  }
  return n;
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

/**
 * `--seed`: a number is the Rng's 32-bit seed, anything else a text seed. Something that
 * reads as a number but is not one the Rng takes (1e400, 1.5, -1, 2^32) is refused rather
 * than quietly used as text.
 */
export function parseSeed(value: string): number | string {
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(value)) {
    if (value.length > 200)
      throw new CliError(`--seed: ${value.length} characters; allowed at most 200`, 2);
    return value;
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0 || n > SEED_NUMBER_MAX) {
    const why = Number.isInteger(n) ? 'out of range' : 'not a finite integer';
    throw new CliError(`--seed: ${value} is ${why}; allowed 0 … 2^32-1 (${SEED_NUMBER_MAX})`, 2);
  }
  return n;
}

/**
 * Checks, before a run starts, that every output path can be written: not a directory, in
 * a directory that exists and is writable, not one of the inputs, not another output.
 * Throws a CliError (exit 2) naming the flag and the path.
 */
export async function checkOutputPaths(
  outputs: Record<string, string | undefined>,
  inputs: readonly string[],
): Promise<void> {
  const real = async (file: string): Promise<string> =>
    realpath(file).catch(() => path.resolve(file));
  const taken = new Map<string, string>();
  for (const input of inputs) taken.set(await real(input), 'the input file');
  for (const [flag, file] of Object.entries(outputs)) {
    if (file === undefined) continue;
    const refuse = (why: string): CliError => new CliError(`${flag}: ${file}: ${why}`, 2);
    const info = await stat(file).catch(() => null);
    if (info?.isDirectory()) throw refuse('is a directory; give a file path');
    const dir = path.dirname(path.resolve(file));
    const dirInfo = await stat(dir).catch(() => null);
    if (dirInfo === null) throw refuse(`its directory ${dir} does not exist`);
    if (!dirInfo.isDirectory()) throw refuse(`${dir} is not a directory`);
    const writable = async (target: string): Promise<boolean> =>
      access(target, constants.W_OK).then(
        () => true,
        () => false,
      );
    if (info !== null && !(await writable(file))) throw refuse('exists and is not writable');
    // A new file needs a writable directory; replacing one does too (reports are renamed in).
    if (!(await writable(dir))) throw refuse(`its directory ${dir} is not writable`);
    const key = await real(file);
    const other = taken.get(key);
    if (other !== undefined) throw refuse(`is also ${other}; give each output its own path`);
    taken.set(key, `the ${flag} file`);
  }
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

/** `--urgency`: RFC 8030 §5.3's four values, judged by the service's own parser. */
export function parseUrgencyFlag(value: string): Urgency {
  const parsed = parseUrgency({ urgency: value });
  if (!parsed.ok || parsed.value !== value)
    throw new InvalidArgumentError(`got "${value}"; allowed ${URGENCIES.join(', ')}`);
  return parsed.value;
}
