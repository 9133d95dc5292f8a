// Findings of the wire fuzzer (test/attack/wire-fuzz.test.ts), each pinned by the smallest
// request that showed it, over a real socket.
import { Code, ConnectError } from '@connectrpc/connect';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createVideoServiceClient } from '../../src/client.ts';
import { faultyStore, type FaultyStore } from '../support/faulty-store.ts';
import { startTestService, type TestService } from '../support/rpc-service.ts';

let service: TestService;
let faulty: FaultyStore;
beforeAll(async () => {
  service = await startTestService({ wrapStore: (store) => (faulty = faultyStore(store)).store });
});
afterEach(() => {
  faulty.mode = 'normal';
  faulty.release();
});
afterAll(async () => {
  await service?.stop();
});

function failureOf(call: Promise<unknown>): Promise<ConnectError> {
  return call.then(
    () => {
      throw new Error('the call succeeded');
    },
    (error: unknown) => ConnectError.from(error),
  );
}

describe('wire fuzzing findings', () => {
  // 79 letters and a clapper board emoji (two UTF-16 units): the message quotes the key cut at
  // 80 units, between the two halves, and gRPC's percent-encoding of grpc-message threw on it.
  const longKey = `${'k'.repeat(79)}🎬tail`;

  it.each(['grpc', 'grpc-web', 'connect'] as const)(
    'an error message quoting client text cut inside a character still reaches a %s client as INVALID_ARGUMENT',
    async (protocol) => {
      const client = createVideoServiceClient({ baseUrl: service.url, token: await service.mint('alice'), protocol });
      const failure = await failureOf(client.createVideo({ video: { originalName: 'a.mp4', labels: { [longKey]: 'x' } } }));
      expect(failure.code).toBe(Code.InvalidArgument);
      expect(failure.rawMessage).toBe(`labels: key "${'k'.repeat(79)}\uFFFD" must be 1 to 63 characters`);
    },
  );

  it('a grpc-timeout beyond the 24.8-day timer range is a long deadline, not an immediate DEADLINE_EXCEEDED', async () => {
    faulty.mode = 'hang';
    const client = createVideoServiceClient({ baseUrl: service.url, token: await service.mint('alice'), protocol: 'grpc' });
    const call = client.listVideos({}, { headers: { 'grpc-timeout': '99999999H' } });
    // Still waiting on the store after 300 ms: the deadline did not fire.
    const early = await Promise.race([call.then(() => 'answered', (error: unknown) => ConnectError.from(error).code), new Promise((resolve) => setTimeout(() => resolve('waiting'), 300))]);
    expect(early).toBe('waiting');
    faulty.mode = 'normal';
    faulty.release();
    expect((await call).videos).toEqual([]);
  });

  it('a connect-timeout-ms beyond the timer range is a long deadline too', async () => {
    faulty.mode = 'hang';
    const client = createVideoServiceClient({ baseUrl: service.url, token: await service.mint('alice'), protocol: 'connect' });
    const call = client.listVideos({}, { headers: { 'connect-timeout-ms': '9999999999' } });
    const early = await Promise.race([call.then(() => 'answered', (error: unknown) => ConnectError.from(error).code), new Promise((resolve) => setTimeout(() => resolve('waiting'), 300))]);
    expect(early).toBe('waiting');
    faulty.mode = 'normal';
    faulty.release();
    expect((await call).videos).toEqual([]);
  });
});
