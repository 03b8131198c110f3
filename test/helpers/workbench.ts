/** A Workbench for each test, and running commands on it as a host would. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { parseCommand, type Command } from '../../src/shared/commands';
import { decodeResult, encodeResult } from '../../src/shared/model';
import type { Result } from '../../src/shared/result';
import { Workbench } from '../../src/main/engine/workbench/workbench';

export const examplesDir = path.resolve('resources/scenarios');

/**
 * Starts a Workbench in a fresh data directory before each test and stops and removes it
 * after; `use` receives each test's bench and directory.
 */
export function workbenchPerTest(
  prefix: string,
  use: (bench: Workbench, dir: string) => void,
): void {
  let current: { bench: Workbench; dir: string } | null = null;
  beforeEach(async () => {
    const dir = await mkdtemp(path.join(tmpdir(), prefix));
    const bench = new Workbench({ dataDir: dir, examplesDir });
    await bench.start();
    current = { bench, dir };
    use(bench, dir);
  });
  afterEach(async () => {
    if (!current) return;
    const { bench, dir } = current;
    current = null;
    await bench.stop();
    await rm(dir, { recursive: true, force: true });
  });
}

/** A command's value; throws naming the command and its error. */
export async function commandValue<T>(bench: Workbench, command: Command): Promise<T> {
  const result = await bench.execute(command);
  if (!result.ok) throw new Error(`${command.type}: ${result.error.message}`);
  return result.value as T;
}

/**
 * Runs a command as a host does: parsed first (a malformed one is answered, not thrown); the
 * answer as a client reads it (a model or a seek's answer made again from its wire form).
 */
export async function hostCall(
  bench: Workbench,
  input: Record<string, unknown>,
): Promise<Result<unknown>> {
  const parsed = parseCommand(input);
  if (!parsed.ok) return parsed;
  const { type } = parsed.value;
  return decodeResult(type, encodeResult(type, await bench.execute(parsed.value as Command)));
}
