/** The report histogram's layout: bars wide enough for their counts, axis labels that never overlap. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { histogramLayout, labelWidth } from '../../../src/main/engine/trace/report-histogram';
import { LatencyDigest } from '../../../src/main/engine/trace/latency';

describe('histogramLayout', () => {
  it('labels every k-th bin edge so that no two labels overlap, for any latencies and counts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e8, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 100_000 }),
        (samples, weight) => {
          const digest = new LatencyDigest();
          for (const ms of samples) for (let i = 0; i < Math.min(weight, 3); i += 1) digest.add(ms);
          const bins = digest
            .histogram()
            .map((b, i) => ({ ...b, count: b.count * (i % 2 ? weight : 1) }));
          const layout = histogramLayout(bins);
          expect(layout.axis[0]!.text).toBe('0 ms');
          for (let i = 1; i < layout.axis.length; i += 1)
            expect(layout.axis[i - 1]!.x + layout.axis[i - 1]!.width).toBeLessThan(
              layout.axis[i]!.x,
            );
          // Each count fits over its bar; every label lies inside the picture.
          for (const bar of layout.bars) expect(labelWidth(bar.count)).toBeLessThan(bar.width);
          for (const label of layout.axis)
            expect(label.x + label.width).toBeLessThanOrEqual(layout.width);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('labels every bin when the labels fit, fewer when they do not', () => {
    // Counts of a million make the bars wide enough for every edge's label.
    const bins = [
      { fromMs: 0, toMs: 1, count: 1_000_000 },
      { fromMs: 1, toMs: 2, count: 2_000_000 },
    ];
    expect(histogramLayout(bins).step).toBe(1);
    const wide = Array.from({ length: 12 }, (_, i) => ({
      fromMs: 1000 * 60 * i,
      toMs: 1000 * 60 * (i + 1),
      count: 1,
    }));
    const layout = histogramLayout(wide);
    expect(layout.step).toBeGreaterThan(1);
    expect(layout.axis.map((a) => a.text)).toContain('0 ms');
    expect(layout.axis.length).toBe(Math.ceil(12 / layout.step));
  });
});
