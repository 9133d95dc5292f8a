// The counted histogram renders, through prom-client's registry, exactly the text prom-client's
// own Histogram renders for the same observations.
import fc from 'fast-check';
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CountedHistogram } from '../../src/adapters/telemetry/counted-histogram.ts';

const buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const name = 'videosvc_test_duration_seconds';
const help = 'A test histogram, by procedure.';

function renderedBoth(observations: ReadonlyArray<readonly [string, number]>) {
  const theirs = new Registry();
  const reference = new Histogram({ name, help, labelNames: ['procedure'], buckets, registers: [theirs] });
  const ours = new Registry();
  const counted = new CountedHistogram({ name, help, labelName: 'procedure', buckets });
  ours.registerMetric(counted.asMetric());
  for (const [procedure, value] of observations) {
    reference.labels({ procedure }).observe(value);
    counted.series(procedure).observe(value);
  }
  return Promise.all([theirs.metrics(), ours.metrics()]);
}

describe('the counted histogram', () => {
  it('renders what prom-client\'s Histogram renders for any observations', async () => {
    const value = fc.oneof(
      fc.constantFrom(0, ...buckets, 61, 1e9),
      fc.double({ min: 0, max: 100, noNaN: true }),
      fc.double({ min: -1, max: 0, noNaN: true }),
    );
    const procedure = fc.constantFrom('/video.v1.VideoService/GetVideo', '/video.v1.VideoService/ListVideos', 'with "quotes" \\ and\nnewline');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(procedure, value), { maxLength: 60 }), async (observations) => {
        const [theirs, ours] = await renderedBoth(observations);
        expect(ours).toBe(theirs);
      }),
      { numRuns: 300 },
    );
  });

  it('counts a value on a bound into that bound\'s bucket, and one above every bound only in +Inf', async () => {
    const [, text] = await renderedBoth([['p', 0.001], ['p', 61]]);
    expect(text).toContain(`${name}_bucket{le="0.0005",procedure="p"} 0`);
    expect(text).toContain(`${name}_bucket{le="0.001",procedure="p"} 1`);
    expect(text).toContain(`${name}_bucket{le="60",procedure="p"} 1`);
    expect(text).toContain(`${name}_bucket{le="+Inf",procedure="p"} 2`);
    expect(text).toContain(`${name}_sum{procedure="p"} 61.001`);
    expect(text).toContain(`${name}_count{procedure="p"} 2`);
  });

  it('ignores a value that is not a finite number (prom-client would throw inside the call it measures)', async () => {
    const counted = new CountedHistogram({ name, help, labelName: 'procedure', buckets });
    const series = counted.series('p');
    series.observe(Number.NaN);
    series.observe(Number.POSITIVE_INFINITY);
    series.observe(0.002);
    const values = (await counted.get()).values;
    expect(values.find((sample) => sample.metricName === `${name}_count`)?.value).toBe(1);
    expect(values.find((sample) => sample.metricName === `${name}_sum`)?.value).toBe(0.002);
  });
});
