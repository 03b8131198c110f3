/** Reads a shared RFC vector file: ../shared/vectors beside the repo, else $PUSH_LAB_SHARED. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function loadVectors(name: string): unknown {
  const candidates = [fileURLToPath(new URL(`../../../shared/vectors/${name}`, import.meta.url))];
  if (process.env['PUSH_LAB_SHARED'])
    candidates.push(join(process.env['PUSH_LAB_SHARED'], 'vectors', name));
  const path = candidates.find((candidate) => existsSync(candidate));
  if (path === undefined)
    throw new Error(`vector file ${name} not found in ${candidates.join(', ')}`);
  return JSON.parse(readFileSync(path, 'utf8'));
}
