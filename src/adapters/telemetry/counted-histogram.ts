// A Prometheus histogram with one label whose observations are plain array increments, for the
// two histograms observed on every call (call latency by procedure, store latency by
// operation). prom-client's Histogram converts, validates and hashes the labels on every
// observe, even through a labels() child: ~0.4 µs each here, and 2.1 % of the service's CPU
// samples at peak GetVideo load (issue 10). Here an observation is a Map lookup of its label
// value's series, a bucket search and three increments.
//
// prom-client still renders it: a registry takes any metric with a name, help, type and get()
// (what its own metrics' get() return: one value per cumulative bucket with its `le` label,
// then _sum and _count), so the text is exactly prom-client's own histogram's
// (test/adapters/telemetry-counted-histogram.test.ts compares the two).
import type { Metric } from 'prom-client';

/** The observations of one label value. */
export interface HistogramSeries {
  observe(value: number): void;
}

/** One line of the exposition, as prom-client's own metrics' get() give it. */
interface Sample {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
  readonly metricName: string;
}

interface Series extends HistogramSeries {
  readonly labels: Readonly<Record<string, string>>;
  /** Observations per bucket (not cumulative); the last slot is above every bound. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

export interface CountedHistogramOptions {
  readonly name: string;
  readonly help: string;
  readonly labelName: string;
  /** Upper bounds, ascending. */
  readonly buckets: readonly number[];
}

export class CountedHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #labelName: string;
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, Series>();

  constructor(options: CountedHistogramOptions) {
    this.name = options.name;
    this.help = options.help;
    this.#labelName = options.labelName;
    this.#bounds = [...options.buckets];
  }

  /** The series of `labelValue`, made on first use. */
  series(labelValue: string): HistogramSeries {
    let series = this.#series.get(labelValue);
    if (series === undefined) {
      const bounds = this.#bounds;
      const counts = new Float64Array(bounds.length + 1);
      series = {
        labels: { [this.#labelName]: labelValue },
        counts,
        sum: 0,
        count: 0,
        observe(value: number): void {
          // prom-client throws on these; a metric must never fail the call it measures.
          if (!Number.isFinite(value)) return;
          let slot = 0;
          while (slot < bounds.length && value > bounds[slot]!) slot++;
          counts[slot]! += 1;
          this.sum += value;
          this.count += 1;
        },
      };
      this.#series.set(labelValue, series);
    }
    return series;
  }

  /** For prom-client's registry (see the file comment). */
  async get(): Promise<{ name: string; help: string; type: 'histogram'; values: Sample[]; aggregator: 'sum' }> {
    const values: Sample[] = [];
    const bucket = `${this.name}_bucket`;
    for (const series of this.#series.values()) {
      let cumulative = 0;
      this.#bounds.forEach((bound, slot) => {
        cumulative += series.counts[slot]!;
        values.push({ labels: { le: bound, ...series.labels }, value: cumulative, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf', ...series.labels }, value: series.count, metricName: bucket });
      values.push({ labels: { ...series.labels }, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...series.labels }, value: series.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** This histogram as prom-client's registry types it (it reads only name, help, type and get()). */
  asMetric(): Metric {
    return this as unknown as Metric;
  }
}
