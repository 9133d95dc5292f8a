// Per-caller rate limits over a real socket (issue 9 item 6): one noisy caller is refused
// with RESOURCE_EXHAUSTED and a google.rpc.RetryInfo that says when to come back, while
// another caller is still served; the detail decodes in a Connect client and in
// @grpc/grpc-js (grpc-status-details-bin); health is not limited.
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { findTrailerError } from '@connectrpc/connect/protocol-grpc';
import { createGrpcTransport } from '@connectrpc/connect-node';
import type { ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultLimits } from '../../src/app/limits.ts';
import { createVideoServiceClient } from '../../src/client.ts';
import { RetryInfoSchema } from '../../src/gen/google/rpc/error_details_pb.ts';
import { Health, HealthCheckResponse_ServingStatus } from '../../src/gen/grpc/health/v1/health_pb.ts';
import { videoApi } from '../support/rpc-clients.ts';
import { startTestService, type TestService } from '../support/rpc-service.ts';

// One call per second sustained, three at once: a burst of three is served, the fourth
// waits up to a second. A call never takes a second here, so the refusal is certain.
const burst = 3;
let service: TestService;

beforeAll(async () => {
  service = await startTestService({ limits: { ...defaultLimits, rateLimitPerSecond: 1, rateLimitBurst: burst } });
});
afterAll(async () => {
  await service?.stop();
});

function retryDelayMs(error: ConnectError): number {
  const [info] = error.findDetails(RetryInfoSchema);
  if (info?.retryDelay === undefined) throw new Error('no RetryInfo detail');
  return Number(info.retryDelay.seconds) * 1000 + info.retryDelay.nanos / 1e6;
}

async function connectErrorOf(call: Promise<unknown>): Promise<ConnectError> {
  const error = await call.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(ConnectError);
  return error as ConnectError;
}

describe('per-caller rate limits', () => {
  it('refuse a noisy caller with RESOURCE_EXHAUSTED and a RetryInfo (Connect client), while another caller is served', async () => {
    const noisy = createVideoServiceClient({ baseUrl: service.url, token: await service.mint('noisy'), protocol: 'connect', httpVersion: '1.1' });
    const quiet = createVideoServiceClient({ baseUrl: service.url, token: await service.mint('quiet'), protocol: 'connect', httpVersion: '1.1' });
    for (let i = 0; i < burst; i++) expect((await noisy.listVideos({})).videos).toEqual([]);

    const refused = await connectErrorOf(noisy.listVideos({}));
    expect(refused.code).toBe(Code.ResourceExhausted);
    expect(refused.rawMessage).toMatch(/^rate limit exceeded for this caller; retry in \d+ ms$/);
    const delayMs = retryDelayMs(refused);
    expect(delayMs).toBeGreaterThan(0);
    expect(delayMs).toBeLessThanOrEqual(1000);

    // Another caller has a bucket of its own.
    for (let i = 0; i < burst; i++) expect((await quiet.listVideos({})).videos).toEqual([]);
    // Health carries no caller and is never rate limited.
    const health = createClient(Health, createGrpcTransport({ baseUrl: service.url }));
    for (let i = 0; i < 10; i++) expect((await health.check({})).status).toBe(HealthCheckResponse_ServingStatus.SERVING);

    // After the advertised delay the noisy caller is served again.
    await new Promise((resolve) => setTimeout(resolve, delayMs + 50));
    expect((await noisy.listVideos({})).videos).toEqual([]);
    console.log(`rate-limit: burst ${burst} served, 4th refused with retry_delay ${delayMs} ms, served again after it`);
  });

  it('send the RetryInfo in grpc-status-details-bin, which @grpc/grpc-js receives and connect decodes', async () => {
    const noisy = videoApi('@grpc/grpc-js + proto-loader', service.url, await service.mint('noisy-grpc'));
    try {
      for (let i = 0; i < burst; i++) expect((await noisy.list({})).videos).toEqual([]);
      const error = (await noisy.list({}).then(() => undefined, (caught: unknown) => caught)) as ServiceError;
      expect(error.code).toBe(Code.ResourceExhausted);
      const [detailsBin] = error.metadata.get('grpc-status-details-bin');
      expect(detailsBin).toBeInstanceOf(Buffer);
      const trailer = new Headers({
        'grpc-status': String(error.code),
        'grpc-status-details-bin': (detailsBin as Buffer).toString('base64'),
      });
      const decoded = findTrailerError(trailer);
      expect(decoded?.code).toBe(Code.ResourceExhausted);
      const delayMs = retryDelayMs(decoded!);
      expect(delayMs).toBeGreaterThan(0);
      expect(delayMs).toBeLessThanOrEqual(1000);
    } finally {
      noisy.close();
    }
  });
});
