import { describe, expect, it } from 'vitest';
import { STAGES } from '../../../src/main/engine/net';
import {
  TOXIPROXY_TYPES,
  extraToxicTypes,
  faultFromText,
  specToToxic,
  toxicToSpec,
  toxicUpdate,
} from '../../../src/main/engine/net/toxics';
import type { FaultInfo } from '../../../src/main/engine/net/types';

const spec = (body: unknown) => {
  const r = toxicToSpec(body);
  if (!r.ok) throw new Error(r.problem.error);
  return r.value;
};
const problem = (body: unknown) => {
  const r = toxicToSpec(body);
  if (r.ok) throw new Error(`accepted ${JSON.stringify(body)}`);
  return r.problem;
};
const info = (body: unknown): FaultInfo => {
  const s = spec(body);
  return { name: s.name, spec: s, active: true };
};

describe('Toxiproxy toxic → fault spec', () => {
  it("maps each of Toxiproxy's toxics with its own attribute names and units", () => {
    expect(spec({ type: 'latency', attributes: { latency: 200, jitter: 20 } })).toMatchObject({
      type: 'latency',
      name: 'latency_downstream',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 200, jitter: 20 },
    });
    expect(spec({ type: 'bandwidth', attributes: { rate: 100 } }).attributes).toEqual({
      rate: 100,
    });
    expect(spec({ type: 'timeout', attributes: { timeout: 0 } }).attributes).toEqual({
      timeout: 0,
    });
    expect(spec({ type: 'reset_peer', attributes: { timeout: 500 } }).attributes).toEqual({
      timeout: 500,
    });
    expect(spec({ type: 'slow_close', attributes: { delay: 100 } }).attributes).toEqual({
      delay: 100,
    });
    expect(
      spec({ type: 'slicer', attributes: { average_size: 64, size_variation: 8, delay: 10 } })
        .attributes,
    ).toEqual({ average_size: 64, size_variation: 8, delay: 10 });
    expect(spec({ type: 'limit_data', attributes: { bytes: 1000 } }).attributes).toEqual({
      bytes: 1000,
    });
  });

  it('defaults stream to downstream for every type, as Toxiproxy does, and reads it in any case', () => {
    // loss defaults to both in our own specs; through the Toxiproxy API it is downstream.
    expect(spec({ type: 'loss', attributes: { p: 0.1 } }).stream).toBe('downstream');
    expect(spec({ type: 'latency', stream: 'UpStream', attributes: { latency: 1 } })).toMatchObject(
      {
        stream: 'upstream',
        name: 'latency_upstream',
      },
    );
  });

  it("fills a left-out attribute with Go's zero value where our stage takes 0", () => {
    expect(spec({ type: 'latency' }).attributes).toEqual({ latency: 0, jitter: 0 });
    expect(spec({ type: 'slow_close' }).attributes).toEqual({ delay: 0 });
    expect(spec({ type: 'limit_data' }).attributes).toEqual({ bytes: 0 });
  });

  it('refuses a zero where Toxiproxy would pass bytes unpaced, naming the attribute', () => {
    expect(problem({ type: 'bandwidth' })).toEqual({
      status: 400,
      error: expect.stringMatching(/^bad request body: attributes\.rate: required/),
    });
    expect(problem({ type: 'bandwidth', attributes: { rate: 0 } }).error).toMatch(
      /attributes\.rate: too small \(got 0, allowed > 0\)/,
    );
  });

  it('takes our extra stages as extra toxic types with their own attributes', () => {
    expect(extraToxicTypes()).toEqual(['loss', 'outage', 'idle_timeout']);
    expect(spec({ type: 'loss', attributes: { p: 0.2 } }).attributes).toMatchObject({
      p: 0.2,
      r: 0.8,
    });
    expect(spec({ type: 'outage', attributes: { mode: 'blackhole' } }).attributes).toEqual({
      mode: 'blackhole',
    });
    expect(spec({ type: 'idle_timeout', attributes: { timeout: 30_000 } }).attributes).toEqual({
      timeout: 30_000,
    });
    // Extra types keep their own required attributes: no zero-filling.
    expect(problem({ type: 'idle_timeout' }).error).toMatch(/attributes\.timeout: required/);
  });

  it("answers a type no stage models with Toxiproxy's invalid-type error, naming it", () => {
    const noop = problem({ type: 'noop' });
    expect(noop.status).toBe(400);
    expect(noop.error).toMatch(/^invalid toxic type: "noop" \(allowed latency, bandwidth/);
    expect(problem({ type: 'chaos_monkey' }).error).toContain('"chaos_monkey"');
    expect(problem({}).error).toBe(
      'invalid toxic type: nothing (allowed latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data, loss, outage, idle_timeout)',
    );
    // Every Toxiproxy type but noop is one of our stages.
    for (const t of TOXIPROXY_TYPES.filter((t) => t !== 'noop')) expect(STAGES.has(t)).toBe(true);
  });

  it("answers a bad stream with Toxiproxy's stream error", () => {
    expect(problem({ type: 'latency', stream: 'both' })).toEqual({
      status: 400,
      error: 'stream was invalid, can be either upstream or downstream: got "both"',
    });
    expect(problem({ type: 'latency', stream: 7 }).status).toBe(400);
  });

  it('refuses wrong types, out-of-range values and unknown fields with the field and value', () => {
    expect(problem('latency').error).toBe(
      'bad request body: expected a JSON object (got "latency")',
    );
    expect(problem([]).error).toMatch(/expected a JSON object/);
    expect(problem({ type: 'latency', attributes: { latency: 'slow' } }).error).toMatch(
      /attributes\.latency: wrong type \(got "slow", allowed a number\)/,
    );
    expect(problem({ type: 'latency', toxicity: 1.5 }).error).toMatch(
      /toxicity: too big \(got 1\.5, allowed ≤ 1\)/,
    );
    expect(problem({ type: 'latency', attributes: { latncy: 5 } }).error).toMatch(
      /attributes\.latncy: unknown field/,
    );
    expect(problem({ type: 'latency', schedule: { kind: 'always' } }).error).toBe(
      'bad request body: unknown field schedule (allowed name, type, stream, toxicity, attributes)',
    );
    expect(problem({ type: 'latency', attributes: [1] }).error).toMatch(/attributes: expected/);
    expect(problem({ type: 'latency', name: '../x' }).error).toMatch(/name: wrong format/);
  });
});

describe('fault spec → Toxiproxy toxic', () => {
  it('shows a fault as Toxiproxy shows a toxic, defaults filled in', () => {
    expect(
      specToToxic(spec({ type: 'latency', name: 'slow', attributes: { latency: 5 } })),
    ).toEqual({
      name: 'slow',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 5, jitter: 0 },
    });
  });
});

describe('toxic updates', () => {
  const current = info({ type: 'latency', attributes: { latency: 100, jitter: 10 } });

  it('passes attributes and toxicity on as a partial change (the link merges them)', () => {
    expect(toxicUpdate({ attributes: { latency: 300 } }, current)).toEqual({
      ok: true,
      value: { attributes: { latency: 300 } },
    });
    expect(toxicUpdate({ toxicity: 0.5 }, current)).toEqual({
      ok: true,
      value: { toxicity: 0.5 },
    });
    // A client that sends the whole toxic back (name, type, stream unchanged) is fine.
    expect(toxicUpdate({ ...specToToxic(current.spec), toxicity: 0.2 }, current).ok).toBe(true);
  });

  it('refuses to change name, type or stream, and unknown fields', () => {
    const stream = toxicUpdate({ stream: 'upstream' }, current);
    expect(!stream.ok && stream.problem.error).toMatch(/stream cannot change \(got "upstream"/);
    const type = toxicUpdate({ type: 'bandwidth' }, current);
    expect(!type.ok && type.problem.error).toMatch(/type cannot change/);
    const extra = toxicUpdate({ jitter: 5 }, current);
    expect(!extra.ok && extra.problem).toEqual({
      status: 400,
      error: 'bad request body: unknown field jitter (allowed attributes, toxicity)',
    });
    const notObject = toxicUpdate(null, current);
    expect(!notObject.ok && notObject.problem.status).toBe(400);
  });
});

describe('--fault text', () => {
  it('reads TYPE:key=value,… with stream, name and toxicity as the fault’s own fields', () => {
    const parsed = faultFromText('latency:latency=200,jitter=50,stream=upstream,toxicity=0.5');
    expect(parsed.ok && parsed.value).toMatchObject({
      type: 'latency',
      name: 'latency_upstream',
      stream: 'upstream',
      toxicity: 0.5,
      attributes: { latency: 200, jitter: 50 },
    });
    const outage = faultFromText('outage:mode=blackhole');
    expect(outage.ok && outage.value.attributes).toEqual({ mode: 'blackhole' });
    // Our own default stream applies here (loss: both ways).
    const lossy = faultFromText('loss:p=0.05');
    expect(lossy.ok && lossy.value.stream).toBe('both');
    const bare = faultFromText('timeout');
    expect(bare.ok && bare.value.attributes).toEqual({ timeout: 0 });
  });

  it('reads a JSON fault spec, schedule and all', () => {
    const parsed = faultFromText(
      '{"type":"outage","schedule":{"kind":"markov","onMeanMs":1000,"offMeanMs":9000}}',
    );
    expect(parsed.ok && parsed.value.schedule).toEqual({
      kind: 'markov',
      onMeanMs: 1000,
      offMeanMs: 9000,
      initially: 'off',
    });
  });

  it('says what is wrong, naming the field, the value and what is allowed', () => {
    const pair = faultFromText('latency:200');
    expect(!pair.ok && pair.problems).toEqual([
      '"200" is not key=value (allowed TYPE:key=value,key=value)',
    ]);
    const type = faultFromText('jitterbug:x=1');
    expect(!type.ok && type.problems[0]).toMatch(
      /^type: unknown value \(got "jitterbug", allowed latency/,
    );
    const value = faultFromText('latency:latency=-5');
    expect(!value.ok && value.problems).toEqual([
      'attributes.latency: too small (got -5, allowed ≥ 0)',
    ]);
    const json = faultFromText('{nope');
    expect(!json.ok && json.problems[0]).toMatch(/^not valid JSON/);
  });
});
