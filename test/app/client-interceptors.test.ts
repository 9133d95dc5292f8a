// The calling-service package's interceptors (src/client.ts), without a network: the
// refused-stream rewrite and the per-request token.
import { describe, expect, it } from 'vitest';
import { Code, ConnectError, bearerTokenInterceptor, refusedStreamAsUnavailable } from '../../src/client.ts';

function streamError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ERR_HTTP2_STREAM_ERROR' });
}

async function failureOf(error: unknown): Promise<ConnectError> {
  const call = refusedStreamAsUnavailable()(() => Promise.reject(error));
  return call({} as never).then(
    () => {
      throw new Error('expected a rejection');
    },
    (rejected: unknown) => rejected as ConnectError,
  );
}

describe('client interceptors', () => {
  it('turn a refused HTTP/2 stream reported as INTERNAL into a retryable UNAVAILABLE', async () => {
    const refused = new ConnectError('stream error', Code.Internal, undefined, undefined, streamError('Stream closed with error code NGHTTP2_REFUSED_STREAM'));
    const failure = await failureOf(refused);
    expect(failure.code).toBe(Code.Unavailable);
    expect(failure.cause).toBe(refused);
  });

  it('leave any other INTERNAL alone', async () => {
    const other = new ConnectError('boom', Code.Internal, undefined, undefined, streamError('Stream closed with error code NGHTTP2_INTERNAL_ERROR'));
    expect(await failureOf(other)).toBe(other);
    const plain = new ConnectError('boom', Code.Internal);
    expect(await failureOf(plain)).toBe(plain);
  });

  it('ask a token function for every request', async () => {
    let issued = 0;
    const seen: string[] = [];
    const call = bearerTokenInterceptor(() => `token-${++issued}\n`)(async (request) => {
      seen.push(request.header.get('authorization') ?? '');
      return {} as never;
    });
    await call({ header: new Headers() } as never);
    await call({ header: new Headers() } as never);
    expect(seen).toEqual(['Bearer token-1', 'Bearer token-2']);
  });
});
