// TLS on the same single port: gRPC over HTTP/2 (ALPN h2) and Connect over HTTP/1.1.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport } from '@connectrpc/connect-node';
import { bearerTokenInterceptor } from '../../src/client.ts';
import { VideoService } from '../../src/gen/video/v1/video_service_pb.ts';
import { startTestService, type TestService } from '../support/rpc-service.ts';

let service: TestService;
let cert: string;
const directory = mkdtempSync(join(tmpdir(), 'videosvc-tls-'));

beforeAll(async () => {
  // A throwaway self-signed certificate for 127.0.0.1 (openssl is on every CI image we use).
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(directory, 'key.pem'), '-out', join(directory, 'cert.pem')], { stdio: 'ignore' });
  cert = readFileSync(join(directory, 'cert.pem'), 'utf8');
  service = await startTestService({ tls: { cert, key: readFileSync(join(directory, 'key.pem'), 'utf8') } });
});
afterAll(async () => {
  await service?.stop();
  rmSync(directory, { recursive: true, force: true });
});

it('serves gRPC over HTTP/2 and Connect over HTTP/1.1 on one https port', async () => {
  expect(service.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  const interceptors = [bearerTokenInterceptor(await service.mint('tls-user'))];
  const grpc = createClient(VideoService, createGrpcTransport({ baseUrl: service.url, interceptors, nodeOptions: { ca: cert } }));
  const connect = createClient(VideoService, createConnectTransport({ baseUrl: service.url, httpVersion: '1.1', interceptors, nodeOptions: { ca: cert } }));
  const { video } = await grpc.createVideo({ video: { originalName: 'secure.mp4' } });
  expect((await connect.getVideo({ videoId: video!.videoId })).video?.originalName).toBe('secure.mp4');
});
