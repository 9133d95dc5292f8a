// Everything a bench run needs, started before any timing and stopped at the end:
// a scratch directory, the token secret and tokens, the SQLite file and the dynalite
// table loaded with the dataset, and the four servers, each in its own process.
import { mkdtempSync, rmSync } from 'node:fs';
import { equals, fromBinary } from '@bufbuild/protobuf';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { documentClient } from '../src/adapters/dynamo/client.ts';
import { testClient } from '../test/support/dynalite.ts';
import { adminOwners, owners } from './dataset/dataset.ts';
import { loadDynamo } from './dataset/load-dynamo.ts';
import { loadSqlite } from './dataset/load-sqlite.ts';
import { baseEnvironment, rssMB, runToEnd, startServer, type ServerProcess } from './processes.ts';
import { buildCalls, type Calls } from './requests.ts';
import { createDynamoTable, dynamoTable, startVideosvc } from './servers/videosvc.ts';
import type { BenchSettings } from './settings.ts';
import { bearerFor, newJwtSecret } from './tokens.ts';
import { GetVideoResponseSchema } from '../src/gen/video/v1/video_service_pb.ts';
import { probe } from './probe.ts';

/** The servers under load. */
export interface Servers {
  readonly sqlite: ServerProcess;
  readonly dynamo: ServerProcess;
  readonly grpcJs: ServerProcess;
  readonly connect: ServerProcess;
  readonly dynalite: ServerProcess;
}

export interface Stand {
  readonly scratch: string;
  readonly servers: Servers;
  readonly calls: Calls;
  /** `Bearer …` per owner of the dataset. */
  readonly bearers: Readonly<Record<keyof typeof owners, string>>;
  /** The DynamoDB table videosvc reads. */
  readonly dynamoTable: string;
  /** What loading took, for the report. */
  readonly loaded: { readonly sqliteVideos: number; readonly sqliteSeconds: number; readonly dynamoVideos: number; readonly dynamoSeconds: number };
  /** videosvc's RSS (MB) right after start, before any call. */
  readonly idleRssMB: { readonly sqlite?: number; readonly dynamo?: number };
  stop(): Promise<void>;
}

const repository = new URL('..', import.meta.url).pathname;

function startTsServer(name: string, file: string, scratch: string): Promise<ServerProcess> {
  return startServer({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', join(repository, file)],
    env: baseEnvironment(),
    cwd: repository,
    stdoutFile: join(scratch, `${name}.log`),
  });
}

async function seconds<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, Math.round((performance.now() - started) / 100) / 10];
}

/** Loads the data and starts every server; `say` reports progress. */
export async function setUp(settings: BenchSettings, say: (line: string) => void): Promise<Stand> {
  const scratch = mkdtempSync(join(tmpdir(), 'videosvc-bench-'));
  const started: ServerProcess[] = [];
  const stop = async () => {
    await Promise.all(started.map((server) => server.stop()));
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    const jwtSecret = newJwtSecret();
    const sqlitePath = join(scratch, 'videos.sqlite');
    say(`loading ${settings.sqliteData.owners} owners × ${settings.sqliteData.videosPerOwner} + ${settings.sqliteData.bigOwnerVideos} videos into SQLite`);
    const [sqliteVideos, sqliteSeconds] = await seconds(() => loadSqlite(sqlitePath, settings.sqliteData));

    const dynalite = await startTsServer('dynalite', 'bench/servers/dynalite-server.ts', scratch);
    started.push(dynalite);
    await createDynamoTable(dynalite.url, jwtSecret, scratch);
    say(`loading ${settings.dynamoData.owners} owners × ${settings.dynamoData.videosPerOwner} + ${settings.dynamoData.bigOwnerVideos} videos into dynalite`);
    const client = testClient(dynalite.url);
    const [dynamoVideos, dynamoSeconds] = await seconds(() => loadDynamo(documentClient(client), dynamoTable, settings.dynamoData));
    client.destroy();

    // What `npm start` runs: the bundle, built from the sources as they are now.
    say('building the service bundle (npm run build)');
    await runToEnd(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url))]);
    say('starting videosvc (SQLite, dynalite), the bare grpc-js and connect-node servers');
    const [sqlite, dynamo, grpcJs, connect] = await Promise.all([
      startVideosvc('videosvc-sqlite', { kind: 'sqlite', path: sqlitePath }, jwtSecret, scratch),
      startVideosvc('videosvc-dynamo', { kind: 'dynamodb', endpoint: dynalite.url }, jwtSecret, scratch),
      startTsServer('grpc-js-baseline', 'bench/servers/grpc-js-baseline.ts', scratch),
      startTsServer('connect-baseline', 'bench/servers/connect-baseline.ts', scratch),
    ]);
    started.push(sqlite, dynamo, grpcJs, connect);
    const idleRssMB = { sqlite: rssMB(sqlite.pid), dynamo: rssMB(dynamo.pid) };

    const bearers = Object.fromEntries(
      await Promise.all(Object.entries(owners).map(async ([role, owner]) => [role, await bearerFor(jwtSecret, owner, adminOwners.has(owner))])),
    ) as Record<keyof typeof owners, string>;
    const calls = buildCalls(settings.sqliteData, jwtSecret);
    await checkSameAnswer({ sqlite, dynamo, grpcJs, connect }, calls, bearers.reader);
    return {
      scratch,
      servers: { sqlite, dynamo, grpcJs, connect, dynalite },
      calls,
      bearers,
      dynamoTable,
      loaded: { sqliteVideos, sqliteSeconds, dynamoVideos, dynamoSeconds },
      idleRssMB,
      stop,
    };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}

/** The baselines must answer GetVideo with the very message videosvc returns, or the comparison is not like for like. */
async function checkSameAnswer(servers: Omit<Servers, 'dynalite'>, calls: Calls, bearer: string): Promise<void> {
  const answers = await Promise.all(
    Object.entries(servers).map(async ([name, server]) => [name, fromBinary(GetVideoResponseSchema, await probe(name, server.url, calls.getVideo, bearer))] as const),
  );
  const [, reference] = answers[0]!;
  for (const [name, answer] of answers.slice(1)) {
    if (!equals(GetVideoResponseSchema, reference, answer)) throw new Error(`${name} answers GetVideo differently from videosvc (SQLite)`);
  }
}
