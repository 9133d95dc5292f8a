// The ratios the targets name, each computed per round from rows of that round
// (same run, same driver, same concurrency) and shown beside its target.
import type { Row } from '../row.ts';

export interface Ratio {
  readonly name: string;
  /** How the value is computed, in row ids. */
  readonly formula: string;
  /** One value per round (undefined where a row is missing). */
  readonly values: readonly (number | undefined)[];
  readonly target: string;
  /** Whether every round's value meets the target (undefined when there is no target). */
  readonly met?: boolean;
}

interface Pick {
  readonly metric: string;
  (row: Row): number;
}
const pick = (metric: string, read: (row: Row) => number): Pick => Object.assign(read, { metric });
const throughput = pick('req/s', (row) => row.figures.reqPerSec);
const p50 = pick('p50', (row) => row.figures.p50Ms);
const p99 = pick('p99', (row) => row.figures.p99Ms);

interface Definition {
  readonly name: string;
  readonly top: [string, Pick];
  readonly bottom: [string, Pick];
  readonly target?: { readonly atLeast?: number; readonly atMost?: number };
}

const definitions: readonly Definition[] = [
  { name: 'GetVideo (gRPC): videosvc SQLite / bare grpc-js', top: ['get', throughput], bottom: ['grpcjs-get', throughput], target: { atLeast: 1.0 } },
  { name: 'GetVideo (Connect JSON, HTTP/1.1): videosvc / bare connect-node', top: ['get-json', throughput], bottom: ['connect-get-json', throughput], target: { atLeast: 0.8 } },
  { name: 'CreateVideo / GetVideo (SQLITE_SYNCHRONOUS=FULL)', top: ['create', throughput], bottom: ['get', throughput], target: { atLeast: 0.35 } },
  { name: 'GetVideo p99 beside CreateVideo / GetVideo p99 alone', top: ['get-beside-create', p99], bottom: ['get', p99], target: { atMost: 3 } },
  { name: '90/10 mix / GetVideo (both by the Node driver)', top: ['mix', throughput], bottom: ['get-node', throughput], target: { atLeast: 0.7 } },
  { name: 'ListVideos deep / first page, p50', top: ['list-deep', p50], bottom: ['list-first', p50], target: { atMost: 1.2 } },
  { name: 'ListVideos first / deep page, throughput', top: ['list-first', throughput], bottom: ['list-deep', throughput], target: { atMost: 1.2 } },
  { name: 'GetVideo on dynalite / bare GetItem loop', top: ['dynamo-get', throughput], bottom: ['dynamo-getitem', throughput], target: { atLeast: 0.5 } },
  { name: 'GetVideo p99 / p50 at 50 % of peak (videosvc SQLite)', top: ['sweep-sqlite-0.5', p99], bottom: ['sweep-sqlite-0.5', p50], target: { atMost: 4 } },
  { name: 'bare connect-node / bare grpc-js (gRPC; the transport alone)', top: ['connect-get', throughput], bottom: ['grpcjs-get', throughput] },
];

function targetText(target: Definition['target']): string {
  if (target === undefined) return '—';
  return target.atLeast !== undefined ? `≥ ${target.atLeast}` : `≤ ${target.atMost}`;
}

function meets(value: number, target: NonNullable<Definition['target']>): boolean {
  return target.atLeast !== undefined ? value >= target.atLeast : value <= (target.atMost ?? Number.POSITIVE_INFINITY);
}

/** Every ratio, over the rows of `rounds` rounds. */
export function computeRatios(rows: readonly Row[], rounds: number): Ratio[] {
  const find = (id: string, round: number) => rows.find((row) => row.id === id && row.round === round);
  return definitions.map((definition) => {
    const values = Array.from({ length: rounds }, (_, i) => {
      const top = find(definition.top[0], i + 1);
      const bottom = find(definition.bottom[0], i + 1);
      if (top === undefined || bottom === undefined) return undefined;
      const ratio = definition.top[1](top) / definition.bottom[1](bottom);
      return Number.isFinite(ratio) ? Math.round(ratio * 1000) / 1000 : undefined;
    });
    const { target } = definition;
    const known = values.filter((value): value is number => value !== undefined);
    return {
      name: definition.name,
      formula: `${definition.top[1].metric}(${definition.top[0]}) / ${definition.bottom[1].metric}(${definition.bottom[0]})`,
      values,
      target: targetText(target),
      met: target === undefined || known.length === 0 ? undefined : known.every((value) => meets(value, target)),
    };
  });
}
