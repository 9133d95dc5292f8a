// What calling services import (SPEC §4): a typed VideoService client over gRPC, gRPC-Web
// or Connect, with a bearer token attached to every call.
import { Code, ConnectError, createClient, type Client, type Interceptor } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import { VideoService } from './gen/video/v1/video_service_pb.ts';

export { Code, ConnectError } from '@connectrpc/connect';
export { create } from '@bufbuild/protobuf';
export { VideoSchema, VideoStatus, type Video } from './gen/video/v1/video_pb.ts';
export * from './gen/video/v1/video_service_pb.ts';

/** A token, or a function returning one; the function is called for every request (so it can refresh). */
export type TokenSource = string | (() => string | Promise<string>);

export interface VideoServiceClientOptions {
  /** The service's address, e.g. http://127.0.0.1:8080 (https:// with TLS). */
  readonly baseUrl: string;
  readonly token: TokenSource;
  /** Wire protocol; default 'grpc'. */
  readonly protocol?: 'connect' | 'grpc' | 'grpc-web';
  /** Default '2' for gRPC (it needs HTTP/2) and '1.1' for the others. */
  readonly httpVersion?: '1.1' | '2';
  /** More client interceptors, run inside the bearer-token one. */
  readonly interceptors?: readonly Interceptor[];
}

/** A client interceptor setting `authorization: Bearer <token>` on every request. */
export function bearerTokenInterceptor(token: TokenSource): Interceptor {
  return (next) => async (request) => {
    const value = typeof token === 'function' ? await token() : token;
    // A token read from a file or a command's output often ends in a newline, which is
    // not allowed in a header value.
    request.header.set('authorization', `Bearer ${value.trim()}`);
    return next(request);
  };
}

/** Whether an error came from an HTTP/2 stream the server refused (REFUSED_STREAM) before processing it. */
export function isRefusedStream(error: unknown): boolean {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ERR_HTTP2_STREAM_ERROR' && cause.message.includes('NGHTTP2_REFUSED_STREAM')) {
      return true;
    }
  }
  return false;
}

/**
 * Reports a refused HTTP/2 stream as UNAVAILABLE. A server that is shutting down refuses
 * new streams with GOAWAY; RFC 9113 §6.8 guarantees such a request was never processed,
 * and gRPC calls that retryable, but connect-node 2.1 surfaces it as INTERNAL when the
 * refusal arrives as a stream error.
 */
export function refusedStreamAsUnavailable(): Interceptor {
  return (next) => async (request) => {
    try {
      return await next(request);
    } catch (error) {
      if (error instanceof ConnectError && error.code === Code.Internal && isRefusedStream(error)) {
        throw new ConnectError('the service refused the call while shutting down; retry', Code.Unavailable, undefined, undefined, error);
      }
      throw error;
    }
  };
}

/** A typed VideoService client that authenticates every call with `token`. */
export function createVideoServiceClient(options: VideoServiceClientOptions): Client<typeof VideoService> {
  const protocol = options.protocol ?? 'grpc';
  const interceptors = [refusedStreamAsUnavailable(), bearerTokenInterceptor(options.token), ...(options.interceptors ?? [])];
  const transport =
    protocol === 'grpc'
      ? createGrpcTransport({ baseUrl: options.baseUrl, interceptors })
      : (protocol === 'connect' ? createConnectTransport : createGrpcWebTransport)({
          baseUrl: options.baseUrl,
          httpVersion: options.httpVersion ?? '1.1',
          interceptors,
        });
  return createClient(VideoService, transport);
}
