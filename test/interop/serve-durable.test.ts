/**
 * A durable serve's built-in user agents across a restart, in process: what a harness added
 * through serve's control API (`ServeLab.subscribe`, `unsubscribe`) is on the store's shelf
 * by the time the call answers, so a copy of the store taken at that moment (what a kill -9
 * leaves) brings back every subscription with its keys and its restriction, whichever agent
 * made it and however many `--subscriptions` the restart asks for.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import webpush from 'web-push';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENTS_FILE } from '../../src/main/engine/push/store/agents';
import { WAL_FILE } from '../../src/main/engine/push/store/wal';
import { ServeLab } from '../../src/main/engine/serve/serve-lab';
import { serveLabOptions } from '../helpers/serve-lab';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'push-lab-serve-durable-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The store as it is on disk now, without its lock: what a restart after kill -9 finds. */
function crashCopy(dir: string): string {
  const copy = tempDir();
  for (const file of [WAL_FILE, AGENTS_FILE])
    if (existsSync(path.join(dir, file))) copyFileSync(path.join(dir, file), path.join(copy, file));
  return copy;
}

async function serve(store: string, subscriptions: number): Promise<ServeLab> {
  const lab = new ServeLab(serveLabOptions({ subscriptions, store }));
  cleanups.push(() => lab.stop());
  await lab.start();
  return lab;
}

/** What a harness compares across the restart (endpoints move with the port). */
const kept = (lab: ServeLab) =>
  lab.subscriptions().map((view) => ({
    id: view.id,
    state: view.state,
    agent: view.agent,
    applicationServerKey: view.applicationServerKey,
    path: new URL(view.subscription.endpoint).pathname,
    keys: view.subscription.keys,
  }));

describe('a durable serve keeps what its control API added', () => {
  it('brings back every subscription the harness added, with its keys and restriction, past --subscriptions', async () => {
    const dir = tempDir();
    const a = await serve(dir, 1);
    const key = webpush.generateVAPIDKeys().publicKey;
    await a.subscribe({ applicationServerKey: key });
    await a.subscribe();
    const before = kept(a);
    expect(before.map((v) => v.applicationServerKey)).toEqual([null, key, null]);

    // The copy is taken the moment subscribe answered: nothing later wrote the shelf.
    const copy = crashCopy(dir);
    const b = await serve(copy, 1);
    expect(kept(b)).toEqual(before);
    // A restart asking for more makes only the difference.
    const c = await serve(crashCopy(copy), 4);
    expect(kept(c).slice(0, 3)).toEqual(before);
    expect(kept(c)).toHaveLength(4);
  });

  it('brings back the agent a harness added to a serve that started with none', async () => {
    const dir = tempDir();
    const a = await serve(dir, 0);
    expect(a.lab.userAgents).toHaveLength(0);
    await a.subscribe();
    const before = kept(a);
    expect(before).toMatchObject([{ agent: 'ua1', state: 'active' }]);

    const b = await serve(crashCopy(dir), 0);
    expect(kept(b)).toEqual(before);
    expect(b.lab.userAgents.map((ua) => ua.id)).toEqual(['ua1']);
  });

  it('an unsubscribed subscription leaves the shelf, private key and all, before unsubscribe answers', async () => {
    const dir = tempDir();
    const a = await serve(dir, 0);
    const one = await a.subscribe();
    const two = await a.subscribe();
    await a.unsubscribe(one.id!);
    const shelf = readFileSync(path.join(dir, AGENTS_FILE), 'utf8');
    expect(shelf).not.toContain(one.subscription.keys.auth);
    expect(shelf).toContain(two.subscription.keys.auth);

    const b = await serve(crashCopy(dir), 0);
    expect(kept(b).map((v) => v.id)).toEqual([two.id]);
  });
});
