// Issue 6: the full service as deployed — `videosvc serve` with its DynamoDB table and
// index names from SSM Parameter Store and its token secret from Secrets Manager (both on
// the fake AWS server), against dynalite — serving authenticated calls.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../src/adapters/token/mint.ts';
import { createVideosTable, startDynalite, testClient, type RunningDynalite } from '../support/dynalite.ts';
import { startFakeAws, type FakeAws } from '../support/fake-aws.ts';
import { killServe, startServe, tempDir, videoClient, type ServeProcess } from './cli-process.ts';
import { dynamoServeEnv, fakeAwsEnv } from './service-env.ts';

const prefix = '/n11817143/app';
// Names unlike the defaults (videos, OwnerIndex), so only SSM can have supplied them.
const names = { table: 'n11817143-videos', ownerIndex: 'OwnerCreatedIndex' };
const secretId = 'n11817143/jwt';
const secret = 'ssm-and-secrets-manager-0123456789abcdefghij';

let dynamo: RunningDynalite;
let fake: FakeAws;
let dir: ReturnType<typeof tempDir>;
let serve: ServeProcess | undefined;

beforeAll(async () => {
  [dynamo, fake] = await Promise.all([startDynalite(), startFakeAws()]);
  dir = tempDir();
  const client = testClient(dynamo.endpoint);
  await createVideosTable(client, names, 'owner-time');
  client.destroy();
  fake.setParameter(`${prefix}/dynamoTable`, names.table);
  // A SecureString comes back as ciphertext unless the read asks for decryption.
  fake.setParameter(`${prefix}/dynamoOwnerIndex`, names.ownerIndex, 'SecureString');
  fake.setSecret(secretId, { AWSCURRENT: JSON.stringify({ JWT_SECRET: secret }) });
});

afterAll(async () => {
  await killServe(serve);
  await Promise.all([dynamo?.stop(), fake?.stop()]);
  dir?.remove();
});

describe('the service configured from SSM and Secrets Manager', () => {
  it('reads both table names in one GetParameters call, the secret from Secrets Manager, and serves authenticated calls', async () => {
    serve = await startServe(
      dynamoServeEnv(dir.path, dynamo.endpoint, { ...fakeAwsEnv(fake.endpoint), SSM_PARAMETER_PREFIX: prefix, JWT_SECRET_ID: secretId }),
      dir.path,
    );
    const listening = serve.logs.find((line) => line.msg === 'listening');
    expect(listening?.store).toEqual({ kind: 'dynamodb', table: names.table, ownerIndex: names.ownerIndex, listMode: 'owner-time-index' });
    expect(listening?.tokenSecret).toBe(`token secret from Secrets Manager secret ${secretId}`);

    const ssmReads = fake.requests.filter((request) => request.target.startsWith('AmazonSSM.'));
    expect(ssmReads).toEqual([
      {
        target: 'AmazonSSM.GetParameters',
        body: {
          Names: [`${prefix}/dynamoTable`, `${prefix}/dynamoOwnerIndex`, `${prefix}/dynamoStatusIndex`, `${prefix}/dynamoWorkIndex`],
          WithDecryption: true,
        },
        signed: true,
      },
    ]);
    const secretReads = fake.requestsFor('secretsmanager.GetSecretValue');
    expect(secretReads.map((request) => request.body)).toEqual(
      expect.arrayContaining([{ SecretId: secretId, VersionStage: 'AWSCURRENT' }]),
    );
    expect(secretReads.every((request) => request.signed)).toBe(true);

    const token = await mintToken({ secret: new TextEncoder().encode(secret), subject: 'alice', ttlSeconds: 600 });
    const client = videoClient(serve.url, token);
    const created = (await client.createVideo({ video: { originalName: 'from-ssm.mp4' } })).video!;
    expect(created.ownerId).toBe('alice');
    expect((await client.getVideo({ videoId: created.videoId })).video).toEqual(created);
    expect((await client.listVideos({})).videos.map((video) => video.videoId)).toEqual([created.videoId]);

    // The item is in the table SSM named.
    const raw = testClient(dynamo.endpoint);
    try {
      const item = await raw.send(new GetItemCommand({ TableName: names.table, Key: { ownerId: { S: 'alice' }, videoId: { S: created.videoId } } }));
      expect(item.Item?.originalName).toEqual({ S: 'from-ssm.mp4' });
    } finally {
      raw.destroy();
    }
    expect(JSON.stringify(serve.logs) + serve.stderr()).not.toContain(secret);
  });
});
