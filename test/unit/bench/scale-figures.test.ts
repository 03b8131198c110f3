/**
 * bench:scale's pure parts (bench/scale-figures.ts) on made-up Redis INFO text and made-up
 * configuration figures: no process is started and no wall-clock figure is judged.
 */
import { describe, expect, it } from 'vitest';
import { met } from '../../../bench/record';
import {
  combinedRate,
  commandDelta,
  cpuForInstances,
  median,
  parseCommandstats,
  parseUsedMemory,
  predictRate,
  scaleFigures,
  type ConfigFigures,
} from '../../../bench/scale-figures';

const commandstats = (hset: number, exec: number, info: number) =>
  [
    '# Commandstats',
    `cmdstat_hset:calls=${hset},usec=120,usec_per_call=1.00,rejected_calls=0,failed_calls=0`,
    `cmdstat_exec:calls=${exec},usec=300,usec_per_call=3.00,rejected_calls=0,failed_calls=0`,
    `cmdstat_info:calls=${info},usec=30,usec_per_call=10.00,rejected_calls=0,failed_calls=0`,
    '',
  ].join('\r\n');

const config = (label: string, instances: number, accept: number, e2e: number): ConfigFigures => ({
  label,
  instances,
  redis: instances > 1 || label.includes('Redis'),
  accept,
  e2e,
  serveMicrosPerMessage: 100,
  clientMicrosPerMessage: 50,
  redisMicrosPerMessage: 10,
  redisOpsPerAccept: 1.1,
  redisOpsPerMessage: 4,
  redisBytesPerMessage: 3500,
});

describe('bench:scale figures', () => {
  it('reads commandstats without its own INFO calls, and what ran between two readings', () => {
    const before = parseCommandstats(commandstats(10, 2, 5));
    expect([...before]).toEqual([
      ['hset', 10],
      ['exec', 2],
    ]);
    const after = parseCommandstats(`${commandstats(30, 3, 9)}cmdstat_xadd:calls=4,usec=1\r\n`);
    expect(commandDelta(before, after)).toEqual([
      ['hset', 20],
      ['xadd', 4],
      ['exec', 1],
    ]);
  });

  it('reads used_memory and names what is missing', () => {
    expect(parseUsedMemory('# Memory\r\nused_memory:1048576\r\nused_memory_human:1.00M\r\n')).toBe(
      1_048_576,
    );
    expect(() => parseUsedMemory('# Memory\r\n')).toThrow(/no used_memory line/);
  });

  it('rates several h2loads at once over the longest one', () => {
    // 1,000 in 1 s and 1,000 in 2 s: 2,000 over 2 s, not the 1,500/s their rates sum to.
    const runs = [
      { status2xx: 1000, total: 1000, reqPerSec: 1000 },
      { status2xx: 1000, total: 1000, reqPerSec: 500 },
    ];
    expect(combinedRate(runs)).toBe(1000);
    expect(combinedRate([{ status2xx: 900, total: 1000, reqPerSec: 1000 }])).toBe(900);
  });

  it('takes medians and predicts n instances from the CPU a message costs', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    // A message that costs the machine twice the CPU comes at half the rate.
    expect(predictRate(1000, 200, 400)).toBe(500);
    expect(predictRate(1000, 200, 200)).toBe(1000);
    expect(predictRate(1000, 200, 0)).toBe(0);
    // One instance 200 µs, two 260 µs: each further one adds 60 µs.
    expect(cpuForInstances(200, 260, 1)).toBe(200);
    expect(cpuForInstances(200, 260, 3)).toBe(320);
  });

  it('hands npm run bench the ratios against one instance in memory and the lost count', () => {
    const figures = scaleFigures(
      [
        config('(a) memory', 1, 8000, 4000),
        config('(b) Redis', 1, 6000, 3000),
        config('(c) two', 2, 4000, 2000),
      ],
      { accepted: 500, delivered: 500, lost: 0, refused: 20, duplicates: 7 },
      'not run',
    );
    const byLabel = new Map(figures.map((f) => [f.label, f]));
    expect(byLabel.get('accept, 1 instance on Redis / in memory')?.value).toBe(75);
    expect(byLabel.get('end to end, 2 instances on one Redis / 1 in memory')?.value).toBe(50);
    expect(byLabel.get('Redis commands per message end to end')?.value).toBe(4);
    const lost = byLabel.get('messages lost when one of 2 instances is killed with -9')!;
    expect(lost.value).toBe(0);
    expect(met(lost)).toBe(true);
    expect(met({ ...lost, value: 1 })).toBe(false);
  });

  it('says why when nothing was measured, and never "met"', () => {
    const figures = scaleFigures([], null, 'redis-server is not installed');
    expect(
      figures.every((f) => f.value === null && f.reason === 'redis-server is not installed'),
    ).toBe(true);
    expect(figures.some((f) => met(f) === true)).toBe(false);
  });
});
