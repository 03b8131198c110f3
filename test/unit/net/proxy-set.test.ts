/**
 * ProxySet's answers and bounds, on proxies made disabled (no sockets): what the Toxiproxy API
 * says for each body, and that every limit is said, not crashed into.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/main/engine/clock/virtual';
import { Rng } from '../../../src/main/engine/rng/rng';
import { FAULTS_MAX } from '../../../src/main/engine/net';
import {
  PROXIES_MAX,
  ProxySet,
  parseAddress,
  type ProxyEvent,
} from '../../../src/main/engine/net/proxy-set';

const make = () => {
  const events: ProxyEvent[] = [];
  const set = new ProxySet(new VirtualClock(), new Rng(1), (e) => events.push(e));
  return { set, events };
};
const off = (name: string) => ({ name, upstream: '127.0.0.1:9', enabled: false });

describe('ProxySet', () => {
  it('creates, shows, updates and deletes a proxy with Toxiproxy’s shapes, and says so', async () => {
    const { set, events } = make();
    const made = await set.create({ ...off('a'), listen: 'localhost:0' });
    expect(made).toEqual({
      ok: true,
      value: {
        name: 'a',
        listen: 'localhost:0',
        upstream: '127.0.0.1:9',
        enabled: false,
        toxics: [],
      },
    });
    const moved = await set.update('a', { upstream: 'example.test:443' });
    expect(moved.ok && moved.value.upstream).toBe('example.test:443');
    expect(await set.delete('a')).toEqual({ ok: true, value: null });
    expect(await set.get('a')).toEqual({
      ok: false,
      problem: { error: 'proxy not found', status: 404 },
    });
    expect(events.map((e) => e.kind === 'proxy' && e.change)).toEqual([
      'created',
      'updated',
      'deleted',
    ]);
    await set.close();
  });

  it('adds, changes and removes toxics on a proxy’s link; /reset removes them all', async () => {
    const { set, events } = make();
    await set.create(off('a'));
    const added = await set.addToxic('a', { type: 'latency', attributes: { latency: 50 } });
    expect(added.ok && added.value.name).toBe('latency_downstream');
    const changed = await set.updateToxic('a', 'latency_downstream', {
      attributes: { jitter: 5 },
    });
    expect(changed.ok && changed.value.attributes).toEqual({ latency: 50, jitter: 5 });
    const refused = await set.updateToxic('a', 'latency_downstream', {
      attributes: { latency: -1 },
    });
    expect(!refused.ok && refused.problem).toEqual({
      error: 'bad request body: attributes.latency: too small (got -1, allowed ≥ 0)',
      status: 400,
    });
    // The refused change left the toxic as it was.
    const kept = await set.toxic('a', 'latency_downstream');
    expect(kept.ok && kept.value.attributes).toEqual({ latency: 50, jitter: 5 });
    await set.reset();
    expect(await set.toxics('a')).toEqual({ ok: true, value: [] });
    expect(
      events.filter((e) => e.kind === 'fault').map((e) => e.kind === 'fault' && e.event.change),
    ).toEqual(['added', 'changed', 'removed']);
    await set.close();
  });

  it(`holds at most ${PROXIES_MAX} proxies and ${FAULTS_MAX} toxics each, and says so`, async () => {
    const { set } = make();
    for (let i = 0; i < PROXIES_MAX; i++) expect((await set.create(off(`p${i}`))).ok).toBe(true);
    const over = await set.create(off('one-more'));
    expect(!over.ok && over.problem).toEqual({
      error: `bad request body: too many proxies (allowed at most ${PROXIES_MAX}); delete one first`,
      status: 400,
    });
    for (let i = 0; i < FAULTS_MAX; i++) {
      const r = await set.addToxic('p0', { name: `t${i}`, type: 'latency' });
      expect(r.ok).toBe(true);
    }
    const tooMany = await set.addToxic('p0', { name: 'last', type: 'latency' });
    expect(!tooMany.ok && tooMany.problem.error).toBe(
      `bad request body: too many toxics on p0 (allowed at most ${FAULTS_MAX})`,
    );
    await set.close();
  });

  it('refuses bad proxy bodies naming the field, the value and what is allowed', async () => {
    const { set } = make();
    const problem = async (body: unknown) => {
      const r = await set.create(body);
      return r.ok ? null : r.problem.error;
    };
    expect(await problem(null)).toBe('bad request body: expected a JSON object (got null)');
    expect(await problem({ upstream: 'a:1' })).toBe('missing required field: name');
    expect(await problem({ name: 'x' })).toBe('missing required field: upstream');
    expect(await problem({ ...off('x'), enabled: 'yes' })).toBe(
      'bad request body: enabled: got "yes", allowed true or false',
    );
    expect(await problem({ ...off('../etc'), upstream: 'a:1' })).toMatch(
      /^bad request body: name: got "\.\.\/etc", allowed letters, digits/,
    );
    expect(await problem({ ...off('x'), listen: 'localhost' })).toBe(
      'bad request body: listen: got "localhost", allowed host:port with a port from 0 to 65535',
    );
    expect(await problem({ ...off('x'), upstream: 'a:0' })).toMatch(/upstream: got "a:0"/);
    expect(await problem({ ...off('x'), upsteam: 'a:1' })).toBe(
      'bad request body: unknown field upsteam (allowed name, listen, upstream, enabled)',
    );
    await set.create(off('x'));
    expect(await problem(off('x'))).toBe('proxy already exists');
    const rename = await set.update('x', { name: 'y' });
    expect(!rename.ok && rename.problem.error).toMatch(/name cannot change/);
    await set.close();
  });

  it('populates: makes new proxies, keeps an identical one, replaces a changed one', async () => {
    const { set, events } = make();
    await set.create({ ...off('same'), listen: 'localhost:1000' });
    await set.create({ ...off('moved'), listen: 'localhost:1001' });
    const result = await set.populate([
      { ...off('same'), listen: 'localhost:1000' },
      { ...off('moved'), listen: 'localhost:2001' },
      off('new'),
    ]);
    expect(result.problem).toBeUndefined();
    expect(result.proxies.map((p) => `${p.name} ${p.listen}`)).toEqual([
      'same localhost:1000',
      'moved localhost:2001',
      'new 127.0.0.1:0',
    ]);
    expect(events.map((e) => e.kind === 'proxy' && `${e.change} ${e.proxy.name}`)).toEqual([
      'created same',
      'created moved',
      'deleted moved',
      'created moved',
      'created new',
    ]);
    const missing = await set.populate([off('x'), { name: 'y' }]);
    expect(missing).toEqual({
      proxies: [],
      problem: { error: 'missing required field: upstream at proxy 2', status: 400 },
    });
    expect((await set.populate({})).problem?.error).toMatch(/expected a JSON array/);
    const many = Array.from({ length: PROXIES_MAX + 1 }, (_, i) => off(`m${i}`));
    expect((await set.populate(many)).problem?.error).toMatch(/allowed at most 64/);
    await set.close();
  });

  it('reads host:port, [v6]:port and :port (loopback, not every interface)', () => {
    expect(parseAddress('[::1]:8080', 'listen', 0)).toEqual({
      ok: true,
      value: { host: '::1', port: 8080 },
    });
    expect(parseAddress(':8474', 'listen', 0)).toEqual({
      ok: true,
      value: { host: '127.0.0.1', port: 8474 },
    });
    expect(parseAddress('host:65536', 'upstream', 1).ok).toBe(false);
    expect(parseAddress(`${'a'.repeat(254)}:1`, 'upstream', 1).ok).toBe(false);
    expect(parseAddress(42, 'upstream', 1).ok).toBe(false);
  });
});
