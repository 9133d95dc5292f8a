// `npm run dynamo:local`: dynalite on DYNAMO_LOCAL_PORT with the table created and the
// service on it, answering an authenticated call; SIGTERM stops both and exits 0.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { mintToken } from '../../src/adapters/token/mint.ts';
import { testClient } from '../support/dynalite.ts';
import { baseEnv, freePort, isListening, tempDir, testSecret, videoClient } from './cli-process.ts';

const root = resolve(import.meta.dirname, '../..');

// The script's own command line from package.json, run with this node directly: `npm run`
// would put npm and a shell between the test and the process, and a SIGTERM sent to npm
// does not reach the script through that shell.
function scriptArgs(): string[] {
  const scripts = (JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const [command, ...args] = (scripts['dynamo:local'] ?? '').split(' ');
  expect(command).toBe('node');
  return args;
}

describe('npm run dynamo:local', () => {
  it('serves over dynalite on DYNAMO_LOCAL_PORT, and SIGTERM stops the service and dynalite with exit 0', async () => {
    const dir = tempDir();
    const dynamoPort = await freePort();
    // No AWS variables at all: the script supplies the endpoint and dummy credentials.
    const env = baseEnv(dir.path, { DYNAMO_LOCAL_PORT: String(dynamoPort), JWT_SECRET: testSecret });
    const child = spawn(process.execPath, scriptArgs(), { env, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const logs: Array<Record<string, unknown>> = [];
      const listening = await new Promise<Record<string, unknown>>((resolveListening, reject) => {
        let pending = '';
        child.stdout.on('data', (chunk: Buffer) => {
          pending += chunk.toString();
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines.filter((text) => text.trim() !== '')) {
            const entry = JSON.parse(line) as Record<string, unknown>;
            logs.push(entry);
            if (entry.msg === 'listening') resolveListening(entry);
          }
        });
        void exited.then((code) => reject(new Error(`dynamo:local exited (${code}) before listening: ${stderr}`)));
      });
      expect(logs[0]).toMatchObject({ endpoint: `http://127.0.0.1:${dynamoPort}`, table: 'videos', ownerIndex: 'OwnerIndex' });
      expect(listening.store).toEqual({ kind: 'dynamodb', table: 'videos', ownerIndex: 'OwnerIndex', listMode: 'owner-time-index' });

      const token = await mintToken({ secret: new TextEncoder().encode(testSecret), subject: 'alice', ttlSeconds: 600 });
      const created = (await videoClient(String(listening.url), token).createVideo({ video: { originalName: 'local.mp4' } })).video!;
      expect(created.ownerId).toBe('alice');
      // Stored in the dynalite on DYNAMO_LOCAL_PORT.
      const raw = testClient(`http://127.0.0.1:${dynamoPort}`);
      try {
        const item = await raw.send(new GetItemCommand({ TableName: 'videos', Key: { ownerId: { S: 'alice' }, videoId: { S: created.videoId } } }));
        expect(item.Item?.originalName).toEqual({ S: 'local.mp4' });
      } finally {
        raw.destroy();
      }

      child.kill('SIGTERM');
      expect(await exited, stderr).toBe(0);
      expect(stderr).toBe('');
      expect(await isListening(dynamoPort)).toBe(false);
      expect(await isListening(Number(new URL(String(listening.url)).port))).toBe(false);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      dir.remove();
    }
  });
});
