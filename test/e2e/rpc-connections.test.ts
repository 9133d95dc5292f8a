// The shared port survives what real networks do to connections: a client that resets its
// TCP connection (RST) before the server has seen a byte, or half-way through the HTTP/2
// preface, is its own problem, never a crash of the whole service.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createVideoServiceClient } from '../../src/client.ts';
import { startTestService, type TestService } from '../support/rpc-service.ts';

const uncaught: unknown[] = [];
const recordUncaught = (error: unknown): void => void uncaught.push(error);
beforeAll(() => void process.on('uncaughtException', recordUncaught));
afterEach(() => void uncaught.splice(0));
afterAll(() => void process.off('uncaughtException', recordUncaught));

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens a TCP connection, sends `first` (if any), then resets it with an RST. */
async function connectAndReset(port: number, first?: string, wrap?: (raw: net.Socket) => Promise<tls.TLSSocket>): Promise<void> {
  const raw = net.connect(port, '127.0.0.1');
  raw.on('error', () => undefined);
  await new Promise((resolve) => raw.once('connect', resolve));
  const socket = wrap ? await wrap(raw) : raw;
  if (first !== undefined) socket.write(first);
  await pause(50);
  raw.resetAndDestroy();
  await pause(100);
}

/** GET /healthz on `url`, trusting `ca` for TLS; resolves the HTTP status. */
function healthz(url: string, ca?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL('/healthz', url);
    (target.protocol === 'https:' ? https : http).get(target, { ca, agent: false }, (answer) => {
      answer.resume();
      resolve(answer.statusCode ?? 0);
    }).on('error', reject);
  });
}

describe('a connection reset by the client', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(async () => {
    await service?.stop();
  });

  it.each([
    ['before sending anything', undefined],
    ['half-way through the HTTP/2 preface', 'PRI * HTTP/2.0\r\n'],
  ])('%s leaves the server running and answering', async (_when, first) => {
    await connectAndReset(service.port, first);
    expect(uncaught).toEqual([]);
    expect(await healthz(service.url)).toBe(200);
    const client = createVideoServiceClient({ baseUrl: service.url, token: await service.mint('survivor'), protocol: 'connect' });
    expect((await client.listVideos({})).videos).toEqual([]);
  });
});

describe('a TLS connection reset by the client right after the handshake', () => {
  const directory = mkdtempSync(join(tmpdir(), 'videosvc-reset-'));
  let service: TestService;
  let cert: string;
  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(directory, 'key.pem'), '-out', join(directory, 'cert.pem')], { stdio: 'ignore' });
    cert = readFileSync(join(directory, 'cert.pem'), 'utf8');
    service = await startTestService({ tls: { cert, key: readFileSync(join(directory, 'key.pem'), 'utf8') } });
  });
  afterAll(async () => {
    await service?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('leaves the server running and answering', async () => {
    await connectAndReset(service.port, undefined, (raw) =>
      new Promise((resolve, reject) => {
        const secure = tls.connect({ socket: raw, ca: cert, host: '127.0.0.1' });
        secure.on('error', () => undefined);
        secure.once('secureConnect', () => resolve(secure));
        secure.once('error', reject);
      }),
    );
    expect(uncaught).toEqual([]);
    expect(await healthz(service.url, cert)).toBe(200);
  });
});
